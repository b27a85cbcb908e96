"""Writes on documents, each through the audited record services: generate, edit a section,
finalise, revise. A final version never changes."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit, services
from taizhang.core.scope import scope_for

from . import document as d
from . import writer
from .facts import collect, half_period, quarter_period, year_period
from .models import DocumentVersion, OfficialDocument

HEADING_PATTERNS = [
    (d.H1, re.compile(r"^[一二三四五六七八九十]+、")),
    (d.H2, re.compile(r"^（[一二三四五六七八九十]+）")),
    (d.H3, re.compile(r"^\d+[.．](?!\d)")),
    (d.H4, re.compile(r"^（\d+）")),
]


def sections(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The document cut for editing: the title, the opening paragraphs, one section per 一、
    heading, then the signature with the date."""
    out: list[dict[str, Any]] = []
    for i, block in enumerate(content["blocks"]):
        style = block["style"]
        starts = (
            not out
            or style in (d.TITLE, d.H1, d.SIGNATURE)
            or out[-1]["style"] == d.TITLE  # the first paragraph after the title opens a section
        )
        if style == d.DATE and out and out[-1]["style"] == d.SIGNATURE:
            starts = False
        if starts:
            out.append({"style": style, "start": i, "lines": []})
        out[-1]["lines"].append("".join(s["text"] for s in block["spans"]))
    labels = {d.TITLE: "标题", d.SIGNATURE: "落款和日期"}
    for n, sec in enumerate(out):
        sec["index"] = n
        sec["text"] = "\n".join(sec["lines"])
        sec["label"] = labels.get(sec["style"]) or (
            sec["lines"][0][:24] if sec["style"] == d.H1 else "开头部分"
        )
    return out


def _blocks_from_text(text: str, first_style: str) -> list[dict[str, Any]]:
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    blocks = []
    for n, line in enumerate(lines):
        if first_style == d.TITLE:
            style = d.TITLE
        elif first_style == d.SIGNATURE:
            style = d.SIGNATURE if n == 0 else d.DATE
        else:
            style = next((s for s, pattern in HEADING_PATTERNS if pattern.match(line)), d.BODY)
        blocks.append({"style": style, "spans": [{"text": line, "figure": None}]})
    return blocks


def period_of(doc: OfficialDocument) -> Any:
    if doc.kind == "half-year":
        return half_period(doc.year, doc.half or 1)
    if doc.kind == "analysis":
        return quarter_period(doc.year, doc.quarter or 1)
    if doc.kind == "keypoints":
        return year_period(doc.year - 1)
    return year_period(doc.year)


@transaction.atomic
def document_generate(
    *, acting_user: Any, unit: Any, kind: str, year: int, half: int | None = None, quarter: int | None = None
) -> OfficialDocument:
    """Write the document from the ledgers (as the acting user sees them) as draft version 1."""
    if kind == "half-year" and half not in (1, 2):
        raise ValidationError("半年专题报告请选择上半年或下半年。")
    if kind == "analysis" and quarter not in (1, 2, 3, 4):
        raise ValidationError("季度研判报告请选择季度。")
    built = writer.build(
        kind, unit, year, user=acting_user, half=half, quarter=quarter, day=timezone.localdate()
    )
    doc = services.record_create(
        acting_user=acting_user,
        instance=OfficialDocument(
            unit=unit, kind=kind, year=year, half=half, quarter=quarter, title=built.title[:300]
        ),
    )
    services.record_create(
        acting_user=acting_user,
        instance=DocumentVersion(
            unit=unit,
            document=doc,
            number=1,
            content=built.to_json(),
            mentions=[asdict(m) for m in built.mentions()],
        ),
    )
    return doc


@transaction.atomic
def section_update(*, acting_user: Any, version: DocumentVersion, index: int, text: str) -> DocumentVersion:
    """Replace one section's text (one paragraph a line; headings keep their numbering)."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.final:
        raise ValidationError("定稿的版本不能修改，请先“修订”生成新的草稿版本。")
    secs = sections(version.content)
    if not 0 <= index < len(secs):
        raise ValidationError("没有这一部分。")
    if len(text) > 20_000:
        raise ValidationError("这一部分超过 20,000 字，请精简后再保存。")
    from taizhang.core.textcheck import text_problem

    if problem := text_problem(text.replace("\r", "")):
        raise ValidationError("这一部分" + problem)
    new_blocks = _blocks_from_text(text, secs[index]["style"])
    if not new_blocks:
        raise ValidationError("这一部分不能为空：不需要的段落可以删去，但至少保留一行。")
    before = audit.snapshot(version)
    blocks = version.content["blocks"]
    start = secs[index]["start"]
    end = secs[index + 1]["start"] if index + 1 < len(secs) else len(blocks)
    version.content = {**version.content, "blocks": blocks[:start] + new_blocks + blocks[end:]}
    if secs[index]["style"] == d.TITLE and new_blocks:
        version.content["title"] = new_blocks[0]["spans"][0]["text"]
    return services.record_update(acting_user=acting_user, instance=version, before=before)


@transaction.atomic
def version_finalise(*, acting_user: Any, version: DocumentVersion) -> DocumentVersion:
    """定稿: the version is fixed with who and when. Only those who may manage the unit (the
    secretary, the leader in charge) finalise."""
    if not scope_for(acting_user).allows("manage", version.unit):
        raise PermissionDenied("只有第一责任人或直接责任人可以定稿。")
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.final:
        raise ValidationError("这一版本已经定稿。")
    before = audit.snapshot(version)
    version.final, version.finalised_by, version.finalised_at = True, acting_user, timezone.now()
    return services.record_update(acting_user=acting_user, instance=version, before=before)


@transaction.atomic
def version_revise(*, acting_user: Any, version: DocumentVersion) -> DocumentVersion:
    """A new draft version from a final one; the final one stays as it is. A document has at most
    one open draft (a constraint in the database): revising again, or from a second tab, or three
    clicks at once, gives that draft back. The document row is locked first, so concurrent
    revisions queue and each finds the draft the first one wrote."""
    OfficialDocument.objects.select_for_update().filter(pk=version.document_id).first()
    draft = (
        DocumentVersion.objects.filter(document_id=version.document_id, final=False, deleted_at__isnull=True)
        .order_by("-number")
        .first()
    )
    if draft is not None:
        return draft
    version = DocumentVersion.objects.get(pk=version.pk)
    if not version.final:
        raise ValidationError("草稿可以直接修改，不需要修订。")
    number = (
        DocumentVersion.objects.filter(document=version.document)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    return services.record_create(
        acting_user=acting_user,
        instance=DocumentVersion(
            unit=version.unit,
            document=version.document,
            number=number,
            content=version.content,
            mentions=version.mentions,
        ),
    )


def as_document(version: DocumentVersion, figures: dict[str, Any] | None = None) -> d.Document:
    return d.Document.from_json(version.content, figures)


def fact_check(version: DocumentVersion, user: Any) -> list[dict[str, Any]]:
    """Each figure the text still states, against the ledgers now: 文中称召开专题会议6次，台账记录4次."""
    doc = version.document
    facts = collect(doc.unit, period_of(doc), user=user)
    text = as_document(version).plain()
    found = []
    for raw in version.mentions:
        mention = d.Mention(**raw)
        figure = facts.figures.get(mention.figure)
        if figure is None:
            continue
        for m in mention.pattern().finditer(text):
            stated = m.group(1)
            found.append(
                {
                    "figure": mention.figure,
                    "label": figure.label,
                    "stated": stated,
                    "recorded": figure.text,
                    "ok": stated == figure.text,
                    "message": f"文中称{figure.label}{stated}{mention.unit}，台账记录{figure.text}{figure.unit}",
                    "count": len(figure.refs),
                }
            )
    unique = {(f["figure"], f["stated"]): f for f in found}
    return sorted(unique.values(), key=lambda f: (f["ok"], f["label"]))


def figure_sources(version: DocumentVersion, key: str, user: Any) -> Any:
    doc = version.document
    facts = collect(doc.unit, period_of(doc), user=user)
    return facts.figures.get(key)
