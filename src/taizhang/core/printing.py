"""Printing: every record as its paper form, every list as a table, in Word and PDF.

A record prints as the form offices keep on paper (会议记录表, 问题整改台账, 阵地检查表 …): the title
in 2号 方正小标宋简体, the unit, then one real table — labels in 黑体, values in 仿宋_GB2312 4号,
short fields two to a row, long text across the row with room to read — its sub-records as a
second table, its attachments listed, and the lines for signatures. A list prints as a landscape
table with a numbered first column and its header repeated on every page. East Asian fonts are set
on w:rFonts/@w:eastAsia (font.name alone does not), as reports/render.py does; on a server without
those fonts LibreOffice falls back to the installed CJK fonts.

The builders return bytes and know nothing of HTTP (`paper_docx`, `record_paper`, `list_docx`);
`to_pdf` converts with LibreOffice headless in a bounded time, one conversion at a time per worker
with a profile of its own; the thin views at the end ship the files through download_response, so
each print is audited like any download. Apps name their kinds' forms in TITLES / SIGNATURES and add
tables in EXTRA_TABLES (the ledger app: ledger/paper.py); core imports no app.
"""

from __future__ import annotations

import atexit
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .downloads import download_response
from .kinds import Kind
from .models import Attachment, UnitOwned

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
FORMATS = {"docx": DOCX, "pdf": PDF}
TITLE_FONT, BODY_FONT, LABEL_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "宋体"
SIZE_2, SIZE_4, SIZE_S4 = Pt(22), Pt(14), Pt(12)  # 2号, 4号, 小四
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)  # GB/T 9704: a 156 × 225 mm text area
MAX_LIST_ROWS = 1000  # python-docx writes about 250 rows a second on a loaded two-core server
PDF_TIMEOUT_SECONDS = 80
PDF_QUEUE_SECONDS = 20  # waiting for this worker's converter: with the conversion, under gunicorn's 120 s

# what offices call a kind's paper form (default: "<kind>登记表"), the signature lines under it,
# and further tables (a review's 三审 chain): filled by the apps that own the kinds
TITLES: dict[str, str] = {}
SIGNATURES: dict[str, list[str]] = {}
EXTRA_TABLES: dict[str, Callable[[Any, Any], list[Table]]] = {}
# the order of a paper form's fields, where the model's would pair them oddly (two short fields a row)
FIELD_ORDER: dict[str, tuple[str, ...]] = {}
# the columns a printed list carries where the paper ledger has more than the page's list
LIST_COLUMNS: dict[str, tuple[str, ...]] = {}
DEFAULT_SIGNATURES = ["填表人：", "审核人："]


class PrintUnavailable(Exception):
    """PDF cannot be made here; the message says so in Chinese."""


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # millimetres; empty: equal columns
    tall: bool = False  # rows high enough for a handwritten signature


@dataclass
class Paper:
    title: str
    unit: str
    fields: list[tuple[str, str, bool]]  # label, value, wide (across the row)
    tables: list[Table] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=lambda: list(DEFAULT_SIGNATURES))
    landscape: bool = False


# --- Text of a value -----------------------------------------------------------------------------
def text_of(value: Any) -> str:
    """A value as a paper form writes it: dates without zero padding, 是/否, names."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, models.Manager):  # a many-to-many column
        return "、".join(str(x) for x in value.all())
    return str(value)


def cn_day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


# --- Word ----------------------------------------------------------------------------------------
def set_east_asian(rpr_owner: Any, name: str) -> None:
    """Latin text in Times New Roman, Chinese in `name` (on w:eastAsia)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), name)


def _fonts(run: Any, name: str, size: Any, *, bold: bool = False) -> None:
    run.font.size = size
    run.font.bold = bold
    set_east_asian(run._r, name)


def _text(paragraph: Any, text: str, font: str, size: Any, *, bold: bool = False) -> None:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        _fonts(run, font, size, bold=bold)
        if i < len(lines) - 1:
            run.add_break()


def _page_number(paragraph: Any) -> None:
    """— N — in 4号 宋体, a PAGE field."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        _fonts(r, NUMBER_FONT, SIZE_4)
        return r

    run("— ")
    begin, instr, end = run(), run(), run()
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "begin")
    begin._r.append(fld)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " PAGE "
    instr._r.append(code)
    fld = OxmlElement("w:fldChar")
    fld.set(qn("w:fldCharType"), "end")
    end._r.append(fld)
    run(" —")


def _row_flags(row: Any, *, header: bool = False, keep: bool = True, height_mm: float | None = None) -> None:
    trpr = row._tr.get_or_add_trPr()
    if keep:
        trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))  # repeated at the top of every page
    if height_mm:
        h = OxmlElement("w:trHeight")
        h.set(qn("w:val"), str(int(height_mm * 56.7)))
        h.set(qn("w:hRule"), "atLeast")
        trpr.append(h)


def _cell(cell: Any, text: str, *, label: bool = False, size: Any = SIZE_4, center: bool = False) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (label or center) else WD_ALIGN_PARAGRAPH.LEFT
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(2)
    _text(p, text, LABEL_FONT if label else BODY_FONT, size)


def _widths(table: Any, widths_mm: list[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(w * 56.7)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(w)


def _new_document(landscape: bool) -> Any:
    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(25), Mm(25)
        section.left_margin, section.right_margin = Mm(25), Mm(25)
    else:
        section.top_margin, section.bottom_margin = TOP, BOTTOM
        section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = Mm(21)
    normal = word.styles["Normal"]
    normal.font.size = SIZE_4
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    _page_number(section.footer.paragraphs[0])
    return word


def _text_width_mm(landscape: bool) -> float:
    return 297 - 50 if landscape else 156


def _heading(word: Any, paper: Paper, width_mm: float) -> None:
    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)
    _text(title, paper.title, TITLE_FONT, SIZE_2)
    line = word.add_paragraph()
    line.paragraph_format.tab_stops.add_tab_stop(Mm(width_mm), WD_TAB_ALIGNMENT.RIGHT)
    line.paragraph_format.space_after = Pt(6)
    _text(line, f"填报单位：{paper.unit}\t打印日期：{cn_day(timezone.localdate())}", BODY_FONT, SIZE_S4)


def _grid_table(word: Any, t: Table, width_mm: float, size: Any) -> None:
    if t.title:
        p = word.add_paragraph()
        p.paragraph_format.space_before = Pt(12)
        p.paragraph_format.space_after = Pt(4)
        _text(p, t.title, LABEL_FONT, SIZE_4)
    table = word.add_table(rows=1, cols=len(t.headers))
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, h in zip(table.rows[0].cells, t.headers, strict=True):
        _cell(cell, h, label=True, size=size)
    _row_flags(table.rows[0], header=True, height_mm=9)
    for values in t.rows:
        row = table.add_row()
        for i, (cell, v) in enumerate(zip(row.cells, values, strict=True)):
            _cell(cell, v, size=size, center=i == 0)
        _row_flags(row, height_mm=13 if t.tall else 8)
    widths = t.widths or [width_mm / len(t.headers)] * len(t.headers)
    scale = width_mm / sum(widths)
    _widths(table, [w * scale for w in widths])


def paper_docx(paper: Paper) -> bytes:
    """A paper form as .docx: heading, the fields as one table, further tables, signatures."""
    word = _new_document(paper.landscape)
    width = _text_width_mm(paper.landscape)
    _heading(word, paper, width)
    fields = list(paper.fields)
    if paper.attachments:
        listed = "\n".join(f"{i}. {name}" for i, name in enumerate(paper.attachments, 1))
        fields.append(("附件", listed, True))
    if fields:
        # label | value | label | value; a wide field spans the three cells after its label
        table = word.add_table(rows=0, cols=4)
        table.style = word.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        pending: tuple[str, str] | None = None

        def short_row(a: tuple[str, str], b: tuple[str, str] | None) -> None:
            cells = table.add_row().cells
            _cell(cells[0], a[0], label=True)
            if b is None:
                merged = cells[1].merge(cells[3])
                _cell(merged, a[1])
            else:
                _cell(cells[1], a[1])
                _cell(cells[2], b[0], label=True)
                _cell(cells[3], b[1])
            _row_flags(table.rows[-1], height_mm=10)

        for label, value, wide in fields:
            if not wide:
                if pending is None:
                    pending = (label, value)
                else:
                    short_row(pending, (label, value))
                    pending = None
                continue
            if pending is not None:
                short_row(pending, None)
                pending = None
            cells = table.add_row().cells
            _cell(cells[0], label, label=True)
            merged = cells[1].merge(cells[3])
            _cell(merged, value)
            long = len(value) > 60 or value.count("\n") > 2
            _row_flags(table.rows[-1], keep=not long, height_mm=25 if long or not value else 10)
        if pending is not None:
            short_row(pending, None)
        _widths(table, [26, 52, 26, 52])
    for t in paper.tables:
        _grid_table(word, t, width, SIZE_S4 if paper.landscape or len(t.headers) > 5 else SIZE_4)
    if paper.footer:
        p = word.add_paragraph()
        p.paragraph_format.space_before = Pt(18)
        gap = "\u3000" * (8 if len(paper.footer) > 2 else 10)
        _text(p, gap.join(paper.footer), BODY_FONT, SIZE_4)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


# --- A record as its paper form ------------------------------------------------------------------
BOOKKEEPING = {
    "id",
    "unit",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "deleted_at",
    "deleted_by",
}


def paper_title(kind: Kind) -> str:
    return TITLES.get(kind.slug) or f"{kind.verbose()}登记表"


def _wide(f: Any) -> bool:
    return bool(
        f.many_to_many
        or isinstance(f, models.TextField)
        or (isinstance(f, models.CharField) and (f.max_length or 0) >= 200)
    )


def record_fields(kind: Kind, obj: Any) -> list[tuple[str, str, bool]]:
    """The record's fields as its detail page shows them: the name first, across the row, then in
    the order the kind's paper form lays them out (FIELD_ORDER), else the model's."""
    rows: list[tuple[str, str, str, bool]] = []
    model = kind.model
    for f in model._meta.concrete_fields:
        if f.name in BOOKKEEPING or f.name.endswith("_text") or not (f.editable or f.choices):
            continue
        rows.append(
            (f.name, str(f.verbose_name), text_of(kind.cell(obj, f.name)), _wide(f) or f.name == "title")
        )
    for m2m in model._meta.many_to_many:
        names = "、".join(str(x) for x in getattr(obj, m2m.name).all())
        rows.append((m2m.name, str(m2m.verbose_name), names, True))
    order = ["title", *FIELD_ORDER.get(kind.slug, ())]
    rows.sort(
        key=lambda r: order.index(r[0]) if r[0] in order else len(order)
    )  # stable: the rest keep theirs
    return [(label, value, wide) for _name, label, value, wide in rows]


def _column_mm(f: Any) -> float:
    """A list column's share of the landscape line, by what it holds."""
    if f.name == "title" or _wide(f):
        return 70
    if isinstance(f, models.IntegerField | models.DecimalField | models.BooleanField):
        return 20
    if isinstance(f, models.DateTimeField):
        return 36
    if isinstance(f, models.DateField):
        return 32
    return 30


def child_tables(kind: Kind, obj: Any, user: Any) -> list[Table]:
    from .kinds import get

    tables = []
    for child in kind.children:
        child_kind = get(child.slug)
        if child_kind is None:
            continue
        rows = child_kind.model.objects.restrict(user).filter(**{child.fk: obj}).order_by("pk")  # type: ignore[attr-defined]
        tables.append(
            Table(
                title=child_kind.verbose(),
                headers=["序号", *[str(child_kind.model_field(c).verbose_name) for c in child.columns]],
                rows=[
                    [str(i), *[text_of(child_kind.cell(r, c)) for c in child.columns]]
                    for i, r in enumerate(rows, 1)
                ],
                widths=[14, *[40] * len(child.columns)],
            )
        )
    return tables


def attachment_names(obj: UnitOwned, user: Any) -> list[str]:
    return list(
        Attachment.objects.restrict(user)
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .order_by("created_at", "pk")
        .values_list("original_name", flat=True)
    )


def record_paper(kind: Kind, obj: Any, user: Any) -> Paper:
    """The paper form of one record, as `user` may read it (sub-records and files through restrict())."""
    tables = child_tables(kind, obj, user)
    extra = EXTRA_TABLES.get(kind.slug)
    if extra is not None:
        tables += extra(obj, user)
    return Paper(
        title=paper_title(kind),
        unit=obj.unit.name,
        fields=record_fields(kind, obj),
        tables=tables,
        attachments=attachment_names(obj, user) if getattr(kind.model, "attachable", False) else [],
        footer=list(SIGNATURES.get(kind.slug, DEFAULT_SIGNATURES)),
    )


def list_columns(kind: Kind) -> tuple[str, ...]:
    return LIST_COLUMNS.get(kind.slug) or kind.list_fields


def list_paper(kind: Kind, objects: list[Any], *, unit: str, year: int | None, cells: Any) -> Paper:
    """A list as one landscape table: 序号, then the list's columns."""
    columns = list_columns(kind)
    headers = ["序号", *[str(kind.model_field(f).verbose_name) for f in columns]]
    rows = [[str(i), *[text_of(cells(obj, f)) for f in columns]] for i, obj in enumerate(objects, 1)]
    widths = [14, *[_column_mm(kind.model_field(f)) for f in columns]]
    when = f"（{year}年）" if year else ""
    return Paper(
        title=f"{kind.verbose()}台账{when}",
        unit=unit,
        fields=[],
        tables=[Table(title="", headers=headers, rows=rows, widths=widths)],
        footer=[f"共 {len(rows)} 条", "填表人：", "审核人："],
        landscape=True,
    )


# --- PDF -----------------------------------------------------------------------------------------
_ONE_AT_A_TIME = threading.Lock()  # LibreOffice uses one profile per process: never two at once


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@cache
def _profile() -> Path:
    """This worker's LibreOffice profile (its first start writes one, which takes seconds), removed
    when the worker exits."""
    path = Path(tempfile.gettempdir()) / f"taizhang-print-profile-{os.getuid()}-{os.getpid()}"
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def to_pdf(docx: bytes, *, timeout: float = PDF_TIMEOUT_SECONDS) -> bytes:
    """The .docx converted by LibreOffice headless, within `timeout` seconds (else refused)."""
    exe = soffice()
    if exe is None:
        raise PrintUnavailable(
            "服务器未安装 LibreOffice，暂时不能生成 PDF。请下载 Word 版打印，或请系统管理员安装 LibreOffice。"
        )
    profile = _profile()
    if not _ONE_AT_A_TIME.acquire(timeout=PDF_QUEUE_SECONDS):
        raise PrintUnavailable("打印任务较多，请稍后再试，或先下载 Word 版。")
    try:
        with tempfile.TemporaryDirectory(prefix="taizhang-print-") as tmp:
            src = Path(tmp) / "print.docx"
            src.write_bytes(docx)
            cmd = [
                exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--nolockcheck", "--convert-to", "pdf", "--outdir", tmp, str(src),
            ]  # fmt: skip
            proc = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                os.killpg(proc.pid, signal.SIGKILL)  # soffice starts a child of its own
                proc.wait()
                raise PrintUnavailable("生成 PDF 超时，请稍后再试，或先下载 Word 版。") from exc
            out = Path(tmp) / "print.pdf"
            if proc.returncode != 0 or not out.is_file():
                raise PrintUnavailable("生成 PDF 未成功，请先下载 Word 版。")
            return out.read_bytes()
    finally:
        _ONE_AT_A_TIME.release()


# --- The views -----------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def file_name(name: str, fmt: str) -> str:
    return f"{_UNSAFE.sub('', name).strip()[:80] or '打印'}.{fmt}"


def deliver(
    request: HttpRequest,
    data: bytes,
    *,
    fmt: str,
    name: str,
    what: str,
    obj: Any = None,
    object_type: str = "",
    back: str = "",
) -> HttpResponse:
    """The Word file, or its PDF; a PDF that cannot be made is a page saying why (503), with the
    Word version (the same address ending in .docx) and the way back."""
    if fmt not in FORMATS:
        raise Http404("没有这种格式。")
    if fmt == "pdf":
        try:
            data = to_pdf(data)
        except PrintUnavailable as exc:
            word_url = request.path.removesuffix(".pdf") + ".docx"
            if request.GET:
                word_url += "?" + request.GET.urlencode()
            ctx = {"reason": str(exc), "word_url": word_url, "back": back}
            return render(request, "print_unavailable.html", ctx, status=503)
    return download_response(
        request, data, filename=file_name(name, fmt), content_type=FORMATS[fmt], what=what, obj=obj,
        object_type=object_type,
    )  # fmt: skip


def _views_for(slug: str) -> Any:
    from .views import REGISTRY

    views = REGISTRY.get(slug)
    if views is None:
        raise Http404("没有这种台账。")
    return views


@login_required
def print_record(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """One record as its paper form."""
    from .views import get_restricted

    views = _views_for(slug)
    obj = get_restricted(request, views.model, pk)
    paper = record_paper(views.kind, obj, request.user)
    back = reverse(views.url("detail"), args=[obj.pk])
    return deliver(
        request, paper_docx(paper), fmt=fmt, name=f"{paper.title}-{obj}", what=paper.title, obj=obj, back=back
    )


@login_required
def print_list(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The list as the page filters it, as one table."""
    from . import query

    views = _views_for(slug)
    if fmt not in FORMATS:
        raise Http404("没有这种格式。")
    qs, params = views.filtered(request, views.visible(request))
    m2m = [f for f in list_columns(views.kind) if views._field(f).many_to_many]
    objects = list(qs.prefetch_related(*m2m)[: MAX_LIST_ROWS + 1])
    if len(objects) > MAX_LIST_ROWS:
        reason = f"一次最多打印 {MAX_LIST_ROWS} 条记录，请按年度或类型筛选后再打印。"
        return render(
            request,
            "print_unavailable.html",
            {"reason": reason, "back": reverse(views.url("list"))},
            status=400,
        )
    unit = getattr(request, "unit", None)
    scope_all = bool(query.choice(request.GET, "scope", ["subtree"]))
    unit_name = (unit.name + ("及下级单位" if scope_all else "")) if unit is not None else ""
    year = int(params["year"]) if params.get("year") else None
    paper = list_paper(views.kind, objects, unit=unit_name, year=year, cells=views.cell)
    return deliver(
        request, paper_docx(paper), fmt=fmt, name=f"{unit.short_name if unit else ''}{paper.title}",
        what=f"{views.verbose()}列表打印", object_type=views.model._meta.label, back=reverse(views.url("list")),
    )  # fmt: skip
