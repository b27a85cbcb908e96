"""In Chromium: the header fills in its 待办 and 消息 counts after the page is shown (htmx), a
message opened from 消息中心 leads to its page and no longer counts as unread."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import _login_as_clerk, page  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_header_counts_and_a_message_read_from_the_inbox(page: Any, cast: Any) -> None:  # noqa: F811
    from taizhang.notify.services import notify_users

    notify_users(
        acting_user=cast.secretary,
        users=[cast.clerk],
        subject="请核对本月学习记录",
        body="月底前核对。",
        link="/rules/",
    )
    _login_as_clerk(page)
    page.wait_for_selector("#unread-count .badge")
    assert page.locator("#unread-count .badge").inner_text() == "1"
    assert page.locator("#todo-count").is_visible()
    page.click("#unread-count")
    page.wait_for_selector("h1:has-text('消息中心')")
    page.click("#messages a:has-text('请核对本月学习记录')")
    page.wait_for_url("**/rules/")
    page.wait_for_selector("#todo-count")
    assert page.locator("#unread-count .badge").count() == 0
    page.click("#todo-count")
    page.wait_for_selector("h1:has-text('我的待办')")
    assert page.locator("#todo-list li").count() >= 1
    assert page.console_errors == [], page.console_errors
