"""The pages of every ledger: each kind declares its list, filters and form fields; core does the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import kinds, query
from taizhang.core.downloads import xlsx_download
from taizhang.core.kinds import Kind
from taizhang.core.scope import scope_for
from taizhang.core.views import REGISTRY, RecordViews, get_restricted
from taizhang.orgs.models import Membership, Unit
from taizhang.orgs.roles import Role

from . import models as m
from . import services
from .forms import MeetingForm, RectificationCompleteForm, RectificationForm


class LedgerViews(RecordViews):
    """A ledger kind: any of its records can be evidence for a 工作要点 item."""

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        can_change = scope_for(request.user).allows("change", obj.unit)
        return {
            "evidence_of": services.evidence_for_record(obj, request.user),
            "evidence_items": evidence_items(request, obj) if can_change and not obj.deleted_at else None,
            "evidence_url": reverse("ledger:evidence_add", kwargs={"slug": self.slug, "pk": obj.pk}),
        }


class StudyItemViews(LedgerViews):
    kind = m.study.STUDY_ITEM
    actions_template = "ledger/_studyitem_sessions.html"

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        sessions = (
            m.Meeting.objects.restrict(request.user)
            .filter(plan_items=obj)
            .select_related("host")
            .prefetch_related("attendees")
            .order_by("held_at")
        )
        return {**super().extra_detail(request, obj), "sessions": sessions}


class MeetingViews(LedgerViews):
    kind = m.meetings.MEETING
    form_class = MeetingForm


class RiskViews(LedgerViews):
    kind = m.analysis.RISK
    actions_template = "ledger/_risk_actions.html"


class SubmissionViews(LedgerViews):
    kind = m.publicity.SUBMISSION
    summary_template = "ledger/_submission_summary.html"

    def summary(self, request: HttpRequest, qs: Any) -> Any:
        unit = getattr(request, "unit", None)
        if unit is None:
            return None
        year = query.year(request.GET, default=timezone.localdate().year)
        return services.submission_totals(unit=unit, year=year, user=request.user)


class ReviewViews(LedgerViews):
    kind = m.positions.REVIEW
    actions_template = "ledger/_review_actions.html"

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {
            **super().extra_detail(request, obj),
            "steps": obj.steps.filter(deleted_at__isnull=True)
            .select_related("reviewer")
            .order_by("round", "reviewed_at"),
            "next_stage": services.REVIEW_NEXT.get(obj.stage),
            "stage_name": m.positions.STAGE_NAMES.get(obj.stage, ""),
            "verdicts": m.positions.Verdict.choices,
        }


class RectificationViews(LedgerViews):
    kind = m.rectification.RECTIFICATION
    form_class = RectificationForm
    actions_template = "ledger/_rectification_actions.html"

    def row_class(self, obj: Any) -> str:
        return "table-danger" if obj.is_overdue and obj.state in m.rectification.OPEN_STATES else ""

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        risk = (
            m.Risk.objects.restrict(request.user).filter(rectification=obj).select_related("analysis").first()
        )
        links = [("来源风险点", str(risk), reverse("ledger:risk_detail", args=[risk.pk]))] if risk else []
        return {
            **super().extra_detail(request, obj),
            "related_links": links,
            "today": timezone.localdate(),
            "open_states": m.rectification.OPEN_STATES,
        }

    def state_choices(self) -> list[tuple[str, str]] | None:
        return [*m.RectificationState.choices, ("overdue", "已逾期")]

    def state_filter(self, value: str) -> dict[str, Any]:
        if value == "overdue":
            return {"state__in": m.rectification.OPEN_STATES, "deadline__lt": timezone.localdate()}
        return {"state": value}


class WorkPlanViews(LedgerViews):
    kind = m.workplan.WORK_PLAN
    actions_template = "ledger/_workplan_evidence.html"

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {
            **super().extra_detail(request, obj),
            # each record links to its own kind's detail page, whichever app serves it
            "evidence": [
                (ev, record, REGISTRY[slug].url("detail") if slug in REGISTRY else "")
                for ev, record, slug in services.evidence_records(obj, request.user)
            ],
        }


# Kinds whose pages show more than their declaration; every other kind of the ledger app (a new
# one included) gets the plain LedgerViews.
_SPECIAL: dict[Kind, type[LedgerViews]] = {
    v.kind: v
    for v in (
        MeetingViews,
        StudyItemViews,
        RiskViews,
        SubmissionViews,
        ReviewViews,
        RectificationViews,
        WorkPlanViews,
    )
}
LEDGERS: list[RecordViews] = [_SPECIAL.get(kind, LedgerViews)(kind) for kind in kinds.of_namespace("ledger")]
# The ledgers a clerk keeps (docs/domain.md §2, in order); sub-records are reached from their parents.
MAIN = ["group", "duty", "meeting", "studyplan", "analysis", "publicity", "subscription", "submission",
        "position", "inspection", "review", "opinion", "rectification", "report", "workplan"]  # fmt: skip


def _unit_records(request: HttpRequest, views: RecordViews, unit: Any) -> Any:
    qs = views.model.objects.restrict(request.user, "view")
    return qs.filter(unit=unit) if unit is not None else qs


@login_required
def index(request: HttpRequest) -> HttpResponse:
    unit = getattr(request, "unit", None)
    year = timezone.localdate().year
    counts = []
    for slug in MAIN:
        views = REGISTRY[slug]
        totals = _unit_records(request, views, unit).aggregate(
            this_year=Count("pk", filter=Q(**{views.year_lookup(): year})), total=Count("pk")
        )
        counts.append((views, totals["this_year"], totals["total"]))
    return render(request, "ledger/index.html", {"counts": counts, "year": year})


# Further cards other apps put on the dashboard: each takes (request, unit) and returns
# (template, context) or None (学习资料 adds the person's recommended reading). A card is kept
# until the next audited write (ledger.home.panels): it must show only what records say.
DASHBOARD_PANELS: list[Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]] = []


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What each person sees first. The unit's managers and clerk: the year's status (rules met,
    missed and falling due, rectifications, risks by level, the ledgers' counts) with charts and
    numbers that open their lists; a member: their own study first; an inspector: the subtree."""
    from . import home

    user = request.user
    if getattr(user, "admin_role", ""):
        return redirect("system_index")
    unit = getattr(request, "unit", None)
    ctx: dict[str, Any] = {"unit": unit}
    if unit is None:
        return render(request, "ledger/dashboard.html", ctx)
    my_roles = list(Membership.objects.live().filter(user=user, unit=unit))
    roles = {ms.role for ms in my_roles}
    reaches_down = any(unit.path.startswith(p) for p in scope_for(user).read_subtrees)
    if roles == {Role.INSPECTOR} and reaches_down:
        return redirect("rules:subtree")  # an inspector reads the units below, not their own office
    today = timezone.localdate()
    year = today.year
    f = home.figures(request, unit, today, MAIN)
    rules, rects, risks, extra = f["rules"], f["rects"], f["risks"], f["extra"]
    ctx.update(
        panels=home.panels(request, unit, today, DASHBOARD_PANELS),
        year=year,
        month=today.month,
        counts=[{**c, "views": REGISTRY[c["slug"]]} for c in f["counts"]],
        member_only=roles <= {Role.MEMBER},
        my_roles=my_roles,
        tiles=f["tiles"],
        my_tiles=[t for t in extra if t.key.startswith("my-")],
        study_tiles=[t for t in extra if not t.key.startswith("my-")],
        rules=rules,
        overdue=rects.overdue,
        due_rectifications=rects.due_this_month,
        todo=rules.upcoming,
        charts={
            "months": home.MONTHS,
            "monthly": f["monthly"],
            "completion": rules.by_month,
            "risks": [{"label": r["label"], "n": r["n"], "open": r["open"], "url": r["url"]} for r in risks],
            "grid": reverse("rules:grid") + f"?year={year}",
        },
        due_workplan=f["due_workplan"],
        due_study=f["due_study"],
        subunits=Unit.objects.restrict(user)
        .filter(path__startswith=unit.path)
        .exclude(pk=unit.pk)
        .order_by("path")
        if reaches_down
        else Unit.objects.none(),
    )
    return render(request, "ledger/dashboard.html", ctx)


# --- Links between ledgers ------------------------------------------------------------------------
@login_required
@require_POST
def risk_rectify(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_restricted(request, m.Risk, pk, "change")
    try:
        rect = services.risk_open_rectification(acting_user=request.user, risk=risk)
    except services.LedgerError as exc:
        messages.error(request, str(exc))
        return redirect("ledger:risk_detail", pk=risk.pk)
    messages.success(request, "已根据风险点建立整改事项，请补充责任人和整改时限。")
    return redirect("ledger:rectification_edit", pk=rect.pk)


@login_required
@require_POST
def rectification_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """完成整改 / 销号 from the rectification's page: date, result and evidence in one step."""
    from taizhang.core.views import check_uploads

    rect = get_restricted(request, m.Rectification, pk, "change")
    uploads = request.FILES.getlist("attachments")
    problems = check_uploads(uploads)
    form = RectificationCompleteForm(request.POST)
    if not form.is_valid():
        problems += [f"{form.fields[k].label}：{'；'.join(map(str, v))}" if k in form.fields else "；".join(map(str, v))
                     for k, v in form.errors.items()]  # fmt: skip
    if problems:
        messages.error(request, "；".join(problems))
    else:
        close = request.POST.get("close") == "1"
        try:
            services.rectification_complete(
                acting_user=request.user, rectification=rect, completed_on=form.cleaned_data["completed_on"],
                result=form.cleaned_data["result"], close=close, uploads=uploads,
            )  # fmt: skip
        except (services.LedgerError, ValidationError) as exc:
            messages.error(
                request, str(exc) if isinstance(exc, services.LedgerError) else "；".join(exc.messages)
            )
        else:
            messages.success(request, "已销号。" if close else "已标记为已整改，待销号。")
    return redirect("ledger:rectification_detail", pk=rect.pk)


def _review_step(request: HttpRequest, pk: int, step: Any, done: str, **kwargs: Any) -> HttpResponse:
    """Run one step of the 三审 workflow; a refused step comes back as a message on the page."""
    review = get_restricted(request, m.PublicationReview, pk, "change")
    try:
        step(acting_user=request.user, review=review, **kwargs)
    except services.LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("ledger:review_detail", pk=review.pk)


@login_required
@require_POST
def review_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(request, pk, services.review_submit, "已送审，等待初审。")


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request, pk, services.review_decide, "审核意见已记录。",
        stage=request.POST.get("stage", ""), verdict=request.POST.get("verdict", ""),
        comment=request.POST.get("comment", ""),
    )  # fmt: skip


@login_required
@require_POST
def review_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(request, pk, services.review_publish, "已登记发布。")


@login_required
@require_POST
def evidence_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    views = REGISTRY.get(slug)
    if views is None:
        return redirect("ledger:index")
    record = get_restricted(request, views.model, pk)
    item = get_restricted(request, m.WorkPlanItem, query.object_id(request.POST, "item") or 0, "change")
    try:
        services.evidence_attach(
            acting_user=request.user, item=item, record=record, note=request.POST.get("note", "")
        )
    except services.LedgerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已作为工作要点“{item}”的佐证。")
    return redirect(views.url("detail"), pk=record.pk)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    ev = get_restricted(request, m.WorkPlanEvidence, pk, "change")
    services.evidence_detach(acting_user=request.user, evidence=ev)
    messages.success(request, "已移除佐证。")
    return redirect("ledger:workplan_detail", pk=ev.item_id)


def evidence_items(request: HttpRequest, record: Any) -> Any:
    """Work plan items of the record's unit a person may attach evidence to."""
    return (
        m.WorkPlanItem.objects.restrict(request.user, "change")
        .filter(unit=record.unit)
        .order_by("-year", "section", "number")
    )


@login_required
def book(request: HttpRequest) -> HttpResponse:
    """The 台账汇编 of the current unit for a year, as one workbook."""
    from .book import ledger_book

    unit = getattr(request, "unit", None)
    if unit is None:
        return redirect("ledger:index")
    year = query.year(request.GET, default=timezone.localdate().year)
    data = ledger_book(unit=unit, year=year, user=request.user)
    return xlsx_download(
        request, data, f"{unit.short_name}{year}年台账汇编.xlsx", what=f"{year}年台账汇编", unit=unit
    )
