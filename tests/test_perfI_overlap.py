"""The reader's child starts beside the archive check (issue 19): what it answers is used only
after the check passed, a refused file leaves no child behind, a file with formulas still goes to
openpyxl, and a reader nobody reads ends its child."""

from __future__ import annotations

import gc
import io
from typing import Any

import pytest

from taizhang.core import bounded, imports

from .test_security_files import FORMULA, _extent_bomb, _raw_xlsx, _sheet

GOOD = _raw_xlsx(_sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>分析研判会议</t></is></c></row>'))


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bounded.Reading]]:
    """Every child the import starts, by task; every file takes the overlapping path."""
    started: list[tuple[str, bounded.Reading]] = []
    real = bounded.start

    def start(task: str, data: Any, **kwargs: Any) -> bounded.Reading:
        reading = real(task, data, **kwargs)
        started.append((task, reading))
        return reading

    monkeypatch.setattr(bounded, "start", start)
    monkeypatch.setattr(imports, "OVERLAP_BYTES", 0)
    return started


def _read(data: bytes) -> list[list[Any]]:
    return list(imports.read_rows("会议.xlsx", io.BytesIO(data), len(data), 20 << 20))


def test_a_file_the_check_refuses_is_refused_with_its_message_and_leaves_no_child(readers):
    with pytest.raises(imports.ImportRefused, match="超过导入上限"):
        _read(_extent_bomb())
    assert [task for task, _ in readers] == ["calamine-rows"]
    assert all(reading.proc.returncode is not None for _, reading in readers)


def test_a_file_with_formulas_goes_to_openpyxl_after_the_check(readers):
    rows = _read(_raw_xlsx(_sheet(FORMULA)))
    assert rows[1][0] == "=1+1"
    assert [task for task, _ in readers] == ["calamine-rows", "openpyxl-rows"]
    assert readers[0][1].proc.returncode is not None


def test_the_rows_are_the_same_whether_the_child_starts_before_or_after_the_check(readers, monkeypatch):
    overlapped = _read(GOOD)
    monkeypatch.setattr(imports, "OVERLAP_BYTES", 1 << 40)
    assert _read(GOOD) == overlapped and overlapped[1][0] == "分析研判会议"
    assert len(readers) == 2 and all(reading.proc.returncode is not None for _, reading in readers)


def test_a_reader_dropped_unread_ends_its_child():
    reading = bounded.start(
        "calamine-rows",
        GOOD,
        budget=bounded.XLSX,
        what="Excel 文件",
        failed="无法读取",
        options={"max_rows": 10},
    )
    proc = reading.proc
    del reading
    gc.collect()
    assert proc.returncode is not None


def test_a_closed_reader_ends_its_child_at_once():
    reading = bounded.start(
        "calamine-rows",
        GOOD,
        budget=bounded.XLSX,
        what="Excel 文件",
        failed="无法读取",
        options={"max_rows": 10},
    )
    assert next(reading)[0][0] == "类型*"
    reading.close()
    assert reading.proc.returncode is not None
    with pytest.raises(StopIteration):
        next(reading)


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_the_shared_strings_are_counted_with_or_without_a_prefix(prefix):
    """The check counts unprefixed <si> tags by a plain count and prefixed ones by their pattern."""
    ns = f'xmlns{":x" if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    strings = "".join(f"<{prefix}si><{prefix}t>{i}</{prefix}t></{prefix}si>" for i in range(1_000_001))
    table = f"<{prefix}sst {ns}>{strings}</{prefix}sst>".encode()
    data = _raw_xlsx(_sheet(FORMULA), {"xl/sharedStrings.xml": table})
    with pytest.raises(imports.ImportRefused, match="1,000,001 项"):
        _read(data)
    small = _raw_xlsx(
        _sheet(FORMULA), {"xl/sharedStrings.xml": f"<{prefix}sst {ns}>{strings[:200]}</{prefix}sst>".encode()}
    )
    assert imports._check_xlsx(io.BytesIO(small)) is True  # a formula, and a table within the limit
