"""What each person sees first (issue 18): the secretary's year at a glance whose numbers open their
lists, the inspector's landing on the subtree, the member's own study, search from the header."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from taizhang.core.services import record_create
from taizhang.ledger import models as m
from taizhang.library import studies
from taizhang.library.models import Material, SelfStudy


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


def _home(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return str(response.content.decode())


def _tile(page: str, key: str) -> tuple[str, str]:
    """(the tile's link, its number) as the page shows them."""
    found = re.search(rf'href="([^"]*)"\s+id="{key}".*?tz-tile-value">([^<]*)<', page, re.S)
    assert found, key
    return found.group(1).replace("&amp;", "&"), found.group(2)


def _list_rows(client: Any, url: str) -> int:
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    return page.count('name="ids"')


def test_the_secretarys_numbers_open_lists_that_hold_as_many(cast: Any, client: Any) -> None:
    unit = cast.units["demo-dist"]
    rect = m.Rectification.objects.filter(unit=unit).first()
    from taizhang.core.audit import snapshot
    from taizhang.core.services import record_update

    before = snapshot(rect)
    rect.state, rect.completed_on, rect.result = m.RectificationState.IN_PROGRESS, None, ""
    rect.deadline = timezone.localdate() - timedelta(days=3)
    record_update(acting_user=cast.clerk, instance=rect, before=before)
    page = _home(client, cast.secretary)
    for key in ("tile-overdue", "tile-in-progress", "tile-pending", "tile-high-risk"):
        url, value = _tile(page, key)
        assert _list_rows(client, url) == int(value), key
    assert int(_tile(page, "tile-overdue")[1]) >= 1
    url, rate = _tile(page, "tile-rate")
    assert url.startswith(reverse("rules:grid")) and rate.endswith("%")
    # long-lived records count what exists: every open position, whatever year it was opened
    open_positions = m.Position.objects.filter(unit=unit, state="open", deleted_at__isnull=True).count()
    counts = page.split('id="ledger-counts"')[1]
    position = re.search(
        r'href="([^"]*)"[^>]*><span>阵地<span[^>]*>（现有）</span></span><strong>(\d+)', counts
    )
    assert position and int(position.group(2)) == open_positions > 0
    assert _list_rows(client, position.group(1).replace("&amp;", "&")) == open_positions
    group = re.search(
        r'href="([^"]*)"[^>]*><span>领导小组<span[^>]*>（现有）</span></span><strong>(\d+)', counts
    )
    assert group and int(group.group(2)) > 0  # the group as last appointed, even before this year's
    assert _list_rows(client, group.group(1).replace("&amp;", "&")) == int(group.group(2))


def test_the_charts_carry_completion_by_month_and_risks_by_level(cast: Any, client: Any) -> None:
    unit = cast.units["demo-dist"]
    year = timezone.localdate().year
    page = _home(client, cast.secretary)
    data = json.loads(re.search(r'id="dash-charts" type="application/json">(.*?)</script>', page).group(1))
    from taizhang.rules.services import evaluate_units

    [result] = evaluate_units([unit], year, user=cast.secretary)
    cells = [c for cs in result.cells.values() for c in cs]
    assert sum(map(sum, data["completion"].values())) == len(cells)
    assert sum(data["completion"]["missed"]) == sum(c.status == "missed" for c in cells)
    risks = m.Risk.objects.filter(unit=unit, analysis__year=year, deleted_at__isnull=True)
    assert [r["n"] for r in data["risks"]] == [
        risks.filter(level=lv).count() for lv in ("high", "medium", "low")
    ]
    for r in data["risks"]:  # each bar opens the list of its level
        assert _list_rows(client, r["url"]) == r["n"]
    assert 'id="completion-chart"' in page and 'id="risk-chart"' in page


def test_the_home_page_reads_little_and_counts_again_after_a_write(cast: Any, client: Any) -> None:
    client.force_login(cast.clerk)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as again:
        page = client.get(reverse("dashboard")).content.decode()
    assert len(again) <= 12 < len(first), (len(first), len(again))
    before = int(_tile(page, "tile-pending")[1])
    record_create(
        acting_user=cast.clerk,
        instance=m.Rectification(
            unit=cast.units["demo-dist"], source="self", problem="宣传栏内容更新不及时",
            measures="每月更新", owner=cast.clerk, found_on=timezone.localdate(),
            deadline=timezone.localdate() + timedelta(days=60),
        ),
    )  # fmt: skip
    after = client.get(reverse("dashboard")).content.decode()
    assert int(_tile(after, "tile-pending")[1]) == before + 1


def test_the_inspector_lands_on_the_subtree_and_keeps_the_unit_in_the_breadcrumb(
    cast: Any, client: Any
) -> None:
    client.force_login(cast.inspector)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url == reverse("rules:subtree")
    table = client.get(response.url).content.decode()
    dist = cast.units["demo-dist"]
    assert reverse("rules:unit_grid", args=[dist.pk]) in table  # a unit opens its results
    year = timezone.localdate().year
    grid = client.get(reverse("rules:unit_grid", args=[dist.pk]), {"year": year}).content.decode()
    crumbs = grid.split('aria-label="breadcrumb"')[1].split("</ol>")[0]
    assert "下级单位" in crumbs and dist.short_name in crumbs
    rule_id = re.search(rf'href="/rules/cell/{dist.pk}/([\w-]+)/{year}/1/"', grid).group(1)
    gap = client.get(reverse("rules:cell", args=[dist.pk, rule_id, year, 1])).content.decode()
    crumbs = gap.split('aria-label="breadcrumb"')[1].split("</ol>")[0]
    assert "下级单位" in crumbs and reverse("rules:unit_grid", args=[dist.pk]) in crumbs


def test_a_secretary_above_a_branch_opens_its_results_not_its_staff(cast: Any, client: Any) -> None:
    page = _home(client, cast.secretary)
    branch = cast.units["demo-dist-branch"]
    below = page.split('id="subunits"')[1]
    assert reverse("rules:unit_grid", args=[branch.pk]) in below
    assert reverse("unit_members", args=[branch.pk]) not in below


def test_the_member_sees_their_own_hours_and_only_their_own_records(cast: Any, client: Any) -> None:
    unit = cast.units["demo-dist"]
    today = timezone.localdate()
    material = Material.objects.filter(unit=unit, deleted_at__isnull=True).first()
    record_create(
        acting_user=cast.member,
        instance=SelfStudy(unit=unit, person=cast.member, material=material, studied_on=today, minutes=90),
    )
    record_create(
        acting_user=cast.clerk,
        instance=SelfStudy(unit=unit, person=cast.clerk, material=material, studied_on=today, minutes=30),
    )
    page = _home(client, cast.member)
    assert 'id="my-study"' in page and 'id="status-tiles"' not in page
    mine = next(p for p in studies.year_hours(unit, today.year, user=cast.member) if p.person == cast.member)
    assert _tile(page, "my-hours")[1] == f"{mine.hours:.1f}"
    url, _ = _tile(page, "my-records")
    listing = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert cast.member.display_name in listing and cast.clerk.display_name not in listing
    hours = client.get(reverse("library:hours")).content.decode()
    assert "（分钟）" not in hours and "个人自学（学时）" in hours


def test_a_study_record_is_found_by_its_materials_title_from_the_header(cast: Any, client: Any) -> None:
    unit = cast.units["demo-dist"]
    material = record_create(
        acting_user=cast.clerk,
        instance=Material(unit=unit, title="红船精神的时代内涵", kind="document", body="正文", shared=False),
    )
    study = record_create(
        acting_user=cast.member,
        instance=SelfStudy(unit=unit, person=cast.member, material=material, studied_on=timezone.localdate(),
                           minutes=40, note="读后写了体会"),
    )  # fmt: skip
    page = _home(client, cast.member)
    assert 'id="header-search"' in page and f'action="{reverse("library:search")}"' in page
    found = client.get(reverse("library:search"), {"q": "红船精神", "kind": "selfstudy"}).content.decode()
    assert reverse("library:selfstudy_detail", args=[study.pk]) in found
    client.force_login(cast.outsider)  # a sibling unit's clerk finds nothing of it
    found = client.get(reverse("library:search"), {"q": "红船精神"}).content.decode()
    assert reverse("library:selfstudy_detail", args=[study.pk]) not in found
