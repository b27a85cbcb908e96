"""The nine everyday tasks of issue 18, done in Debian's chromium as each person would do them from
their home page, counting the clicks they make and the pages the browser loads.

A click is one pointer action: a link or button, a box ticked, an option picked from a list, a field
tapped before typing in it, the file dialog opened. A page load is a top-level navigation (a form
posted and redirected counts once). Signing in is not counted: each task starts on the home page.

The same walk runs against any tree of Taizhang with the same demo data: where an older tree lacks
a shortcut, the walk takes the way that tree offers (e.g. uploading a photo after saving).

    .venv/bin/python bench/ux_tasks.py                  # this tree, on a fresh demo in a temp dir
    UX_SRC=/tmp/old/src .venv/bin/python bench/ux_tasks.py   # another tree's src, same walk
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

PASSWORD = "Demo-Pass-2026"

# the most a task may take on this tree: (clicks, page loads), asserted by tests/test_ux_tasks.py
BUDGET = {
    "会议记录带照片": (11, 3),
    "风险→整改→销号": (5, 3),
    "导入（改正一处错误）": (7, 5),
    "三审": (11, 9),
    "生成并下载年度总结": (5, 2),
    "登记个人自学": (2, 2),
    "上级检查逐级查看": (2, 2),
    "第一责任人看全年情况": (0, 0),
    "搜索": (2, 2),
}

# the same walk on the tree before issue 18's work (commit caa4305, its own demo), for the table
BEFORE = {
    "会议记录带照片": (12, 4),
    "风险→整改→销号": (9, 5),
    "导入（改正一处错误）": (7, 5),
    "三审": (13, 11),
    "生成并下载年度总结": (5, 2),
    "登记个人自学": (4, 2),
    "上级检查逐级查看": (4, 4),
    "第一责任人看全年情况": (8, 8),
    "搜索": (3, 2),
}


class Walk:
    """One person's browser tab, counting what they do."""

    def __init__(self, pg: Any, base: str, tmp: Path) -> None:
        self.pg, self.base, self.tmp = pg, base, tmp
        self.clicks = self.loads = 0
        pg.on("framenavigated", lambda frame: frame == pg.main_frame and self._loaded())

    def _loaded(self) -> None:
        self.loads += 1

    def login(self, username: str) -> None:
        """Sign in (not counted) and land on the home page."""
        pg = self.pg
        pg.context.clear_cookies()
        pg.goto(self.base + "/login/")
        pg.fill("#id_username", username)
        pg.fill("#id_password", PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_load_state("networkidle")
        self.clicks = self.loads = 0

    def has(self, selector: str) -> bool:
        loc = self.pg.locator(selector)
        return loc.count() > 0 and loc.first.is_visible()

    def click(self, *selectors: str) -> None:
        """Click the first of these that is on the page (an older tree may name it differently)."""
        for selector in selectors:
            if self.has(selector):
                self.clicks += 1
                self.pg.locator(selector).first.click()
                self.pg.wait_for_load_state("networkidle")
                return
        raise LookupError(f"none of {selectors} on {self.pg.url}")

    def type(self, selector: str, text: str) -> None:
        self.clicks += 1  # tap the field, then type
        self.pg.fill(selector, text)

    def pick(self, selector: str, **option: Any) -> None:
        self.clicks += 1
        self.pg.select_option(selector, **option)

    def tick(self, selector: str) -> None:
        self.clicks += 1
        self.pg.locator(selector).first.check()

    def files(self, selector: str, *paths: Path) -> None:
        self.clicks += 1  # the file dialog, the files picked there
        self.pg.set_input_files(selector, [str(p) for p in paths])

    def empty(self, selector: str) -> bool:
        return self.has(selector) and not self.pg.input_value(selector)

    def photo(self, name: str) -> Path:
        import base64

        path = self.tmp / name
        # a 1x1 PNG: what the browser picks, not what it shows, is measured here
        path.write_bytes(base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
        ))  # fmt: skip
        return path


def open_ledger(w: Walk, name: str) -> None:
    """From the home page to one ledger's list: its count on the home page, else 台账 and the list."""
    if w.has(f"#ledger-counts a:has-text('{name}')"):
        w.click(f"#ledger-counts a:has-text('{name}')")
    else:
        w.click("#modules a:text-is('台账')", "nav a:text-is('台账')")
        w.click(f"main a:has-text('{name}')")


def meeting_with_photo(w: Walk) -> None:
    w.login("clerk")
    open_ledger(w, "会议学习")
    w.click("#record-new")
    w.pick("#id_kind", label="主题党日")
    w.type("#id_title", "主题党日：重温入党誓词（走查）")
    w.type("#id_held_at", (date.today() - timedelta(days=1)).strftime("%Y-%m-%dT09:30"))
    w.pick("#id_host", index=1)
    w.type("#id_expected", "8")
    w.type("#id_present", "1")
    w.tick("input[name=attendees]")
    photo = w.photo("现场照片.png")
    if w.has("#id_attachments"):
        w.files("#id_attachments", photo)
        w.click("main form button:has-text('保存')")
    else:
        w.click("main form button:has-text('保存')")
        w.files("#att-file", photo)
        w.click("text=上传附件")
    w.pg.wait_for_selector("a:has-text('现场照片.png'), img[alt*='现场照片']")


def risk_to_closing(w: Walk, risk_id: int) -> None:
    """From the risk point's page (reached from its 分析研判 or a notice) to the rectification closed
    with its evidence."""
    w.login("clerk")
    w.pg.goto(w.base + f"/ledger/risk/{risk_id}/")
    w.clicks = w.loads = 0
    w.click("#open-rectification")
    if w.empty("#id_deadline"):
        w.type("#id_deadline", (date.today() + timedelta(days=30)).isoformat())
    w.click("main form button:has-text('保存')")
    evidence = w.photo("整改佐证.png")
    if w.has("#rc-close"):
        w.type("#rc-result", "已修订信息发布审核办法并组织培训。")
        w.files("#rc-files", evidence)
        w.click("#rc-close")
        return
    w.click("main a:text-is('编辑')")
    w.pick("#id_state", label="已销号")
    w.type("#id_completed_on", date.today().isoformat())
    w.type("#id_result", "已修订信息发布审核办法并组织培训。")
    w.click("main form button:has-text('保存')")
    w.files("#att-file", evidence)
    w.click("text=上传附件")


def _import_files(w: Walk) -> tuple[Path, Path]:
    """The template's own header row, one meeting a row: one file with a wrong date, one right."""
    from openpyxl import load_workbook

    href = w.pg.get_attribute("a:has-text('下载模板')", "href")
    body = w.pg.context.request.get(w.base + href if href.startswith("/") else href).body()
    header = [c.value for c in next(load_workbook(io.BytesIO(body)).active.iter_rows(max_row=1))]
    out = []
    for when in ("2025-13-40 09:30", "2025-06-10 09:30"):
        row = []
        for name in header:
            label = str(name or "")
            value = "" if "结束" in label else None
            for key, text in (("类型", "支委会"), ("名称", "走查导入的支委会"), ("时间", when),
                              ("主持", "罗建国"), ("应到", "7"), ("实到", "6"), ("地点", "会议室")):  # fmt: skip
                if key in label and value is None:
                    value = text
            row.append(value or "")
        buf = io.StringIO()
        csv.writer(buf).writerows([header, row])
        path = w.tmp / f"会议导入{len(out)}.csv"
        path.write_text(buf.getvalue(), encoding="utf-8-sig")
        out.append(path)
    return out[0], out[1]


def import_with_an_error(w: Walk) -> None:
    w.login("clerk")
    open_ledger(w, "会议学习")
    w.click("main a:text-is('导入')")
    wrong, right = _import_files(w)
    w.files("#import-file", wrong)
    w.click("main form button:has-text('上传并检查')")
    w.pg.wait_for_selector("main .text-danger, main .alert-danger, main .table-danger")
    w.files("#import-file", right)
    w.click("main form button:has-text('上传并检查')")
    w.click("#import-commit")
    w.pg.wait_for_selector("text=已导入")


def three_reviews(w: Walk) -> None:
    """The clerk writes the draft and sends it; 初审 (clerk), 复审 (leader), 终审 (secretary)."""
    title = "走查送审稿：气象科普进社区"
    w.login("clerk")
    open_ledger(w, "发布审核")
    w.click("#record-new")
    w.pick("#id_position", index=1)
    w.type("#id_title", title)
    w.click("main form button:has-text('保存')")
    w.click("#review-submit")
    w.click("#review-decide button")  # 初审: 通过
    total = (w.clicks, w.loads)
    for reviewer in ("leader", "secretary"):
        w.login(reviewer)
        if w.has(f"main a:has-text('{title}')"):  # on the home page's to-do
            w.click(f"main a:has-text('{title}')")
        else:
            open_ledger(w, "发布审核")
            w.click(f"main a:has-text('{title}')", f"#record-table tr:has-text('{title}') a")
        w.click("#review-decide button")
        total = (total[0] + w.clicks, total[1] + w.loads)
    w.clicks, w.loads = total


def annual_summary(w: Walk) -> None:
    w.login("clerk")
    w.click("#modules a:text-is('文书')", "nav a:text-is('文书')")
    w.pick("#id_kind", value="annual")
    w.pick("#id_year", value=str(date.today().year - 1))
    w.click("button[name=generate]")
    w.pg.wait_for_selector("main h1:has-text('年度意识形态工作总结')")
    with w.pg.expect_download():
        w.click("main a:has-text('Word')", "main a:has-text('下载')", "main button:has-text('下载')")


def own_study(w: Walk) -> None:
    """A member logs what they studied today: the first material recommended to them."""
    w.login("member")
    w.click("#recommended a:text-is('登记学习')")
    if w.empty("#id_studied_on"):
        w.type("#id_studied_on", date.today().isoformat())
    if w.empty("#id_minutes"):
        w.type("#id_minutes", "60")
    w.click("main form button:text-is('保存')")
    w.pg.wait_for_selector("text=个人自学已保存")


def inspector_drilldown(w: Walk) -> None:
    """The inspector opens a lower unit's results and one requirement's records."""
    w.login("inspector")
    if not w.has("#subtree-table"):
        w.click("#modules a:text-is('责任落实')", "nav a:text-is('责任落实')")
        w.click("main a:has-text('下级单位')")
    w.click("#subtree-table a:text-is('区气象局')", "main a:text-is('区气象局')")
    w.click("#rules-grid td a")


def secretary_status(w: Walk) -> None:
    """The secretary reads the year: completion of the rules, overdue rectifications, risks by level,
    study coverage. What the home page does not show is read on its own page and back."""
    w.login("secretary")
    facts = [
        ("#status-tiles", ["#modules a:text-is('责任落实')", "nav a:text-is('责任落实')"]),
        ("#tile-overdue, #overdue", []),
        ("#risk-chart", ["#modules a:text-is('台账')", "nav a:text-is('台账')", "main a:has-text('风险点'), main a:has-text('分析研判')"]),  # no list by level before
        ("#tile-study-coverage, #study-coverage", ["#modules a:text-is('学习资料')", "nav a:text-is('学习资料')",
                                                   "main a:has-text('学习情况')"]),
    ]  # fmt: skip
    for probe, way in facts:
        if w.has(probe) or not way:
            continue
        steps = [way[:2]] + [[x] for x in way[2:]]
        for candidates in steps:
            w.click(*candidates)
        w.clicks += 1  # back to the home page
        w.pg.goto(w.base + "/")


def search(w: Walk) -> None:
    w.login("clerk")
    if w.has("#header-q"):
        w.type("#header-q", "长征")
        w.pg.press("#header-q", "Enter")
        w.pg.wait_for_load_state("networkidle")
    else:
        w.click("#modules a:text-is('学习资料')", "nav a:text-is('学习资料')")
        w.type("main input[name=q]", "长征")
        w.pg.wait_for_selector("main a:has-text('长征')")
    w.click("main a:has-text('红军长征的历程')")


TASKS: list[tuple[str, Callable[..., None]]] = [
    ("会议记录带照片", meeting_with_photo),
    ("风险→整改→销号", risk_to_closing),
    ("导入（改正一处错误）", import_with_an_error),
    ("三审", three_reviews),
    ("生成并下载年度总结", annual_summary),
    ("登记个人自学", own_study),
    ("上级检查逐级查看", inspector_drilldown),
    ("第一责任人看全年情况", secretary_status),
    ("搜索", search),
]


def run(pg: Any, base: str, tmp: Path, risk_id: int) -> dict[str, tuple[int, int] | str]:
    """Every task in turn; a task the tree cannot do at all is reported as such, not raised."""
    w = Walk(pg, base, tmp)
    out: dict[str, tuple[int, int] | str] = {}
    for name, task in TASKS:
        try:
            task(w, risk_id) if task is risk_to_closing else task(w)
        except Exception as exc:  # an older tree may lack the page: say so in the table
            pg.screenshot(path=str(tmp / f"failed-{name}.png"), full_page=True)
            out[name] = f"做不到：{type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
            continue
        out[name] = (w.clicks, w.loads)
    return out


def browser(playwright: Any) -> Any:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    return playwright.chromium.launch(
        executable_path=exe,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    )


def _served(src: str | None, data: Path) -> tuple[Any, str, int]:
    """A fresh demo of that tree served on loopback; the id of a risk point without rectification."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from taizhang.loadclient import start_server

    env = {**os.environ, "TAIZHANG_DATA_DIR": str(data), "TAIZHANG_DEMO_PASSWORD": PASSWORD,
           "DJANGO_SETTINGS_MODULE": "taizhang.settings"}  # fmt: skip
    if src:
        env["PYTHONPATH"] = src
    exe = str(Path(sys.executable).with_name("taizhang"))
    if not (data / "taizhang.sqlite3").exists() and not any(data.glob("*.sqlite3")):
        subprocess.run([exe, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    code = ("import django; django.setup(); from taizhang.ledger.models import Risk; "
            "print(Risk.objects.filter(unit__code='demo-dist', rectification__isnull=True).order_by('pk').first().pk)")  # fmt: skip
    risk = int(
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
    )
    proc, base = start_server(env, data / "server.log", 2)
    return proc, base, risk


def main() -> int:
    from playwright.sync_api import sync_playwright

    data = Path(os.environ.get("UX_DATA") or tempfile.mkdtemp(prefix="taizhang-ux-"))
    data.mkdir(parents=True, exist_ok=True)
    proc, base, risk = _served(os.environ.get("UX_SRC"), data)
    try:
        with sync_playwright() as p:
            b = browser(p)
            pg = b.new_context(
                viewport={"width": 1280, "height": 800}, locale="zh-CN", accept_downloads=True
            ).new_page()
            results = run(pg, base, Path(tempfile.mkdtemp(prefix="taizhang-ux-files-")), risk)
            b.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"{'task':<24}{'clicks / page loads':>22}{'budget':>10}{'before (caa4305)':>20}")
    for name, got in results.items():
        budget, before = "{} / {}".format(*BUDGET[name]), "{} / {}".format(*BEFORE[name])
        shown = got if isinstance(got, str) else "{} / {}".format(*got)
        print(f"{name:<24}{shown:>22}{budget:>10}{before:>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
