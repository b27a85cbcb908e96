"""The home pages in Debian's chromium at 1280×800 and 390×844: the charts draw and their hover
raises no CSP error, the numbers open their lists, the inspector lands on the subtree table, the
member's page, the rules grid's fixed column and header on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from .test_browser import page  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _login(pg: Any, username: str) -> None:
    from .conftest import DEMO_PASSWORD

    cache.clear()
    pg.goto(pg.base + "/login/")
    pg.fill("#id_username", username)
    pg.fill("#id_password", DEMO_PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(lambda url: "/login/" not in url)  # the login page has an h1 and is idle too
    pg.wait_for_load_state("networkidle")


def _hover_across(pg: Any, selector: str) -> None:
    pg.wait_for_selector(f"{selector} svg")
    box = pg.locator(selector).bounding_box()
    for i in range(1, 8):
        pg.mouse.move(box["x"] + box["width"] * i / 8, box["y"] + box["height"] * 0.6)
        pg.wait_for_timeout(60)


def test_secretary_sees_the_year_hovers_the_charts_and_opens_a_number(page: Any) -> None:  # noqa: F811
    _login(page, "secretary")
    for chart in ("#completion-chart", "#risk-chart", "#monthly-chart"):
        _hover_across(page, chart)
    assert page.locator("#completion-chart svg text:has-text('已完成')").count() >= 1  # its legend, in words
    assert page.console_errors == [], page.console_errors  # the tooltip writes no inline style
    overdue = int(page.inner_text("#tile-overdue .tz-tile-value"))
    page.click("#tile-overdue")
    page.wait_for_selector("main h1:text-is('问题整改')")
    assert page.locator("#record-table input[name=ids]").count() == overdue

    page.set_viewport_size(PHONE)
    page.goto(page.base + "/")
    _hover_across(page, "#completion-chart")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(page.base + "/rules/")
    box = page.locator(".tz-grid-scroll")
    first = page.locator("#rules-grid tbody th").first
    head = page.locator("#rules-grid thead th").nth(3)
    x0, y0 = first.bounding_box()["x"], head.bounding_box()["y"]
    box.evaluate("el => { el.scrollLeft = 400; el.scrollTop = 300; }")
    page.wait_for_timeout(100)
    assert abs(first.bounding_box()["x"] - x0) < 1  # the requirement column stays
    assert abs(head.bounding_box()["y"] - y0) < 1  # the month header stays
    assert page.console_errors == [], page.console_errors


def test_inspector_lands_on_the_subtree_and_drills_down(page: Any) -> None:  # noqa: F811
    _login(page, "inspector")
    page.wait_for_selector("#subtree-table")
    assert page.url.endswith("/rules/subtree/")
    page.click("#subtree-table a:text-is('区气象局')")
    page.wait_for_selector("#rules-grid")
    crumbs = page.inner_text("nav[aria-label=breadcrumb]")
    assert "下级单位" in crumbs and "区气象局" in crumbs
    page.locator("#rules-grid td a").first.click()
    page.wait_for_selector("main h1")
    assert "区气象局" in page.inner_text("nav[aria-label=breadcrumb]")
    assert page.console_errors == [], page.console_errors


def test_member_on_a_phone_sees_their_hours_and_their_own_records(page: Any, cast: Any) -> None:  # noqa: F811
    from django.utils import timezone

    from taizhang.core.services import record_create
    from taizhang.library.models import SelfStudy

    unit, today = cast.units["demo-dist"], timezone.localdate()
    for person in (cast.member, cast.clerk):  # one of mine, one of a colleague's
        record_create(acting_user=person, instance=SelfStudy(unit=unit, person=person, studied_on=today, minutes=50,
                                                             note="学习党章第二章"))  # fmt: skip
    page.set_viewport_size(PHONE)
    _login(page, "member")
    page.wait_for_selector("#my-study")
    assert page.locator("#status-tiles").count() == 0
    hours = page.inner_text("#my-hours .tz-tile-value")
    assert float(hours) >= 0
    page.click("#my-records")
    page.wait_for_selector("#record-table")
    people = set(page.locator("#record-table tbody td:nth-child(3)").all_inner_texts())
    assert people == {cast.member.display_name}, people  # the member's own records only
    # no column squeezed to one character a line: each cell at least three characters wide
    widths = page.evaluate(
        "[...document.querySelectorAll('#record-table tbody td:not(.tz-select-col)')].map(td => td.clientWidth)"
    )
    assert widths and min(widths) >= 3 * 14
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.console_errors == [], page.console_errors
