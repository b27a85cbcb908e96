from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import Child, DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import check_year, other_unit


class StudyPlanScope(models.TextChoices):
    CENTRAL = "central", "党组理论学习中心组"
    BRANCH = "branch", "党支部"
    STAFF = "staff", "干部职工"


class StudyPlan(UnitOwned):
    """The year's study plan of one body (the 中心组, the branch, all staff); its items are the plan."""

    attachable: ClassVar[bool] = True

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    scope = models.CharField("学习主体", max_length=16, choices=StudyPlanScope.choices)
    title = models.CharField("名称", max_length=200)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "学习计划"
        verbose_name_plural = "学习计划"
        ordering = ["-year", "scope", "pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "year"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        check_year(errors, self.year)
        if errors:
            raise ValidationError(errors)


class StudyPlanItem(UnitOwned):
    """One planned study topic in a month; held sessions that cover it fulfil it."""

    plan = models.ForeignKey(
        StudyPlan, on_delete=models.PROTECT, related_name="items", verbose_name="学习计划"
    )
    month = models.PositiveSmallIntegerField("计划月份")
    topic = models.CharField("学习专题", max_length=200)
    materials = models.TextField("学习材料", blank=True)

    class Meta:
        verbose_name = "学习计划条目"
        verbose_name_plural = "学习计划条目"
        ordering = ["plan", "month", "pk"]

    def __str__(self) -> str:
        return f"{self.month}月 {self.topic}"

    # a meeting's page lists the items it carried out by their plan too: each plan repeats the topics
    full_label_related = ("plan",)

    @property
    def full_label(self) -> str:
        return f"{self.plan.title}：{self.month}月 {self.topic}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.month is not None and not 1 <= self.month <= 12:
            errors["month"] = "月份应在 1 到 12 之间。"
        if other_unit(self, "plan"):
            errors["plan"] = "学习计划不属于本单位。"
        if errors:
            raise ValidationError(errors)


STUDY_PLAN = register(Kind(
    model=StudyPlan, slug="studyplan", search_code=4, namespace="ledger",
    fields=("year", "scope", "title", "issued_on", "note"), list_fields=("year", "scope", "title", "issued_on"),
    date=DatedBy("year"), kind_field="scope", search_fields=("title", "note"), sortable=("year", "scope"),
    children=(Child("items", "studyitem", "plan", ("month", "topic", "materials")),),
))  # fmt: skip
STUDY_ITEM = register(Kind(
    model=StudyPlanItem, slug="studyitem", search_code=5, namespace="ledger",
    fields=("plan", "month", "topic", "materials"), list_fields=("plan", "month", "topic"),
    date=DatedBy("plan__year"), search_fields=("topic", "materials"), sortable=("month", "topic"),
    default_order=("-plan__year", "month", "pk"),
))  # fmt: skip
