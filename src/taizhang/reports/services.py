"""Writes on documents, each through the audited record services: generate, edit a section,
finalise, revise. A final version never changes."""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from taizhang.core import audit, services
from taizhang.core.scope import scope_for
from taizhang.proofread import Finding, apply, check
from taizhang.proofread.text import cn_to_int, int_to_cn

from . import document as d
from . import writer
from .facts import Period, collect, half_period, quarter_period, year_period
from .models import DocumentSettings, DocumentVersion, OfficialDocument

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


def _figure_spans(block: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, its text, up to 6 characters before it, up to 2 after) for each figure span."""
    out = []
    spans = block["spans"]
    for i, span in enumerate(spans):
        if span.get("figure"):
            before = "".join(s["text"] for s in spans[:i])[-6:]
            after = "".join(s["text"] for s in spans[i + 1 :])[:2]
            out.append((span["figure"], span["text"], before, after))
    return out


def relink(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The edited paragraphs with each figure of the old text linked again wherever it still
    stands with the same number among the same words (召开专题会议4次); a changed number is left
    unlinked, for the figure check to find. An unchanged paragraph keeps its spans as they were."""
    by_text = {"".join(s["text"] for s in b["spans"]): b for b in old}
    candidates = [f for b in old for f in _figure_spans(b)]
    out = []
    for block in new:
        text = block["spans"][0]["text"] if block["spans"] else ""
        same = by_text.get(text)
        if same is not None and same["style"] == block["style"]:
            out.append(same)
            continue
        found: list[tuple[int, int, str]] = []
        for key, value, before, after in candidates:
            for ctx_before, ctx_after in ((before, after), (before[-3:], after[:1])):
                if not ctx_before and not ctx_after:
                    continue
                pos = text.find(ctx_before + value + ctx_after)
                taken = any(
                    a < pos + len(ctx_before) + len(value) and pos + len(ctx_before) < b for a, b, _ in found
                )
                if pos >= 0 and not taken:
                    lo = pos + len(ctx_before)
                    if (
                        not (lo and text[lo - 1].isdigit())
                        and not text[lo + len(value) : lo + len(value) + 1].isdigit()
                    ):
                        found.append((lo, lo + len(value), key))
                        break
        spans, pos = [], 0
        for lo, hi, key in sorted(found):
            if lo > pos:
                spans.append({"text": text[pos:lo], "figure": None})
            spans.append({"text": text[lo:hi], "figure": key})
            pos = hi
        if pos < len(text):
            spans.append({"text": text[pos:], "figure": None})
        out.append({**block, "spans": spans})
    return out


def refreshed_mentions(content: dict[str, Any], mentions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where each figure stands after an edit: the linked ones with the words now before them, and
    the unlinked ones as they stood, so a number changed by hand is still found beside its words."""
    units = {m["figure"]: m["unit"] for m in mentions}
    fresh = []
    for block in content["blocks"]:
        spans = block["spans"]
        for i, span in enumerate(spans):
            key = span.get("figure")
            after = "".join(x["text"] for x in spans[i + 1 :])
            if key in units and after.startswith(units[key]):
                before = "".join(x["text"] for x in spans[:i])[-8:]
                fresh.append({"figure": key, "before": before, "unit": units[key]})
    linked = {m["figure"] for m in fresh}
    return fresh + [m for m in mentions if m["figure"] not in linked]


def period_of(doc: OfficialDocument) -> Any:
    return period_for(doc.kind, doc.year, doc.half, doc.quarter)


# --- The 公文 fields: 成文日期, 署名, and a report's 主送机关, 发文字号, 签发人 ----------------------------
# the ledger's record of the report a document is (半年专题报告 → the report sent for that half year)
RECORDED_AS = {"half-year": "half_year", "annual": "annual"}
# a report sent up carries 主送机关, 发文字号 and 签发人 (GB/T 9704 7.2.4–7.2.5, 7.3.2)
SUBJECT_DATED = {"analysis", "assessment", "rollup"}
SENT_UP = {
    "half-year",
    "analysis",
    "assessment",
    "rollup",
}  # WRITING.md: 主送 the superior (the assessing unit)
ORG_TYPES = ("党组", "党委", "党总支", "党支部")


def settings_of(unit: Any, user: Any = None) -> DocumentSettings | None:
    return DocumentSettings.objects.readable(user).filter(unit=unit).first()


def recorded_report(unit: Any, kind: str, period: Period, user: Any = None) -> Any:
    """The report the ledgers hold for this document: of its kind, sent within two months before
    and ten weeks after the period's end (the H1 report in June or July, the H2 one in December or
    January), the nearest to the end."""
    from taizhang.ledger.models import ReportRecord

    if kind not in RECORDED_AS:
        return None
    rows = ReportRecord.objects.readable(user).filter(
        unit=unit,
        kind=RECORDED_AS[kind],
        held_on__gte=period.end - timedelta(days=60),
        held_on__lte=period.end + timedelta(days=75),
    )
    return min(rows, key=lambda r: (abs((r.held_on - period.end).days), r.pk), default=None)


def _party_org(name: str) -> str:
    name = name.strip()
    return name if name.startswith(("中共", "中国共产党")) else f"中共{name}"


def header_of(
    unit: Any, kind: str, period: Period, *, user: Any = None, day: date | None = None
) -> dict[str, Any]:
    """The 公文 fields of a new document: 署名 from the settings or the unit's party organisation;
    成文日期 the recorded report's date where the ledgers hold one, else the given day, else today
    (the analysis, assessment and roll-up: None, their writer dates them by their subject); for a
    report sent up,
    主送机关 (the settings, the recorded report's recipient where it names a party organisation,
    else the superior's party organisation), 发文字号 (the recorded report's, else the settings'
    机关代字 with the 序号 blank) and 签发人 (the settings')."""
    own = settings_of(unit, user)
    report = recorded_report(unit, kind, period, user)
    header: dict[str, Any] = {
        "issuer": (own.issuer if own and own.issuer else unit.org_name),
        # none given or recorded: the writers that date by their subject (the analysis meeting, the
        # January after the assessed year) choose; the others are dated today
        # the ledgers record the report as sent: it is that report, dated as sent, whatever day is
        # asked for (a draft dated later would contradict the ledgers; the draft page can still
        # change it); otherwise the day asked for
        "day": (report.held_on if report else day)
        or (None if kind in SUBJECT_DATED else timezone.localdate()),
        "addressee": "",
        "number": "",
        "signer": "",
    }
    if kind in SENT_UP:
        recipient = report.recipient.strip() if report else ""
        parent = unit.parent if unit.parent_id else None
        if own and own.addressee:
            header["addressee"] = own.addressee
        elif recipient.endswith(ORG_TYPES):
            header["addressee"] = _party_org(recipient)
        elif parent is not None:
            header["addressee"] = parent.org_name
        header["number"] = (report.document_no.strip() if report else "") or _number_of(
            own, kind, period, header["day"]
        )
        header["signer"] = own.signer if own else ""
    return header


def _number_of(own: DocumentSettings | None, kind: str, period: Period, day: date | None) -> str:
    """No report recorded: the 发文字号 in the unit's pattern (its 机关代字 and the year of issue),
    the 序号 left blank for the 办公室 to fill in at registration after signing (市气党〔2026〕 号):
    the ledgers do not hold the next number, and one made up would clash with the register."""
    from .prose import after_the_year

    code = (own.number_code if own else "").strip()
    if not code:
        return ""
    when = day or (after_the_year(period.end.year) if kind in ("assessment", "rollup") else period.end)
    return f"{code}〔{when.year}〕　号"


def date_note(asked: date | None, day: date, period: Period) -> str:
    """Why a new draft is not dated the day asked for: the ledgers record the report as sent that
    day, and a report sent before its period ended counts the records up to the day before."""
    from .prose import cn_date, md

    if asked is None or asked == day:
        return ""
    until = f"，数据截至{md(day - timedelta(days=1))}" if day <= period.end else ""
    return (
        f"台账中记有这份报告{cn_date(day)}的报送记录，成文日期按报送记录定为{cn_date(day)}{until}，"
        f"没有采用所填的{cn_date(asked)}；确需改动的，可在草稿页修改成文日期。"
    )


def apply_header(doc: d.Document, header: dict[str, Any]) -> d.Document:
    """Set the fields on a built document; the signature and date lines say the same."""
    from .prose import cn_date

    doc.day = header["day"]
    for key in d.HEADER_FIELDS:
        setattr(doc, key, header.get(key) or "")
    for block in doc.blocks:
        if block.style == d.SIGNATURE and doc.issuer:
            block.spans = [d.Span(doc.issuer)]
        elif block.style == d.DATE:
            block.spans = [d.Span(cn_date(doc.day))]
    return doc


def period_for(kind: str, year: int, half: int | None = None, quarter: int | None = None) -> Period:
    if kind == "half-year":
        return half_period(year, half or 1)
    if kind == "analysis":
        return quarter_period(year, quarter or 1)
    if kind == "keypoints":
        return year_period(year - 1)
    return year_period(year)


def prepare(
    kind: str,
    unit: Any,
    year: int,
    *,
    user: Any = None,
    half: int | None = None,
    quarter: int | None = None,
    day: date | None = None,
) -> d.Document:
    """The document built from the ledgers with its 公文 fields (the web and the command line)."""
    header = header_of(unit, kind, period_for(kind, year, half, quarter), user=user, day=day)
    built = writer.build(kind, unit, year, user=user, half=half, quarter=quarter, day=header["day"])
    header["day"] = header["day"] or built.day
    return apply_header(built, header)


@transaction.atomic
def document_settings_save(*, acting_user: Any, unit: Any, **fields: str) -> DocumentSettings:
    """The unit's 公文 settings, created on first save; the clerk and the managers keep them."""
    if not scope_for(acting_user).allows("change", unit):
        raise PermissionDenied("您没有修改本单位公文设置的权限。")
    labels = {
        "issuer": "发文机关署名",
        "addressee": "主送机关",
        "number_code": "机关代字",
        "signer": "签发人",
    }
    values = {k: " ".join(str(fields.get(k) or "").split()) for k in labels}
    from taizhang.core.textcheck import text_problem

    for key, value in values.items():
        if problem := text_problem(value):
            raise ValidationError(f"{labels[key]}{problem}")
    own = DocumentSettings.objects.select_for_update().filter(unit=unit, deleted_at__isnull=True).first()
    if own is None:
        return services.record_create(acting_user=acting_user, instance=DocumentSettings(unit=unit, **values))
    before = audit.snapshot(own)
    for key, value in values.items():
        setattr(own, key, value)
    return services.record_update(acting_user=acting_user, instance=own, before=before)


@transaction.atomic
def version_header_update(
    *, acting_user: Any, version: DocumentVersion, day: date, number: str = "", signer: str = "",
    addressee: str = "",
) -> DocumentVersion:  # fmt: skip
    """A draft's 公文 fields: 成文日期 (the date line follows), 发文字号, 签发人 and 主送机关."""
    from taizhang.core.textcheck import text_problem

    from .prose import cn_date

    if not scope_for(acting_user).allows("change", version.unit):
        raise PermissionDenied("您没有修改本单位文书的权限。")
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.final:
        raise ValidationError("定稿的版本不能修改，请先“修订”生成新的草稿版本。")
    today = timezone.localdate()
    if not date(2000, 1, 1) <= day <= today + timedelta(days=366):
        raise ValidationError("成文日期应在 2000 年以后，且不晚于一年以后。")
    values = {"number": number, "signer": signer, "addressee": addressee}
    limits = {"number": (60, "发文字号"), "signer": (30, "签发人"), "addressee": (100, "主送机关")}
    for key, value in list(values.items()):
        value = " ".join(value.split())
        limit, label = limits[key]
        if len(value) > limit:
            raise ValidationError(f"{label}不能超过 {limit} 字。")
        if problem := text_problem(value):
            raise ValidationError(f"{label}{problem}")
        values[key] = value
    before = audit.snapshot(version)
    content = {**version.content, "day": day.isoformat()}
    for key, value in values.items():
        if value:
            content[key] = value
        else:
            content.pop(key, None)
    content["blocks"] = [
        {**b, "spans": [{"text": cn_date(day), "figure": None}]} if b["style"] == d.DATE else b
        for b in version.content["blocks"]
    ]
    version.content = content
    return services.record_update(acting_user=acting_user, instance=version, before=before)


@transaction.atomic
def document_generate(
    *,
    acting_user: Any,
    unit: Any,
    kind: str,
    year: int,
    half: int | None = None,
    quarter: int | None = None,
    day: date | None = None,
) -> OfficialDocument:
    """Write the document from the ledgers (as the acting user sees them) as draft version 1."""
    if kind == "half-year" and half not in (1, 2):
        raise ValidationError("半年专题报告请选择上半年或下半年。")
    if kind == "analysis" and quarter not in (1, 2, 3, 4):
        raise ValidationError("季度研判报告请选择季度。")
    built = prepare(kind, unit, year, user=acting_user, half=half, quarter=quarter, day=day)
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
    if not _blocks_from_text(text, secs[index]["style"]):
        raise ValidationError("这一部分不能为空：不需要的段落可以删去，但至少保留一行。")
    before = audit.snapshot(version)
    version.content = _replaced(version.content, secs, index, text)
    version.mentions = refreshed_mentions(version.content, version.mentions)
    return services.record_update(acting_user=acting_user, instance=version, before=before)


def _replaced(content: dict[str, Any], secs: list[dict[str, Any]], index: int, text: str) -> dict[str, Any]:
    """The content with one section's blocks written from `text`, its figures linked again."""
    blocks = content["blocks"]
    start = secs[index]["start"]
    end = secs[index + 1]["start"] if index + 1 < len(secs) else len(blocks)
    new_blocks = relink(blocks[start:end], _blocks_from_text(text, secs[index]["style"]))
    out = {**content, "blocks": blocks[:start] + new_blocks + blocks[end:]}
    if secs[index]["style"] == d.TITLE and new_blocks:
        out["title"] = new_blocks[0]["spans"][0]["text"]
    return out


def proofread_sections(secs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Finding]]:
    """The whole document checked as one text (so 二、 after the 一、 of the previous section is
    no skip), each finding with its section and its place within that section's text."""
    whole = "\n".join(sec["text"] for sec in secs)
    starts, pos = [], 0
    for sec in secs:
        starts.append(pos)
        pos += len(sec["text"]) + 1
    findings = check(whole)
    taken = [(f.start, f.end) for f in findings]
    findings += [f for f in _numbering(whole) if not any(a < f.end and f.start < b for a, b in taken)]
    out = []
    n = 0
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        while n + 1 < len(starts) and starts[n + 1] <= f.start:
            n += 1
        out.append((secs[n], replace(f, start=f.start - starts[n], end=f.end - starts[n])))
    return out


_H1_OR_H2 = re.compile(r"^(?:([一二三四五六七八九十]+)、|（([一二三四五六七八九十]+)）)", re.MULTILINE)


def _numbering(whole: str) -> list[Finding]:
    """A draft is one document: its 一、 run 一、二、三 and each one's （一） restart, so a second
    一、 is a repeated number (the proofreader, reading any text, takes it for a new document)."""
    out = []
    h1 = h2 = 0
    for m in _H1_OR_H2.finditer(whole):
        level = 1 if m.group(1) else 2
        got = m.group(level)
        expected = (h1 if level == 1 else h2) + 1
        if level == 1:
            h1, h2 = expected, 0
        else:
            h2 = expected
        if cn_to_int(got) != expected:
            want = int_to_cn(expected)
            start = m.start(level)
            message = f"标题序号重号或跳号：此处应为“{want}”"
            out.append(Finding("heading-order", start, start + len(got), got, want, message))
    return out


def section_fixes(secs: list[dict[str, Any]], index: int) -> str:
    """The section's text with every fix the whole-document check proposes inside it."""
    text = secs[index]["text"]
    own = [
        f
        for sec, f in proofread_sections(secs)
        if sec["index"] == index and f.start >= 0 and f.end <= len(text)
    ]
    return apply(text, own)


@transaction.atomic
def version_fix_all(*, acting_user: Any, version: DocumentVersion) -> int:
    """采用全部修改: every fix of the whole-document check, in one change of the draft; how many
    sections changed."""
    if not scope_for(acting_user).allows("change", version.unit):
        raise PermissionDenied("您没有修改本单位文书的权限。")
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.final:
        raise ValidationError("定稿的版本不能修改，请先“修订”生成新的草稿版本。")
    secs = sections(version.content)
    fixed = {sec["index"]: section_fixes(secs, sec["index"]) for sec in secs}
    changed = [i for i, text in fixed.items() if text != secs[i]["text"]]
    if not changed:
        return 0
    before = audit.snapshot(version)
    content = version.content
    for index in reversed(changed):  # from the end, so the earlier sections' places hold
        content = _replaced(content, secs, index, fixed[index])
    version.content = content
    version.mentions = refreshed_mentions(content, version.mentions)
    services.record_update(acting_user=acting_user, instance=version, before=before)
    return len(changed)


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


def _pattern(mention: d.Mention) -> re.Pattern[str] | None:
    """The words before a figure and its unit, for finding it in edited text: the words only (a
    neighbouring figure's digits are cut off, so editing that one does not hide this one)."""
    before = re.split(r"\d", mention.before)[-1][-6:]
    if len(before) < 2:
        return None
    return re.compile(re.escape(before) + r"\s*(\d+(?:\.\d+)?)\s*" + re.escape(mention.unit))


def fact_check(version: DocumentVersion, user: Any) -> list[dict[str, Any]]:
    doc = version.document
    return fact_check_in(version, collect(doc.unit, period_of(doc), user=user))


def fact_check_in(version: DocumentVersion, facts: Any) -> list[dict[str, Any]]:
    """Each figure the text still states, against the ledgers now: 文中称召开专题会议6次，台账记录4次.
    A figure is found where it is still linked (an unedited span, or an edit that kept its number)
    and wherever its words stand with a number beside them (an edit that changed it)."""
    document = as_document(version)
    text = document.plain()
    stated: list[tuple[str, str, str]] = []  # (figure, the number in the text, its unit)
    for block in document.blocks:
        for span in block.spans:
            if span.figure and span.figure in facts.figures:
                stated.append((span.figure, span.text, facts.figures[span.figure].unit))
    for raw in version.mentions:
        mention = d.Mention(**raw)
        pattern = _pattern(mention)
        if pattern is not None and mention.figure in facts.figures:
            stated.extend((mention.figure, m.group(1), mention.unit) for m in pattern.finditer(text))
    found = {}
    for key, number, unit in stated:
        figure = facts.figures[key]
        found[(key, number)] = {
            "figure": key,
            "label": figure.label,
            "stated": number,
            "recorded": figure.text,
            "ok": number == figure.text,
            "message": f"文中称{figure.label}{number}{unit}，台账记录{figure.text}{figure.unit}",
            "count": len(figure.refs),
        }
    return sorted(found.values(), key=lambda f: (f["ok"], f["label"]))


def stated_figures(version: DocumentVersion, facts: Any) -> dict[str, Any]:
    """The figures the text states — linked, or found by their words after an edit — for the
    sources annex."""
    keys = {f["figure"] for f in fact_check_in(version, facts)}
    return {key: fig for key, fig in facts.figures.items() if key in keys}


def figure_sources(version: DocumentVersion, key: str, user: Any) -> Any:
    doc = version.document
    facts = collect(doc.unit, period_of(doc), user=user)
    return facts.figures.get(key)
