"""扫码签到 in a real browser: the attendee on a phone (390×844), the clerk's count going up live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from .conftest import DEMO_PASSWORD
from .test_browser import ARTIFACTS, _login_as_clerk, page  # noqa: F401 (the page fixture)
from .test_signin import make_meeting

pytestmark = pytest.mark.browser


def test_an_attendee_signs_in_by_phone_and_the_clerks_count_goes_up(page: Any, cast: Any) -> None:  # noqa: F811
    meeting = make_meeting(cast, started=timedelta(minutes=5), lasts=timedelta(hours=1), guests="陈志强")
    ARTIFACTS.mkdir(exist_ok=True)
    _login_as_clerk(page)
    # the full-screen page for the meeting room: the code, and its link for a phone that cannot scan
    page.goto(f"{page.base}/ledger/meeting/{meeting.pk}/signin/")
    assert page.locator("svg.tz-qr-code").is_visible()
    link = page.locator("#signin-link").get_attribute("href")
    assert link and "/ledger/signin/" in link
    page.goto(f"{page.base}/ledger/meeting/{meeting.pk}/")
    assert page.locator("#signin-members").inner_text() == "0"

    phone = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True
    )
    mobile = phone.new_page()
    errors: list[str] = []
    mobile.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    mobile.goto(link)  # not signed in: the login page, then back to the meeting
    assert "/login/" in mobile.url
    mobile.fill("#id_username", "member")
    mobile.fill("#id_password", DEMO_PASSWORD)
    mobile.click("button[type=submit]")
    mobile.wait_for_selector("#scan-confirm")
    assert meeting.title in mobile.locator("#scan-meeting").inner_text()
    box = mobile.locator("#scan-confirm").bounding_box()
    assert box and box["width"] > 300 and box["height"] >= 48  # one big button, easy to tap
    mobile.click("#scan-confirm")
    mobile.wait_for_selector("#scan-result")
    assert "签到成功" in mobile.locator("#scan-result").inner_text()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    mobile.screenshot(path=str(ARTIFACTS / "signin-phone-390.png"), full_page=True)

    # the clerk's page, untouched, polls and shows the new count and the name
    page.wait_for_selector("#signin-members:text-is('1')", timeout=15000)
    assert "刘洋" in page.locator("#signin-names").inner_text()
    page.screenshot(path=str(ARTIFACTS / "signin-clerk-1280.png"), full_page=True)

    mobile.goto(link)  # a second scan
    assert "无需重复签到" in mobile.locator("#scan-result").inner_text()
    phone.close()
    assert errors == [] and page.console_errors == [], (errors, page.console_errors)
