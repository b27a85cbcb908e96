"""The documents after the eighth outside reading (issue 15): a finding a superior's inspection
feeds back again a year after it was closed is a problem of its own, with a measure that answers
it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.proofread import check
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1


def _finding(cast, found: date, problem: str) -> None:
    from taizhang.ledger import models as lm
    from taizhang.ledger.services import record_create

    record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=cast.units["demo-dist"], source="inspection", found_on=found, problem=problem,
            measures="补齐记录", deadline=found.replace(day=28), state="closed", completed_on=found.replace(day=25),
            owner_text="梁明华", result="已补齐记录并建立研讨发言记录模板",
        ),
    )  # fmt: skip


def _sections(cast) -> tuple[str, str]:
    text = writer.build("annual", cast.units["demo-dist"], LAST, day=date(LAST, 12, 31)).plain()
    assert check(text) == []
    problems, steps = text.split("存在的主要问题", 1)[1].split("下一步工作打算", 1)
    return problems, steps


def test_a_finding_fed_back_again_a_year_after_it_was_closed_is_a_problem_with_a_measure(cast):
    _finding(cast, date(LAST - 1, 9, 10), "学习研讨发言记录简单")
    _finding(cast, date(LAST, 9, 16), "中心组研讨发言记录简单")
    problems, steps = _sections(cast)
    said = next((x for x in problems.split("\n") if "“中心组研讨发言记录简单”" in x), "")
    assert "“学习研讨发言记录简单”" in said and f"{LAST - 1}年9月10日" in said, problems
    assert re.search("再次出现|两年都被指出|已经指出过", said), said
    assert re.search(f"{LAST - 1}年以来检查反馈的问题", steps), steps  # the measure answers it


def test_a_different_finding_a_year_later_is_not_called_a_recurrence(cast):
    _finding(cast, date(LAST - 1, 9, 10), "三审记录签字不全")
    _finding(cast, date(LAST, 9, 16), "中心组研讨发言记录简单")
    problems, _steps = _sections(cast)
    assert "三审记录签字不全" not in problems and "已经指出过" not in problems, problems


def test_words_alike_are_told_apart_from_words_that_share_a_few_characters():
    from taizhang.reports.problems import alike

    assert alike("中心组研讨发言记录简单", "学习研讨发言记录简单")
    assert not alike("阵地巡查记录不全", "三审记录签字不全")
    assert not alike("", "记录")
