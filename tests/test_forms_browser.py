"""The forms and lists in a real browser, at the desk (1280×800) and on a phone (390×844): a
meeting recorded with its photo in one save, a risk taken to 销号 with its evidence, and the
selected rows of a list exported and deleted. Each task counts its clicks and page loads."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from .conftest import DEMO_PASSWORD
from .test_browser import ARTIFACTS, page  # noqa: F401 (the page fixture)

pytestmark = pytest.mark.browser


class Counter:
    """Clicks the person makes and the pages the browser loads (top-level navigations)."""

    def __init__(self, pg: Any) -> None:
        self.pg, self.clicks, self.loads = pg, 0, 0
        pg.on("framenavigated", lambda frame: frame == pg.main_frame and self._load())

    def _load(self) -> None:
        self.loads += 1

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.pg.click(selector)

    def choose_files(self, selector: str, files: list[str]) -> None:
        self.clicks += 1  # the file dialog: one click on the field, the files picked there
        self.pg.set_input_files(selector, files)

    def reset(self) -> None:
        self.clicks = self.loads = 0


def _login(pg: Any, username: str) -> None:
    pg.goto(pg.base + "/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", DEMO_PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login/" not in url)  # the login page has an h1 and is idle too


def _fits(pg: Any) -> None:
    width = pg.viewport_size["width"]
    assert pg.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_meeting_with_a_photo_in_one_save(page: Any, tmp_path: Path, viewport: tuple[int, int]) -> None:  # noqa: F811
    from django.utils import timezone

    from taizhang.demo_ledgers import png
    from taizhang.ledger.models import Meeting

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    _login(page, "clerk")
    page.goto(page.base + "/ledger/meeting/")
    count = Counter(page)
    count.click("#record-new")
    page.wait_for_selector("#id_kind")
    assert page.locator("#id_kind option").first.inner_text() == "请选择"
    # 落实的学习计划: grouped under each plan's name, months labelled
    summaries = page.locator("fieldset details summary").all_inner_texts()
    assert summaries and all("学习计划" in s for s in summaries)
    page.select_option("#id_kind", label="主题党日")
    page.fill("#id_title", "主题党日：重温入党誓词")
    page.fill("#id_held_at", (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_host", index=1)
    page.fill("#id_expected", "8")
    page.fill("#id_present", "3")
    boxes = page.locator("input[name=attendees]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    assert page.locator("[data-check-count]").inner_text() == "已勾选 2 人"
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / f"forms-meeting-form-{viewport[0]}.png"), full_page=True)
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png(640, 480))
    count.choose_files("#id_attachments", [str(photo)])
    count.click("main form button:has-text('保存')")
    # 实到 3 against 2 ticked: said plainly, and the focus moves to the summary
    page.wait_for_selector("#form-errors")
    assert "勾选的参加人员只有 2 人" in page.inner_text("#form-errors")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert "刚才选择的附件也未上传" in page.content()
    boxes.nth(2).check()
    count.choose_files("#id_attachments", [str(photo)])
    count.click("main form button:has-text('保存')")
    page.wait_for_selector("h1:has-text('重温入党誓词')")
    thumb = page.locator("#attachment-list img.tz-thumb")
    assert thumb.count() == 1
    page.wait_for_function(
        "() => { const i = document.querySelector('#attachment-list img'); return i.complete && i.naturalWidth; }"
    )
    assert page.evaluate("document.querySelector('#attachment-list img').naturalWidth") == 240
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / f"forms-meeting-{viewport[0]}.png"), full_page=True)
    # 新增, file, 保存 (3 clicks, 2 pages: form, record) plus one correction: file and 保存 again
    assert (count.clicks, count.loads) == (5, 3)
    count.click("#attachment-list a[title='查看大图']")
    page.wait_for_function(
        "() => { const i = document.getElementById('attachment-preview'); return i && i.complete && i.naturalWidth; }"
    )
    assert page.evaluate("document.getElementById('attachment-preview').naturalWidth") == 640
    _fits(page)
    meeting = Meeting.objects.get(title="主题党日：重温入党誓词")
    assert (meeting.present, meeting.attendees.count()) == (3, 3)
    assert page.console_errors == [], page.console_errors


def test_risk_to_rectification_to_closing_with_evidence(page: Any, tmp_path: Path) -> None:  # noqa: F811
    from taizhang.demo_ledgers import png
    from taizhang.ledger import models as lm

    risk = lm.Risk.objects.filter(unit__code="demo-dist", rectification__isnull=True).first()
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "clerk")
    page.goto(page.base + f"/ledger/risk/{risk.pk}/")
    count = Counter(page)
    count.click("#open-rectification")
    page.wait_for_selector("#id_deadline")
    count.click("main form button:has-text('保存')")
    page.wait_for_selector("#rectification-complete")
    assert page.locator("#related-1 a").inner_text() == str(risk)
    page.fill("#rc-result", "已修订公众号信息发布审核办法并组织培训。")
    evidence = tmp_path / "整改佐证.png"
    evidence.write_bytes(png(320, 200))
    count.choose_files("#rc-files", [str(evidence)])
    count.click("#rc-close")
    page.wait_for_selector("text=已销号。")
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "forms-rectification-390.png"), full_page=True)
    assert (count.clicks, count.loads) == (4, 3)
    rect = lm.Rectification.objects.get(risk=risk)
    assert rect.state == lm.RectificationState.CLOSED
    assert page.locator("#attachment-list img.tz-thumb").count() == 1
    # the list marks what is overdue
    page.goto(page.base + "/ledger/rectification/?state=overdue")
    rows = page.locator("#record-table tbody tr.table-danger")
    assert rows.count() == page.locator("#record-table tbody tr input[name=ids]").count()
    assert page.console_errors == [], page.console_errors


@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)])
def test_selected_rows_are_exported_and_deleted(page: Any, viewport: tuple[int, int]) -> None:  # noqa: F811
    from taizhang.ledger.models import Meeting

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    _login(page, "secretary")
    page.goto(page.base + "/ledger/meeting/")
    _fits(page)
    boxes = page.locator("#record-table input[name=ids]")
    chosen = [boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")]
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_download() as download:
        page.click("#bulk-export")
    assert download.value.suggested_filename == "会议学习（所选2条）.xlsx"
    page.check("#record-table input[data-select-all]")
    assert boxes.count() == page.locator("#record-table input[name=ids]:checked").count()
    page.uncheck("#record-table input[data-select-all]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("#bulk-delete")
    page.wait_for_selector("#bulk-confirm")
    page.click("#bulk-confirm")
    page.wait_for_selector("text=已删除 2 条会议学习记录")
    _fits(page)
    assert Meeting.objects.filter(pk__in=chosen, deleted_at__isnull=False).count() == 2
    assert page.console_errors == [], page.console_errors
