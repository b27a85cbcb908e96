"""Requirements as data: periods at their boundaries, due days, local overrides, subtrees."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taizhang.cli import main
from taizhang.core.services import record_create
from taizhang.ledger import models as m
from taizhang.rules import engine
from taizhang.rules.models import LocalAction, LocalRule
from taizhang.rules.services import evaluate_units

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def fresh(cast):
    """demo-west: a unit with no records of the years under test."""
    unit = cast.units["demo-west"]
    clerk = cast.users["west_clerk"]
    for model in (m.Meeting, m.ReportRecord):
        model.objects.filter(unit=unit).update(deleted_at=datetime(2020, 1, 1, tzinfo=BEIJING))
    return unit, clerk


def meeting(unit, clerk, kind, when):
    hours = {"hours": 2} if kind in ("central_study", "staff_study", "party_lecture") else {}
    return record_create(
        acting_user=clerk,
        instance=m.Meeting(unit=unit, kind=kind, title=f"{kind} {when:%Y-%m-%d %H:%M}", held_at=when,
                           host=clerk, expected=5, present=5, content="学习", **hours),
    )  # fmt: skip


def cells(unit, year, rule_id, today, user=None):
    [result] = evaluate_units([unit], year, user=user, with_evidence=True, today=today)
    return result.cells[rule_id]


def test_quarter_boundary_and_beijing_time(fresh):
    unit, clerk = fresh
    late = meeting(unit, clerk, "analysis", datetime(2025, 3, 31, 23, 30, tzinfo=BEIJING))  # 15:30 UTC
    early = meeting(
        unit, clerk, "analysis", datetime(2025, 4, 1, 0, 30, tzinfo=BEIJING)
    )  # 16:30 UTC, 31 March
    for with_evidence in (True, False):
        [result] = evaluate_units([unit], 2025, with_evidence=with_evidence, today=date(2026, 1, 5))
        q = result.cells["analysis-quarterly"]
        assert [c.value for c in q] == [1, 1, 0, 0]
        assert [c.status for c in q] == ["met", "met", "missed", "missed"]
    q = cells(unit, 2025, "analysis-quarterly", date(2026, 1, 5))
    assert q[0].evidence == [late.pk] and q[1].evidence == [early.pk]


def test_leap_year_february_and_open_periods(fresh):
    unit, clerk = fresh
    meeting(unit, clerk, "branch_committee", datetime(2024, 2, 29, 9, tzinfo=BEIJING))
    months = cells(unit, 2024, "branch-committee", date(2024, 3, 15))
    assert months[1].period.end == date(2024, 2, 29) and months[1].status == "met"
    assert months[0].status == "missed"  # January passed without one
    assert months[2].status == "due"  # March is still open
    assert months[11].status == "due"


def test_due_day_inside_the_period(fresh):
    unit, clerk = fresh
    record_create(
        acting_user=clerk,
        instance=m.ReportRecord(
            unit=unit, kind="half_year", held_on=date(2025, 6, 20), title="上半年报告", recipient="市局"
        ),
    )
    record_create(
        acting_user=clerk,
        instance=m.ReportRecord(
            unit=unit, kind="half_year", held_on=date(2025, 12, 21), title="下半年报告", recipient="市局"
        ),
    )
    halves = cells(unit, 2025, "half-year-report", date(2026, 1, 10))
    assert [c.period.deadline for c in halves] == [date(2025, 6, 20), date(2025, 12, 20)]
    assert [c.status for c in halves] == ["met", "missed"]  # one day late does not count
    assert cells(unit, 2025, "half-year-report", date(2025, 12, 19))[1].status == "due"


def test_days_measure_counts_distinct_days(fresh):
    unit, clerk = fresh
    unit.party_org_type = "party_group"  # 中心组 rules bind a 党组, not the demo's branch
    unit.save(update_fields=["party_org_type"])
    for day in (3, 3, 4):
        meeting(unit, clerk, "central_study", datetime(2025, 5, day, 9 + day, tzinfo=BEIJING))
    [c] = cells(unit, 2025, "central-study-days", date(2026, 1, 5))
    assert c.value == 2 and c.status == "missed"


def test_local_overrides_inherit_and_the_nearer_unit_wins(cast, fresh):
    unit, clerk = fresh
    city = cast.units["demo-city"]
    inspector = cast.inspector
    meeting(unit, clerk, "analysis", datetime(2025, 2, 1, 9, tzinfo=BEIJING))
    assert cells(unit, 2025, "analysis-quarterly", date(2026, 1, 1))[0].status == "met"
    record_create(
        acting_user=cast.users["secretary"],
        instance=LocalRule(unit=cast.units["demo-dist"], action=LocalAction.DISABLE, rule_id="party-lecture"),
    )
    LocalRule.objects.create(
        unit=city,
        action=LocalAction.OVERRIDE,
        rule_id="analysis-quarterly",
        threshold=2,
        created_by=inspector,
    )
    assert (
        cells(unit, 2025, "analysis-quarterly", date(2026, 1, 1))[0].status == "missed"
    )  # inherited from the city
    LocalRule.objects.create(
        unit=unit, action=LocalAction.OVERRIDE, rule_id="analysis-quarterly", threshold=1
    )
    q = cells(unit, 2025, "analysis-quarterly", date(2026, 1, 1))
    assert q[0].status == "met" and q[0].rule.local  # the unit's own setting wins
    [west] = evaluate_units([unit], 2025)
    [dist] = evaluate_units([cast.units["demo-dist"]], 2025)
    assert "party-lecture" in west.cells and "party-lecture" not in dist.cells
    assert "half-year-publicity" in dist.cells  # demo-dist's own rule


def test_local_rule_form_refuses_unknown_rules_and_clerks(cast, client):
    client.force_login(cast.clerk)
    assert client.get(reverse("rules:local_create")).status_code == 403  # managers decide the rules
    client.force_login(cast.secretary)
    response = client.post(
        reverse("rules:local_create"), {"action": "override", "rule_id": "no-such-rule", "threshold": "2"}
    )
    assert response.status_code == 200 and "默认规则中没有这个代码" in response.content.decode()


def test_query_count_does_not_grow_with_units(cast):
    units = list(type(cast.units["demo-dist"]).objects.all())
    with CaptureQueriesContext(connection) as one:  # demo-dist holds every rule, its local one too
        evaluate_units([u for u in units if u.code == "demo-dist"], 2025)
    with CaptureQueriesContext(connection) as many:
        evaluate_units(units, 2025)
    assert len(many) == len(one) <= 20


def test_superior_sees_its_subtree_only(cast, client):
    client.force_login(cast.inspector)
    page = client.get(reverse("rules:subtree"), {"year": 2025}).content.decode()
    for name in ("市气象局", "区气象局", "东区气象局", "西区气象局"):
        assert name in page
    assert "省气象局" not in page
    export = client.get(reverse("rules:subtree"), {"year": 2025, "format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(cast.outsider)
    page = client.get(reverse("rules:subtree"), {"year": 2025}).content.decode()
    assert "东区气象局" in page and "区气象局</a>" not in page.replace("东区气象局</a>", "")
    assert (
        client.get(reverse("rules:unit_grid", kwargs={"pk": cast.units["demo-dist"].pk})).status_code == 404
    )


def test_grid_and_cell_pages(cast, client):
    year = date.today().year - 1
    client.force_login(cast.member)
    grid = client.get(reverse("rules:grid"), {"year": year}).content.decode()
    assert "tz-met" in grid and "tz-missed" in grid
    response = client.get(
        reverse(
            "rules:cell",
            kwargs={
                "pk": cast.units["demo-dist"].pk,
                "rule_id": "analysis-quarterly",
                "year": year,
                "index": 1,
            },
        )
    )
    assert "计入的会议学习记录" in response.content.decode()


def test_cli_json_covers_the_subtree_and_nothing_above(cast, capsys):
    assert main(["rules", "check", "--unit", "demo-city", "--year", "2025", "--subtree", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    codes = [u["code"] for u in data["units"]]
    assert codes[0] == "demo-city" and "demo-prov" not in codes and "demo-dist" in codes
    rule = data["units"][codes.index("demo-dist")]["rules"][0]
    assert {"id", "name", "periods"} <= set(rule)
    assert all(p["status"] in (engine.MET, engine.DUE, engine.MISSED) for p in rule["periods"])
    assert main(["rules", "check", "--unit", "nowhere", "--year", "2025"]) == 1


def test_assessment_computes_from_rules_and_keeps_self_beside_superior(cast, client):
    from decimal import Decimal

    from taizhang.rules.models import AssessmentScheme, AssessmentScore

    scheme = AssessmentScheme.objects.get(unit=cast.units["demo-city"])
    dist = cast.units["demo-dist"]
    url = reverse("rules:assessment", kwargs={"pk": scheme.pk, "unit_pk": dist.pk})
    rule_rows = {i.rule_id: i for i in scheme.indicators.all()}
    lecture = rule_rows["branch-committee"]
    # the clerk of demo-dist assesses itself against the city's scheme
    client.force_login(cast.clerk)
    page = client.get(url).content.decode()
    assert "被考核单位（自评）" in page and scheme.title in page
    [result] = evaluate_units([dist], scheme.year)
    missed = sum(c.status == "missed" for c in result.cells["branch-committee"])
    from taizhang.rules.services import assessment_rows

    row = next(r for r in assessment_rows(scheme, dist, user=cast.clerk) if r.indicator == lecture)
    assert (
        row.computed == max(Decimal(0), lecture.points - lecture.deduction * missed) and row.missed == missed
    )
    client.post(url, {"indicator": lecture.pk, "score": "9", "note": "8月未召开"})
    bad = client.post(url, {"indicator": lecture.pk, "score": "99"}, follow=True)
    assert "得分应在 0 到" in bad.content.decode()
    # the city's secretary scores the same indicator; both stand side by side
    client.force_login(cast.users["city_secretary"])
    client.post(url, {"indicator": lecture.pk, "score": "8", "note": "核实缺1次"})
    scores = {s.unit.code: s.score for s in AssessmentScore.objects.filter(indicator=lecture, assessed=dist)}
    assert scores == {"demo-dist": Decimal("9"), "demo-city": Decimal("8")}
    export = client.get(url, {"format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    line = next(r for r in rows if r[1] == lecture.name)
    assert line[6] == 9 and line[8] == 8
    # the inspector reads but cannot score; the outsider sees nothing
    client.force_login(cast.inspector)
    assert client.get(url).status_code == 200
    assert client.post(url, {"indicator": lecture.pk, "score": "1"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


def test_hand_scores_carry_evidence_and_the_grid_lists_what_was_missed(cast, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.rules.models import AssessmentScore

    score = AssessmentScore.objects.filter(
        unit=cast.units["demo-dist"]
    ).first()  # demo-dist's self-assessment
    client.force_login(cast.clerk)
    page = client.get(reverse("rules:rating_detail", kwargs={"pk": score.pk})).content.decode()
    assert "上传附件" in page
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(AssessmentScore)
    client.post(
        reverse("attachment_upload", kwargs={"ct": ct.pk, "pk": score.pk}),
        {"file": SimpleUploadedFile("阵地检查记录.txt", "检查记录".encode())},
    )
    assert (
        "阵地检查记录.txt"
        in client.get(reverse("rules:rating_detail", kwargs={"pk": score.pk})).content.decode()
    )
    grid = client.get(reverse("rules:grid"), {"year": date.today().year - 1}).content.decode()
    assert 'id="missed"' in grid and "未完成的要求" in grid


def test_rules_follow_the_party_organisation_type(cast):
    """三会一课 binds a branch, 中心组 and 党组专题研究 a 党组: a branch is not held to a bureau's rules."""
    branch, city = cast.units["demo-dist-branch"], cast.units["demo-city"]
    [b, c] = evaluate_units([branch, city], 2025)
    assert "branch-committee" in b.cells and "central-study-days" not in b.cells
    assert "central-study-days" in c.cells and "branch-committee" not in c.cells
    assert "analysis-quarterly" in b.cells and "analysis-quarterly" in c.cells
