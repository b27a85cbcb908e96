from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned

from .base import PAST_ONLY, check_year, in_future, other_unit


class Publicity(UnitOwned):
    """One publicity action: its theme, the occasion, the channel or position used, partners, reach."""

    attachable: ClassVar[bool] = True

    held_on = models.DateField("日期")
    theme = models.CharField("主题", max_length=200)
    occasion = models.CharField(
        "活动节点", max_length=60, blank=True, help_text="如 科普宣传周、安全生产月、防灾减灾日、世界气象日"
    )
    channel = models.CharField("宣传渠道或阵地", max_length=100)
    position = models.ForeignKey(
        "ledger.Position",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publicity",
        verbose_name="使用的阵地",
    )
    partners = models.CharField("联合开展单位", max_length=200, blank=True)
    reach = models.PositiveIntegerField("覆盖人数（人次）", null=True, blank=True)
    summary = models.TextField("活动情况", blank=True)

    class Meta:
        verbose_name = "宣传"
        verbose_name_plural = "宣传"
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "held_on"])]

    def __str__(self) -> str:
        return self.theme

    def clean(self) -> None:
        if in_future(self.held_on):
            raise ValidationError({"held_on": f"活动日期{PAST_ONLY}"})


class Subscription(UnitOwned):
    """One subscription task (党报党刊征订): a publication, the copies and the amount, done or not."""

    attachable: ClassVar[bool] = True

    year = models.PositiveSmallIntegerField("年度", db_index=True)
    publication = models.CharField("报刊名称", max_length=100)
    copies = models.PositiveIntegerField("份数")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    done = models.BooleanField("已完成", default=False)
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "党报党刊征订"
        verbose_name_plural = "党报党刊征订"
        ordering = ["-year", "publication", "pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "year"])]

    def __str__(self) -> str:
        return f"{self.year}年《{self.publication}》"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        check_year(errors, self.year)
        if self.copies == 0:
            errors["copies"] = "份数应大于 0。"
        if self.done and not self.done_on:
            errors["done_on"] = "已完成的征订请填写完成日期。"
        if in_future(self.done_on):
            errors["done_on"] = f"完成日期{PAST_ONLY}"
        if errors:
            raise ValidationError(errors)


class SubmissionLevel(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    INDUSTRY = "industry", "行业媒体"


DEFAULT_SCORES: dict[str, Decimal] = {
    SubmissionLevel.CENTRAL: Decimal("5"),
    SubmissionLevel.PROVINCE: Decimal("3"),
    SubmissionLevel.CITY: Decimal("1"),
    SubmissionLevel.COUNTY: Decimal("0.5"),
    SubmissionLevel.INDUSTRY: Decimal("1"),
}


class SubmissionScore(UnitOwned):
    """The points one unit gives an adopted submission at one level; missing levels use the defaults."""

    level = models.CharField("媒体级别", max_length=16, choices=SubmissionLevel.choices)
    points = models.DecimalField("分值", max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = "投稿计分标准"
        verbose_name_plural = "投稿计分标准"
        ordering = ["unit", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "level"],
                condition=models.Q(deleted_at__isnull=True),
                name="submission_score_unique_level",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.points} 分"

    def clean(self) -> None:
        if self.points is not None and self.points < 0:
            raise ValidationError({"points": "分值不能为负数。"})


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "已投稿"
    ADOPTED = "adopted", "已采用"
    REJECTED = "rejected", "未采用"


class Submission(UnitOwned):
    """One piece sent to a medium (投稿): where it went, at what level, and whether it was adopted."""

    attachable: ClassVar[bool] = True  # the published article

    title = models.CharField("标题", max_length=200)
    authors = models.CharField("作者", max_length=100)
    outlet = models.CharField("投稿媒体", max_length=100)
    level = models.CharField("媒体级别", max_length=16, choices=SubmissionLevel.choices)
    submitted_on = models.DateField("投稿日期")
    status = models.CharField(
        "状态", max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.SUBMITTED
    )
    published_on = models.DateField("刊发日期", null=True, blank=True)
    page_or_url = models.CharField("版面或网址", max_length=300, blank=True)
    publicity = models.ForeignKey(
        Publicity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name="报道的宣传活动",
    )

    class Meta:
        verbose_name = "投稿"
        verbose_name_plural = "投稿"
        ordering = ["-submitted_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "submitted_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if in_future(self.submitted_on):
            errors["submitted_on"] = f"投稿日期{PAST_ONLY}"
        if self.status == SubmissionStatus.ADOPTED and not self.published_on:
            errors["published_on"] = "已采用的稿件请填写刊发日期。"
        if self.published_on and self.submitted_on and self.published_on < self.submitted_on:
            errors["published_on"] = "刊发日期不能早于投稿日期。"
        if in_future(self.published_on):
            errors["published_on"] = f"刊发日期{PAST_ONLY}"
        if other_unit(self, "publicity"):
            errors["publicity"] = "宣传活动不属于本单位。"
        if errors:
            raise ValidationError(errors)


PUBLICITY = register(Kind(
    model=Publicity, slug="publicity", search_code=8, namespace="ledger",
    fields=("held_on", "theme", "occasion", "channel", "position", "partners", "reach", "summary"),
    list_fields=("held_on", "theme", "occasion", "channel", "reach"), date=DatedBy("held_on"),
    search_fields=("theme", "occasion", "channel", "partners", "summary"), sortable=("held_on", "theme", "reach"),
))  # fmt: skip
SUBSCRIPTION = register(Kind(
    model=Subscription, slug="subscription", search_code=9, namespace="ledger",
    fields=("year", "publication", "copies", "amount", "done", "done_on"),
    list_fields=("year", "publication", "copies", "amount", "done"), date=DatedBy("year"), state_field="done",
    search_fields=("publication",), sortable=("year", "publication", "copies"),
    required_when=(("done_on", "已完成征订时必填"),),
))  # fmt: skip
SUBMISSION = register(Kind(
    model=Submission, slug="submission", search_code=10, namespace="ledger",
    fields=("title", "authors", "outlet", "level", "submitted_on", "status", "published_on", "page_or_url",
            "publicity"),
    list_fields=("submitted_on", "title", "outlet", "level", "status"), date=DatedBy("submitted_on"),
    kind_field="level", state_field="status", search_fields=("title", "authors", "outlet"),
    sortable=("submitted_on", "title", "level", "status"),
    required_when=(("published_on", "状态为已采用时必填"),),
))  # fmt: skip
SUBMISSION_SCORE = register(Kind(
    model=SubmissionScore, slug="score", search_code=11, namespace="ledger",
    fields=("level", "points"), list_fields=("level", "points"), kind_field="level", sortable=("level",),
    book="none",  # the score table is configuration, not a ledger of the year
))  # fmt: skip
