"""An import indexes its rows in one batch: search finds every imported record, the batch writes
the very index rows a single write writes (so a later edit or deletion removes them exactly), and
the import leaves the interpreter's garbage collector as it found it."""

from __future__ import annotations

import gc
import io
from datetime import datetime

import pytest
from django.db import connection
from openpyxl import Workbook

from taizhang.core import imports, kinds
from taizhang.core.context import acting
from taizhang.core.services import record_delete, record_update
from taizhang.ledger import models as m
from taizhang.ledger.views import LEDGERS
from taizhang.library import search

pytestmark = pytest.mark.django_db

HEADERS = ["类型", "名称", "时间", "地点", "主持人", "应到人数", "实到人数", "参加人员", "传达学习内容"]


def _workbook(n: int) -> bytes:
    """Meetings whose dates run backwards and forwards (the index's order is by date)."""
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(n):
        month = 12 - i % 12 if i % 2 else 1 + i % 12
        ws.append(["分析研判会议", f"批量研判第{i}号", datetime(2025, month, 1 + i % 28, 9), "三楼会议室",
                   "罗建国", 10, 9, "张晓燕、刘洋", "学习《条例》ABC 第二部分。"])  # fmt: skip
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


def _fts_terms(values: tuple) -> tuple:
    """An FTS5 row with its characters (the text's and the title's) as a set: their order is not
    part of the index, that of the pairs is."""
    rank, terms = values
    tokens = terms.split()
    chars = {t for t in tokens if len(t.lstrip(search.TITLE_TERM)) == 1 and not t.endswith(search.SEP)}
    return rank, chars, [t for t in tokens if t not in chars]


def test_every_imported_row_is_found_and_its_entry_removed_with_it(cast):
    result = _import(cast, _workbook(60))
    assert result.ok and result.created == 60, result.errors[:3]
    found = search.search("批量研判", user=cast.clerk, limit=100)
    assert found.total == 60
    assert {h.title for h in found.hits} == {f"批量研判第{i}号" for i in range(60)}
    assert search.search("第37号", user=cast.clerk).total == 1
    assert search.search("条例 abc", user=cast.clerk).total >= 60
    days = [h.day for h in found.hits]
    assert days == sorted(days, reverse=True)  # newest first, whatever order the file had
    gone = m.Meeting.objects.get(title="批量研判第37号")
    record_delete(acting_user=cast.clerk, instance=gone)
    assert search.search("第37号", user=cast.clerk).total == 0
    edited = m.Meeting.objects.get(title="批量研判第38号")
    edited.title = "改过名称的研判"
    record_update(acting_user=cast.clerk, instance=edited, before=None)
    assert search.search("第38号", user=cast.clerk).total == 0
    assert search.search("改过名称", user=cast.clerk).total == 1
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the contentless index agrees with what was removed
            check = f"INSERT INTO {search.FTS}({search.FTS}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
            cursor.execute(check)


def test_a_batch_writes_the_index_rows_one_write_does(cast):
    """The batch's rows are those of each record alone, and its terms those the single-text
    functions give: fts_values() on SQLite (replayed to delete an entry), grams() on PostgreSQL."""
    _import(cast, _workbook(12))
    long = m.Meeting.objects.filter(unit=cast.units["demo-dist"]).first()
    long.content = "长文本" * (search.MAX_TEXT // 3) + "ABC。"  # over MAX_TEXT: cut as a whole
    long.minutes = "。，"  # a piece with no characters to index
    objs = [long]
    for kind in kinds.REGISTRY.values():  # every kind: linked titles, shared materials, dated by a relation
        objs += kind.model.objects.filter(deleted_at__isnull=True).exclude(pk=long.pk).order_by("pk")[:20]
    rows, fts = search.entry_rows(objs)
    assert len(rows) == len(objs) and {row[4] for row in rows} >= {k.slug for k in kinds.REGISTRY.values()}
    text, title, grams = (search.COLUMNS.index(c) for c in ("text", "title", "grams"))
    for row in rows:
        assert len(row[text]) <= search.MAX_TEXT
        if connection.vendor == "postgresql":
            expected = search.grams(row[text], search._ranked_title(row[4], row[title]))
            assert set(row[grams].split()) == set(expected.split())
    names = [search.COLUMNS.index(c) for c in search.ENTRY]
    assert len(fts) == (len(rows) if connection.vendor == "sqlite" else 0)
    for row, values in zip(rows, fts, strict=False):
        assert _fts_terms(values) == _fts_terms(search.fts_values(*(row[i] for i in names)))
    by_rank = {row[0]: row for row in rows}  # grouped by kind in the batch, the same rows one by one
    alone = [search.entry_rows([o])[0][0] for o in objs]
    assert [by_rank[row[0]] for row in alone] == alone


@pytest.mark.parametrize("enabled", [True, False])
def test_the_import_leaves_the_garbage_collector_as_it_was(cast, enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert _import(cast, _workbook(3)).ok
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
