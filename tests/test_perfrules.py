"""The superior's table counts from grouped running totals, a unit's page from its records one by
one: both give every cell the same value and status, at month and due-day edges, for every measure."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.core.services import record_create
from taizhang.ledger import models as m
from taizhang.orgs.models import Unit
from taizhang.rules import engine
from taizhang.rules.models import LocalAction, LocalRule
from taizhang.rules.services import evaluate_units

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def west(cast):
    """demo-west with no records of its own, then meetings and reports on the edges of periods."""
    unit, clerk = cast.units["demo-west"], cast.users["west_clerk"]
    for model in (m.Meeting, m.ReportRecord):
        model.objects.filter(unit=unit).update(deleted_at=datetime(2020, 1, 1, tzinfo=BEIJING))
    edges = [
        ("branch_committee", datetime(2025, 1, 31, 23, 30), 4),  # 15:30 UTC: still January
        ("branch_committee", datetime(2025, 2, 1, 0, 30), 6),  # 16:30 UTC on 31 January: February
        ("branch_committee", datetime(2025, 3, 20, 23, 59), 7),  # the last minute of a due day
        ("branch_committee", datetime(2025, 3, 21, 0, 1), 9),  # after it
        ("central_study", datetime(2025, 4, 1, 0, 10), 5),
        ("central_study", datetime(2025, 4, 1, 20, 0), 5),  # the same day: one day of study
        ("central_study", datetime(2025, 12, 31, 23, 50), 5),  # the year's last minutes
        ("analysis", datetime(2025, 6, 30, 23, 0), 3),
        ("theme_day", datetime(2025, 7, 1, 0, 0), 8),
    ]
    for kind, when, present in edges:
        hours = {"hours": 2} if kind == "central_study" else {}
        record_create(
            acting_user=clerk,
            instance=m.Meeting(unit=unit, kind=kind, title=f"{kind} {when:%m-%d %H:%M}", host=clerk,
                               held_at=when.replace(tzinfo=BEIJING), expected=9, present=present,
                               content="学习", **hours),
        )  # fmt: skip
    for day in (date(2025, 6, 20), date(2025, 6, 21), date(2025, 12, 21)):  # due 06-20 and 12-20
        record_create(
            acting_user=clerk,
            instance=m.ReportRecord(
                unit=unit, kind="half_year", held_on=day, title="半年报告", recipient="市局"
            ),
        )
    local = [
        dict(rule_id="x-people", ledger="meeting", kind="branch_committee", period="quarter",
             measure="people", threshold=10, due="03-20,06-20,09-20,12-20"),
        dict(rule_id="x-days", ledger="meeting", period="half", measure="days", threshold=3, due="06-30,12-31"),
        dict(rule_id="x-any", ledger="meeting", period="month", threshold=1),
        dict(rule_id="x-study-days", ledger="meeting", kind="central_study", period="year", measure="days",
             threshold=2),
        dict(rule_id="x-reports", ledger="report", period="quarter", threshold=1, due="02-29"),
    ]  # fmt: skip
    for fields in local:
        LocalRule.objects.create(unit=unit, action=LocalAction.ADD, name=fields["rule_id"], **fields)
    return unit


def _table(units, today):
    return {
        (r.unit.pk, rule_id): [(c.period.index, c.value, c.status) for c in cells]
        for r in evaluate_units(units, 2025, today=today)
        for rule_id, cells in r.cells.items()
    }


def _pages(units, today):
    return {
        (r.unit.pk, rule_id): [(c.period.index, c.value, c.status) for c in cells]
        for unit in units
        for r in evaluate_units([unit], 2025, with_evidence=True, today=today)
        for rule_id, cells in r.cells.items()
    }


@pytest.mark.parametrize("today", [date(2025, 3, 21), date(2025, 6, 20), date(2026, 1, 5)])
def test_the_table_and_each_units_page_agree_on_every_cell(cast, west, today):
    units = list(Unit.objects.order_by("path"))
    table = _table(units, today)
    assert table == _pages(units, today)
    assert [v for _, v, _ in table[(west.pk, "branch-committee")]][:4] == [1, 1, 2, 0]  # Beijing months
    # people present up to each due day: 4 + 6 + 7 in the first quarter, the 9 after 20 March left out
    assert table[(west.pk, "x-people")][0][1] == 17
    assert [v for _, v, _ in table[(west.pk, "x-days")]] == [6, 2]  # days with any meeting, per half
    assert [v for _, v, _ in table[(west.pk, "half-year-report")]] == [1, 0]  # 6-21 and 12-21 are late
    assert table[(west.pk, "x-study-days")] == [(1, 2, "met")]  # two days: two meetings on 1 April


def test_more_rules_of_one_shape_cost_no_more_queries(cast, west):
    units = list(Unit.objects.order_by("path"))
    with CaptureQueriesContext(connection) as before:
        evaluate_units(units, 2025)
    for kind in ("staff_study", "reading", "special"):  # three more monthly meeting rules
        LocalRule.objects.create(
            unit=west, action=LocalAction.ADD, rule_id=f"x-{kind}", name=kind, ledger="meeting",
            kind=kind, period="month", threshold=1,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        [result] = [r for r in evaluate_units(units, 2025) if r.unit.pk == west.pk]
    assert len(after) == len(before) <= 20
    assert {"x-staff_study", "x-reading", "x-special"} <= set(result.cells)


def test_units_with_the_same_values_keep_their_own_evidence(cast, west):
    east = cast.units["demo-east"]
    [w, e] = evaluate_units([west, east], 2025, with_evidence=True, today=date(2026, 1, 5))
    ours = set(m.Meeting.objects.filter(unit=west).values_list("pk", flat=True))
    found = {pk for cells in w.cells.values() for c in cells for pk in c.evidence}
    assert found and found <= ours | set(
        m.ReportRecord.objects.filter(unit=west).values_list("pk", flat=True)
    )
    assert not found & {pk for cells in e.cells.values() for c in cells for pk in c.evidence}
    [plain] = evaluate_units([west], 2025, today=date(2026, 1, 5))
    assert not any(c.evidence for cells in plain.cells.values() for c in cells)  # no evidence asked for


def test_counts_too_many_to_pack_are_counted_all_the_same(cast, west, monkeypatch):
    units = list(Unit.objects.order_by("path"))
    today = date(2026, 1, 5)
    monkeypatch.setattr(engine, "BITS", 1)  # a segment of two records already overflows its place
    assert _table(units, today) == _pages(units, today)
