from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import check_year, person_fk, person_required


class GroupPost(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"
    OFFICE = "office", "办公室主任"
    LIAISON = "liaison", "联络员"


class LeadingGroupMember(UnitOwned):
    """One person's seat in the year's 意识形态工作领导小组 (组长, 副组长, 成员 …)."""

    attachable: ClassVar[bool] = True

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    person = person_fk("人员")
    person_text = models.CharField("人员（外单位）", max_length=50, blank=True)
    post = models.CharField("小组职务", max_length=16, choices=GroupPost.choices)
    title = models.CharField("本职职务", max_length=50, blank=True)
    appointed_on = models.DateField("任命日期", null=True, blank=True)
    document_no = models.CharField("发文字号", max_length=60, blank=True)

    class Meta:
        verbose_name = "领导小组"
        verbose_name_plural = "领导小组"
        ordering = ["-year", "post", "pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年 {self.get_post_display()} {self.person or self.person_text}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        check_year(errors, self.year)
        person_required(errors, self, "person", "人员")
        if errors:
            raise ValidationError(errors)


class ResponsibilityRole(models.TextChoices):
    FIRST = "first", "第一责任人"
    DIRECT = "direct", "直接责任人"
    DUAL = "dual", "一岗双责"


class ResponsibilityItem(UnitOwned):
    """One person's entry in the year's 责任清单: their role and the duties they answer for."""

    attachable: ClassVar[bool] = True  # the signed 责任书

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    person = person_fk("责任人")
    person_text = models.CharField("责任人（外单位）", max_length=50, blank=True)
    role = models.CharField("责任类型", max_length=16, choices=ResponsibilityRole.choices)
    field = models.CharField("分管领域", max_length=100, blank=True)
    duties = models.TextField("责任内容")
    signed_on = models.DateField("责任书签订日期", null=True, blank=True)

    class Meta:
        verbose_name = "责任清单"
        verbose_name_plural = "责任清单"
        ordering = ["-year", "role", "pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年 {self.get_role_display()} {self.person or self.person_text}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        check_year(errors, self.year)
        person_required(errors, self, "person", "责任人")
        if self.signed_on and self.year and self.signed_on.year > self.year:
            errors["signed_on"] = "责任书应在当年签订。"
        if errors:
            raise ValidationError(errors)


LEADING_GROUP = register(Kind(
    model=LeadingGroupMember, slug="group", search_code=1, namespace="ledger",
    fields=("year", "person", "person_text", "post", "title", "appointed_on", "document_no"),
    list_fields=("year", "post", "person", "title"), date=DatedBy("year"), kind_field="post",
    person_fields=("person",), search_fields=("title", "person_text", "document_no"), sortable=("year", "post"),
    required_when=(("person", "未填写“外单位人员”姓名时必填"),),
))  # fmt: skip
RESPONSIBILITY = register(Kind(
    model=ResponsibilityItem, slug="duty", search_code=2, namespace="ledger",
    fields=("year", "person", "person_text", "role", "field", "duties", "signed_on"),
    list_fields=("year", "role", "person", "field"), date=DatedBy("year"), kind_field="role",
    person_fields=("person",), search_fields=("field", "duties", "person_text"), sortable=("year", "role"),
    required_when=(("person", "未填写“外单位人员”姓名时必填"),),
))  # fmt: skip
