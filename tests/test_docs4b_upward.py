"""The roll-up, the 2027 key points, the quarter's analysis and the self-assessment as the
secretary who signs them reads them (issue 15, the outside review): on the demo's records, the
siblings with their full year as `taizhang demo` builds it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1
SIGNED = date(LAST + 1, 1, 20)


@pytest.fixture
def full(cast, siblings):
    """东区 and 西区 with the full demo's year (the light cast has none for them)."""
    return cast


def _body(doc):
    return [b.text for b in doc.blocks if b.style == d.BODY]


def test_rollup_reports_the_inspections_and_the_units_problems_without_machine_phrases(full):
    doc = writer.build("rollup", full.units["demo-city"], LAST, day=SIGNED)
    text = doc.plain()
    assert doc.title == f"中共市气象局党组关于{LAST}年度系统意识形态工作责任制落实情况的报告"
    for machine in ("而言", "计入未完成", "最为滞后"):
        assert machine not in text, machine
    seen = [t for t in _body(doc) if "专项检查" in t and re.match(r"\d+月\d+日", t)]
    assert len(seen) == 1 and "反馈问题" in seen[0]  # the inspections in one passage, with findings
    problems = text.split("存在的主要问题")[1].split("下一步工作打算")[0]
    assert "逾期未完成" in problems and "省级以上媒体采用" in problems
    steps = text.split("下一步工作打算")[1]
    assert "整改" in steps and "省级以上媒体" in steps
    for table in (b for b in doc.blocks if b.style == d.TABLE):
        assert not all(row[-1] == "—" for row in (table.rows or [])[1:])  # no column of dashes
    assert check(text) == []


def test_keypoints_hold_each_task_once_and_name_each_person_once(cast):
    doc = writer.build("keypoints", cast.units["demo-dist"], LAST + 2, day=date(LAST + 1, 12, 1))
    tasks = [t for t in _body(doc) if re.match(r"\d+\.", t)]
    assert sum("主题党日" in t for t in tasks) == 1
    assert "年中开展一次专项检查" not in doc.plain().split("工作要求")[-1]
    text = doc.plain()
    for name in re.findall(r"(?:支部书记|副局长|办公室主任)([\u4e00-\u9fa5]{3})(?=负责|牵头|具体)", text):
        assert text.count(name) == 1, name
    assert "整改逾期的问题" not in text and "问题较多的问题" not in text


def test_analysis_compares_once_and_does_not_list_a_resolved_risk_as_current(full):
    doc = writer.build("analysis", full.units["demo-west"], LAST, quarter=3)
    text = doc.plain()
    risks = text.split("风险点研判")[1].split("舆情及处置情况")[0]
    heads = [b.text for b in doc.blocks if b.style == d.H2 and "汛期" in b.text]
    assert not heads and "已经化解" in risks  # 已化解: told, but not as a current risk point
    from taizhang.ledger import models as lm

    q2 = lm.Analysis.objects.get(unit=full.units["demo-west"], year=LAST, quarter=2)
    before = {r.description.strip() for r in lm.Risk.objects.filter(analysis=q2)}
    blocks, heading = doc.blocks, ""
    for b in blocks:  # a risk the last analysis did not list is not compared with it
        if b.style == d.H2:
            heading = b.text
        elif b.style == d.BODY and heading and "与上次研判相比" in b.text:
            assert any(heading.split("）", 1)[1] in x for x in before), heading
    steps = text.split("下一步工作措施")[1]
    assert "第四季度内" not in steps  # the deadlines stated above, not a vaguer quarter
    assert check(text) == []


def test_assessment_measures_come_before_the_deadline(cast):
    doc = writer.build("assessment", cast.units["demo-dist"], LAST, day=SIGNED)
    measures = doc.plain().split("存在的不足和改进措施")[1]
    assert "结束前一周" not in measures and "完成后及时做好记录" not in measures
    # the measures are the year's summary's for the same problems: the two go up within days
    annual = writer.build("annual", cast.units["demo-dist"], LAST, day=SIGNED).plain()
    items = [line for line in measures.split("\n") if line.startswith(("一是", "二是", "三是", "四是"))]
    assert items and items[0].split("。")[1] in annual, items  # the missed work's, in one item
    assert not any(x in measures for x in ("督促在当月完成", "分管宣传工作的班子成员"))
