"""The to-do items this app knows of: 三审 waiting, documents to finalise, rectifications,
requirements falling due or missed, and 三审 items returned for revision. Each reads through
restrict(), so nobody sees an item of a unit they may not open."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from taizhang.core.scope import scope_for

from . import todo
from .todo import TodoItem

REQUIREMENT_DAYS = 30


def _cn(d: Any) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def reviews_waiting(user: Any, unit: Any) -> list[TodoItem]:
    """三审 items waiting at a stage this person may still decide (one person, one stage per round),
    and approved items waiting to be published."""
    from taizhang.ledger.models import PublicationReview, ReviewStep
    from taizhang.ledger.models.positions import STAGE_NAMES, STAGE_ORDER, ReviewStage

    if not scope_for(user).allows("change", unit):
        return []
    mine = ReviewStep.objects.filter(
        review=OuterRef("pk"), round=OuterRef("round"), reviewer=user, deleted_at__isnull=True
    )
    rows = (
        PublicationReview.objects.restrict(user, "change")
        .filter(unit=unit)
        .filter((Q(stage__in=STAGE_ORDER) & ~Exists(mine)) | Q(stage=ReviewStage.APPROVED))
        .order_by("drafted_on", "pk")[:100]
    )
    items = []
    for r in rows:
        action = "待发布" if r.stage == ReviewStage.APPROVED else f"待{STAGE_NAMES[r.stage]}"
        items.append(
            TodoItem(
                title=f"{action}：{r.title}",
                link=reverse("ledger:review_detail", args=[r.pk]),
                due=None,
                kind="三审",
                detail=f"{_cn(r.drafted_on)}拟稿，第{r.round}轮送审",
            )
        )
    return items


def reviews_returned(user: Any, unit: Any) -> list[TodoItem]:
    """三审 items a reviewer sent back: the unit's editors revise and submit them again."""
    from taizhang.ledger.models import PublicationReview, ReviewStep
    from taizhang.ledger.models.positions import ReviewStage, Verdict

    if not scope_for(user).allows("change", unit):
        return []
    rejected = ReviewStep.objects.filter(
        review=OuterRef("pk"), round=OuterRef("round"), verdict=Verdict.REJECT, deleted_at__isnull=True
    )
    rows = (
        PublicationReview.objects.restrict(user, "change")
        .filter(unit=unit, stage=ReviewStage.DRAFT, round__gt=0)
        .filter(Exists(rejected))
        .order_by("drafted_on", "pk")[:100]
    )
    return [
        TodoItem(
            title=f"退回修改：{r.title}",
            link=reverse("ledger:review_detail", args=[r.pk]),
            due=None,
            kind="退回",
            detail=f"{_cn(r.drafted_on)}拟稿，审核未通过，修改后重新送审",
        )
        for r in rows
    ]


def documents_to_finalise(user: Any, unit: Any) -> list[TodoItem]:
    """Draft versions of the unit's documents, for those who may finalise them (第一责任人, 直接责任人)."""
    from taizhang.reports.models import DocumentVersion

    if not scope_for(user).allows("manage", unit):
        return []
    rows = (
        DocumentVersion.objects.restrict(user, "manage")
        .filter(unit=unit, final=False, document__deleted_at__isnull=True)
        .select_related("document")
        .order_by("document__year", "document_id")[:100]
    )
    return [
        TodoItem(
            title=f"待定稿：{v.document.title}",
            link=reverse("reports:detail", args=[v.document_id]),
            due=None,
            kind="文书",
            detail=f"第{v.number}版草稿",
        )
        for v in rows
    ]


def rectifications(user: Any, unit: Any) -> list[TodoItem]:
    """Open rectifications this person is responsible for; for the unit's managers also every
    overdue one, whoever owns it."""
    from taizhang.ledger.models import Rectification
    from taizhang.ledger.models.rectification import OPEN_STATES

    today = timezone.localdate()
    mine = Q(owner=user)
    if scope_for(user).allows("change", unit):
        mine |= Q(deadline__lt=today)
    rows = (
        Rectification.objects.restrict(user)
        .filter(unit=unit, state__in=OPEN_STATES)
        .filter(mine)
        .order_by("deadline", "pk")[:100]
    )
    return [
        TodoItem(
            title=f"整改：{r}",
            link=reverse("ledger:rectification_detail", args=[r.pk]),
            due=r.deadline,
            kind="整改",
            detail="已逾期" if r.deadline < today else "",
        )
        for r in rows
    ]


def requirements(user: Any, unit: Any) -> list[TodoItem]:
    """The unit's requirements falling due within 30 days and those missed this year, for the
    people who keep the unit's ledgers."""
    from taizhang.rules import engine
    from taizhang.rules.services import evaluate_units

    if not scope_for(user).allows("change", unit):
        return []
    today = timezone.localdate()
    horizon = today + timedelta(days=REQUIREMENT_DAYS)
    items = []
    for year in sorted({today.year, horizon.year}):
        [result] = evaluate_units([unit], year, user=user, today=today)
        for cells in result.cells.values():
            for c in cells:
                due = c.status == engine.DUE and today <= c.period.deadline <= horizon
                missed = c.status == engine.MISSED and year == today.year
                if not (due or missed):
                    continue
                items.append(
                    TodoItem(
                        title=f"{c.rule.name}（{c.period.label}）",
                        link=reverse("rules:cell", args=[unit.pk, c.rule.id, year, c.period.index]),
                        due=c.period.deadline,
                        kind="未完成要求" if missed else "到期要求",
                        detail=f"已有 {c.value}，要求 {c.rule.description}",
                        missed=missed,
                    )
                )
    return items


def register_all() -> None:
    for provider in (reviews_waiting, reviews_returned, documents_to_finalise, rectifications, requirements):
        todo.register(provider)
