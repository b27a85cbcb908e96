"""Headings, openings and closings of the summary and the half-year report (issue 15, docA): chosen
by the data condition and by the unit's turn, so that sibling summaries share no heading and none
praises what its section shows unfinished; a half-year report tells its risks one by one."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from django.utils import timezone

from taizhang.ledger import models as m
from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer
from taizhang.reports.phrases import PHRASES

from .prose_measure import masked_sentences, names_of, overlap

pytestmark = pytest.mark.django_db

THIS = timezone.localdate().year
LAST = THIS - 1
PRAISE = re.compile(r"成效明显|亮点纷呈|见行见效|清零|有力|成效|不断健全")


def _headings(doc: d.Document) -> list[str]:
    return [re.sub(r"^（[一二三四五六七八九十]+）", "", b.text) for b in doc.blocks if b.style == d.H2]


def _opening(doc: d.Document) -> str:
    return next(b.text for b in doc.blocks if b.style == d.BODY)


def _work(doc: d.Document) -> str:
    """The title, the opening and the year's work (the problems and measures are another helper's)."""
    return doc.plain().split("\n二、", 1)[0]


def test_sibling_summaries_share_no_heading_opening_or_closing(cast, full_year):
    east, west = full_year("demo-east", [LAST]), full_year("demo-west", [LAST])
    day = date(THIS, 1, 15)
    docs = [writer.build("annual", u, LAST, day=day) for u in (cast.units["demo-dist"], east, west)]
    names = names_of()
    for a, b in itertools.combinations(docs, 2):
        shared = set(_headings(a)) & set(_headings(b))
        assert not shared, (a.title, b.title, shared)
        assert _opening(a) != _opening(b)
        ma, mb = masked_sentences(a, names), masked_sentences(b, names)
        assert overlap(ma, mb) <= 0.15, sorted(set(ma) & set(mb))
    for doc in docs:
        assert check(_work(doc)) == [], doc.title
        # the rectification heading follows the condition: overdue items left, no praise
        text = doc.plain()
        pools = [k for k in PHRASES if k.startswith("h.rectification")]
        heading = next(h for h in _headings(doc) if any(h in PHRASES[k] for k in pools))
        if "已超过整改时限" in text:
            assert heading in PHRASES["h.rectification.late"], heading
            assert not PRAISE.search(heading)


def test_the_heading_pools_for_unfinished_or_thin_sections_never_praise():
    for key in PHRASES:
        if key.startswith("h.") and key.rsplit(".", 1)[-1] in ("late", "open", "modest", "gap"):
            for option in PHRASES[key]:
                assert not PRAISE.search(option), (key, option)
    # each condition has enough phrasings for three sibling units to differ
    for key in [k for k in PHRASES if k.startswith("h.") and k != "h.highlights"]:
        assert len(PHRASES[key]) >= 3, key


def test_half_year_report_names_each_risk_with_level_cause_and_measure(cast, full_year):
    east = full_year("demo-east", [THIS])
    doc = writer.build("half-year", east, THIS, half=2, day=date(THIS, 12, 1))
    text = doc.plain()
    risks = m.Risk.objects.filter(
        unit=east, analysis__held_on__gte=date(THIS, 7, 1), analysis__held_on__lt=date(THIS, 12, 1)
    )
    descriptions = {r.description for r in risks}
    assert risks.exists() and len(descriptions) <= 4
    for r in risks:
        assert r.description in text, r.description
        assert r.measure.strip("。") in text, r.measure
    assert re.search(r"为[高中低]风险", text)
    # a half year that is not the year's first says no 年初 in its work sections
    work = text.split("二、存在的问题")[0]
    assert "年初" not in work.split("一、工作开展情况", 1)[1]
    assert check(_work(doc)) == []
    sentences = [
        s
        for s in re.split(r"[。！？]", "\n".join(b.text for b in doc.blocks if b.style == d.BODY))
        if len(s) > 8
    ]
    assert len(sentences) == len(set(sentences))
