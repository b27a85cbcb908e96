"""Importing records from .xlsx or .csv with the same rules the pages apply.

A record kind's columns come from its form fields: the header is the field's Chinese name, choices
are accepted by label or value, people are named by name or user name and must belong to the
unit, linked records are named by their title. Every row is checked with the model's own field
validation and `clean()` (the rules the form runs), errors are collected by row and column, and
only a file without any error is written, in one transaction, with one audit row per record.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import audit, bulk
from .files import clean_filename, sniff
from .models import UnitOwned

MAX_ROWS = 200_000
MAX_UNPACKED = 200 * 1024 * 1024
MAX_PARTS = 10_000
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
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    preview: list[list[str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


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
def _check_archive(data: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(data) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportRefused("文件已损坏，无法作为 Excel 文件读取。") from exc
    if len(infos) > MAX_PARTS:
        raise ImportRefused(f"Excel 文件内部包含 {len(infos)} 个部件，超过 {MAX_PARTS} 个的上限，已拒绝。")
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise ImportRefused("Excel 文件解压后超过 200 MB，疑似压缩炸弹，已拒绝。")
    data.seek(0)


def read_rows(name: str, data: IO[bytes], size: int, max_bytes: int) -> Iterator[list[Any]]:
    """The rows of an .xlsx or .csv file (header first), after the file itself is checked."""
    name = clean_filename(name)
    if size > max_bytes:
        raise ImportRefused(f"文件超过大小上限（{max_bytes // (1024 * 1024)} MB）。")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = sniff(data)
    if ext == "xlsx":
        if kind != "xlsx":
            raise ImportRefused("文件扩展名是 .xlsx，但内容不是 Excel 工作簿，已拒绝。")
        _check_archive(data)
        return _xlsx_rows(data)
    if ext == "csv":
        if kind != "text":
            raise ImportRefused("文件扩展名是 .csv，但内容不是文本，已拒绝。")
        return _csv_rows(data)
    raise ImportRefused("只能导入 .xlsx 或 .csv 文件。")


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: IO[bytes]) -> bool:
    """Whether the first worksheet holds any formula cell (an <f> element in its XML)."""
    with zipfile.ZipFile(data) as zf:
        sheets = sorted(
            n for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")
        )
        if not sheets:
            return False
        with zf.open(sheets[0]) as sheet:
            tail = b""
            for chunk in iter(lambda: sheet.read(1 << 20), b""):
                if _FORMULA.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    data.seek(0)
    return False


def _xlsx_rows(data: IO[bytes]) -> Iterator[list[Any]]:
    if not _has_formulas(data):
        # no formula anywhere: the fast reader gives exactly the stored values
        from python_calamine import CalamineWorkbook

        data.seek(0)
        yield from CalamineWorkbook.from_filelike(data).get_sheet_by_index(0).iter_rows()
        return
    data.seek(0)
    from openpyxl import load_workbook

    # read_only streams the sheet; formulas come back as their text ("=SUM(A1)") and are never evaluated
    wb = load_workbook(data, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


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
    yield from csv.reader(io.StringIO(text))


# --- Parsing one cell ------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "").strip()


def _parse_date(value: Any, with_time: bool) -> Any:
    if isinstance(value, datetime):
        return timezone.make_aware(value) if with_time else value.date()
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time(9))) if with_time else value
    match = _DATE.match(_text(value))
    if not match:
        raise ValueError("日期格式应为 2025-03-01 或 2025年3月1日")
    y, mo, d, hh, mm = match.groups()
    day = date(int(y), int(mo), int(d))
    if not with_time:
        return day
    return timezone.make_aware(datetime.combine(day, time(int(hh or 9), int(mm or 0))))


def _parse(col: Column, value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        if col.kind in ("date", "datetime"):
            return _parse_date(value, col.kind == "datetime")
        value = value.isoformat()
    text = _text(value)
    if text == "":
        if col.required:
            raise ValueError("不能为空")
        if col.kind == "people":
            return []
        if col.kind == "bool":
            return False
        return "" if col.kind in ("text", "choice") and not col.field.null else None
    if col.kind == "text":
        if col.field.max_length and len(text) > col.field.max_length:
            raise ValueError(f"最多 {col.field.max_length} 个字符")
        return text
    if col.kind == "choice":
        if text not in col.choices:
            raise ValueError("应为：" + "、".join(str(label) for _, label in col.field.choices))
        return col.choices[text]
    if col.kind == "int":
        try:
            number = Decimal(str(text))
        except InvalidOperation as exc:
            raise ValueError("应为整数") from exc
        if number != number.to_integral_value() or number < 0:
            raise ValueError("应为不小于 0 的整数")
        return int(number)
    if col.kind == "decimal":
        try:
            return Decimal(str(text))
        except InvalidOperation as exc:
            raise ValueError("应为数字") from exc
    if col.kind == "bool":
        if text in ("是", "1", "True", "true", "√", "已完成", "y", "Y"):
            return True
        if text in ("否", "0", "False", "false", "×", "未完成", "n", "N"):
            return False
        raise ValueError("应为“是”或“否”")
    if col.kind in ("date", "datetime"):
        return _parse_date(value, col.kind == "datetime")
    if col.kind == "person":
        if text not in col.lookup:
            raise ValueError(f"“{text}”不是本单位人员（外单位人员请填在相应的“外单位”栏）")
        return col.lookup[text]
    if col.kind == "people":
        found = []
        for name in [n for n in _SPLIT.split(text) if n]:
            if name not in col.lookup:
                raise ValueError(f"“{name}”不是本单位人员")
            found.append(col.lookup[name])
        return found
    if col.kind == "record":
        if text not in col.lookup:
            raise ValueError(f"本单位没有“{text}”")
        return col.lookup[text]
    raise AssertionError(col.kind)


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
            col.lookup = people
        elif col.kind == "record":
            model = col.field.related_model
            key = getattr(model, "import_key", None)
            # a person imports with what they may see; the command line (an operator) reads the unit
            base = (
                model.objects.restrict(user, "view")
                if user is not None
                else model.objects.filter(deleted_at__isnull=True)
            )
            qs = base.filter(unit=unit)
            col.lookup = {str(getattr(o, key) if key else o): o for o in qs}


# --- Validating and committing ---------------------------------------------------------------------
def _verbose(model: type[UnitOwned], name: str) -> str:
    f: Any = model._meta.get_field(name)
    return str(f.verbose_name)


def _snapshot_of(cols: list[Column], obj: Any, m2m: dict[str, list[Any]]) -> dict[str, Any] | None:
    data = audit.snapshot(obj, with_m2m=False)
    if data is not None:
        for f in obj._meta.many_to_many:
            data[f.name] = sorted(v.pk for v in m2m.get(f.name, []))
    return data


def run_import(
    *,
    model: type[UnitOwned],
    field_names: tuple[str, ...] | list[str],
    rows: Iterator[list[Any]],
    unit: Any,
    acting_user: Any,
    commit: bool,
    preview_rows: int = 20,
) -> ImportResult:
    """Check every row; write all of them (commit=True) only when no row has an error."""
    result = ImportResult()
    cols = columns_for(model, field_names)
    by_header = {c.header: c for c in cols}
    try:
        header = [_text(h).rstrip("*") for h in next(rows)]
    except StopIteration:
        result.errors.append(RowError(1, "表头", "文件是空的"))
        return result
    marker = header.index(MARKER) if MARKER in header else None
    if marker is not None:
        header[marker] = ""
    unknown = [h for h in header if h and h not in by_header]
    missing = [c.header for c in cols if c.required and c.header not in header]
    for h in unknown:
        result.errors.append(RowError(1, h, "不是本台账的列，请使用下载的模板"))
    for h in missing:
        result.errors.append(RowError(1, h, "缺少必填列"))
    if result.errors:
        return result
    positions = [(i, by_header[h]) for i, h in enumerate(header) if h]
    _lookups([c for _, c in positions], unit, acting_user)
    m2m_cols = [c for _, c in positions if c.kind == "people"]
    exclude = [f.name for f in model._meta.concrete_fields if f.name not in {c.name for c in cols}]
    pending: list[tuple[Any, dict[str, list[Any]]]] = []
    for rownum, raw in enumerate(rows, start=2):
        if rownum - 1 > MAX_ROWS:
            result.errors.append(RowError(rownum, "", f"超过 {MAX_ROWS} 行的上限，请分批导入"))
            break
        if not raw or all(v is None or _text(v) == "" for v in raw):
            continue
        if marker is not None and marker < len(raw) and _text(raw[marker]):
            continue
        result.rows += 1
        obj = model(unit=unit, created_by=acting_user, updated_by=acting_user)
        m2m: dict[str, list[Any]] = {}
        row_errors = []
        for i, col in positions:
            value = raw[i] if i < len(raw) else None
            try:
                parsed = _parse(col, value)
            except ValueError as exc:
                row_errors.append(RowError(rownum, col.header, str(exc)))
                continue
            if col.kind == "people":
                m2m[col.name] = parsed
            else:
                setattr(obj, col.name, parsed)
        if not row_errors:
            try:
                # the model's own field checks and clean(): the rules the form runs on the page
                obj.clean_fields(
                    exclude=exclude + [c.name for _, c in positions if c.kind in ("person", "record")]
                )
                obj.clean()
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    header_name = "整行" if name == "__all__" else _verbose(model, name)
                    row_errors.extend(RowError(rownum, header_name, msg) for msg in messages)
        result.errors.extend(row_errors)
        if len(result.preview) < preview_rows:
            result.preview.append([_text(raw[i]) if i < len(raw) else "" for i, _ in positions])
        if not row_errors:
            pending.append((obj, m2m))
    if result.rows == 0 and not result.errors:
        result.errors.append(RowError(2, "", "文件中没有数据行"))
    if commit and result.ok:
        with transaction.atomic():
            created = [obj for obj, _ in pending]
            bulk.insert_objects(created)
            for col in m2m_cols:
                # many-to-many rows go in as one batch on the through table, not one query per record
                bulk.insert_links(
                    col.field,
                    [
                        (obj.pk, person.pk)
                        for obj, m2m in pending
                        for person in dict.fromkeys(m2m.get(col.name, []))
                    ],
                )
            audit.record_many(
                [
                    {
                        "action": "create",
                        "actor": acting_user,
                        "obj": obj,
                        "after": _snapshot_of(cols, obj, m2m),
                    }
                    for obj, (_, m2m) in zip(created, pending, strict=True)
                ]
            )
        result.created = len(created)
    return result


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
    ws.append([_example(c, people) for c in cols] + ["示例行：导入时自动忽略，可删除"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
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
            options = list(col.lookup)[:500]
        else:
            continue
        if not options:
            continue
        list_col += 1
        src = get_column_letter(list_col)
        for r, option in enumerate(options, start=1):
            lists[f"{src}{r}"] = option
        dv = DataValidation(type="list", formula1=f"=选项!${src}$1:${src}${len(options)}", allow_blank=True)
        dv.error, dv.errorTitle = "请从下拉列表中选择", "输入无效"
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}5000")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
