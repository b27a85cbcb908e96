"""Writes that link ledgers or move a record through its workflow; each audits in its transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.models import UnitOwned
from taizhang.core.services import record_create, record_delete, record_update

from . import models as m
from .models.positions import STAGE_NAMES, STAGE_ORDER, ReviewStage, Verdict
from .models.publicity import DEFAULT_SCORES, SubmissionStatus


class LedgerError(Exception):
    """A refused step, with a message for the clerk."""


# --- 分析研判 → 问题整改 -----------------------------------------------------------------------------
@transaction.atomic
def risk_open_rectification(*, acting_user: Any, risk: m.Risk) -> m.Rectification:
    """Open a rectification from a risk point in one click, prefilled from the risk."""
    risk = m.Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.rectification is not None and risk.rectification.deleted_at is None:
        raise LedgerError("该风险点已建立整改事项。")
    found = risk.analysis.held_on
    owner = acting_user
    rect = record_create(
        acting_user=acting_user,
        instance=m.Rectification(
            unit=risk.unit,
            source=m.RectificationSource.ANALYSIS,
            found_on=found,
            problem=f"{risk.field}：{risk.description}",
            measures=risk.measure,
            owner=owner,
            deadline=max(found, timezone.localdate()) + timedelta(days=90),
        ),
    )
    before = audit.snapshot(risk)
    risk.rectification = rect
    record_update(acting_user=acting_user, instance=risk, before=before)
    return rect


@transaction.atomic
def rectification_complete(
    *,
    acting_user: Any,
    rectification: m.Rectification,
    completed_on: Any,
    result: str,
    close: bool,
    uploads: Sequence[Any] = (),
) -> m.Rectification:
    """完成整改 or 销号 in one step: the completion date, the result and the evidence (files added
    now or attached before — at least one) are saved together; `close` writes 已销号, else 已整改.
    A closed item is final; an item already 已整改 may be closed."""
    from taizhang.core.services import attachment_add, attachments_for

    rect = m.Rectification.objects.select_for_update().get(pk=rectification.pk)
    states = m.RectificationState
    if rect.state == states.CLOSED:
        raise LedgerError("该问题已销号。")
    if rect.state == states.DONE and not close:
        raise LedgerError("该问题已整改，待销号。")
    if not (result or "").strip():
        raise LedgerError("请填写整改结果：做了什么、问题是否解决。")
    if completed_on is None:
        raise LedgerError("请填写完成日期。")
    stored: list[Any] = []
    try:
        for upload in uploads:
            stored.append(attachment_add(acting_user=acting_user, record=rect, upload=upload))
        if not stored and not attachments_for(rect, acting_user).exists():
            raise LedgerError("请上传整改佐证材料（照片、文件或报告），再完成整改或销号。")
        before = audit.snapshot(rect)
        rect.state = states.CLOSED if close else states.DONE
        rect.completed_on = completed_on
        rect.result = result.strip()
        try:
            record_update(acting_user=acting_user, instance=rect, before=before)
        except ValidationError as exc:
            raise LedgerError("；".join(exc.messages)) from exc
        risk = m.Risk.objects.filter(rectification=rect, deleted_at__isnull=True).first() if close else None
        if risk is not None and not risk.resolved:  # the risk point it answered is 已化解
            risk_before = audit.snapshot(risk)
            risk.resolved = True
            record_update(acting_user=acting_user, instance=risk, before=risk_before)
    except BaseException:
        for att in stored:  # the rows roll back with the transaction; their files must go too
            att.file.delete(save=False)
        raise
    return rect


# --- 发布审核: 初审 → 复审 → 终审 ---------------------------------------------------------------------
REVIEW_NEXT: dict[str, str] = {
    ReviewStage.FIRST: ReviewStage.SECOND,
    ReviewStage.SECOND: ReviewStage.FINAL,
    ReviewStage.FINAL: ReviewStage.APPROVED,
}


def _locked(review: m.PublicationReview) -> m.PublicationReview:
    return m.PublicationReview.objects.select_for_update().get(pk=review.pk)


@transaction.atomic
def review_submit(*, acting_user: Any, review: m.PublicationReview) -> m.PublicationReview:
    review = _locked(review)
    if review.stage != ReviewStage.DRAFT:
        raise LedgerError("只有草稿可以送审。")
    before = audit.snapshot(review)
    review.stage = ReviewStage.FIRST
    review.round += 1
    return record_update(acting_user=acting_user, instance=review, before=before)


@transaction.atomic
def review_decide(
    *,
    acting_user: Any,
    review: m.PublicationReview,
    stage: str,
    verdict: str,
    comment: str = "",
    at: Any = None,
) -> m.PublicationReview:
    """Record one reviewer's verdict at the stage the item is waiting for; nothing may be skipped.
    A rejection returns the item to draft. Each stage of a round needs a different reviewer."""
    review = _locked(review)
    if review.stage not in STAGE_ORDER:
        raise LedgerError("该稿件当前不在审核环节。")
    if stage != review.stage:
        raise LedgerError(f"该稿件正等待{STAGE_NAMES[review.stage]}，不能跳过或重复审核环节。")
    if verdict not in Verdict.values:
        raise LedgerError("请选择审核结论。")
    if verdict == Verdict.REJECT and not comment.strip():
        raise LedgerError("退回时请填写审核意见。")
    earlier = review.steps.filter(round=review.round, deleted_at__isnull=True, reviewer=acting_user)
    if earlier.exists():
        raise LedgerError("同一轮审核中，初审、复审、终审应由不同的人担任。")
    record_create(
        acting_user=acting_user,
        instance=m.ReviewStep(
            unit=review.unit,
            review=review,
            round=review.round,
            stage=stage,
            reviewer=acting_user,
            reviewed_at=at or timezone.now(),
            verdict=verdict,
            comment=comment.strip(),
        ),
    )
    before = audit.snapshot(review)
    review.stage = REVIEW_NEXT[stage] if verdict == Verdict.PASS else ReviewStage.DRAFT
    return record_update(acting_user=acting_user, instance=review, before=before)


@transaction.atomic
def review_publish(*, acting_user: Any, review: m.PublicationReview, on: Any = None) -> m.PublicationReview:
    review = _locked(review)
    if review.stage != ReviewStage.APPROVED:
        raise LedgerError("只有经过初审、复审、终审的稿件才能发布。")
    before = audit.snapshot(review)
    review.stage = ReviewStage.PUBLISHED
    review.published_on = on or timezone.localdate()
    return record_update(acting_user=acting_user, instance=review, before=before)


# --- 投稿 scoring ----------------------------------------------------------------------------------
def score_table(unit: Any) -> dict[str, Decimal]:
    table = dict(DEFAULT_SCORES)
    for row in m.SubmissionScore.objects.filter(unit=unit, deleted_at__isnull=True):
        table[row.level] = row.points
    return table


def submission_totals(*, unit: Any, year: int, user: Any) -> dict[str, Any]:
    """The year's submissions, adoptions and points by level, from the unit's score table."""
    table = score_table(unit)
    rows = (
        m.Submission.objects.restrict(user)
        .filter(unit=unit, submitted_on__year=year)
        .values_list("level", "status")
    )
    by_level: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"submitted": 0, "adopted": 0, "points": Decimal(0)}
    )
    for level, status in rows:
        entry = by_level[level]
        entry["submitted"] += 1
        if status == SubmissionStatus.ADOPTED:
            entry["adopted"] += 1
            entry["points"] += table[level]
    levels = [
        {"level": label, "points_each": table[value], **by_level[value]}
        for value, label in m.SubmissionLevel.choices
        if value in by_level
    ]
    return {
        "year": year,
        "levels": levels,
        "submitted": sum(x["submitted"] for x in levels),
        "adopted": sum(x["adopted"] for x in levels),
        "points": sum((x["points"] for x in levels), Decimal(0)),
    }


# --- 工作要点 evidence -------------------------------------------------------------------------------
@transaction.atomic
def evidence_attach(
    *, acting_user: Any, item: m.WorkPlanItem, record: UnitOwned, note: str = ""
) -> m.WorkPlanEvidence:
    if record.unit_id != item.unit_id:
        raise LedgerError("只能用本单位的记录作为佐证。")
    ct = ContentType.objects.get_for_model(record)
    if m.WorkPlanEvidence.objects.filter(
        item=item, content_type=ct, object_id=record.pk, deleted_at__isnull=True
    ).exists():
        raise LedgerError("该记录已是此工作要点的佐证。")
    return record_create(
        acting_user=acting_user,
        instance=m.WorkPlanEvidence(
            unit=item.unit, item=item, content_type=ct, object_id=record.pk, note=note.strip()[:200]
        ),
    )


def evidence_detach(*, acting_user: Any, evidence: m.WorkPlanEvidence) -> m.WorkPlanEvidence:
    return record_delete(acting_user=acting_user, instance=evidence)


def evidence_records(item: m.WorkPlanItem, user: Any) -> list[tuple[m.WorkPlanEvidence, Any, str]]:
    """The evidence of an item with the records themselves, each read through restrict()."""
    from taizhang.core.kinds import REGISTRY

    slugs = {kind.model: slug for slug, kind in REGISTRY.items()}
    rows = list(m.WorkPlanEvidence.objects.restrict(user).filter(item=item).select_related("content_type"))
    by_type: dict[int, list[int]] = defaultdict(list)
    for ev in rows:
        by_type[ev.content_type_id].append(ev.object_id)
    found: dict[tuple[int, int], Any] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None or not issubclass(model, UnitOwned):
            continue
        for obj in model.objects.restrict(user).filter(pk__in=ids):
            found[(ct_id, obj.pk)] = obj
    result = []
    for ev in rows:
        linked = found.get((ev.content_type_id, ev.object_id))
        if linked is not None:
            result.append((ev, linked, slugs.get(type(linked), "")))
    return result


def evidence_for_record(record: UnitOwned, user: Any) -> Any:
    ct = ContentType.objects.get_for_model(record)
    return (
        m.WorkPlanEvidence.objects.restrict(user)
        .filter(content_type=ct, object_id=record.pk)
        .select_related("item")
    )
