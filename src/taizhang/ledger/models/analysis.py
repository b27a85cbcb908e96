from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import Child, DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import PAST_ONLY, check_year, in_future, other_unit


class Analysis(UnitOwned):
    """One analysis and judgement (分析研判) of the ideology situation, usually for a quarter."""

    attachable: ClassVar[bool] = True

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    quarter = models.PositiveSmallIntegerField(
        "季度",
        choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")],
        null=True,
        blank=True,
    )
    held_on = models.DateField("研判日期")
    meeting = models.ForeignKey(
        "ledger.Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="analyses",
        verbose_name="研判会议",
    )
    situation = models.TextField("总体形势")
    conclusion = models.TextField("研判结论", blank=True)

    class Meta:
        verbose_name = "分析研判"
        verbose_name_plural = "分析研判"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "held_on"])]

    def __str__(self) -> str:
        period = f"第{'一二三四'[self.quarter - 1]}季度" if self.quarter else "专题"
        return f"{self.year}年{period}意识形态形势分析研判"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        check_year(errors, self.year)
        if in_future(self.held_on):
            errors["held_on"] = f"研判日期{PAST_ONLY}"
        if other_unit(self, "meeting"):
            errors["meeting"] = "研判会议不属于本单位。"
        if errors:
            raise ValidationError(errors)


class RiskLevel(models.TextChoices):
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class Risk(UnitOwned):
    """One risk point found in an analysis: its level, field, cause, who answers and the measure."""

    analysis = models.ForeignKey(
        Analysis, on_delete=models.PROTECT, related_name="risks", verbose_name="分析研判"
    )
    description = models.TextField("风险点")
    level = models.CharField("风险等级", max_length=8, choices=RiskLevel.choices)
    field = models.CharField("所属领域", max_length=60)
    cause = models.TextField("成因", blank=True)
    responsible_office = models.CharField("责任科室", max_length=60)
    measure = models.TextField("防范措施")
    rectification = models.OneToOneField(
        "ledger.Rectification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk",
        verbose_name="整改事项",
    )
    resolved = models.BooleanField("已化解", default=False)

    class Meta:
        verbose_name = "风险点"
        verbose_name_plural = "风险点"
        ordering = ["analysis", "pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}风险：{self.description[:30]}"

    def clean(self) -> None:
        if other_unit(self, "analysis"):
            raise ValidationError({"analysis": "分析研判不属于本单位。"})


ANALYSIS = register(Kind(
    model=Analysis, slug="analysis", search_code=6, namespace="ledger",
    fields=("year", "quarter", "held_on", "meeting", "situation", "conclusion"),
    list_fields=("held_on", "year", "quarter", "situation"), date=DatedBy("held_on"),
    search_fields=("situation", "conclusion"), sortable=("held_on",),
    children=(Child("risks", "risk", "analysis", ("level", "field", "description", "responsible_office",
                                                 "rectification")),),
))  # fmt: skip
RISK = register(Kind(
    model=Risk, slug="risk", search_code=7, namespace="ledger",
    fields=("analysis", "description", "level", "field", "cause", "responsible_office", "measure", "resolved"),
    list_fields=("analysis", "level", "field", "description", "rectification"),
    date=DatedBy("analysis__held_on", year="analysis__year"), kind_field="level", state_field="resolved",
    search_fields=("description", "field", "cause", "measure", "responsible_office"),
    default_order=("-analysis__held_on", "pk"),
))  # fmt: skip
