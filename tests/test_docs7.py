"""The documents after the seventh outside reading (issue 15): a summary follows up last year's
measures and compares with the same span of last year; a problem raised twice is named as two
items with the second's own limit, which the measure keeps; the analysis report's measures and the
roll-up's problems each stand in a paragraph of their own; the roll-up names its issuer in full
once and follows up no roll-up of a year the ledgers do not hold."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

THIS = timezone.localdate().year
LAST = THIS - 1


def test_an_open_summary_follows_up_last_years_measures_once_each(full_year):
    east = full_year("demo-east", [LAST, THIS])
    text = writer.build("annual", east, THIS, day=timezone.localdate()).plain()
    problems = text.split("存在的主要问题", 1)[1].split("下一步", 1)[0]
    followed = re.findall(rf"{LAST}年总结[^。]{{0,12}}提出“({THIS}年[^”]*前[^”]*)”", problems)
    assert followed, problems  # last year's measure quoted with its own time limit
    assert len(set(followed)) == len(followed)
    lines = [x for x in re.split("(?<=。)", problems) if f"{LAST}年总结" in x]
    masked = {re.sub("“[^”]*”", "“”", x.strip()) for x in lines}
    assert len(masked) == len(lines), lines  # never the same sentence twice in one summary
    assert "较上年同期" in text and "较上年增加" not in text.split("较上年同期", 1)[0][-40:]
    # items already late at the September analysis: the limit that analysis set has passed too
    after = re.findall("[^。]*9月[0-9]+日[^。]*分析研判[^。]*(?:逾期|重新提出)[^。]*。", problems)
    assert after and all("10月31日" in x for x in after), after
    assert check(text) == []


def test_a_problem_raised_again_is_named_with_its_own_limit_and_the_measure_keeps_it(cast):
    from taizhang.ledger import models as lm
    from taizhang.ledger.services import record_create

    for found, deadline in ((date(LAST, 3, 10), date(LAST, 5, 10)), (date(LAST, 12, 20), date(THIS, 1, 25))):
        record_create(
            acting_user=cast.secretary,
            instance=lm.Rectification(
                unit=cast.units["demo-dist"], source="analysis", found_on=found, problem="展板内容更新滞后",
                measures="逐项整改", deadline=deadline, state="in_progress", owner_text="李明",
            ),
        )  # fmt: skip
    text = writer.build("annual", cast.units["demo-dist"], LAST, day=date(LAST, 12, 31)).plain()
    said = re.search(
        r"“展板内容更新滞后”在12月20日[^，。]*中再次提出，另列一项整改（[^）]*时限为(\d+年\d+月\d+日)）", text
    )
    assert said and said.group(1) == f"{THIS}年1月25日", text  # both records named, the second with its limit
    steps = text.split("下一步工作打算", 1)[1]
    answer = next(x for x in steps.split("\n") if "展板内容更新滞后" in x)
    assert f"{THIS}年1月25日前" in answer, (
        answer
    )  # the limit it was given anew, not one of the document's own
    assert check(text) == []


def test_the_analysis_measures_stand_one_to_a_paragraph(full_year):
    east = full_year("demo-east", [LAST])
    doc = writer.build("analysis", east, LAST, quarter=3)
    steps = [b.text for b in doc.blocks if b.style == d.BODY and re.match("[一二三四五六七八九十]是", b.text)]
    assert len(steps) > 1 and all(s.endswith("。") and "；二是" not in s for s in steps), steps
    assert "未开展谈心谈话" not in doc.plain()


def test_the_rollup_problems_each_a_paragraph_and_no_promise_of_a_year_unheld(city_year):
    doc = writer.build("rollup", city_year.units["demo-city"], LAST, day=date(LAST, 12, 31))
    text = doc.plain()
    items = [b.text for b in doc.blocks if b.style == d.BODY and re.match("[一二三四五六七八九十]是", b.text)]
    assert len(items) > 3 and all(x.endswith("。") for x in items), items
    assert f"{LAST - 1}年度报告提出" not in text  # the ledgers hold no year before: no roll-up then
    assert "截至12月30日" not in text and f"截至{LAST}年12月30日" not in text  # dated on the year's last day
    assert text.count("中共市气象局党组") >= 1 and check(text) == []


def test_the_rollup_does_not_call_the_system_good_while_rectifications_are_overdue():
    from types import SimpleNamespace

    from taizhang.reports.rollup import _judged

    rated = [
        SimpleNamespace(rate=0.96, unit=SimpleNamespace(pk=n), missed=[], unrecorded=False) for n in (1, 2)
    ]
    assert _judged(rated, {}) == "总体看，系统责任制落实较好。"
    said = _judged(rated, {}, late=True)
    assert "较好" not in said.split("，但")[-1] and "整改" in said, said


def test_a_report_written_after_the_analysis_keeps_the_limit_that_analysis_set(full_year):
    """The eighth reading: the second half's report, written before the half ends, moved the overdue
    items to January although the third quarter's analysis report had set them a limit still ahead.
    It keeps that analysis's limit (the end of the month after it) while the limit has not passed."""
    from datetime import timedelta

    from taizhang.ledger.models import Analysis

    unit = full_year("demo-east", [LAST, THIS])
    held = (
        Analysis.objects.filter(unit=unit, held_on__range=(date(THIS, 7, 1), date(THIS, 10, 31)))
        .latest("held_on")
        .held_on
    )
    limit = (held.replace(day=28) + timedelta(days=40)).replace(day=1) - timedelta(days=1)
    quarter = (held.month - 1) // 3 + 1
    steps = writer.build("analysis", unit, THIS, quarter=quarter).plain()
    assert f"{limit.month}月底前完成" in steps  # what the analysis report asks
    text = writer.build("half-year", unit, THIS, half=2, day=held + timedelta(days=14)).plain()
    late = re.findall(r"[^。；]*(?:具体落实|负责|整改到位)[^。；]*前(?:完成|整改到位)", text)
    assert late and all(f"{limit.month}月底前" in s for s in late if "逾期" in text), late
    assert not re.search(rf"{THIS + 1}年1月(?:\d+日|底)前(?:完成|整改到位)", text)  # no later limit beside it


def test_an_open_rollup_weighs_the_issuers_own_part_and_lists_its_december_work(city_year):
    doc = writer.build("rollup", city_year.units["demo-city"], LAST, day=date(LAST, 12, 2))
    text = doc.plain()
    opening = text.split("现将有关情况报告如下", 1)[0]
    assert "市局党组自身" in opening, opening  # its own shortcomings weigh in the judgement too
    own = text.split("所属单位落实情况", 1)[0]
    ahead = next(x for x in own.split("\n") if "尚在推进中" in x or "还将" in x)
    assert "12月底前" in ahead and "民主生活会" in ahead and "组织生活会" not in ahead, ahead
    assert "专项督查" not in ahead  # its inspections of the units are told above: not due again
    table = next(b for b in doc.blocks if b.style == d.TABLE)
    assert table.rows and "逾期未完成整改（个）" in table.rows[0], table.rows
    assert check(text) == []


def test_the_judgement_and_the_ranking_say_what_the_rate_leaves_out():
    from types import SimpleNamespace

    from taizhang.reports.rollup import _first_overdue, _judged

    rated = [
        SimpleNamespace(rate=r, unit=SimpleNamespace(pk=n, name=name), missed=[1], unrecorded=False)
        for n, r, name in ((1, 0.98, "甲局"), (2, 0.94, "乙局"))
    ]
    said = _judged(rated, {}, late=True, we="市局党组")
    assert said.endswith("市局党组自身在督促指导和履职尽责上也存在不足。"), said
    assert (
        "甲局" in _first_overdue(rated, {1: 4, 2: 2})[0] and "最多" in _first_overdue(rated, {1: 4, 2: 2})[0]
    )
    assert _first_overdue(rated, {1: 2, 2: 4}) == [] and _first_overdue(rated, {1: 3, 2: 3}) == []
