"""What a secretary noticed on a second reading of the generated documents (issue 15): the half-year
report's overdue sentence counts and names the same items, and an item due on the report's own
cut-off date is not yet overdue."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.ledger import models as lm
from taizhang.ledger.models.rectification import RectificationSource
from taizhang.ledger.services import record_create
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1


def _open_item(cast, problem: str, deadline: date, found: date = date(LAST, 7, 20)) -> None:
    record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=cast.units["demo-dist"], source=RectificationSource.values[0], found_on=found,
            problem=problem, measures="逐项整改", deadline=deadline, state="in_progress", owner_text="李明",
        ),
    )  # fmt: skip


def test_the_overdue_sentence_counts_what_it_names_and_the_cutoff_day_is_not_late(cast):
    _open_item(cast, "展板内容更新滞后", date(LAST, 9, 30))
    _open_item(cast, "门户网站栏目长期未更新", date(LAST, 11, 30))  # the report's cut-off day
    _open_item(cast, "学习笔记检查不及时", date(LAST, 12, 27))
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=date(LAST, 12, 1)).plain()
    assert "截至11月30日" in text
    # neither the item due on the cut-off day nor the one due later is called late
    for name in ("门户网站栏目长期未更新", "学习笔记检查不及时"):
        for sentence in re.findall(rf"[^。]*{name}[^。]*。", text):
            assert not re.search(rf"{name}[^；。]*(已逾期|已超过整改时限|未按期)", sentence), sentence
    # a count of late items never stands before a list that names more than it counts
    for n, names in re.findall(r"(\d+)个已超过整改时限，如([^。]*)。", text):
        assert names.count("“") <= int(n), names
    assert re.search(r"展板内容更新滞后[^。]*(已逾期|已超过整改时限)", text)


BLANKET = (
    "一律履行",
    "按制度开展",
    "均落实专人负责",
    "均明确了管理责任人",
    "及时回应了群众关切",
    "尚未根本解决",
)


def _section(text: str, head: str, stop: str) -> str:
    return text.split(head, 1)[-1].split(stop, 1)[0]


def test_the_summaries_claim_nothing_their_own_records_contradict(siblings):
    for unit in siblings:
        text = writer.build("annual", unit, LAST, day=date(LAST + 1, 1, 15)).plain()
        # a blanket claim is not made beside the problem or record that belies it
        assert [w for w in BLANKET if w in text] == [], unit.code
        # the titles named are as many as the count beside them
        for titles, n in re.findall(r"((?:《[^》]+》)+)(?:党报党刊)?(\d+)种", text):
            assert titles.count("《") == int(n), titles
        # a risk counted 化解 in the work section is not called unresolved in the problems
        problems = _section(text, "存在的主要问题", "下一步")
        for risk in re.findall(r"“([^”]+)”[^。]*(?:还没有解决|仍未解决)", problems):
            assert "已化解" not in _section(problems, risk, "。"), risk


def test_next_years_overdue_task_lists_each_item_once_with_its_own_deadline(cast):
    dist = cast.units["demo-dist"]
    _open_item(cast, "展板内容更新滞后", date(LAST, 9, 30))
    _open_item(cast, "展板内容更新滞后", date(LAST, 10, 31))  # the same problem, raised again
    _open_item(cast, "学习笔记检查不及时", date(LAST, 12, 27))  # not due on the document's date
    day = date(LAST, 12, 1)
    report = writer.build("half-year", dist, LAST, half=2, day=day).plain()
    points = writer.build("keypoints", dist, LAST + 1, day=day).plain()
    task = next(t for t in points.split("\n") if "逾期" in t and "“" in t)
    named = re.findall(r"“([^”]+)”", task)
    assert len(named) == len(set(named)), task  # no item twice
    assert re.search(rf"{len(named)}项", task), task  # the count is the items listed
    late = re.search(r"超过整改时限仍未完成的问题有(\d+)个", report)
    if late:
        assert int(late.group(1)) == len(named), (late.group(0), task)
    # an item not yet due is not moved to a later deadline without saying so
    # a frequency is not restated as a deadline (每季度……各季度末前完成)
    assert not [t for t in points.split("\n") if "每季度" in t and "各季度末前" in t]
    notes = next(t for t in points.split("\n") if "学习笔记检查不及时" in t)
    assert f"{LAST}年12月27日" in notes, notes


def _problems_and_measures(text: str) -> set[str]:
    part = text.split("存在的主要问题", 1)[-1].split("特此", 1)[0]
    return {s.strip() for s in re.split(r"[。；\n]", part) if len(s.strip()) >= 12}


def test_sibling_summaries_share_no_sentence_of_their_problems_and_measures(siblings):
    east, west = (writer.build("annual", u, LAST, day=date(LAST + 1, 1, 15)).plain() for u in siblings)
    shared = _problems_and_measures(east) & _problems_and_measures(west)
    assert shared == set(), shared


def test_an_item_already_late_before_the_half_year_is_told_as_a_promise_not_kept(cast):
    _open_item(
        cast, "宣传栏长期未更新", date(LAST, 5, 31), found=date(LAST, 4, 20)
    )  # already late when the first half closed
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=date(LAST, 12, 1)).plain()
    problems = _section(text, "存在的问题", "下一步")
    assert "宣传栏长期未更新" in problems
    assert "此前" in problems and "没有兑现" in problems, problems
