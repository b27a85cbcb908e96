"""通知下发与报送: a notice a unit sends down its subtree, one row per unit it is addressed to, and
the answers (submissions) each unit sends back.

Who sees what (docs/architecture.md, "Notices"): the issuing side reads a notice and every answer to
it through the notice's unit; the receiving side reads a notice through the units it is addressed
to. Both are written into `restrict()` of these querysets, so every view and selector keeps the one
habit `Model.objects.restrict(user)` and nobody outside the notice's reach learns it exists.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef

from taizhang.core.models import UnitOwned, UnitOwnedQuerySet
from taizhang.core.scope import scope_for
from taizhang.ledger.models.base import person_fk
from taizhang.ledger.models.report_records import ReportKind
from taizhang.reports.models import KIND_CHOICES

REPORT_KIND_CHOICES = [
    (k, label)
    for k, label in ReportKind.choices
    if k in (ReportKind.HALF_YEAR, ReportKind.ANNUAL, ReportKind.SPECIAL)
]
FIGURES_MAX = 12


class Response(models.TextChoices):
    DOCUMENT = "document", "台账生成的文书"
    FILE = "file", "上传文件"
    FIGURES = "figures", "填报数字"


class NoticeQuerySet(UnitOwnedQuerySet):
    def restrict(self, user: Any, action: str = "view", *, include_deleted: bool = False) -> Self:
        """Writes stay with the issuing unit; reading also reaches the units a notice is addressed
        to (and those who read those units' subtrees)."""
        qs = super().restrict(user, action, include_deleted=include_deleted)
        if action != "view":
            return qs
        scope = scope_for(user)
        addressed = NoticeTarget.objects.filter(notice=OuterRef("pk")).filter(scope.unit_q("view", "unit"))
        others = self.filter(Exists(addressed))
        if not include_deleted:
            others = others.filter(deleted_at__isnull=True)
        return qs | others


class Notice(UnitOwned):
    """One notice a unit issues to units of its subtree: what to do, by when, what to send back."""

    attachable: ClassVar[bool] = True

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    deadline = models.DateField("报送时限")
    response = models.CharField(
        "报送内容", max_length=16, choices=Response.choices, default=Response.DOCUMENT
    )
    document_kind = models.CharField("文书类型", max_length=16, choices=KIND_CHOICES, blank=True)
    # one item a line (集中学习次数); a submission answers each with a number
    figures = models.TextField("填报项目", blank=True)
    report_kind = models.CharField(
        "通过后记入报告与督查台账", max_length=16, choices=REPORT_KIND_CHOICES, blank=True
    )
    # 督办 of a requirement: the rule and year it urges (blank for an ordinary notice)
    rule_id = models.CharField("督办要求", max_length=64, blank=True)
    rule_year = models.PositiveSmallIntegerField("督办年度", null=True, blank=True)
    issued_at = models.DateTimeField("下发时间")
    issued_by = person_fk("下发人")

    objects = NoticeQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "issued_at"])]

    def __str__(self) -> str:
        return self.title

    def figure_names(self) -> list[str]:
        return [line.strip() for line in self.figures.splitlines() if line.strip()]

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.response == Response.DOCUMENT and not self.document_kind:
            errors["document_kind"] = "要求报送文书时，请选择文书类型。"
        if self.response != Response.DOCUMENT:
            self.document_kind = ""
        names = self.figure_names()
        if self.response == Response.FIGURES:
            if not names:
                errors["figures"] = "要求填报数字时，请逐行写出填报项目。"
            elif len(names) > FIGURES_MAX:
                errors["figures"] = f"填报项目最多{FIGURES_MAX}项。"
            elif len(set(names)) != len(names):
                errors["figures"] = "填报项目有重复。"
            elif any(len(n) > 40 for n in names):
                errors["figures"] = "每个填报项目不超过40个字。"
        else:
            self.figures = ""
        if errors:
            raise ValidationError(errors)


class TargetState(models.TextChoices):
    PENDING = "pending", "未报送"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已通过"


class AddressedQuerySet(UnitOwnedQuerySet):
    """Rows that belong to a receiving unit: read there (and above it) as usual, and by the
    issuing unit through the notice."""

    notice_path = "notice"

    def restrict(self, user: Any, action: str = "view", *, include_deleted: bool = False) -> Self:
        qs = super().restrict(user, action, include_deleted=include_deleted)
        if action != "view":
            return qs
        issuer = scope_for(user).unit_q("view", f"{self.notice_path}__unit")
        others = self.filter(issuer, **{f"{self.notice_path}__deleted_at__isnull": True})
        if not include_deleted:
            others = others.filter(deleted_at__isnull=True)
        return qs | others


class NoticeTarget(UnitOwned):
    """One unit a notice is addressed to, with where its answer stands."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="targets", verbose_name="通知")
    state = models.CharField("状态", max_length=16, choices=TargetState.choices, default=TargetState.PENDING)
    # the date of the answer now standing (a resubmission's own date); None while nothing stands
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reminded_at = models.DateTimeField("最近催办", null=True, blank=True)
    reminders = models.PositiveSmallIntegerField("催办次数", default=0)

    objects = AddressedQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = "通知对象"
        verbose_name_plural = "通知对象"
        ordering = ["unit__path"]
        constraints = [models.UniqueConstraint(fields=["notice", "unit"], name="notice_target_once")]
        indexes = [models.Index(fields=["unit", "deleted_at", "state"])]

    def __str__(self) -> str:
        return f"{self.notice.title} · {self.unit.short_name}"

    @property
    def late(self) -> bool:
        from django.utils import timezone

        if self.submitted_at is None:
            return self.state == TargetState.PENDING and timezone.localdate() > self.notice.deadline
        return timezone.localtime(self.submitted_at).date() > self.notice.deadline


class SubmissionQuerySet(AddressedQuerySet):
    notice_path = "target__notice"


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", "通过"
    RETURNED = "returned", "退回"


class Submission(UnitOwned):
    """One answer a unit sends to a notice: a finalised 文书 version, an uploaded file (an
    attachment of this row) or figures. A returned or withdrawn answer stays as history."""

    # the file is attached once, by submission_create: an answer as sent never gains a file
    # through the generic upload page (and keeps its file even if it is deleted there)
    attachable: ClassVar[bool] = False

    target = models.ForeignKey(
        NoticeTarget, on_delete=models.CASCADE, related_name="submissions", verbose_name="通知对象"
    )
    number = models.PositiveSmallIntegerField("次数")
    submitted_at = models.DateTimeField("报送时间")
    submitted_by = person_fk("报送人")
    version = models.ForeignKey(
        "reports.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="文书版本",
    )
    figures = models.JSONField("填报数字", default=dict, blank=True)
    note = models.TextField("说明", blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    verdict = models.CharField("审核结果", max_length=16, choices=Verdict.choices, blank=True)
    comment = models.TextField("审核意见", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decided_by = person_fk("审核人")
    report = models.ForeignKey(
        "ledger.ReportRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报告与督查记录",
    )

    objects = SubmissionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = "报送"
        verbose_name_plural = "报送"
        ordering = ["target", "-number"]
        constraints = [models.UniqueConstraint(fields=["target", "number"], name="submission_number_once")]

    def __str__(self) -> str:
        return f"{self.target.notice.title} · {self.unit.short_name} 第{self.number}次报送"

    @property
    def open(self) -> bool:
        """Awaiting review: neither withdrawn nor decided."""
        return self.withdrawn_at is None and not self.verdict
