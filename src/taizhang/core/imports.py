"""Importing records from .xlsx or .csv with the same rules the pages apply.

A record kind's columns come from its form fields: the header is the field's Chinese name, choices
are accepted by label or value, people are named by name or user name and must belong to the
unit, linked records are named by their title. Every row is checked with the model's own field
validation and `clean()` (the rules the form runs), errors are collected by row and column, and
only a file without any error is written, in one transaction, with one audit row for the import.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import operator
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from . import audit, bounded, bulk, kinds, safezip
from .excel import safe_cell
from .files import clean_filename, sniff
from .models import UnitOwned
from .scope import scope_for
from .services import after_write as bulk_after_write
from .textcheck import UNWANTED, text_problem

MAX_ROWS = 200_000
MAX_ERRORS = 200  # errors kept and shown; the rest are counted
MARKER = "模板说明"  # the template's last column; rows with text there (the example) are skipped


class ImportRefused(Exception):
    """The whole file is refused before any row is read (size, type, archive limits)."""


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行“{self.column}”：{self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS of them
    created: int = 0
    preview: list[list[str]] = field(default_factory=list)
    error_count: int = 0  # all errors, kept or not

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_errors(self) -> int:
        return max(self.error_count, len(self.errors))

    def add_errors(self, errors: Iterable[RowError]) -> None:
        """Count every error, keep the first MAX_ERRORS: a file with a million bad cells must not
        cost a million objects and a page that size."""
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(error)


@dataclass
class Column:
    name: str
    header: str
    field: Any
    kind: str  # text, choice, int, decimal, date, datetime, bool, person, people, record
    required: bool
    choices: dict[str, Any] = field(default_factory=dict)
    lookup: dict[str, Any] = field(default_factory=dict)


_SPLIT = re.compile(r"[、，,；;\s]+")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：](\d{2}))?")


def columns_for(model: type[UnitOwned], names: tuple[str, ...] | list[str]) -> list[Column]:
    """The import columns of a kind: its form fields, in order, minus links no file can name."""
    cols = []
    for name in names:
        f: Any = model._meta.get_field(name)
        header = str(f.verbose_name)
        required = not getattr(f, "blank", True)
        if f.many_to_many:
            if f.related_model is get_user_model():
                cols.append(Column(name, header, f, "people", False))
            continue
        if f.choices:
            choices = {str(v): v for v, _ in f.choices} | {str(label): v for v, label in f.choices}
            cols.append(Column(name, header, f, "choice", required, choices=choices))
        elif f.is_relation:
            kind = "person" if f.related_model is get_user_model() else "record"
            cols.append(Column(name, header, f, kind, not f.null))
        elif isinstance(f, models.BooleanField):
            cols.append(Column(name, header, f, "bool", False))
        elif isinstance(f, models.DateTimeField):
            cols.append(Column(name, header, f, "datetime", required))
        elif isinstance(f, models.DateField):
            cols.append(Column(name, header, f, "date", required))
        elif isinstance(f, models.DecimalField):
            cols.append(Column(name, header, f, "decimal", not f.null))
        elif isinstance(f, models.IntegerField):
            cols.append(Column(name, header, f, "int", not f.null))
        else:
            cols.append(Column(name, header, f, "text", required))
    return cols


# --- Reading ---------------------------------------------------------------------------------------
# What a sheet may span (the header, an example row and MAX_ROWS rows, MAX_COLUMNS columns): python-
# calamine allocates the whole grid up to the last cell, so one cell at XFD1048576 asks for ~17e9.
MAX_SHEET_ROWS = MAX_ROWS + 2
MAX_COLUMNS = 200
MAX_CELLS = 10_000_000  # rows × columns of the grid a reader allocates
MAX_SHARED_STRINGS = 1_000_000
MAX_TAG = 64 * 1024  # bytes of one XML tag: expat re-scans a long token quadratically
MAX_TEXT_RUN = 8 * 1024 * 1024  # bytes of text between two tags (a cell holds at most 32,767 characters)
XLSX_WHAT = "Excel 文件"
OVERLAP_BYTES = 256 * 1024  # from this size on the reader starts while the file is checked

_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_LONG_TAG = re.compile(rb"<[^<>]{%d}" % MAX_TAG)
_FORMULA = re.compile(rb"<f[\s>/]")
_PREFIXED_FORMULA = re.compile(rb"<[\w.-]+:f[\s>/]")
# The fast path: every cell and row is written as Excel and openpyxl write it, `r` first.
# Anything else sends a piece down the slow path: a prefixed tag, an unusual row or cell, or any
# other tag named c… or row…. The declared extent and the shared strings get their own look.
_PREFIXED = re.compile(rb":(?:c|row|f|si|sst|dimension)[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_BAD_CELL_REF = re.compile(rb'<c r="(?![A-Z]{1,3}\d{1,7}")')
_BAD_ROW_REF = re.compile(rb'<row r="(?!\d{1,7}")')
_HIGH_ROW = re.compile(rb'<(?:c r="[A-Z]{1,3}|row r=")(\d{6,})"')  # rows from 100,000 on
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,})\d')  # columns from AA on
_ROW_AT = re.compile(rb'<row r="(\d+)"')
_CELL_AT = re.compile(rb'<c r="([A-Z]+)(\d+)"')
# The slow path, for anything else: each row and cell tag walked as a reader would.
_TOKEN = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_ATTR_R = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_SST_COUNT = re.compile(rb"""<(?:[\w.-]+:)?sst\s[^>]*?\b(?:uniqueCount|count)\s*=\s*["'](\d+)["']""")
_CELL_NAME = re.compile(r"\$?([A-Za-z]{1,10})\$?(\d{1,12})$")


def _number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 12 else 10**12  # past any limit, without a giant int


def _column_number(letters: bytes | str) -> int:
    if len(letters) > 4:
        return 10**12
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        n = n * 26 + ord(ch) - 64
    return n


def _long_tag() -> ImportRefused:
    return ImportRefused(f"{XLSX_WHAT}中有超长的 XML 标签（超过 {MAX_TAG // 1024} KB），结构异常，已拒绝。")


def _xml_pieces(chunks: Iterator[bytes], tags: bool) -> Iterator[bytes]:
    """A part's XML in pieces that each end just before a '<', so no tag is cut in two; refuses a
    DTD (entity bombs need one), text longer than MAX_TEXT_RUN and, with `tags`, any tag longer
    than MAX_TAG."""
    carry = b""
    closed = False  # whether the carried tag has ended (then the carry is text after it)
    for chunk in chunks:
        cut = chunk.rfind(b"<")
        if cut < 0:
            closed = closed or b">" in chunk
            carry += chunk
            if not closed and len(carry) > MAX_TAG:
                raise _long_tag()
            if len(carry) > MAX_TEXT_RUN:
                raise ImportRefused(
                    f"{XLSX_WHAT}中有超长的单元格内容（超过 {MAX_TEXT_RUN >> 20} MB），已拒绝。"
                )
            continue
        piece, carry = carry + chunk[:cut], chunk[cut:]
        closed = b">" in carry
        _check_piece(piece, tags)
        yield piece
    if carry:
        _check_piece(carry + b">", tags)  # a tag left open at the end is as long as what is left
        yield carry


def _check_piece(piece: bytes, tags: bool) -> None:
    if b"<!" in piece and _DTD.search(piece):
        raise ImportRefused(f"{XLSX_WHAT}含有 DTD 或实体声明（可被用于实体膨胀攻击），已拒绝。")
    if tags and len(piece) > MAX_TAG and _LONG_TAG.search(piece):
        raise _long_tag()


class _Extent:
    """How far a part's cells reach, streamed: the declared `dimension` and every row and cell.

    The fast path applies when every <c> and <row> of a piece starts with its `r` reference, as
    Excel and openpyxl write them: then only references from row 100,000 or column AA on need a
    look. Otherwise each tag is walked as a reader would, an unnumbered row or cell following the
    last one.
    """

    def __init__(self) -> None:
        self.rows = self.cols = 0
        self.row = self.col = 0  # where the slow path stands: the last row and cell seen
        self.declared: tuple[int, int] | None = None
        self.shared = 0
        self.formulas = False

    def feed(self, piece: bytes, sheet: bool) -> None:
        if sheet and not self.formulas and (b"<f" in piece or b":f" in piece):
            self.formulas = bool(_FORMULA.search(piece) or _PREFIXED_FORMULA.search(piece))
        # the declared extent and the shared strings sit outside the sheet's data
        prefixed = b":" in piece and _PREFIXED.search(piece) is not None
        if b"<s" in piece or b"<dimension" in piece or prefixed:
            # each pattern only where its name is in the piece (each regex tries at every '<');
            # without a prefixed tag every <si…> is one, and counting all of them errs on the safe side
            if self.declared is None and b"dimension" in piece and (m := _DIMENSION.search(piece)):
                last = _CELL_NAME.match(m.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].strip())
                if last:
                    self.declared = (int(last.group(2)), _column_number(last.group(1)))
            self.shared += len(_SHARED_STRING.findall(piece)) if prefixed else piece.count(b"<si")
            for declared in _SST_COUNT.findall(piece) if b"sst" in piece else ():
                self.shared = max(self.shared, _number(declared))  # readers size their table by it
        # every tag named c… or row… is a cell or row that starts with its reference (also in the
        # piece that opens a sheet: <sheetData> and its like are neither)
        fast = (
            not prefixed
            and piece.count(b"<c") == piece.count(b'<c r="')
            and piece.count(b"<row") == piece.count(b'<row r="')
            and not _BAD_CELL_REF.search(piece)
            and not _BAD_ROW_REF.search(piece)
        )
        if fast:
            self._fast(piece)
            return
        for m in _TOKEN.finditer(piece):
            r = _ATTR_R.search(m.group(2))
            if m.group(1) == b"row":
                self.row = _number(r.group(2)) if r and r.group(2) else self.row + 1
                self.col = 0
                self.rows = max(self.rows, self.row)
            else:
                if r and r.group(1) and r.group(2):
                    self.col, row = _column_number(r.group(1)), _number(r.group(2))
                else:
                    self.col, row = self.col + 1, max(self.row, 1)
                self.rows, self.cols = max(self.rows, row), max(self.cols, self.col)

    def _fast(self, piece: bytes) -> None:
        high = _HIGH_ROW.findall(piece) if b'<c r="' in piece or b'<row r="' in piece else ()
        self.rows = max(self.rows, self.row, *map(_number, high))
        self.cols = max([self.cols, *map(_column_number, set(_WIDE_CELL.findall(piece)))])
        # where the slow path would stand after this piece: its last row, after its last cell
        last_row = piece.rfind(b'<row r="')
        last_cell = piece.rfind(b'<c r="')
        if last_row >= 0 and (m := _ROW_AT.match(piece, last_row)):
            self.row, self.col = int(m.group(1)), 0
        if last_cell > last_row and (m := _CELL_AT.match(piece, last_cell)):
            self.col = _column_number(m.group(1))
            self.rows = max(self.rows, int(m.group(2)))
        self.rows, self.cols = max(self.rows, self.row), max(self.cols, self.col)


def _refuse_extent(rows: int, cols: int, declared: bool) -> None:
    if rows <= MAX_SHEET_ROWS and cols <= MAX_COLUMNS and rows * cols <= MAX_CELLS:
        return
    source = "声明的数据范围" if declared else "数据范围"
    raise ImportRefused(
        f"工作表{source}达到第 {rows:,} 行、第 {cols:,} 列，超过导入上限（{MAX_ROWS:,} 行、"
        f"{MAX_COLUMNS} 列），已拒绝。请删除多余的行和列（包括只设置了格式的单元格）后再导入。"
    )


def _open_xlsx(data: IO[bytes]) -> safezip.CheckedZip:
    try:
        return safezip.CheckedZip(data, safezip.XLSX, XLSX_WHAT)
    except safezip.ArchiveDamaged as exc:
        raise ImportRefused("文件已损坏，无法作为 Excel 文件读取。") from exc
    except safezip.ArchiveRefused as exc:
        raise ImportRefused(str(exc)) from exc


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _check_xlsx(data: IO[bytes]) -> bool:
    """Stream every part of the workbook through the checked opener before anything a reader
    answers is used (the reader runs in its bounded child meanwhile, `_xlsx_rows`): archive
    limits, no DTD, the declared and the actual extent of every sheet within the limits, a
    bounded shared-string table. True when a worksheet holds a formula; the file then goes to
    openpyxl on expat, which re-scans long tokens quadratically, so a second pass refuses any tag
    longer than MAX_TAG."""
    formulas = False
    try:
        with _open_xlsx(data) as archive:
            for info in archive.infos:
                chunks = archive.chunks(info)
                if not _is_xml(info.filename):
                    for _ in chunks:  # counted against the limits, not parsed
                        pass
                    continue
                # every XML part: a relationship can point the first sheet at any path
                extent = _Extent()
                sheet = "worksheets/" in info.filename.lower()
                for piece in _xml_pieces(chunks, tags=False):
                    extent.feed(piece, sheet)
                    _refuse_extent(extent.rows, extent.cols, declared=False)
                if extent.declared:
                    _refuse_extent(*extent.declared, declared=True)
                if extent.shared > MAX_SHARED_STRINGS:
                    raise ImportRefused(
                        f"{XLSX_WHAT}的共享字符串表有 {extent.shared:,} 项，"
                        f"超过 {MAX_SHARED_STRINGS:,} 项的上限，已拒绝。"
                    )
                formulas = formulas or extent.formulas
        if formulas:
            data.seek(0)
            with _open_xlsx(data) as archive:
                for info in archive.infos:
                    if _is_xml(info.filename):
                        for _ in _xml_pieces(archive.chunks(info), tags=True):
                            pass
    except safezip.ArchiveRefused as exc:
        raise ImportRefused(str(exc)) from exc
    data.seek(0)
    return formulas


def read_rows(name: str, data: IO[bytes], size: int, max_bytes: int) -> Iterator[list[Any]]:
    """The rows of an .xlsx or .csv file (header first), after the file itself is checked."""
    name = clean_filename(name)
    if size > max_bytes:
        raise ImportRefused(f"文件超过大小上限（{max_bytes // (1024 * 1024)} MB）。")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        kind = sniff(data)
    except ValidationError as exc:
        raise ImportRefused(exc.messages[0]) from exc
    if ext == "xlsx":
        if kind != "xlsx":
            raise ImportRefused("文件扩展名是 .xlsx，但内容不是 Excel 工作簿，已拒绝。")
        return _xlsx_rows(data, size)
    if ext == "csv":
        if kind != "text":
            raise ImportRefused("文件扩展名是 .csv，但内容不是文本，已拒绝。")
        return _csv_rows(data)
    raise ImportRefused("只能导入 .xlsx 或 .csv 文件。")


def source_of(name: str, data: IO[bytes]) -> dict[str, Any]:
    """The file's name and SHA-256, for the import's audit row; the file is left at its start."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: data.read(1 << 20), b""):
        digest.update(chunk)
    data.seek(0)
    return {"file": clean_filename(name), "sha256": digest.hexdigest()}


def _xlsx_rows(data: IO[bytes], size: int) -> Iterator[list[Any]]:
    """The first sheet's rows, read in a child process with memory and CPU limits: calamine (fast,
    stored values) when no cell holds a formula, else openpyxl, which returns a formula as its text
    ("=SUM(A1)") and never evaluates it, parsing with defusedxml.

    From OVERLAP_BYTES on, the calamine child starts before the archive check and reads while the
    check runs (an interpreter's start and a whole-sheet read the import would otherwise wait for
    after it). Nothing it answers is used before the check has passed: a file the check refuses is
    refused with the check's message and the child is killed; a file with formulas goes to
    openpyxl instead, after the check. A smaller file is checked first: its check is shorter than
    a child's start, and a hostile little file never reaches a reader."""
    if size < OVERLAP_BYTES:
        return _unbatched(_reader("openpyxl-rows" if _check_xlsx(data) else "calamine-rows", data))
    reader = _reader("calamine-rows", data)
    try:
        formulas = _check_xlsx(data)
    except BaseException:
        reader.close()
        raise
    if formulas:
        reader.close()
        reader = _reader("openpyxl-rows", data)
    return _unbatched(reader)


def _reader(task: str, data: IO[bytes]) -> bounded.Reading:
    """The bounded child reading `data` (the file is left at its start)."""
    return bounded.start(
        task,
        data,
        budget=bounded.XLSX,
        what=XLSX_WHAT,
        failed="无法读取该文件：请确认它是用模板填写的 .xlsx 文件",
        options={"max_rows": MAX_SHEET_ROWS + 1},
    )


def _unbatched(reader: bounded.Reading) -> Iterator[list[Any]]:
    try:
        for batch in reader:
            yield from batch
    except bounded.Refused as exc:
        raise ImportRefused(str(exc)) from exc
    finally:
        reader.close()


def _csv_rows(data: IO[bytes]) -> Iterator[list[Any]]:
    raw = data.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused("无法识别 CSV 文件的编码，请另存为 UTF-8。")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:  # a million columns would be a million errors
                raise ImportRefused(
                    f"CSV 文件第 {reader.line_num} 行有 {len(row):,} 列，超过 {MAX_COLUMNS} 列的上限，已拒绝。"
                )
            yield row
    except csv.Error as exc:  # a stray quote or line end, a cell over the size limit
        raise ImportRefused(
            f"CSV 文件第 {reader.line_num} 行格式有误，无法读取，请用 Excel 另存为 CSV 后再试。"
        ) from exc


# --- Previews waiting for confirmation -------------------------------------------------------------
PREVIEW_HOURS = 24  # a checked file not confirmed within this is removed
_PREVIEW_FILE = re.compile(r"[0-9a-f]{32}\.(?:xlsx|csv)")


def preview_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def preview_sweep(now: float | None = None) -> int:
    """Remove previews nobody confirmed within PREVIEW_HOURS (and files a crash left while being
    imported); the number removed."""
    folder = preview_dir()
    cutoff = (timezone.now().timestamp() if now is None else now) - PREVIEW_HOURS * 3600
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        with contextlib.suppress(FileNotFoundError):  # a concurrent sweep or claim took it
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


def preview_keep(chunks: Iterable[bytes], ext: str) -> str:
    """Keep a file that passed its check until it is confirmed; the name it is kept under."""
    folder = preview_dir()
    folder.mkdir(parents=True, exist_ok=True)
    preview_sweep()
    name = f"{uuid.uuid4().hex}.{ext}"
    with (folder / name).open("xb") as out:
        for chunk in chunks:
            out.write(chunk)
    return name


def preview_claim(name: str) -> Path | None:
    """Take a kept file for one confirmation, or None when it is gone or expired.

    The file is renamed away in one step, which exactly one of several concurrent confirmations of
    the same preview can do (a double click, two tabs, a replayed form): the others find nothing
    to import. The caller removes the returned file when done.
    """
    if not _PREVIEW_FILE.fullmatch(name):
        return None
    path = preview_dir() / name
    try:
        if path.stat().st_mtime < timezone.now().timestamp() - PREVIEW_HOURS * 3600:
            path.unlink()
            return None
        claimed = path.with_name(f"{name}.{uuid.uuid4().hex}.claimed")
        path.rename(claimed)
    except FileNotFoundError:
        return None
    return claimed


# --- Parsing one cell ------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_date(value: Any, with_time: bool) -> Any:
    if isinstance(value, datetime):
        return timezone.make_aware(value) if with_time else value.date()
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(9))) if with_time else value
    match = _DATE.match(_text(value))
    if not match:
        raise ValueError("日期格式应为 2025-03-01 或 2025年3月1日")
    y, mo, d, hh, mm = match.groups()
    try:
        day = date(int(y), int(mo), int(d))
        if not with_time:
            return day
        return timezone.make_aware(datetime.combine(day, time(int(hh or 9), int(mm or 0))))
    except ValueError as exc:
        raise ValueError(f"“{_text(value)}”不是有效的日期") from exc


def _convert_text(col: Column, text: str) -> Any:
    """A non-empty cell's text as the column's value; ValueError with the Chinese message."""
    kind = col.kind
    if kind == "text":
        if col.field.max_length and len(text) > col.field.max_length:
            raise ValueError(f"最多 {col.field.max_length} 个字符")
        if problem := text_problem(text):
            raise ValueError(problem.rstrip("。"))
        return text
    if kind == "choice":
        if text not in col.choices:
            raise ValueError("应为：" + "、".join(str(label) for _, label in col.field.choices))
        return col.choices[text]
    if kind == "int":
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("应为整数") from exc
        if not number.is_finite() or number != number.to_integral_value() or number < 0:
            raise ValueError("应为不小于 0 的整数")
        return int(number)
    if kind == "decimal":
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("应为数字") from exc
        if not number.is_finite():
            raise ValueError("应为数字")
        return number
    if kind == "bool":
        if text in ("是", "1", "True", "true", "√", "已完成", "y", "Y"):
            return True
        if text in ("否", "0", "False", "false", "×", "未完成", "n", "N"):
            return False
        raise ValueError("应为“是”或“否”")
    if kind in ("date", "datetime"):
        return _parse_date(text, kind == "datetime")
    if kind == "person":
        if text not in col.lookup:
            raise ValueError(f"“{text}”不是本单位人员（外单位人员请填在相应的“外单位”栏）")
        return col.lookup[text]
    if kind == "people":
        found = []
        for name in [n for n in _SPLIT.split(text) if n]:
            if name not in col.lookup:
                raise ValueError(f"“{name}”不是本单位人员")
            found.append(col.lookup[name])
        return found
    if kind == "record":
        if text not in col.lookup:
            raise ValueError(f"本单位没有“{text}”")
        return col.lookup[text]
    raise AssertionError(kind)


_MISSING = object()


def _empty(col: Column) -> Any:
    if col.required:
        raise ValueError("不能为空")
    if col.kind == "people":
        return []
    if col.kind == "bool":
        return False
    return "" if col.kind in ("text", "choice") and not col.field.null else None


def _converter(col: Column) -> Any:
    """A function from one cell (as the reader gives it) to the column's value, built once per
    column. The common cell types of each kind take a short path (`_FAST`); everything else goes
    through the cell's text."""
    general = _general_converter(col)
    fast = _FAST.get(col.kind)
    return fast(col, general) if fast else general


def _general_converter(col: Column) -> Any:
    kind = col.kind

    def general(value: Any) -> Any:
        if isinstance(value, (date, datetime)):
            if kind in ("date", "datetime"):
                return _parse_date(value, kind == "datetime")
            value = value.isoformat()
        text = _text(value)
        return _convert_text(col, text) if text else _empty(col)

    return general


def _fast_text(col: Column, general: Any) -> Any:
    max_length = getattr(col.field, "max_length", None)
    unwanted = UNWANTED.search

    def convert(value: Any) -> Any:
        if type(value) is str and not unwanted(value):
            text = value.strip()
            if text and (not max_length or len(text) <= max_length):
                return text
        return general(value)

    return convert


def _fast_lookup(col: Column, general: Any) -> Any:
    """A choice by label or value, a person or a record by name: one dictionary look-up."""
    table = (col.choices if col.kind == "choice" else col.lookup).get

    def convert(value: Any) -> Any:
        if type(value) is str:
            found = table(value.strip(), _MISSING)
            if found is not _MISSING:
                return found
        return general(value)

    return convert


def _fast_datetime(col: Column, general: Any) -> Any:
    tz = timezone.get_default_timezone()

    def convert(value: Any) -> Any:
        if type(value) is datetime:
            return value.replace(tzinfo=tz) if value.tzinfo is None else value
        return general(value)

    return convert


def _fast_people(col: Column, general: Any) -> Any:
    lookup = col.lookup.get

    def convert(value: Any) -> Any:
        if type(value) is str:
            found = lookup(value.strip(), _MISSING)  # one person, no separator
            if found is not _MISSING:
                return [found]
        return general(value)

    return convert


def _fast_int(col: Column, general: Any) -> Any:
    def convert(value: Any) -> Any:
        if type(value) is int and value >= 0:
            return value
        if type(value) is float and value.is_integer() and value >= 0:
            return int(value)
        return general(value)

    return convert


_FAST = {
    "text": _fast_text,
    "choice": _fast_lookup,
    "person": _fast_lookup,
    "record": _fast_lookup,
    "datetime": _fast_datetime,
    "people": _fast_people,
    "int": _fast_int,
}


def _lookups(cols: list[Column], unit: Any, user: Any = None) -> None:
    """One query per linked column: people of the unit by name and user name, records by title."""
    people: dict[str, Any] | None = None
    for col in cols:
        if col.kind in ("person", "people"):
            if people is None:
                people = {}
                members = (
                    get_user_model()
                    .objects.filter(
                        memberships__unit=unit, memberships__deleted_at__isnull=True, is_active=True
                    )
                    .distinct()
                )
                for u in members:
                    people[u.username] = u
                    if u.full_name:
                        people.setdefault(u.full_name, u)
                        # the template writes a name that looks like a formula escaped ('=…)
                        people.setdefault(safe_cell(u.full_name), u)
            col.lookup = people
        elif col.kind == "record":
            model = col.field.related_model
            key = getattr(model, "import_key", None)
            # a person imports with what they may see; the command line (an operator) reads the unit
            qs = model.objects.readable(user).filter(unit=unit)
            col.lookup = {str(getattr(o, key) if key else o): o for o in qs}
            col.lookup.update({safe_cell(k): o for k, o in col.lookup.items() if safe_cell(k) != k})


# --- Validating and committing ---------------------------------------------------------------------
def _verbose(model: type[UnitOwned], name: str) -> str:
    f: Any = model._meta.get_field(name)
    return str(f.verbose_name)


# Checks the column converters already make (length, stray NUL); every other validator of a
# field (number ranges, formats) still runs on each value.
_COVERED = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)


def _extra_validators(col: Column) -> list[Any]:
    if col.kind in ("person", "people", "record", "choice", "bool"):
        return []
    found = [v for v in col.field.validators if not isinstance(v, _COVERED)]
    return [_within(found)] if col.kind == "int" and found and all(map(_int_bound, found)) else found


def _int_bound(check: Any) -> bool:
    return type(check) in (validators.MinValueValidator, validators.MaxValueValidator) and (
        type(check.limit_value) is int
    )


def _within(bounds: list[Any]) -> Any:
    """An integer column's range validators as one comparison per cell; a value outside the range
    goes through the validators themselves, so the message is theirs."""
    lows = [v.limit_value for v in bounds if type(v) is validators.MinValueValidator]
    highs = [v.limit_value for v in bounds if type(v) is validators.MaxValueValidator]
    low, high = max(lows, default=None), min(highs, default=None)

    def check(value: Any) -> None:
        if (low is None or value >= low) and (high is None or value <= high):
            return
        for validator in bounds:
            validator(value)

    return check


def _blank_row(raw: list[Any]) -> bool:
    # stops at the first filled cell, usually the first one
    first = raw[0]
    if type(first) is str and first.strip():
        return False
    return not any(v is not None and v != "" and (type(v) is not str or v.strip()) for v in raw)


def _json_converter(col: Column) -> Any:
    """How a column's parsed value is written into the audit row; None when it is JSON already."""
    if col.kind == "people":
        return lambda people: sorted(p.pk for p in people)
    if col.kind in ("date", "datetime"):
        texts: dict[Any, str] = {}  # a file's dates and times recur: each written out once
        # a time's text has its offset: equal instants of other zones, or the two readings of a
        # clock's repeated hour (fold), are told apart
        key_of = (lambda v: v) if col.kind == "date" else (lambda v: (v, v.tzinfo, v.fold))

        def iso(value: Any) -> Any:
            if value is None:
                return None
            key = key_of(value)
            text = texts.get(key)
            if text is None:
                text = texts[key] = value.isoformat()
            return text

        return iso
    if col.kind == "decimal":
        return lambda value: None if value is None else str(value)
    return None  # text, choice, int, bool, and links (stored as their id)


def run_import(
    *,
    model: type[UnitOwned],
    field_names: tuple[str, ...] | list[str],
    rows: Iterator[list[Any]],
    unit: Any,
    acting_user: Any,
    commit: bool,
    preview_rows: int = 20,
    source: dict[str, Any] | None = None,
) -> ImportResult:
    """Check every row; write all of them (commit=True) only when no row has an error.

    Each row becomes a model instance (a copy of one prototype's state, not `Model.__init__`: the
    import spends its time per row) checked by every field validator and the model's own `clean()`,
    all of a row's errors at once; uniqueness rules are checked for the whole file (`_duplicates`).
    A person (`acting_user`) needs the right to write the kind in `unit`; None is the operator.
    `source` (file name, SHA-256) goes into the import's one audit row (`_audit_import`)."""
    _check_right(model, unit, acting_user)
    with _no_cycle_collection():
        return _check_and_commit(model, field_names, rows, unit, acting_user, commit, preview_rows, source)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while an import runs. An import keeps hundreds of
    thousands of objects alive until its commit (the checked records, their values, their index
    and audit rows), and the collector would walk all of them again every few thousand new
    objects: a third of the import's time for nothing, as the import makes no reference cycles
    that must go before it ends. Reference counting frees everything else as usual."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _check_and_commit(model: type[UnitOwned], field_names: tuple[str, ...] | list[str],
                      rows: Iterator[list[Any]], unit: Any, acting_user: Any, commit: bool,
                      preview_rows: int, source: dict[str, Any] | None) -> ImportResult:  # fmt: skip
    """run_import's work, once the right to import is checked."""
    result = ImportResult()
    read = _read_header(rows, columns_for(model, field_names), result)
    if read is None:
        return result
    positions, marker = read
    _lookups([c for _, c in positions], unit, acting_user)
    plan = _plan(positions)
    m2m_cols = [c for _, c in positions if c.kind == "people"]
    proto = model(unit=unit, created_by=acting_user, updated_by=acting_user)
    base = {k: v for k, v in proto.__dict__.items() if k != "_state"}
    base_cache = dict(proto._state.fields_cache)
    new = object.__new__
    pending: list[tuple[Any, dict[str, list[Any]]]] = []
    pending_rows: list[int] = []
    for rownum, raw in enumerate(rows, start=2):
        if rownum - 1 > MAX_ROWS:
            result.add_errors([RowError(rownum, "", f"超过 {MAX_ROWS} 行的上限，请分批导入")])
            break
        if not raw or _blank_row(raw) or (marker is not None and marker < len(raw) and _text(raw[marker])):
            continue  # blank, or the template's example row
        result.rows += 1
        obj = new(model)
        obj.__dict__.update(base)
        obj.__dict__["_state"] = state = ModelState()
        state.fields_cache = dict(base_cache)
        m2m, row_errors, failed = _fill_row(obj, raw, plan, rownum)
        row_errors += _clean_row(obj, failed, rownum)
        if row_errors:
            result.add_errors(row_errors)
        else:
            pending.append((obj, m2m))
            pending_rows.append(rownum)
        if len(result.preview) < preview_rows:
            result.preview.append([_text(raw[i]) if i < len(raw) else "" for i, _ in positions])
    if result.rows == 0 and not result.errors:
        result.add_errors([RowError(2, "", "文件中没有数据行")])
    result.add_errors(_duplicates(model, unit, pending, pending_rows))
    if commit and result.ok:
        result.created = _commit(model, plan, pending, m2m_cols, unit, acting_user, source or {})
    return result


def _check_right(model: type[UnitOwned], unit: Any, acting_user: Any) -> None:
    """A person imports only where they may write the kind (Kind.write_action, else add)."""
    declared = kinds.for_model(model)
    action = (declared.write_action if declared else None) or "add"
    if acting_user is not None and not scope_for(acting_user).allows(action, unit):
        raise ImportRefused(f"{acting_user} 没有在{unit.name}导入{model._meta.verbose_name}记录的权限。")


def _plan(positions: list[tuple[int, Column]]) -> list[Any]:
    """Per column, once: (cell index, column, converter, attribute name, field name when it is a
    link, validators)."""
    return [
        (
            i,
            col,
            _converter(col),
            col.field.attname if col.kind in ("person", "record") else col.name,
            col.name if col.kind in ("person", "record") else None,
            _extra_validators(col),
        )
        for i, col in positions
    ]


def _read_header(rows: Iterator[list[Any]], cols: list[Column], result: ImportResult) -> Any:
    """((cell index, column) of each named column, the template's marker column or None), or None
    with the header's errors in `result` (an empty file, unknown or missing columns)."""
    by_header = {c.header: c for c in cols}
    try:
        header = [_text(h).rstrip("*") for h in next(rows)]
    except StopIteration:
        result.add_errors([RowError(1, "表头", "文件是空的")])
        return None
    marker = header.index(MARKER) if MARKER in header else None
    if marker is not None:
        header[marker] = ""
    unknown = [h for h in header if h and h not in by_header]
    missing = [c.header for c in cols if c.required and c.header not in header]
    result.add_errors(RowError(1, h, "不是本台账的列，请使用下载的模板") for h in unknown)
    result.add_errors(RowError(1, h, "缺少必填列") for h in missing)
    if result.errors:
        return None
    return [(i, by_header[h]) for i, h in enumerate(header) if h], marker


def _fill_row(
    obj: Any, raw: list[Any], plan: list[Any], rownum: int
) -> tuple[dict[str, list[Any]], list[RowError], set[str]]:
    """Parse each cell of a row into the instance: (many-to-many values, the cells' errors, the
    names of the fields whose cell failed — left empty, so clean() still judges the rest)."""
    values, cache = obj.__dict__, obj._state.fields_cache
    m2m: dict[str, list[Any]] = {}
    errors: list[RowError] = []
    failed: set[str] = set()
    width = len(raw)
    for i, col, convert, attname, link, checks in plan:
        try:
            parsed = convert(raw[i] if i < width else None)
            for check in checks:
                if parsed is not None and parsed != "":
                    check(parsed)
        except (ValueError, ValidationError) as exc:
            messages = [str(exc)] if isinstance(exc, ValueError) else exc.messages
            errors.extend(RowError(rownum, col.header, msg) for msg in messages)
            failed.add(col.name)
            if col.kind != "people":
                values[attname] = None
                if link is not None:
                    cache[link] = None
            continue
        if link is not None:
            values[attname] = None if parsed is None else parsed.pk
            cache[link] = parsed
        elif col.kind == "people":
            m2m[col.name] = parsed
        else:
            values[attname] = parsed
    return m2m, errors, failed


def _clean_row(obj: Any, failed: set[str], rownum: int) -> list[RowError]:
    """The model's own clean() on a row, less what the failed cells' own errors already say."""
    errors: list[RowError] = []
    try:
        obj.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            if name in failed:
                continue
            header_name = "整行" if name == "__all__" else _verbose(type(obj), name)
            errors.extend(RowError(rownum, header_name, msg) for msg in messages)
    except (TypeError, ValueError, AttributeError):
        if not failed:
            raise
        # clean() could not judge the rest of the row without the cells that failed to parse
    return errors


def _commit(model: type[UnitOwned], plan: list[Any], pending: list[tuple[Any, dict[str, list[Any]]]],
            m2m_cols: list[Column], unit: Any, acting_user: Any, source: dict[str, Any]) -> int:  # fmt: skip
    """Write every checked row in one transaction, with one audit row; the number written."""
    now = timezone.now()
    with transaction.atomic():
        created = [obj for obj, _ in pending]
        bulk.insert_objects(created, now=now)
        pk = _pk_name(model)
        for col in m2m_cols:
            # many-to-many rows go in as one batch on the through table, not one query per record;
            # ids read from the instances' values (`.pk` is a property call per use)
            person_pk = _pk_name(col.field.related_model)
            bulk.insert_links(
                col.field,
                [
                    (obj.__dict__[pk], person_id)
                    for obj, m2m in pending
                    for person_id in dict.fromkeys(p.__dict__[person_pk] for p in m2m.get(col.name, ()))
                ],
            )
        _audit_import(model, plan, pending, unit, acting_user, now, source)
        bulk_after_write(created, new=True)
    return len(created)


def _pk_name(model: Any) -> str:
    pk = model._meta.pk
    assert pk is not None
    return str(pk.attname)


def _unique_rules(model: type[UnitOwned]) -> list[tuple[tuple[str, ...], Any]]:
    """(field names, condition) of each uniqueness rule over plain fields: unique fields,
    unique_together and UniqueConstraint (its condition, e.g. only live rows, or None)."""
    found: list[tuple[tuple[str, ...], Any]] = [
        ((f.name,), None) for f in model._meta.concrete_fields if f.unique and not f.primary_key
    ]
    found += [(tuple(names), None) for names in model._meta.unique_together]
    found += [
        (tuple(c.fields), c.condition)
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields and not c.expressions
    ]
    return found


def _duplicates(
    model: type[UnitOwned], unit: Any, pending: list[tuple[Any, Any]], rownums: list[int]
) -> list[RowError]:
    """Rows that would break a uniqueness rule: against the stored rows (one query per rule) and
    against earlier rows of the file. New rows are live, so a condition such as "not deleted" is
    taken to hold for them; it is applied to the stored rows as the database applies it."""
    errors: list[RowError] = []
    if not pending:
        return errors
    for names, condition in _unique_rules(model):
        fields = [f for f in (model._meta.get_field(n) for n in names) if isinstance(f, models.Field)]
        attnames = [f.attname for f in fields]
        shown = [f for f in fields if f.name != "unit"] or fields
        label = "、".join(str(f.verbose_name) for f in shown)
        column = str(shown[-1].verbose_name)
        keys = [tuple(getattr(obj, a) for a in attnames) for obj, _ in pending]
        stored = model._default_manager.all()
        if condition is not None:
            stored = stored.filter(condition)
        if "unit" in names:
            stored = stored.filter(unit=unit)
        else:
            stored = stored.filter(**{f"{attnames[0]}__in": {k[0] for k in keys if k[0] is not None}})
        existing = set(stored.values_list(*attnames))
        seen: dict[tuple[Any, ...], int] = {}
        for rownum, key in zip(rownums, keys, strict=True):
            if None in key:
                continue  # NULLs never clash
            where = "本单位" if "unit" in names else "系统中"
            if key in existing:
                errors.append(RowError(rownum, column, f"{where}已有{label}相同的记录"))
            elif key in seen:
                errors.append(RowError(rownum, column, f"与第 {seen[key]} 行的{label}重复"))
            else:
                seen[key] = rownum
    return errors


def _audit_import(
    model: type[UnitOwned],
    plan: list[Any],
    pending: list[tuple[Any, dict[str, list[Any]]]],
    unit: Any,
    actor: Any,
    now: datetime,
    source: dict[str, Any],
) -> None:
    """One audit row for the whole import, in the import's transaction.

    An import is one write by one person: all rows or none. Its audit row names the file (name and
    SHA-256) and holds every created record's id and imported values as a table (columns, rows), so
    the auditor sees exactly what went in. Each record's own history finds this row by kind, unit and
    the creation time every imported record shares with it (`core.views.history_for`). One row
    instead of one per record keeps a 50,000-row import within its time budget: a chained row costs
    a JSON encoding, a hash and an indexed insert each.
    """
    names = [attname for _, _, _, attname, _, _ in plan]
    people = [(i, a) for i, (_, col, _, a, _, _) in enumerate(plan, 1) if col.kind == "people"]
    converters = [(i, c) for i, c in enumerate((_json_converter(col) for _, col, *_ in plan), 1) if c]
    pk = _pk_name(model)
    # a row's values in one call; a people column (not among the values) holds the id until filled
    keys = [pk, *(pk if (i, a) in people else a for i, a in enumerate(names, 1))]
    values_of = operator.itemgetter(*keys) if len(keys) > 1 else lambda values: (values[pk],)
    table = []
    for obj, m2m in pending:
        row = list(values_of(obj.__dict__))
        for i, name in people:
            row[i] = m2m.get(name, [])
        for i, convert in converters:
            row[i] = convert(row[i])
        table.append(row)
    label = str(model._meta.verbose_name)
    audit.record(
        action="import",
        actor=actor,
        unit=unit,
        at=now,
        object_type=model._meta.label,
        object_label=f"导入{label} {len(table)} 条" + (f"（{source['file']}）" if source.get("file") else ""),
        after={**audit.jsonable(source), "count": len(table), "columns": ["id", *names], "rows": table},
        native=True,  # the table's values are JSON already (_json_converter)
    )


# --- The template ----------------------------------------------------------------------------------
def _example(col: Column, people: list[Any]) -> Any:
    today = timezone.localdate()
    if col.kind == "choice":
        return str(col.field.choices[0][1])
    if col.kind == "person":
        return people[0].full_name or people[0].username if people else ""
    if col.kind == "people":
        return "、".join(p.full_name or p.username for p in people[:3])
    if col.kind == "record":
        return next(iter(col.lookup), "")
    if col.kind == "date":
        return today.replace(day=1)
    if col.kind == "datetime":
        return datetime.combine(today.replace(day=1), time(9))
    if col.kind == "int":
        return 2026 if col.name == "year" else (3 if col.name in ("quarter", "month") else 10)
    if col.kind == "decimal":
        return 2
    if col.kind == "bool":
        return "否"
    return "" if col.name.endswith("_text") else f"（填写{col.header}）"


def template_workbook(model: type[UnitOwned], field_names: tuple[str, ...] | list[str], unit: Any) -> bytes:
    """An .xlsx with the kind's Chinese headers (* marks required), an example row and drop-down
    lists for choice, yes/no and person columns (kept on a hidden sheet, so long lists fit)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = columns_for(model, field_names)
    _lookups(cols, unit)
    people = list(dict.fromkeys(v for c in cols if c.kind in ("person", "people") for v in c.lookup.values()))
    wb = Workbook()
    ws: Any = wb.active
    ws.title = str(model._meta.verbose_name)[:31]
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    ws.append([c.header + ("*" if c.required else "") for c in cols] + [MARKER])
    declared = kinds.for_model(model)
    sometimes = dict(declared.required_when) if declared else {}
    # names and titles come from the database: a "=HYPERLINK(…)" among them must stay text
    ws.append([safe_cell(_example(c, people)) for c in cols] + ["示例行：导入时自动忽略，可删除"])
    for cell, col in zip(ws[1], cols, strict=False):
        cell.font = Font(bold=True)
        if col.name in sometimes:  # required only sometimes: said on the header, not starred
            cell.comment = Comment(f"条件必填：{sometimes[col.name]}", "台账")
            cell.font = Font(bold=True, color="C00000")
    ws[1][len(cols)].font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(italic=True, color="888888")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
    list_col = 0
    for i, col in enumerate(cols, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(col.header) * 2 + 4)
        if col.kind == "choice":
            options = [str(label) for _, label in col.field.choices]
        elif col.kind == "bool":
            options = ["是", "否"]
        elif col.kind == "person":
            options = [p.full_name or p.username for p in people]
        elif col.kind == "record":
            options = list(dict.fromkeys(str(safe_cell(k)) for k in col.lookup))[:500]
        else:
            continue
        if not options:
            continue
        list_col += 1
        src = get_column_letter(list_col)
        for r, option in enumerate(options, start=1):
            lists[f"{src}{r}"] = safe_cell(option)
        dv = DataValidation(type="list", formula1=f"=选项!${src}$1:${src}${len(options)}", allow_blank=True)
        dv.error, dv.errorTitle = "请从下拉列表中选择", "输入无效"
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}5000")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
