"""Study materials, personal study records, and the search index over materials and records."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned
from taizhang.ledger.models.base import person_fk


class MaterialKind(models.TextChoices):
    SPEECH = "speech", "讲话"
    DOCUMENT = "document", "文件"
    RED_STORY = "red_story", "红色故事"
    CASE = "case", "典型案例"
    BOOK = "book", "书目"
    OTHER = "other", "其他"


class Material(UnitOwned):
    """One study material of a unit: a speech, a document, a story, a case or a book, with its
    text. Shared materials are read by every unit below; local ones by the unit alone."""

    attachable: ClassVar[bool] = True

    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=16, choices=MaterialKind.choices)
    source = models.CharField("来源", max_length=200, blank=True)
    published_on = models.DateField("日期", null=True, blank=True)
    tags = models.CharField("标签", max_length=200, blank=True, help_text="以逗号或顿号分隔")
    body = models.TextField("正文", blank=True)
    # a 红色故事 names who it is about, when it happened and what it teaches; the source above is
    # then the published history it is retold from (《中国共产党简史》 …), so it can be checked
    figures = models.CharField(
        "人物", max_length=100, blank=True, help_text="红色故事填写：故事中的人物或群体"
    )
    era = models.CharField("时间", max_length=60, blank=True, help_text="红色故事填写：如“1935年1月”")
    lesson = models.TextField("启示", blank=True, help_text="红色故事填写：这个故事告诉我们什么")
    shared = models.BooleanField("向下级单位共享", default=True)
    sessions = models.ManyToManyField(
        "ledger.Meeting", blank=True, related_name="materials", verbose_name="在这些会议学习中学习"
    )
    plan_items = models.ManyToManyField(
        "ledger.StudyPlanItem",
        blank=True,
        related_name="library_materials",
        verbose_name="列入这些学习计划条目",
    )

    class Meta:
        verbose_name = "学习资料"
        verbose_name_plural = "学习资料"
        ordering = ["-published_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "published_on"])]

    def __str__(self) -> str:
        return self.title

    def story_problems(self) -> dict[str, str]:
        """What a 红色故事 entered by hand still lacks (the form refuses it; a story imported from a
        file is kept and its page says what to add)."""
        if self.kind != MaterialKind.RED_STORY:
            return {}
        missing = {
            name: f"红色故事请填写{label}。"
            for name, label in STORY_FIELDS.items()
            if not str(getattr(self, name) or "").strip()
        }
        if not missing.get("source") and self.source.strip() in UNNAMED_SOURCES:
            missing["source"] = "红色故事请写明讲述所依据的史料或出版物，如《中国共产党简史》。"
        return missing


STORY_FIELDS = {"figures": "人物", "era": "时间", "lesson": "启示", "source": "来源", "body": "正文"}
# a story must name what it is retold from; "we wrote it ourselves" names nothing to check it against
UNNAMED_SOURCES = {"本单位整理", "网络", "网上", "自编", "无"}


class SelfStudy(UnitOwned):
    """One person's own study: what (a material, or a note), when, for how long."""

    person = person_fk("学习人")
    material = models.ForeignKey(
        Material,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_studies",
        verbose_name="学习资料",
    )
    studied_on = models.DateField("学习日期")
    minutes = models.PositiveIntegerField("时长（分钟）")
    note = models.TextField("学习体会", blank=True)

    member_writes_own: ClassVar[bool] = True
    own_person_field: ClassVar[str | None] = "person"

    class Meta:
        verbose_name = "个人自学"
        verbose_name_plural = "个人自学"
        ordering = ["-studied_on", "-pk"]
        indexes = [models.Index(fields=["unit", "deleted_at", "studied_on"])]

    def __str__(self) -> str:
        return f"{self.studied_on} {self.material or self.note[:20]}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from taizhang.ledger.models.base import PAST_ONLY, in_future

        errors: dict[str, Any] = {}
        if in_future(self.studied_on):
            errors["studied_on"] = f"学习日期{PAST_ONLY}"
        if self.minutes is not None and not 0 < self.minutes <= 24 * 60:
            errors["minutes"] = "时长应在 1 至 1440 分钟之间。"
        m = self.material if self.material_id and self.unit_id else None
        if (
            m is not None
            and m.unit_id != self.unit_id
            and not (m.shared and self.unit.path.startswith(m.unit.path))
        ):
            errors["material"] = "该学习资料不属于本单位，也未由上级单位共享。"
        if not self.material_id and not self.note.strip():
            errors["note"] = "请选择学习资料，或写下学习的内容。"
        if errors:
            raise ValidationError(errors)


class SearchEntry(models.Model):
    """The search index: one row per indexed material or record, its text and its character grams
    (every character and every pair of neighbouring characters). Derived data, rebuilt at will;
    read only through `search.visible()`, which applies the reader's scope."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255, db_index=True)
    shared = models.BooleanField(default=False)
    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    day = models.DateField(null=True)
    # the order results are read in, newest first: date, kind and id packed in one integer
    # (search.rank_of); SQLite's FTS5 rows carry it as their rowid
    rank = models.BigIntegerField(unique=True)
    text = models.TextField()
    grams = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_entry_per_object")]
        indexes = [models.Index(fields=["unit", "day"])]

    def __str__(self) -> str:
        return f"{self.kind}#{self.object_id} {self.title}"


MATERIAL = register(Kind(
    model=Material, slug="material", search_code=23, namespace="library",
    fields=("title", "kind", "source", "published_on", "tags", "body", "figures", "era", "lesson", "shared"),
    list_fields=("published_on", "kind", "title", "source"), date=DatedBy("published_on"), kind_field="kind",
    search_fields=("title", "source", "tags", "figures", "body", "lesson"), sortable=("published_on", "title"), book="none",
))  # fmt: skip
SELF_STUDY = register(Kind(
    model=SelfStudy, slug="selfstudy", search_code=24, namespace="library",
    fields=("person", "material", "studied_on", "minutes", "note"),
    list_fields=("studied_on", "person", "material", "minutes"), date=DatedBy("studied_on"),
    person_fields=("person",), search_fields=("note",), sortable=("studied_on", "minutes"), book="none",
))  # fmt: skip
