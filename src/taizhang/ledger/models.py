from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from taizhang.core.models import UnitOwned


class MeetingKind(models.TextChoices):
    PARTY_GROUP = "party_group", "党组(党委)会议专题研究意识形态工作"
    CENTRAL_STUDY = "central_study", "理论学习中心组学习"
    SPECIAL = "special", "意识形态工作专题会议"
    ANALYSIS = "analysis", "分析研判会议"
    BRANCH_COMMITTEE = "branch_committee", "支委会"
    MEMBERS_ASSEMBLY = "members_assembly", "党员大会"
    GROUP = "group", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "民主生活会/组织生活会"
    STAFF_STUDY = "staff_study", "干部职工集中学习"
    READING = "reading", "读书活动"
    THEME_EDUCATION = "theme_education", "主题教育活动"


class Meeting(UnitOwned):
    """One meeting or study session the unit held, with who was there and what was studied."""

    attachable: ClassVar[bool] = True

    kind = models.CharField("类型", max_length=32, choices=MeetingKind.choices)
    title = models.CharField("名称", max_length=200)
    held_at = models.DateTimeField("时间")
    place = models.CharField("地点", max_length=100, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主持人",
    )
    host_text = models.CharField("主持人（外单位）", max_length=50, blank=True)
    expected = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="参加人员"
    )
    guests = models.CharField("列席或外单位人员", max_length=300, blank=True)
    agenda = models.TextField("议程", blank=True)
    content = models.TextField("传达学习内容", blank=True)
    minutes = models.TextField("纪要", blank=True)
    decisions = models.TextField("议定事项", blank=True)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = "会议学习"
        verbose_name_plural = "会议学习"
        ordering = ["-held_at", "-pk"]
        indexes = [models.Index(fields=["unit", "held_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.expected is not None and self.present is not None and self.present > self.expected:
            errors["present"] = "实到人数不能多于应到人数。"
        if self.held_at and self.held_at > timezone.now() + timedelta(days=1):
            errors["held_at"] = "会议时间不能晚于今天：台账记录已经召开的会议。"
        if not self.host_id and not self.host_text:
            errors["host"] = "请选择主持人，或填写外单位主持人姓名。"
        if errors:
            raise ValidationError(errors)
