"""The city's roll-up and the demo's data after the second outside reading (issue 15): every unit's
self-assessment and the 党组's own work are in the roll-up, its table says what it counts, the
inspections' findings are each unit's own, the issuer does not name itself in full, the upward
reports carry 签发人, and the sibling bureaus no longer share counts and items."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.ledger import models as m
from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1
SIGNED = date(LAST + 1, 1, 20)


def _body(doc) -> str:
    return "\n".join(b.text for b in doc.blocks if b.style == d.BODY)


def test_rollup_has_every_assessment_the_party_groups_own_work_and_names_itself_shortly(city_year):
    doc = writer.build("rollup", city_year.units["demo-city"], LAST, day=SIGNED)
    body = _body(doc)
    assert "尚未提交自评" not in body
    for name in ("区气象局", "东区气象局", "西区气象局"):
        assert re.search(rf"{name}\d+(\.\d+)?分（自评\d+(\.\d+)?分）", body), name  # the city's, then theirs
    assert "党组会议专题研究意识形态工作2次" in body and "理论学习中心组集中学习5次，围绕" in body
    assert "向上级党组织报告意识形态工作2次" in body
    from taizhang.rules.models import AssessmentScore

    positions = AssessmentScore.objects.filter(
        assessed__code="demo-west", unit__code="demo-west", indicator__name__contains="阵地"
    ).get()
    assert "阵地检查" in positions.note and "个别" not in positions.note  # scored from the year's findings
    # named in full once, where the body first names it (the seventh reading), then 市局党组
    assert body.count("中共市气象局党组") == 1 and body.startswith(f"{LAST}年，中共市气象局党组"), body[:40]
    assert "市局党组" in body.replace("中共市气象局党组", "")
    assert "本次汇总涉及所属单位" not in body and "区气象局、东区气象局、西区气象局3个所属单位" in body
    assert check(doc.plain()) == []


def test_rollup_table_says_what_it_counts_and_agrees_with_the_text(city_year):
    from taizhang.reports.facts_more import standings

    doc = writer.build("rollup", city_year.units["demo-city"], LAST, day=SIGNED)
    table = next(b for b in doc.blocks if b.style == d.TABLE)
    heads, *body = table.rows or [[]]
    assert "（期）" not in "".join(heads) and "合计（项）" in heads
    rows = {row[1]: row for row in body}
    rate = heads.index("完成率")  # after the city's 考核得分 and the units' 自评得分 (docC)
    for s in standings(city_year.units["demo-city"], LAST):
        row = rows[s.unit.name]
        assert int(row[rate + 1]) + int(row[rate + 2]) == int(row[rate + 3]) == s.decided
        assert row[rate] == f"{s.met / s.decided:.0%}"
        told = re.search(f"{s.unit.name}[^。]{{0,6}}{row[rate]}", doc.plain())
        assert told or ("相差不大" in doc.plain() and row[rate] in doc.plain().split("相差不大")[0])
    text = doc.plain()
    assert "考核得分排列" in text  # one plain sentence on the table's basis (docC)
    assert "位列第一" not in text  # a lead of one point is no ranking


def test_rollup_names_each_units_own_inspection_findings(city_year):
    doc = writer.build("rollup", city_year.units["demo-city"], LAST, day=SIGNED)
    seen = next(t.text for t in doc.blocks if t.style == d.BODY and "开展意识形态工作专项检查" in t.text)
    for code in ("demo-east", "demo-west"):  # the light cast's district records no findings
        unit = city_year.units[code]
        report = m.ReportRecord.objects.get(unit=unit, kind="inspected", held_on__year=LAST)
        found = m.Rectification.objects.filter(unit=unit, source="inspection", found_on=report.held_on)
        assert found and found[0].problem in seen, (code, seen)
    assert "主要涉及三审记录" not in seen


def test_rollup_names_the_shared_risks_with_their_high_ratings(city_year):
    doc = writer.build("rollup", city_year.units["demo-city"], LAST, day=SIGNED)
    problems = doc.plain().split("存在的主要问题")[1].split("下一步工作打算")[0]
    shared = problems.split("共性风险")[1] if "共性风险" in problems else ""
    assert "见于区气象局、东区气象局、西区气象局" not in shared
    if shared:
        assert "三个单位均有" in shared or "都有" in shared


def test_upward_reports_carry_the_signer_from_the_units_settings(city_year):
    from taizhang.reports import services

    rollup = services.prepare("rollup", city_year.units["demo-city"], LAST, day=SIGNED)
    assert rollup.signer == "高立国"
    assessment = services.prepare("assessment", city_year.units["demo-west"], LAST, day=SIGNED)
    assert assessment.signer == "曹文斌"
    half = services.prepare("half-year", city_year.units["demo-east"], LAST, half=1)
    assert half.signer == "韩国栋" and half.number.startswith("东气党〔")


def test_siblings_have_their_own_counts_and_items(siblings):
    east, west = siblings
    from taizhang.orgs.models import Unit

    dist = Unit.objects.get(code="demo-dist")
    units = (dist, east, west)
    risks = [
        m.Risk.objects.filter(unit=u, analysis__year=LAST).values("description").distinct().count()
        for u in units
    ]
    assert len(set(risks)) == 3, risks
    sent_back = [
        m.ReviewStep.objects.filter(unit=u, review__drafted_on__year=LAST, verdict="reject").count()
        for u in (east, west)
    ]
    assert sent_back[0] != sent_back[1] and 2 not in sent_back, sent_back

    def problems(u):
        return set(
            m.Rectification.objects.filter(unit=u, found_on__year=LAST).values_list("problem", flat=True)
        )

    assert not problems(west) & problems(east)
    assert not problems(west) & set(
        m.Rectification.objects.filter(
            unit=dist, found_on__year=LAST, source__in=["self", "superior"]
        ).values_list("problem", flat=True)
    )

    def titles(u):
        names = m.Submission.objects.filter(unit=u, submitted_on__year=LAST).values_list("title", flat=True)
        return {t.removeprefix(u.short_name) for t in names}

    assert "为春运提供精细化交通气象服务" not in titles(west)
