"""Accessibility (GB/T 37668-2019, WCAG 2.1 AA): axe-core checks every page each person of the cast
reaches by following links, and the checks axe cannot make (status not by colour alone, the skip
link, errors linked to their fields) are asserted as a user would meet them."""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from .test_browser import _require_chromium

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG21AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ADMINS = {"sysadmin", "secadmin", "auditor"}  # the three administrators keep no ledgers
ROLES = ["secretary", "clerk", "member", "inspector", "outsider", "sysadmin", "secadmin", "auditor"]
MAX_PAGES = 200  # per person: the crawl is bounded even if a page links to an endless family
# never followed: they end the session, remove something, or answer with a file, not a page
SKIP_PATH = re.compile(
    r"/logout/|/delete|/template/|/unlock/|/revoke/|/reset/|/export|/download|/print/|\.(docx|pdf|xlsx|csv|md|txt|jpg|png|zip)$"
    r"|^/attachments/\d+/$|^/static/|^/media/"
)


HREF = re.compile(r"<a\b[^>]*?\shref=\"([^\"]*)\"")


def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"!!! 缺少 {AXE}：运行 npm ci 安装开发依赖 axe-core")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def browser(live_server: Any, cast: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    executable = _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        b.base = live_server.url
        yield b
        b.close()


def _login(browser: Any, username: str, viewport: dict[str, int]) -> Any:
    from .conftest import DEMO_PASSWORD

    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.goto(browser.base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, f"{username} 未能登录"
    return page


def _page_key(path: str) -> str:
    """Pages of one URL pattern look alike: check one of each (the first reached)."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return path
    name = getattr(match.func, "__name__", "")
    if match.func.__module__ == "taizhang.core.views":
        if name in {"import_view", "trash_view"}:  # one template, the kind's name the only change
            return name
        if name == "form_view":  # a kind's new and edit pages are one form
            return match.view_name.rsplit("_", 1)[0] + ":form"
    return match.view_name


def _axe(page: Any, source: str) -> list[dict[str, Any]]:
    # Evaluated through the debugging protocol: the page's CSP (script-src 'self') refuses an inline
    # <script> without a nonce, which is what add_script_tag(content=...) would insert.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    result = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, help: v.help,
            nodes: v.nodes.slice(0, 10).map(n => n.target.join(' ') + ' — ' + n.failureSummary)})))""",
        WCAG21AA,
    )
    return list(result)


# What axe does not check, in every page: descriptions and labels point to elements that exist, and a
# group of checkboxes has a fieldset with a legend (the table's row ticks are grouped by the table)
STRUCTURE = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) out.push(`${attr}="${id}" 指向不存在的元素`);
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    if (!document.getElementById(label.htmlFor)) out.push(`label for="${label.htmlFor}" 没有对应的控件`);
  }
  const groups = {};
  for (const box of document.querySelectorAll('input[type=checkbox][name]')) {
    if (box.closest('table')) continue;
    (groups[box.form ? box.form.id + '/' + box.name : box.name] ||= []).push(box);
  }
  for (const [name, boxes] of Object.entries(groups)) {
    if (boxes.length < 2) continue;
    const fs = boxes[0].closest('fieldset');
    if (!fs || !fs.querySelector('legend') || boxes.some(b => b.closest('fieldset') !== fs && !fs.contains(b))) {
      out.push(`复选框组 ${name} 没有 fieldset/legend`);
    }
  }
  return out;
}"""

# On a phone: the page never scrolls sideways (wide tables scroll in their own box), and no table
# column is squeezed so narrow that a name stands one character per line
PHONE = """() => {
  const out = [];
  const wider = document.documentElement.scrollWidth - window.innerWidth;
  if (wider > 0) out.push(`页面比手机屏幕宽 ${wider}px，需要横向拖动`);
  for (const cell of document.querySelectorAll('main td, main th')) {
    const text = cell.innerText.trim();
    const em = parseFloat(getComputedStyle(cell).fontSize);
    if (text.length >= 3 && !/^[\\d.%/—-]+$/.test(text) && cell.clientWidth > 0 && cell.clientWidth < 2.2 * em) {
      out.push(`表格列过窄（${cell.clientWidth}px）：${text.slice(0, 10)}`);
    }
  }
  return out.slice(0, 5);
}"""


class Crawl:
    """Breadth first from the home page over same-origin links (GET only), one page per URL pattern
    for each person; axe runs on a pattern once for the whole cast (the home page for everyone)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.axed: set[str] = set()
        self.findings: dict[str, list[Any]] = {}
        self.pages: dict[str, int] = {}
        self.axe_runs = 0

    def run(self, page: Any, who: str, *, extra: tuple[str, ...] = (), phone: bool = False) -> list[str]:
        from playwright.sync_api import Error as PlaywrightError

        origin = urlsplit(page.url).netloc
        queue: deque[str] = deque(["/", *extra])
        seen: set[str] = set()
        visited: list[str] = []
        while queue and len(visited) < MAX_PAGES:
            path = queue.popleft()
            key = _page_key(urlsplit(path).path)
            if key in seen:
                continue
            seen.add(key)
            axe_key = f"{key} {'phone' if phone else ''}"
            check = axe_key not in self.axed or key == "dashboard"
            where = f"{who} {path}"
            if check:  # in the browser, as the person sees it
                try:
                    response = page.goto(urljoin(page.url, path))
                except PlaywrightError as exc:  # a link that answers with a file, not a page
                    if "Download is starting" in str(exc):
                        continue
                    raise
                status, kind = response.status, response.headers.get("content-type") or ""
            else:  # a pattern already checked: only its links are needed, read from the HTML itself
                response = page.context.request.get(urljoin(page.url, path), max_redirects=5)
                status, kind = response.status, response.headers.get("content-type") or ""
            if status != 200:  # a link the person is shown leads to an error page
                self.findings[where] = [f"HTTP {status}"]
                continue
            if "text/html" not in kind:
                continue
            visited.append(path)
            if check:
                # the header's to-do count and other htmx parts arrive after load: check the settled page
                page.wait_for_function("() => !document.querySelector('.htmx-request')")
                self.axed.add(axe_key)
                self.axe_runs += 1
                found: list[Any] = list(page.evaluate(STRUCTURE)) + _axe(page, self.source)
                if phone:
                    found += page.evaluate(PHONE)
                if found:
                    self.findings[where] = found
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
                base = page.url
            else:
                hrefs = [html.unescape(h) for h in HREF.findall(response.text())]
                base = response.url
            for href in hrefs:
                parts = urlsplit(urljoin(base, href))
                if parts.netloc != origin or parts.scheme not in {"http", "https"}:
                    continue
                if SKIP_PATH.search(parts.path) or _page_key(parts.path) in seen:
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        self.pages[who] = len(visited)
        return visited


def _last_years_lists() -> tuple[str, ...]:
    """Each ledger list as a person opens it with last year picked in its year filter: the test's demo
    keeps a full past year, so these lists have rows, and their records' pages are reached too."""
    from django.urls import reverse
    from django.utils import timezone

    from taizhang.core import kinds

    year = timezone.localdate().year - 1
    return tuple(f"{reverse(f'ledger:{k.slug}_list')}?year={year}" for k in kinds.of_namespace("ledger"))


@pytest.fixture
def running_meeting(cast: Any) -> Any:
    """A meeting under way today, so the lists of this year lead to a meeting page with its QR code."""
    from datetime import timedelta

    from django.utils import timezone

    from taizhang.core.services import record_create
    from taizhang.ledger.models import Meeting

    start = timezone.now() - timedelta(minutes=10)
    return record_create(
        acting_user=cast.clerk,
        instance=Meeting(
            unit=cast.units["demo-dist"], kind="special", title="意识形态工作专题会议", held_at=start,
            ends_at=start + timedelta(hours=1), place="三楼会议室", host=cast.secretary, expected=3, present=0,
        ),
    )  # fmt: skip


def test_every_page_the_cast_reaches_passes_axe_at_wcag21_aa(browser: Any, running_meeting: Any) -> None:
    from django.urls import reverse

    from taizhang.ledger import signin

    crawl = Crawl(_axe_source())
    scan = reverse("ledger:signin_scan", args=[signin.token_for(running_meeting)])
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    anonymous = context.new_page()  # the login page, before anyone signs in
    anonymous.goto(browser.base + "/login/")
    if found := anonymous.evaluate(STRUCTURE) + _axe(anonymous, crawl.source):
        crawl.findings["/login/"] = found
    context.close()
    for who in ROLES:
        page = _login(browser, who, {"width": 1280, "height": 800})
        extra = () if who in ADMINS else _last_years_lists() + ((scan,) if who == "member" else ())
        visited = crawl.run(page, who, extra=extra)
        page.context.close()
        assert len(visited) >= 3, (who, visited)  # the crawl really walked: home and the sidebar's modules
    print(f"\n每人走到的页面：{crawl.pages}；axe 检查 {crawl.axe_runs} 次")
    assert crawl.pages["secretary"] >= 40 and crawl.pages["sysadmin"] >= 5
    assert crawl.findings == {}, crawl.findings


def test_the_members_pages_pass_axe_on_a_phone_and_never_scroll_sideways(
    browser: Any, running_meeting: Any
) -> None:
    """The member's tasks at 390×844: sign in by the QR link, log own study, read a material, my hours."""
    from django.urls import reverse

    from taizhang.ledger import signin

    crawl = Crawl(_axe_source())
    scan = reverse("ledger:signin_scan", args=[signin.token_for(running_meeting)])
    page = _login(browser, "member", {"width": 390, "height": 844})
    visited = crawl.run(page, "member", extra=(*_last_years_lists(), scan), phone=True)
    print(f"\nmember 390×844：{len(visited)} 页")
    for task in ("/ledger/signin/", "/library/selfstudy/new/", "/library/material/", "/library/hours/"):
        assert any(p.startswith(task) for p in visited), (task, visited)
    assert crawl.findings == {}, crawl.findings
    page.context.close()


def test_axe_runs_under_the_projects_csp_and_finds_a_real_fault(browser: Any) -> None:
    """The checker itself works in our pages: a contrast fault planted through the DOM is reported."""
    source = _axe_source()
    page = _login(browser, "clerk", {"width": 1280, "height": 800})
    refused = page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1';"
        " document.body.appendChild(s); return typeof window.__inline === 'undefined'; }"
    )
    assert refused  # the CSP refuses inline scripts, so axe is evaluated, not inserted
    # a tool for tests only: never among the files the server hands out (nor the offline bundle's)
    vendor = Path(__file__).resolve().parent.parent / "src" / "taizhang" / "static" / "vendor"
    assert not list(vendor.glob("axe*"))
    assert page.context.request.get(browser.base + "/static/vendor/axe.min.js").status == 404
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = '浅色文字';"
        " p.style.setProperty('color', '#eeeeee'); document.querySelector('main').appendChild(p);"
        " document.querySelector('main').setAttribute('aria-describedby', 'no-such-id'); }"
    )
    assert "color-contrast" in {v["id"] for v in _axe(page, source)}
    assert page.evaluate(STRUCTURE) == ['aria-describedby="no-such-id" 指向不存在的元素']
    page.context.close()


def test_skip_link_is_the_first_tab_stop_and_lands_on_the_content(browser: Any) -> None:
    page = _login(browser, "clerk", {"width": 1280, "height": 800})
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )
    assert focused == ["跳到正文", "#content"]
    assert page.locator("a.tz-skip").is_visible()  # shown while it has the focus
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    page.keyboard.press("Tab")  # the next stop is inside the page's content, not the header
    assert page.evaluate("() => !!document.activeElement.closest('#content')")
    page.context.close()


def test_a_refused_form_says_what_to_fix_at_the_top_and_links_each_error_to_its_field(browser: Any) -> None:
    page = _login(browser, "clerk", {"width": 1280, "height": 800})
    page.goto(browser.base + "/ledger/meeting/new/")
    page.evaluate(
        "() => document.querySelectorAll('[required]').forEach(el => el.removeAttribute('required'))"
    )
    page.click("main form button:has-text('保存')")
    page.wait_for_selector("#form-errors")
    # the focus moved to the summary, so a screen reader reads it first and Tab goes on to its links
    assert page.evaluate("() => document.activeElement.id") == "form-errors"
    invalid = page.eval_on_selector_all(
        "[aria-invalid=true]",
        """els => els.map(el => ({id: el.id, described: (el.getAttribute('aria-describedby') || '').split(' ')
            .filter(Boolean).map(id => document.getElementById(id) ? document.getElementById(id).innerText.trim() : null)}))""",
    )
    assert {"id_title", "id_held_at"} <= {f["id"] for f in invalid}, invalid
    for field in invalid:
        assert field["described"] and None not in field["described"], (
            field
        )  # the message is read with the field
        assert any(field["described"]), field
    link = page.locator("#form-errors a[href='#id_title']")
    assert link.inner_text() == page.inner_text("label[for=id_title]").rstrip(" *")
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "id_title"
    page.context.close()


def test_the_rules_grid_shows_each_status_by_a_sign_and_a_word_not_only_by_colour(browser: Any) -> None:
    page = _login(browser, "clerk", {"width": 1280, "height": 800})
    page.goto(browser.base + "/rules/?year=2025")
    for status, sign, word in (("met", "✓", "已完成"), ("missed", "✗", "未完成")):
        cell = page.locator(f"#rules-grid td.tz-{status} a").first
        assert cell.locator(".tz-mark").inner_text() == sign
        assert (
            cell.evaluate("a => a.textContent").strip().startswith(f"{sign}{word}：")
        )  # what a screen reader reads
    page.context.close()
