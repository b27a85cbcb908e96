from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from taizhang.core.kinds import Child, DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import PAST_ONLY, in_future, other_unit, person_fk, person_required


class PositionKind(models.TextChoices):
    WEBSITE = "website", "门户网站"
    WECHAT = "wechat", "微信公众号"
    WEIBO = "weibo", "微博"
    VIDEO = "video", "短视频账号"
    SCREEN = "screen", "电子显示屏"
    BOARD = "board", "宣传栏"
    TERMINAL = "terminal", "预警信息发布终端"
    FORUM = "forum", "讲座论坛"
    OTHER = "other", "其他"


class PositionState(models.TextChoices):
    OPEN = "open", "运行中"
    CLOSED = "closed", "已关停"


class Position(UnitOwned):
    """One position (阵地) the unit runs: a website, an account, a screen, a board, a forum."""

    attachable: ClassVar[bool] = True

    kind = models.CharField("类型", max_length=16, choices=PositionKind.choices)
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址或账号", max_length=300, blank=True)
    owner = person_fk("责任人")
    owner_text = models.CharField("责任人（外单位）", max_length=50, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    opened_on = models.DateField("开设日期", null=True, blank=True)
    last_update = models.DateField("最近更新", null=True, blank=True)
    state = models.CharField("状态", max_length=16, choices=PositionState.choices, default=PositionState.OPEN)
    closed_on = models.DateField("关停日期", null=True, blank=True)

    class Meta:
        verbose_name = "阵地"
        verbose_name_plural = "阵地"
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        person_required(errors, self, "owner", "责任人")
        for name in ("filed_on", "opened_on", "last_update", "closed_on"):
            if in_future(getattr(self, name)):
                errors[name] = PAST_ONLY
        if self.state == PositionState.CLOSED and not self.closed_on:
            errors["closed_on"] = "已关停的阵地请填写关停日期。"
        if errors:
            raise ValidationError(errors)


class PositionInspection(UnitOwned):
    """One inspection of a position: when, by whom, what was found."""

    attachable: ClassVar[bool] = True

    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="inspections", verbose_name="阵地"
    )
    inspected_on = models.DateField("检查日期")
    inspector = person_fk("检查人")
    inspector_text = models.CharField("检查人（外单位）", max_length=50, blank=True)
    findings = models.TextField("检查情况")
    problems = models.PositiveIntegerField("发现问题数", default=0)

    class Meta:
        verbose_name = "阵地检查"
        verbose_name_plural = "阵地检查"
        ordering = ["-inspected_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "inspected_on"])]

    def __str__(self) -> str:
        return f"{self.inspected_on} 检查 {self.position.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        person_required(errors, self, "inspector", "检查人")
        if in_future(self.inspected_on):
            errors["inspected_on"] = f"检查日期{PAST_ONLY}"
        if other_unit(self, "position"):
            errors["position"] = "阵地不属于本单位。"
        if errors:
            raise ValidationError(errors)


class ReviewStage(models.TextChoices):
    DRAFT = "draft", "草稿"
    FIRST = "first", "待初审"
    SECOND = "second", "待复审"
    FINAL = "final", "待终审"
    APPROVED = "approved", "已通过"
    PUBLISHED = "published", "已发布"


STAGE_ORDER: list[str] = [ReviewStage.FIRST, ReviewStage.SECOND, ReviewStage.FINAL]
STAGE_NAMES: dict[str, str] = {
    ReviewStage.FIRST: "初审",
    ReviewStage.SECOND: "复审",
    ReviewStage.FINAL: "终审",
}


class PublicationReview(UnitOwned):
    """One item to be published on a position, and where it stands in 初审 → 复审 → 终审."""

    attachable: ClassVar[bool] = True

    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="reviews", verbose_name="发布阵地"
    )
    title = models.CharField("标题", max_length=200)
    drafted_on = models.DateField("拟稿日期", default=timezone.localdate)
    content = models.TextField("内容摘要", blank=True)
    stage = models.CharField(
        "审核状态", max_length=16, choices=ReviewStage.choices, default=ReviewStage.DRAFT, editable=False
    )
    round = models.PositiveSmallIntegerField("送审轮次", default=0, editable=False)
    published_on = models.DateField("发布日期", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "发布审核"
        verbose_name_plural = "发布审核"
        ordering = ["-drafted_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "drafted_on"])]

    # What the reviewers approve: changing any of it after 送审 sends the item back to draft.
    reviewed_fields: ClassVar[tuple[str, ...]] = ("position_id", "title", "content")

    def __str__(self) -> str:
        return self.title

    def before_update(self, before: dict[str, Any] | None) -> None:
        """An edit of the record (not a step of the 三审, which the review services make under the
        same lock): the workflow state is taken from the locked row, never from the copy the form
        loaded, and a change of reviewed content after 送审 returns the item to draft, so it must be
        submitted again and pass 初审, 复审 and 终审 in a new round. The audit row of the edit
        carries the change, the stage included. Published content is not changed at all."""
        if self.pk is None or (before is not None and before.get("stage") != self.stage):
            return  # a review service moving the stage; it has locked and checked the row itself
        stored = type(self).objects.select_for_update().get(pk=self.pk)
        self.stage, self.round, self.published_on = stored.stage, stored.round, stored.published_on
        changed = [name for name in self.reviewed_fields if getattr(self, name) != getattr(stored, name)]
        if not changed or stored.stage == ReviewStage.DRAFT:
            return
        if stored.stage == ReviewStage.PUBLISHED:
            raise ValidationError(
                "已发布的稿件不能修改标题、内容或发布阵地。如需更正，请新建发布审核并重新三审。"
            )
        self.stage = ReviewStage.DRAFT

    def attachment_added(self, *, acting_user: Any) -> None:
        """A file added after 送审 and before publication changes what the reviewers approved: back
        to draft, audited like any edit. After publication a file is evidence (a screenshot of the
        published page) and changes nothing."""
        from taizhang.core import audit
        from taizhang.core.services import record_update

        stored = type(self).objects.select_for_update().get(pk=self.pk)
        if stored.stage in (ReviewStage.DRAFT, ReviewStage.PUBLISHED):
            return
        before = audit.snapshot(stored)
        stored.stage = ReviewStage.DRAFT
        record_update(acting_user=acting_user, instance=stored, before=before)
        self.stage = stored.stage

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if other_unit(self, "position"):
            errors["position"] = "阵地不属于本单位。"
        if in_future(self.drafted_on):
            errors["drafted_on"] = f"拟稿日期{PAST_ONLY}"
        if errors:
            raise ValidationError(errors)


class Verdict(models.TextChoices):
    PASS = "pass", "通过"
    REJECT = "reject", "退回"


class ReviewStep(UnitOwned):
    """One reviewer's verdict at one stage of one round of a publication review."""

    review = models.ForeignKey(
        PublicationReview, on_delete=models.PROTECT, related_name="steps", verbose_name="发布审核"
    )
    round = models.PositiveSmallIntegerField("轮次")
    stage = models.CharField("环节", max_length=16, choices=ReviewStage.choices)
    reviewer = person_fk("审核人")
    reviewed_at = models.DateTimeField("审核时间")
    verdict = models.CharField("结论", max_length=8, choices=Verdict.choices)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["review", "round", "reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{STAGE_NAMES.get(self.stage, self.stage)} {self.get_verdict_display()}"


POSITION = register(Kind(
    model=Position, slug="position", search_code=12, namespace="ledger",
    fields=("kind", "name", "address", "owner", "owner_text", "opened_on", "filed_on", "last_update", "state",
            "closed_on"),
    list_fields=("kind", "name", "owner", "last_update", "state"), date=DatedBy("opened_on"), kind_field="kind",
    state_field="state", person_fields=("owner",), search_fields=("name", "address", "owner_text"),
    sortable=("kind", "name", "last_update", "state"), default_order=("kind", "name", "pk"),
    children=(Child("inspections", "inspection", "position", ("inspected_on", "inspector", "problems")),
              Child("reviews", "review", "position", ("title", "stage"))),
    book="standing",  # positions are listed whatever year they were opened
    required_when=(("owner", "未填写外单位责任人姓名时必填"), ("closed_on", "状态为已关停时必填")),
))  # fmt: skip
INSPECTION = register(Kind(
    model=PositionInspection, slug="inspection", search_code=13, namespace="ledger",
    fields=("position", "inspected_on", "inspector", "inspector_text", "findings", "problems"),
    list_fields=("inspected_on", "position", "inspector", "problems"), date=DatedBy("inspected_on"),
    person_fields=("inspector",), search_fields=("findings", "inspector_text", "position__name"),
    required_when=(("inspector", "未填写外单位检查人姓名时必填"),),
    sortable=("inspected_on", "problems"),
))  # fmt: skip
REVIEW = register(Kind(
    model=PublicationReview, slug="review", search_code=14, namespace="ledger",
    fields=("position", "title", "drafted_on", "content"),
    list_fields=("drafted_on", "title", "position", "stage", "round"), date=DatedBy("drafted_on"),
    state_field="stage", search_fields=("title", "content"), sortable=("drafted_on", "title", "stage"),
))  # fmt: skip
