"""What a secretary noticed in the generated documents after the demo gave each bureau its own year
(issue 15): a branch's 支委会 that studied ideology work named with its dates, missed periods told
as the months they were, a count of high risks that lists the same risks, and no sentence nested
inside another."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.ledger import models as m
from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer
from taizhang.reports.assessment import _missed_periods
from taizhang.rules.engine import Cell, Rule, periods

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1
SIGNED = date(LAST + 1, 1, 15)


@pytest.fixture
def west(full_year):
    """西区 with the full demo's year."""
    return full_year("demo-west", [LAST])


def _first_section(doc: d.Document) -> str:
    """The paragraphs of the first work section (（一）…… 责任落实)."""
    out, seen = [], 0
    for b in doc.blocks:
        if b.style == d.H2:
            seen += 1
        elif seen == 1 and b.style == d.BODY:
            out.append(b.text)
        if seen > 1:
            break
    return "\n".join(out)


def test_a_branchs_committee_that_studied_ideology_work_is_named_with_its_dates(west):
    doc = writer.build("annual", west, LAST, day=SIGNED)
    studied = m.Meeting.objects.filter(
        unit=west, kind="branch_committee", held_at__year=LAST, title__contains="意识形态"
    )
    assert studied.count() == 2 and not m.Meeting.objects.filter(unit=west, kind="party_group").exists()
    opening = _first_section(doc)
    for x in studied:
        day = timezone.localtime(x.held_at).date()
        assert f"{day.month}月{day.day}日" in opening, opening
    assert "支委会" in opening and "专题研究" in opening
    # and the branch's organisational life counts them among its 支委会
    assert "（其中专题研究意识形态工作2次）" in doc.plain()
    assert check(doc.plain()) == []


def test_the_high_risks_and_the_overdue_counted_are_those_listed(west):
    text = writer.build("annual", west, LAST, day=SIGNED).plain()
    said = re.search(r"其中高风险(\d+)个（([^）]*)）", text)
    assert said, text
    listed = re.findall(r"“[^”]+”", said.group(2))
    assert int(said.group(1)) == len(listed) >= 2, said.group(0)
    # a high risk's open rectification is its own sentence, not a clause inside a cause
    assert "目前尚未完成的问题" not in text and "尚未完成的问题尚未" not in text
    # the rectifications past their limit: named (all, or as examples of a count), the same count in both places
    section = re.search(r"尚在整改的问题中，(\d+)个已超过整改时限，[如即]", text)
    problem = re.search(r"超过整改时限仍未完成的问题有(\d+)个", text)
    assert section and problem and section.group(1) == problem.group(1), text
    assert check(text) == []


def _cells(missed: set[int]) -> list[Cell]:
    rule = Rule(
        id="branch-committee", name="支委会每月召开", source="", ledger="meeting", period="month", threshold=1
    )
    return [
        Cell(rule, p, "missed" if p.index in missed else "met", 0 if p.index in missed else 1)
        for p in periods(rule, LAST)
    ]


@pytest.mark.parametrize(
    ("missed", "said"),
    [
        ({8}, "8月"),
        ({3, 4, 5, 8}, "3月至5月、8月"),
        (set(range(1, 13)) - {5}, "除5月外，其余各月均"),
        (set(range(1, 13)) - {5, 11}, "除5月、11月外，其余各月均"),
        ({1, 2, 3, 4, 6, 9, 10}, "1月至4月、6月、9月、10月"),
        (set(range(1, 13)), "全年各月均"),
    ],
)
def test_missed_months_are_told_as_the_months_they_were(missed, said):
    cells = _cells(missed)
    assert _missed_periods([c for c in cells if c.status == "missed"], cells) == said
