from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import PAST_ONLY, in_future, person_fk, person_required


class OpinionLevel(models.TextChoices):
    GENERAL = "general", "一般"
    MODERATE = "moderate", "较大"
    MAJOR = "major", "重大"


class PublicOpinion(UnitOwned):
    """One matter of public concern about the unit's work and how it was answered."""

    attachable: ClassVar[bool] = True

    found_on = models.DateField("发现日期")
    source = models.CharField("来源", max_length=100)
    summary = models.TextField("舆情概要")
    level = models.CharField(
        "等级", max_length=16, choices=OpinionLevel.choices, default=OpinionLevel.GENERAL
    )
    response = models.TextField("处置情况", blank=True)
    closed = models.BooleanField("已处置完毕", default=False)
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "舆情"
        verbose_name_plural = "舆情"
        ordering = ["-found_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "found_on"])]

    def __str__(self) -> str:
        return f"{self.found_on} {self.summary[:30]}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if in_future(self.found_on):
            errors["found_on"] = f"发现日期{PAST_ONLY}"
        if self.closed and not self.response:
            errors["response"] = "办结的舆情请填写处置情况。"
        if self.closed_on and self.found_on and self.closed_on < self.found_on:
            errors["closed_on"] = "办结日期不能早于发现日期。"
        if in_future(self.closed_on):
            errors["closed_on"] = f"办结日期{PAST_ONLY}"
        if errors:
            raise ValidationError(errors)


class RectificationSource(models.TextChoices):
    ANALYSIS = "analysis", "分析研判"
    INSPECTION = "inspection", "督查检查"
    PATROL = "patrol", "巡察"
    SELF = "self", "自查"
    SUPERIOR = "superior", "上级反馈"
    LIFE_MEETING = "life_meeting", "民主生活会"


class RectificationState(models.TextChoices):
    PENDING = "pending", "待整改"
    IN_PROGRESS = "in_progress", "整改中"
    DONE = "done", "已整改"
    CLOSED = "closed", "已销号"


OPEN_STATES = (RectificationState.PENDING, RectificationState.IN_PROGRESS)


class Rectification(UnitOwned):
    """One problem found and its rectification: source, measures, owner, deadline and state."""

    attachable: ClassVar[bool] = True  # the evidence of rectification

    source = models.CharField("问题来源", max_length=16, choices=RectificationSource.choices)
    found_on = models.DateField("发现日期")
    problem = models.TextField("问题描述")
    measures = models.TextField("整改措施")
    owner = person_fk("责任人")
    owner_text = models.CharField("责任人（外单位）", max_length=50, blank=True)
    deadline = models.DateField("整改时限")
    state = models.CharField(
        "状态", max_length=16, choices=RectificationState.choices, default=RectificationState.PENDING
    )
    completed_on = models.DateField("完成日期", null=True, blank=True)
    result = models.TextField("整改结果", blank=True)

    class Meta:
        verbose_name = "问题整改"
        verbose_name_plural = "问题整改"
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "deleted_at", "found_on"]),
            models.Index(fields=["unit", "state", "deadline"]),
        ]

    def __str__(self) -> str:
        return self.problem[:40]

    @property
    def is_overdue(self) -> bool:
        """Still open after its deadline, or closed later than it."""
        if self.state in OPEN_STATES:
            return self.deadline < timezone.localdate()
        return bool(self.completed_on and self.completed_on > self.deadline)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        person_required(errors, self, "owner", "责任人")
        if in_future(self.found_on):
            errors["found_on"] = f"发现日期{PAST_ONLY}"
        if self.deadline and self.found_on and self.deadline < self.found_on:
            errors["deadline"] = "整改时限不能早于发现问题的日期。"
        if self.state in (RectificationState.DONE, RectificationState.CLOSED):
            if not self.completed_on:
                errors["completed_on"] = "已整改或已销号的问题请填写完成日期。"
            if not self.result:
                errors["result"] = "已整改或已销号的问题请填写整改结果。"
        if self.completed_on and self.found_on and self.completed_on < self.found_on:
            errors["completed_on"] = "完成日期不能早于发现日期。"
        if in_future(self.completed_on):
            errors["completed_on"] = f"完成日期{PAST_ONLY}"
        if errors:
            raise ValidationError(errors)


OPINION = register(Kind(
    model=PublicOpinion, slug="opinion", search_code=15, namespace="ledger",
    fields=("found_on", "source", "summary", "level", "response", "closed", "closed_on"),
    list_fields=("found_on", "source", "summary", "level", "closed"), date=DatedBy("found_on"),
    kind_field="level", state_field="closed", search_fields=("source", "summary", "response"),
    sortable=("found_on", "level"), required_when=(("response", "已办结时必填"),),
))  # fmt: skip


def _overdue_mark(obj: Rectification, name: str, value: Any) -> Any:
    if name == "state" and obj.is_overdue and obj.state in OPEN_STATES:
        return f"{value}（已逾期）"
    return value


RECTIFICATION = register(Kind(
    model=Rectification, slug="rectification", search_code=16, namespace="ledger",
    fields=("source", "found_on", "problem", "measures", "owner", "owner_text", "deadline", "state",
            "completed_on", "result"),
    list_fields=("found_on", "source", "problem", "owner", "deadline", "state"), date=DatedBy("found_on"),
    kind_field="source", state_field="state", person_fields=("owner",),
    search_fields=("problem", "measures", "result", "owner_text"), sortable=("found_on", "deadline", "state"),
    display=_overdue_mark,
    required_when=(("owner", "未填写外单位责任人姓名时必填"), ("completed_on", "状态为已整改或已销号时必填"),
                   ("result", "状态为已整改或已销号时必填")),
))  # fmt: skip
