"""The demo's bureaus do not read as one template (issue 15, the outside secretary's reading): each
unit has its own dates, counts, papers, positions and inspection findings; every article sent out
has its 三审; a risk closed for good is not raised again; the year's study outnumbers a quarter's;
and the secretary never answers for a rectification he supervises."""

from __future__ import annotations

import pytest
from django.utils import timezone

from taizhang.ledger import models as m
from taizhang.ledger.models.meetings import STUDY_KINDS
from taizhang.orgs.models import Membership

pytestmark = pytest.mark.django_db

LAST = timezone.localdate().year - 1


def _dates(unit) -> dict[str, object]:
    reports = m.ReportRecord.objects.filter(unit=unit, held_on__year=LAST)
    return {
        "group": m.LeadingGroupMember.objects.filter(unit=unit, year=LAST).first().appointed_on,
        **{kind: set(reports.filter(kind=kind).values_list("held_on", flat=True))
           for kind in ("half_year", "debrief", "life_meeting")},
    }  # fmt: skip


def _counts(unit) -> tuple[int, ...]:
    meetings = m.Meeting.objects.filter(unit=unit, held_at__year=LAST)
    return (
        m.StudyPlanItem.objects.filter(unit=unit, plan__scope="central", plan__year=LAST).count(),
        meetings.filter(kind="branch_committee").count(),
        meetings.filter(kind="theme_day").count(),
        meetings.filter(kind="staff_study").count(),
        m.Risk.objects.filter(unit=unit, analysis__year=LAST).count(),
        m.Rectification.objects.filter(unit=unit, found_on__year=LAST).count(),
        m.PositionInspection.objects.filter(unit=unit, inspected_on__year=LAST).count(),
    )


def test_each_bureau_has_its_own_dates_counts_papers_positions_and_findings(siblings):
    east, west = siblings
    de, dw = _dates(east), _dates(west)
    assert all(de[k] != dw[k] for k in de), (de, dw)
    ce, cw = _counts(east), _counts(west)
    print("counts east", ce, "west", cw)
    assert all(a != b for a, b in zip(ce, cw, strict=True)), (ce, cw)
    papers = [
        set(m.Subscription.objects.filter(unit=u).values_list("publication", flat=True)) for u in siblings
    ]
    assert papers[0] != papers[1]
    names = [set(m.Position.objects.filter(unit=u).values_list("name", flat=True)) for u in siblings]
    assert not names[0] & names[1], names[0] & names[1]
    found = [m.ReportRecord.objects.get(unit=u, kind="inspected", held_on__year=LAST) for u in siblings]
    assert found[0].summary != found[1].summary
    for u, report in zip(siblings, found, strict=True):  # the feedback's problems are in the 整改台账
        rects = m.Rectification.objects.filter(unit=u, source="inspection", found_on=report.held_on)
        assert rects.exists() and all(r.problem[:4] in report.summary for r in rects)


def test_every_article_sent_out_has_passed_the_three_reviews(siblings):
    for unit in siblings:
        reviews = m.PublicationReview.objects.filter(unit=unit, drafted_on__year=LAST)
        published = set(reviews.filter(published_on__isnull=False).values_list("title", flat=True))
        sent = list(m.Submission.objects.filter(unit=unit, submitted_on__year=LAST))
        assert sent and not [s.title for s in sent if s.title not in published], published
        assert reviews.count() > len(sent)  # the 公众号's own posts besides


def test_risks_rectifications_and_study_figures_agree(siblings):
    for unit in siblings:
        settled: dict[str, object] = {}
        for risk in m.Risk.objects.filter(unit=unit, analysis__year=LAST).select_related(
            "analysis", "rectification"
        ):
            held = risk.analysis.held_on
            assert risk.description not in settled or settled[risk.description] >= held, risk.description
            rect = risk.rectification
            if rect is not None and rect.completed_on:
                settled[risk.description] = rect.completed_on
            if rect is not None and rect.state == "in_progress":
                assert not risk.resolved, risk.description
        owners = set(m.Rectification.objects.filter(unit=unit).values_list("owner", flat=True))
        secretary = Membership.objects.live().get(unit=unit, role="secretary").user
        assert secretary.pk not in owners
        study = m.Meeting.objects.filter(unit=unit, held_at__year=LAST, kind__in=STUDY_KINDS)
        staff = sum(x.present for x in study.filter(kind="staff_study"))
        quarters = [sum(x.present for x in study if (timezone.localtime(x.held_at).month - 1) // 3 == q)
                    for q in range(4)]  # fmt: skip
        assert staff >= max(quarters), (staff, quarters)
