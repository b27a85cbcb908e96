from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import check_year, person_fk


class WorkPlanItem(UnitOwned):
    """One numbered item of the year's 工作要点, under its section, with owner and due date."""

    attachable: ClassVar[bool] = True

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    section = models.CharField("部分", max_length=100)
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("工作任务")
    owner = person_fk("牵头人")
    owner_text = models.CharField("牵头科室或人员", max_length=60, blank=True)
    due_on = models.DateField("完成时限", null=True, blank=True)
    done = models.BooleanField("已完成", default=False)

    class Meta:
        verbose_name = "工作要点"
        verbose_name_plural = "工作要点"
        ordering = ["-year", "section", "number", "pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年 {self.number}. {self.text[:30]}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        check_year(errors, self.year)
        if self.due_on and self.year and self.due_on.year not in (self.year, self.year + 1):
            errors["due_on"] = "完成时限应在本年度内。"
        if not self.owner_id and not self.owner_text:
            errors["owner"] = "请选择牵头人，或填写牵头科室。"
        if errors:
            raise ValidationError(errors)


class WorkPlanEvidence(UnitOwned):
    """A record of any ledger attached as evidence that a 工作要点 item is being done."""

    item = models.ForeignKey(
        WorkPlanItem, on_delete=models.PROTECT, related_name="evidence", verbose_name="工作要点"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name="记录类型"
    )
    object_id = models.BigIntegerField("记录ID")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作要点佐证"
        verbose_name_plural = "工作要点佐证"
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "content_type", "object_id"],
                condition=models.Q(deleted_at__isnull=True),
                name="workplan_evidence_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} ← {self.content_type.name} #{self.object_id}"


WORK_PLAN = register(Kind(
    model=WorkPlanItem, slug="workplan", search_code=18, namespace="ledger",
    fields=("year", "section", "number", "text", "owner", "owner_text", "due_on", "done"),
    list_fields=("year", "section", "number", "text", "owner", "due_on", "done"), date=DatedBy("year"),
    state_field="done", person_fields=("owner",), search_fields=("section", "text", "owner_text"),
    sortable=("year", "number", "due_on"), default_order=("-year", "section", "number", "pk"),
))  # fmt: skip
