from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import in_future, person_required


class MeetingKind(models.TextChoices):
    PARTY_GROUP = "party_group", "党组（党委）会议专题研究意识形态工作"
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


# Study sessions must say what was studied and for how long: the rules count study days from it.
STUDY_KINDS = {
    MeetingKind.CENTRAL_STUDY,
    MeetingKind.STAFF_STUDY,
    MeetingKind.PARTY_LECTURE,
    MeetingKind.READING,
}


class Meeting(UnitOwned):
    """One meeting or study session the unit held, with who was there and what was studied."""

    attachable: ClassVar[bool] = True

    kind = models.CharField("类型", max_length=32, choices=MeetingKind.choices)
    title = models.CharField("名称", max_length=200)
    held_at = models.DateTimeField("时间")
    # the end of the meeting: 扫码签到 is open from 30 minutes before held_at until then
    ends_at = models.DateTimeField("结束时间", null=True, blank=True)
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
    plan_items = models.ManyToManyField(
        "ledger.StudyPlanItem", blank=True, related_name="sessions", verbose_name="落实的学习计划"
    )

    class Meta:
        verbose_name = "会议学习"
        verbose_name_plural = "会议学习"
        ordering = ["-held_at", "-pk"]
        # the list's filters: unit, live rows, optionally kind, a year's range of dates
        indexes = [
            models.Index(fields=["unit", "deleted_at", "held_at"]),
            models.Index(fields=["unit", "kind", "deleted_at", "held_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.expected is not None and self.present is not None and self.present > self.expected:
            errors["present"] = "实到人数不能多于应到人数。"
        if in_future(self.held_at):
            errors["held_at"] = "会议时间不能晚于今天：台账记录已经召开的会议。"
        person_required(errors, self, "host", "主持人")
        if (
            self.ends_at is not None
            and self.held_at is not None
            and not (self.held_at < self.ends_at <= self.held_at + timedelta(hours=24))
        ):
            errors["ends_at"] = "结束时间应晚于开始时间，且不超过24小时。"
        if self.hours is not None and not (0 < self.hours <= 24):
            errors["hours"] = "学时应在 0 到 24 之间。"
        if self.kind in STUDY_KINDS:
            if self.hours is None:
                errors["hours"] = f"{self.get_kind_display()}须填写学时。"
            if not (self.content or "").strip():
                errors["content"] = f"{self.get_kind_display()}须填写传达学习内容。"
        if errors:
            raise ValidationError(errors)


_STUDY_ONLY = "类型为" + "、".join(k.label for k in MeetingKind if k in STUDY_KINDS) + "时必填"
MEETING = register(Kind(
    model=Meeting, slug="meeting", search_code=3, namespace="ledger",
    fields=("kind", "title", "held_at", "ends_at", "place", "host", "host_text", "expected", "present", "attendees", "guests",
            "agenda", "content", "minutes", "decisions", "hours", "plan_items"),
    list_fields=("held_at", "kind", "title", "host", "present"), date=DatedBy("held_at"), kind_field="kind",
    person_fields=("host", "attendees"),
    search_fields=("title", "place", "agenda", "content", "minutes", "decisions", "guests", "host_text"),
    sortable=("held_at", "kind", "title", "present"), people_field="present",
    required_when=(("host", "未填写外单位主持人姓名时必填"), ("hours", _STUDY_ONLY), ("content", _STUDY_ONLY)),
))  # fmt: skip
