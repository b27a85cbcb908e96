from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import PAST_ONLY, in_future


class ReportKind(models.TextChoices):
    HALF_YEAR = "half_year", "半年专题报告"
    ANNUAL = "annual", "年度报告"
    SPECIAL = "special", "专项报告"
    INSPECTED = "inspected", "接受督查检查"
    INSPECTING = "inspecting", "开展督查检查"
    DEBRIEF = "debrief", "述职述责（意识形态部分）"
    LIFE_MEETING = "life_meeting", "民主生活会（意识形态部分）"


class ReportRecord(UnitOwned):
    """One report sent to the superior, inspection received or made, or the ideology part of a 述职."""

    attachable: ClassVar[bool] = True

    kind = models.CharField("类型", max_length=16, choices=ReportKind.choices)
    held_on = models.DateField("日期")
    title = models.CharField("标题", max_length=200)
    recipient = models.CharField("报送或检查单位", max_length=100, blank=True)
    document_no = models.CharField("文号", max_length=60, blank=True)
    summary = models.TextField("主要内容", blank=True)

    class Meta:
        verbose_name = "报告与督查"
        verbose_name_plural = "报告与督查"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "held_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if in_future(self.held_on):
            errors["held_on"] = PAST_ONLY
        if self.kind in (ReportKind.HALF_YEAR, ReportKind.ANNUAL, ReportKind.SPECIAL) and not self.recipient:
            errors["recipient"] = "报告请填写报送单位。"
        if errors:
            raise ValidationError(errors)


REPORT = register(Kind(
    model=ReportRecord, slug="report", search_code=17, namespace="ledger",
    fields=("kind", "held_on", "title", "recipient", "document_no", "summary"),
    list_fields=("held_on", "kind", "title", "recipient"), date=DatedBy("held_on"), kind_field="kind",
    search_fields=("title", "recipient", "summary", "document_no"), sortable=("held_on", "kind", "title"),
    required_when=(("recipient", "类型为半年专题报告、年度报告或专项报告时必填"),),
))  # fmt: skip
