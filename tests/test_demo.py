"""The demo's data reads true (issue 15, the bureau secretary's reading): each sibling bureau has a
year of its own, a branch records its special studies as 支委会 so that the summary and the
self-assessment count the same, 舆情 and outlets are the unit's own, and every meeting has an end."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from taizhang.ledger import models as m
from taizhang.reports import writer

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1


def _meetings(unit):
    return {
        (timezone.localtime(x.held_at).date(), x.title)
        for x in m.Meeting.objects.filter(unit=unit, held_at__year=LAST)
    }


def test_siblings_hold_their_own_year(siblings):
    east, west = siblings
    assert not _meetings(east) & _meetings(west)  # no meeting on the same day under the same title
    days = {u.code: set(m.Meeting.objects.filter(unit=u, kind="branch_committee").values_list("held_at", flat=True))
            for u in siblings}  # fmt: skip
    assert not days["demo-east"] & days["demo-west"]
    counts = [m.Submission.objects.filter(unit=u).count() for u in siblings]
    assert counts[0] != counts[1]
    partners = [set(m.Publicity.objects.filter(unit=u).exclude(partners="").values_list("partners", flat=True))
                for u in siblings]  # fmt: skip
    assert partners[0] and partners[1] and not partners[0] & partners[1]
    topics = [list(m.StudyPlanItem.objects.filter(unit=u).order_by("month").values_list("topic", flat=True))
              for u in siblings]  # fmt: skip
    assert topics[0] != topics[1]
    _opinions_and_outlets()
    _ends()


def _opinions_and_outlets() -> None:
    """舆情 and outlets are each unit's own."""
    rows = list(m.PublicOpinion.objects.values_list("unit__code", "summary", "found_on"))
    summaries = [s for _, s, _ in rows]
    assert len(summaries) == len(set(summaries)), "the same 舆情 in two units"
    assert len({(d, c) for c, _, d in rows}) == len(rows)
    outlets = set(m.Submission.objects.values_list("outlet", flat=True))
    outlets |= set(m.Subscription.objects.values_list("publication", flat=True))
    assert not outlets & {"省日报", "市日报", "市融媒体中心"}  # no name that reads as a placeholder
    assert "澜江日报" in outlets and "中国气象报" in outlets
    county = {o for o in m.Submission.objects.filter(level="county").values_list("outlet", flat=True)}
    assert len(county) == 3  # each bureau writes for its own county's 融媒体中心


def _ends() -> None:
    """Every meeting has a realistic end (QR sign-in is valid until then)."""
    for x in m.Meeting.objects.all():
        assert x.ends_at is not None, x.title
        length = x.ends_at - x.held_at
        assert timedelta(minutes=45) <= length <= timedelta(hours=4), x.title
        if x.hours:
            assert length >= timedelta(hours=float(x.hours)), x.title


def test_a_branch_studies_ideology_in_its_committee_and_both_documents_count_the_same(cast, full_year):
    from taizhang.demo import _self_score
    from taizhang.rules.models import AssessmentScheme
    from taizhang.rules.services import assessment_rows, score_set

    east = full_year("demo-east", [LAST])
    assert not m.Meeting.objects.filter(unit__party_org_type="branch", kind="party_group").exists()
    studied = m.Meeting.objects.filter(unit=east, kind="branch_committee", title__contains="意识形态")
    assert studied.count() == 2 and {x.held_at.month <= 6 for x in studied} == {True, False}
    secretary = cast.users["east_secretary"]
    scheme = AssessmentScheme.objects.get(unit=cast.units["demo-city"], year=LAST)
    for row in assessment_rows(scheme, east, user=secretary):
        score, note = _self_score(row, east, LAST)
        score_set(acting_user=secretary, indicator=row.indicator, assessed=east, scorer_unit=east,
                  score=score, note=note)  # fmt: skip
    day = date(LAST + 1, 1, 15)
    annual = writer.build("annual", east, LAST, day=day).plain()
    assessment = writer.build("assessment", east, LAST, day=day).plain()
    held = m.Meeting.objects.filter(unit=east, kind="branch_committee", held_at__year=LAST).count()
    said = re.search(r"支委会(\d+)次", annual)
    scored = re.search(r"全年召开支委会(\d+)次", assessment)
    assert said and scored and int(said.group(1)) == int(scored.group(1)) == held
    first = timezone.localtime(studied.earliest("held_at").held_at).date()
    evidence = next(line for line in assessment.splitlines() if "召开支委会专题研究意识形态工作" in line)
    assert f"{first.month}月{first.day}日" in evidence
    assert "不适用" not in assessment and "党组专题研究" not in assessment
