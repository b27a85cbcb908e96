"""In the real browser: the clerk sets the unit's 公文设置, drafts the half-year report with a date of
its own, edits a section and downloads the Word file with its sources annex."""

from __future__ import annotations

from typing import Any

import pytest
from docx import Document as Word

from .test_browser import ARTIFACTS, _login_as_clerk, page  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_clerk_heads_edits_and_downloads_the_half_year_report(page: Any) -> None:  # noqa: F811
    _login_as_clerk(page)
    page.click("#modules a:text-is('文书')")
    page.click("text=公文设置")
    page.fill("#id_signer", "罗建国")
    page.click("button:text-is('保存')")
    page.wait_for_selector("text=公文设置已保存")
    page.click(".breadcrumb a:text-is('文书')")
    page.select_option("#id_kind", "half-year")
    page.select_option("#id_year", "2025")
    page.select_option("#id_half", "2")
    page.fill("#id_day", "2025-12-30")
    page.click("button[name=generate]")
    page.wait_for_selector("h1:has-text('2025年下半年意识形态工作情况的报告')")
    assert page.input_value("#id_day") == "2025-12-30" and page.input_value("#id_signer") == "罗建国"
    assert page.input_value("#id_addressee") == "中共市气象局党组"
    assert "2025年12月30日" in page.locator(".tz-doc-preview").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "document-header.png"))
    # the whole draft proofreads clean; a section edited with its numbers kept stays linked
    page.click("a[href='?check=proofread']")
    page.wait_for_selector("#proofread")
    assert "未发现问题" in page.locator("#proofread").inner_text()
    links = page.locator(".tz-doc-preview a.tz-figure").count()
    box = page.locator("textarea[name=text]").nth(2)
    box.fill(box.input_value() + "\n下半年各项工作有序推进。")
    page.locator("button:text-is('保存这一部分')").nth(2).click()
    page.wait_for_selector("text=已保存。")
    assert page.locator(".tz-doc-preview a.tz-figure").count() == links
    with page.expect_download() as download:
        page.click("text=Word（附数据来源）")
    word = Word(str(download.value.path()))
    texts = [p.text for p in word.paragraphs]
    assert "中共市气象局党组：" in texts and "附件：数据来源" in texts and "附件" in texts
    assert "下半年各项工作有序推进。" in texts
    assert page.console_errors == [], page.console_errors
