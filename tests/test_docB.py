"""Problems, rectification and measures as an outside reader checked them (issue 15, docB): the
整改 paragraph and the problems section name the same overdue items in one order, two records of
the same words are told apart, a promise already broken is escalated (never repeated with the year
moved), each overdue item has a time limit of its own, owners are people, and the key points say a
target once and name the positions the half-year report names."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.ledger import models as lm
from taizhang.ledger.models.rectification import RectificationSource as S
from taizhang.ledger.services import record_create
from taizhang.proofread import check
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1
DAY = date(LAST, 12, 1)


def _item(cast, problem: str, deadline: date, found: date, source: str = S.SELF, owner: str = "李明") -> None:
    record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=cast.units["demo-dist"], source=source, found_on=found, problem=problem,
            measures="逐项整改", deadline=deadline, state="in_progress", owner_text=owner,
        ),
    )  # fmt: skip


def _section(text: str, head: str, stop: str) -> str:
    return text.split(head, 1)[-1].split(stop, 1)[0]


def _four_late(cast) -> None:
    _item(cast, "展板内容更新滞后", date(LAST, 3, 31), date(LAST, 2, 10), S.SUPERIOR, "王五")  # before H2
    _item(cast, "宣传栏审核记录缺失", date(LAST, 5, 31), date(LAST, 4, 1), S.SELF)  # before H2
    _item(cast, "门户网站栏目长期未更新", date(LAST, 8, 31), date(LAST, 7, 10), S.INSPECTION)
    _item(cast, "学习笔记检查不及时", date(LAST, 9, 30), date(LAST, 8, 1), S.SELF)


def test_the_rectification_paragraph_and_the_problems_name_the_same_late_items_in_order(cast):
    _four_late(cast)
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=DAY).plain()
    work = _section(text, "工作开展情况", "存在的问题")
    problems = _section(text, "存在的问题", "下一步")
    late = ["展板内容更新滞后", "宣传栏审核记录缺失", "门户网站栏目长期未更新", "学习笔记检查不及时"]
    said = re.search(r"超过整改时限仍未完成的问题有(\d+)个[：，]([^。]*)", problems)
    assert said, problems
    named = re.findall(r"“([^”]+)”", said.group(2))
    assert [x for x in named if x in late] == [x for x in late if x in named], named  # earliest first
    assert set(late) <= set(named) and int(said.group(1)) == len(named), said.group(0)
    # the work section names the same ones in the same order, with 即 (all) — never a different pick
    for sentence in re.findall(r"[^。]*已超过整改时限，[即如][^。]*。", work):
        shown = [x for x in re.findall(r"“([^”]+)”", sentence.split("整改时限，", 1)[1])]
        assert shown == [x for x in named if x in shown], (shown, named)
    # the two that were late before the half-year are a promise not kept, said once with 其中 right
    assert "没有兑现" in problems and problems.count("其中") <= 1, problems
    assert check(text) == []


def test_a_broken_promise_is_escalated_and_each_item_has_its_own_time_limit(cast):
    _four_late(cast)
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=DAY).plain()
    steps = _section(text, "下一步", "特此报告")
    answer = next(s for s in steps.split("\n") if "展板内容更新滞后" in s)
    assert "挂牌督办" in answer and "支委会" in answer and "报告进展" in answer, answer
    assert re.search(r"支部书记[\u4e00-\u9fff]{2,3}挂牌督办", answer), answer  # the secretary by name
    limits = re.findall(r"“([^”]+)”由[^，；“]*?(\d{4}年\d+月(?:\d+日|底))前", answer)
    limits += re.findall(r"“([^”]+)”由[^，；“]*?负责，(\d{4}年\d+月(?:\d+日|底))前", answer)
    days = dict(limits)
    assert {"展板内容更新滞后", "门户网站栏目长期未更新"} <= set(days), answer
    assert len(set(days.values())) > 1, days  # not one constant for every item (a month's end each)
    # what a superior found and was promised before is answered sooner than what the unit found later
    as_date = {
        k: tuple(map(int, re.findall(r"\d+", v))) + ((31,) if "底" in v else ()) for k, v in days.items()
    }
    assert as_date["展板内容更新滞后"] < as_date["学习笔记检查不及时"], as_date


def test_next_years_key_points_give_the_same_limits_as_the_report(cast):
    _four_late(cast)
    dist = cast.units["demo-dist"]
    report = writer.build("half-year", dist, LAST, half=2, day=DAY).plain()
    points = writer.build("keypoints", dist, LAST + 1, day=DAY).plain()
    task = next(t for t in points.split("\n") if "逾期" in t and "展板内容更新滞后" in t)
    for name in ("展板内容更新滞后", "门户网站栏目长期未更新"):
        in_report = re.search(rf"“{name}”由[^；]*?(\d{{4}}年\d+月(?:\d+日|底))前", report)
        in_points = re.search(rf"“{name}”由[^；]*?(\d{{4}}年\d+月(?:\d+日|底))前", task)
        assert in_report and in_points and in_report.group(1) == in_points.group(1), (name, task)
    assert "挂牌督办" in task
    assert check(points) == []


def test_two_records_of_the_same_words_are_told_apart(cast):
    _item(cast, "展板内容更新滞后", date(LAST, 8, 31), date(LAST, 7, 15), S.INSPECTION)
    _item(cast, "展板内容更新滞后", date(LAST, 12, 28), date(LAST, 11, 20), S.SELF)
    text = writer.build("half-year", cast.units["demo-dist"], LAST, half=2, day=DAY).plain()
    work = _section(text, "工作开展情况", "存在的问题")
    assert work.count("“展板内容更新滞后”") == 2, work
    # one problem, one item (round 2): the late record named by where and when it was found, the
    # one raised again said so beside it, with its own date and source
    assert re.search(r"提出的“展板内容更新滞后”", work), work
    assert re.search(r"“展板内容更新滞后”在\d+月\d+日[^，。]*再次提出", work), work


def test_owners_are_people_and_the_adoption_target_is_said_once(cast):
    points = writer.build("keypoints", cast.units["demo-dist"], LAST + 1, day=DAY).plain()
    assert "责任人分管领导" not in points and "由分管领导负责" not in points
    for target in set(re.findall(r"省级以上[^，。；]*?不少于\d+篇", points)):
        assert points.count(target) == 1, target


def test_the_key_points_and_the_half_year_report_name_the_same_positions(cast):
    dist = cast.units["demo-dist"]
    report = writer.build("half-year", dist, LAST, half=2, day=DAY).plain()
    points = writer.build("keypoints", dist, LAST + 1, day=DAY).plain()
    there = re.findall(r"对([^，。]*)开展专项整治", report)
    here = re.findall(r"对([^，。]*)开展专项整治", points)
    assert there == here or not (there and here), (there, here)


def test_a_bureau_and_its_branches_share_no_measure_sentence(cast, full_year):
    east, west = full_year("demo-east", [LAST]), full_year("demo-west", [LAST])
    day = date(LAST + 1, 1, 15)

    def measures(unit) -> set[str]:
        text = writer.build("annual", unit, LAST, day=day).plain()
        part = _section(text, "下一步工作打算", "\n中共")
        return {s.strip() for s in re.split(r"[。；\n]", part) if len(s.strip()) >= 14}

    dist = measures(cast.units["demo-dist"])
    for other in (east, west):
        assert dist & measures(other) == set()
