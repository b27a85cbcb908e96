"""Round 2 of the outside reading (docB): a promise already renewed under the secretary's 挂牌督办
and missed again is not made a third time (the secretary answers for it himself); the items still
within their limit are all named when the count says 即; a key-point item due by the document's own
day is said to be open, with a new limit, not "按原定" a day already past."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from taizhang.ledger import models as lm
from taizhang.ledger.models.rectification import RectificationSource as S
from taizhang.ledger.services import record_create
from taizhang.proofread import check
from taizhang.reports import writer
from taizhang.reports.keypoints import CONGRESS

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1
DAY = date(LAST, 12, 1)


def _item(cast, problem: str, deadline: date, found: date, owner: str = "李明") -> None:
    record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=cast.units["demo-dist"], source=S.SELF, found_on=found, problem=problem,
            measures="逐项整改", deadline=deadline, state="in_progress", owner_text=owner,
        ),
    )  # fmt: skip


def test_a_promise_renewed_and_missed_again_is_not_made_a_third_time(cast):
    _item(cast, "展板内容更新滞后", date(LAST - 1, 5, 31), date(LAST - 1, 3, 10))  # late a year ago
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=DAY).plain()
    problems = text.split("存在的问题", 1)[1].split("下一步", 1)[0]
    steps = text.split("下一步", 1)[1]
    assert "重新限期" in problems and "新的时限也已过去" in problems, problems
    answer = next(s for s in steps.split("\n") if "展板内容更新滞后" in s)
    # late through three half-years: the secretary's own supervision was the last report's, so
    # this one goes to the superior and the owner is changed if the new limit passes too
    assert "报请市局党组督办" in answer and "调整责任人" in answer, answer
    assert not re.search(r"改由支部书记[\u4e00-\u9fff]{2,3}(挂牌|直接)督办", answer), answer
    assert check(text) == []


def test_items_within_their_limit_are_all_named_when_the_count_says_ji(cast):
    for i, name in enumerate(("学习笔记检查不及时", "责任书落实情况未跟踪", "栏目两个月未更新")):
        _item(cast, name, date(LAST, 12, 20 + i), date(LAST, 10, 1 + i))
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=DAY).plain()
    said = re.search(r"(\d+)个仍在整改时限内，即([^。]*)", text)
    assert said, text
    assert len(re.findall(r"“([^”]+)”（", said.group(2))) == int(said.group(1)), said.group(0)
    assert "尚在整改的问题中，3个尚在" not in text


def test_key_point_items_due_before_the_year_are_one_task_checked_in_january(cast):
    """An item due before the key points' year is no task of that year: the open ones are named
    once, each with its limit (one already past it said to be still open), and the January
    committee checks them; one due on the document's own day is not yet late."""
    _item(cast, "栏目两个月未更新", DAY - timedelta(days=1), date(LAST, 10, 1))  # the cut-off day: not late
    _item(cast, "学习笔记检查不及时", DAY, date(LAST, 10, 2))
    points = writer.build("keypoints", cast.units["demo-dist"], LAST + 1, day=DAY).plain()
    task = next(t for t in points.split("\n") if "栏目两个月未更新" in t)
    assert "学习笔记检查不及时" in task and f"{LAST + 1}年1月的支委会" in task, task
    assert task.count("已到期") == 1 and task.index("已到期") < task.index("学习笔记"), task
    assert "前完成销号" in task  # a near date of its own, not January's check alone
    assert f"{LAST}年12月31日前" not in points
    assert check(points) == []


def test_the_congress_named_as_the_years_focus_is_a_task_with_owners(cast):
    year = next(y for y in range(LAST + 1, LAST + 8) if y in CONGRESS)
    points = writer.build("keypoints", cast.units["demo-dist"], year, day=date(year - 1, 12, 1)).plain()
    task = [t for t in points.split("\n") if re.match(r"\d+\.", t) and CONGRESS[year] in t]
    assert task and re.search(r"由支部书记[\u4e00-\u9fff]{2,3}", task[0]), points
