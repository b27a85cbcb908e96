"""What the faster import still does as before: a number outside a column's range is refused with
the field's own message, and a sheet whose first piece opens with the usual <sheetData> and a
declared extent is read in full (attendee links and the audit row included)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from taizhang.core import imports
from taizhang.core.context import acting
from taizhang.core.models import AuditEntry
from taizhang.ledger import models as m
from taizhang.ledger.views import LEDGERS

pytestmark = pytest.mark.django_db

HEADERS = ["类型", "名称", "时间", "地点", "主持人", "应到人数", "实到人数", "参加人员", "传达学习内容"]


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _import(cast, data: bytes) -> imports.ImportResult:
    views = next(v for v in LEDGERS if v.slug == "meeting")
    with acting(channel="cli"):
        return imports.run_import(
            model=m.Meeting,
            field_names=views.import_fields(),
            rows=imports.read_rows("会议.xlsx", io.BytesIO(data), len(data), 10 << 20),
            unit=cast.units["demo-dist"],
            acting_user=cast.clerk,
            commit=True,
        )


def _row(i: int, expected: object = 10) -> list[object]:
    return ["分析研判会议", f"范围检查第{i}号", datetime(2025, 3, 1 + i % 28, 9), "三楼会议室",
            "罗建国", expected, 9, "张晓燕、刘洋", "学习有关文件。"]  # fmt: skip


def test_a_number_past_the_column_range_is_refused_with_its_message(cast):
    result = _import(cast, _workbook([_row(1), _row(2, expected=10**19)]))
    assert not result.ok and result.created == 0
    [error] = result.errors
    assert error.row == 3 and error.column == "应到人数"
    assert "小于或等于" in error.message


def test_every_row_of_a_sheet_is_imported_with_links_and_one_audit_row(cast):
    before = AuditEntry.objects.filter(action="import").count()
    result = _import(cast, _workbook([_row(i) for i in range(300)]))
    assert result.ok and result.created == 300
    meetings = m.Meeting.objects.filter(title__startswith="范围检查")
    assert meetings.count() == 300
    assert all(mt.attendees.count() == 2 for mt in meetings[:5])
    assert AuditEntry.objects.filter(action="import").count() == before + 1
