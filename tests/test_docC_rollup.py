"""The city 党组's roll-up after the third outside reading (issue 15): the 党组's own work with its
dates and topics first, its own shortcomings first under 存在的主要问题, the units ranked by the
city's own 考核 score with their self-score and completion rate beside, one plain sentence on the table, the
inspections' problems counted from the 整改台账, and the 发文字号 in the unit's pattern."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1
SIGNED = date(LAST + 1, 1, 20)


def _build(cast):
    return writer.build("rollup", cast.units["demo-city"], LAST, day=SIGNED)


def _part(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_the_party_groups_own_work_comes_first_with_dates_topics_and_reports(city_year):
    text = _build(city_year).plain()
    own = _part(text, "市局党组履行意识形态工作责任制情况", "所属单位落实情况")
    assert "1月23日研究部署全年意识形态工作" in own and "7月22日听取上半年" in own
    assert "（3月18日、6月17日、9月16日、11月11日、12月16日）" in own
    assert "《习近平关于意识形态工作论述摘编》" in own
    assert f"7月10日报送《关于{LAST}年上半年系统意识形态工作情况的报告》" in own
    assert "专项检查" in own and "设10项考核指标" in own
    assert "1月21日，党组书记向省气象局党组述职述责" in own and "12月23日召开年度民主生活会" in own
    assert check(text) == []


def test_its_own_shortcomings_come_first_under_the_problems(city_year):
    text = _build(city_year).plain()
    problems = _part(text, "存在的主要问题", "下一步工作打算")
    first = problems.split("；")[0]
    assert first.startswith("\n一是督导检查的经常性不够") and "只在9月集中开展了1次专项检查" in first
    assert "上半年没有到所属单位检查" in first
    assert "督促整改不够有力" in problems and "市局党组跟踪督办" in problems
    assert (
        problems.index("督促整改不够有力")
        < problems.index("统筹防范共性风险")
        < problems.index("对外宣传层次不高")
    )
    steps = _part(text, "下一步工作打算", "特此报告")
    assert steps.index("强化督促检查") < steps.index("狠抓整改销号") < steps.index("统一防范共性风险")
    assert steps.count("专项检查") == 1  # the inspections' measure once


def test_units_are_ranked_by_the_citys_own_score_with_their_self_score_and_rate_beside(city_year):
    from taizhang.reports.facts_more import standings

    doc = _build(city_year)
    table = next(b for b in doc.blocks if b.style == d.TABLE)
    heads, *rows = table.rows or [[]]
    assert heads[2].startswith("考核得分") and heads[3].startswith("自评得分") and heads[4] == "完成率"
    marks = [float(r[2]) for r in rows]
    assert marks == sorted(marks, reverse=True) and rows[0][1] == "东区气象局"
    assert all(float(r[2]) <= float(r[3]) for r in rows)  # the city took points off for what it found
    by_name = {s.unit.name: s for s in standings(city_year.units["demo-city"], LAST)}
    for row in rows:
        s = by_name[row[1]]
        assert row[4] == f"{s.rate:.0%}" and int(row[5]) + int(row[6]) == int(row[7]) == s.decided
    text = doc.plain()
    assert "考核得分排列" in text and "每月一次的要求计12项" not in text
    assert "经市局党组考核（满分100分），东区气象局" in text and "分（自评" in text
    assert "位列第一" not in text and "排在首位" not in text


def test_inspection_problems_are_counted_from_the_rectification_items(city_year):
    from taizhang.core.services import record_create
    from taizhang.ledger import models as m

    east = city_year.units["demo-east"]
    report = m.ReportRecord.objects.get(unit=east, kind="inspected", held_on__year=LAST)
    before = m.Rectification.objects.filter(unit=east, source="inspection", found_on=report.held_on).count()
    assert f"东区气象局{before}个" in _build(city_year).plain()
    from taizhang.demo import _cast_of

    clerk = _cast_of(east, []).clerk
    record_create(
        acting_user=clerk,
        instance=m.Rectification(
            unit=east, source="inspection", found_on=report.held_on, problem="宣传栏内容更新不及时",
            measures="每周检查一次宣传栏。", owner_text="办公室", deadline=report.held_on.replace(month=12),
        ),
    )  # fmt: skip
    text = _build(city_year).plain()
    assert f"东区气象局{before + 1}个" in text and "宣传栏内容更新不及时" not in text.split("东区气象局")[0]
    assert check(text) == []


def test_feedback_falls_back_on_the_summarys_count_without_items(city_year):
    from taizhang.ledger import models as m
    from taizhang.reports.facts_more import inspection_feedback

    city, east = city_year.units["demo-city"], city_year.units["demo-east"]
    report = m.ReportRecord.objects.get(unit=east, kind="inspected", held_on__year=LAST)
    m.Rectification.objects.filter(unit=east, source="inspection", found_on=report.held_on).delete()
    m.ReportRecord.objects.filter(pk=report.pk).update(
        summary="市局检查组反馈问题5个，涉及三审记录和学习研讨。"
    )
    [fed] = [x for x in inspection_feedback(city, [east], LAST) if x.unit == east]
    assert fed.count == 5 and fed.items == [] and fed.fields == ["三审记录", "学习研讨"]


def test_number_follows_the_units_pattern_where_no_report_is_recorded(city_year):
    from taizhang.reports import services

    rollup = services.prepare("rollup", city_year.units["demo-city"], LAST, day=SIGNED)
    assert rollup.number == f"市气党〔{LAST + 1}〕\u3000号"  # the 序号 the 办公室 fills in at registration
    assessment = services.prepare("assessment", city_year.units["demo-west"], LAST, day=SIGNED)
    assert assessment.number == f"西气党〔{LAST + 1}〕\u3000号"
    half = services.prepare("half-year", city_year.units["demo-east"], LAST, half=1)
    assert half.number.startswith("东气党〔") and half.number.endswith("号") and "\u3000" not in half.number


def test_self_assessment_says_the_year_in_brief_and_cites_the_scheme_for_each_deduction(city_year):
    from taizhang.reports.facts_more import schemes_for
    from taizhang.rules.services import assessment_rows

    west = city_year.units["demo-west"]
    doc = writer.build("assessment", west, LAST, day=SIGNED)
    text = doc.plain()
    rows = assessment_rows(schemes_for(west, LAST)[0], west, user=None)
    full = sum(1 for r in rows if r.self_score and r.self_score.score >= r.indicator.points)
    brief = text.split("自评得分情况")[0]
    assert f"对照考核细则，{len(rows)}项指标中{full}项得满分" in brief and "全年召开支委会" in brief
    for r in rows:
        lost = r.self_score and r.self_score.score < r.indicator.points
        if lost and r.indicator.method != "rule" and r.indicator.criteria:
            part = text.split(r.indicator.name + "（")[1].split("\n")[1]
            assert f"考核细则规定本项“{r.indicator.criteria.strip().rstrip('。')}”" in part
    measures = text.split("存在的不足和改进措施")[1]
    assert "每期截止前10日提醒" not in measures and "每月检查一次" not in measures
    assert check(text) == []


def test_a_report_sent_late_is_a_late_report_not_work_never_done(city_year):
    """The sibling's only half-year report went up after its due day: the roll-up tells it late,
    never that the unit did nothing of it all year (nor that its 组织生活 lapsed)."""
    from taizhang.ledger import models as m

    east = city_year.units["demo-east"]
    reports = m.ReportRecord.objects.filter(unit=east, kind="half_year", held_on__year=LAST)
    m.ReportRecord.objects.filter(pk__in=[r.pk for r in reports if r.held_on.month > 6]).delete()
    reports.update(held_on=date(LAST, 6, 25))
    text = _build(city_year).plain()
    assert "上半年专题报告6月25日逾期报送" in text
    assert "全年未向上级党组织报送专题报告" not in text and "多项组织生活没有开展" not in text
    assert check(text) == []
