"""Documents being prepared: one row per document of a unit, and its numbered versions."""

from __future__ import annotations

from django.db import models

from taizhang.core.models import UnitOwned
from taizhang.ledger.models.base import person_fk

KIND_CHOICES = [
    ("annual", "年度意识形态工作总结"),
    ("keypoints", "工作要点"),
    ("half-year", "半年专题报告"),
    ("analysis", "季度研判报告"),
    ("assessment", "考核自评报告"),
    ("ledger-book", "台账汇编"),
    ("rollup", "汇总报告"),
]


class OfficialDocument(UnitOwned):
    """One document of a unit (a kind and a period): generated from the ledgers, edited, proofread
    and finalised as numbered versions."""

    kind = models.CharField("文书类型", max_length=16, choices=KIND_CHOICES)
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", null=True, blank=True)
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True)
    title = models.CharField("标题", max_length=300)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "year"])]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(UnitOwned):
    """One numbered version of a document's text. A draft version is edited section by section; a
    final one (who, when) never changes — revising it starts the next draft version."""

    document = models.ForeignKey(
        OfficialDocument, on_delete=models.CASCADE, related_name="versions", verbose_name="文书"
    )
    number = models.PositiveSmallIntegerField("版本号")
    content = models.JSONField("内容")
    mentions = models.JSONField("数字位置", default=list, blank=True)
    final = models.BooleanField("已定稿", default=False)
    finalised_by = person_fk("定稿人")
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)

    class Meta:
        verbose_name = "文书版本"
        verbose_name_plural = "文书版本"
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_document"),
            # revising is idempotent (services.version_revise); the database holds it under concurrency
            models.UniqueConstraint(
                fields=["document"],
                condition=models.Q(final=False, deleted_at__isnull=True),
                name="one_open_draft_per_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.title} 第{self.number}版{'（定稿）' if self.final else '（草稿）'}"


class DocumentSettings(UnitOwned):
    """A unit's 公文 settings (one live row per unit): who signs its documents and how a report it
    sends up is headed — 署名, 主送机关, 机关代字 and 签发人. Blank fields fall back to the unit's
    party organisation and its superior's."""

    issuer = models.CharField(
        "发文机关署名",
        max_length=100,
        blank=True,
        help_text="不填时用本单位党组织的名称，如“中共区气象局党支部”",
    )
    addressee = models.CharField(
        "主送机关",
        max_length=100,
        blank=True,
        help_text="向上级报告时的主送机关；不填时用上级单位党组织的名称",
    )
    number_code = models.CharField(
        "机关代字",
        max_length=30,
        blank=True,
        help_text="发文字号中的机关代字，如“区气党”（发文字号为 区气党〔2026〕6号）",
    )
    signer = models.CharField("签发人", max_length=30, blank=True, help_text="向上级报告时的签发人姓名")

    class Meta:
        verbose_name = "公文设置"
        verbose_name_plural = "公文设置"
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(deleted_at__isnull=True),
                name="one_document_settings_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit}的公文设置"
