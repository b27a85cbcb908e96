"""The printable 台账汇编: a cover, a table of contents and one table per ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

from . import document as d
from .prose import issuer, listing


def ledger_book(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The printable 台账汇编: a cover, a contents table (written, not a Word field: it reads the
    same in every program and on paper, and lists what each part holds) and one table per ledger."""
    from .facts_more import ledger_tables

    title = f"{unit.name}{year}年度意识形态工作台账汇编"
    doc = d.Document("ledger-book", title, unit.name, day or date.today())
    b = d.Builder(doc)
    tables = ledger_tables(unit, year, user=user)
    b.block(d.COVER, unit.name)
    b.block(d.COVER, f"{year}年度意识形态工作台账汇编")
    b.block(d.COVER_NOTE, issuer(unit))
    b.block(d.COVER_NOTE, f"{doc.day.year}年{doc.day.month}月")
    b.block(d.TITLE, "目　　录")
    # the parts carry no 一、 numbers: the records' own text in the cells often starts with 一、,
    # and a reader (or the proofreader) would take it for the document's next heading
    contents = [[str(n), t.title, str(len(t.rows))] for n, t in enumerate(tables, 1)]
    b.table(["序号", "台账", "记录条数"], contents, [3, 10, 4])
    total = sum(len(t.rows) for t in tables)
    cut = [t.title for t in tables if t.left_out]
    b.block(
        d.BODY,
        f"本汇编收录{unit.name}{year}年度台账记录{total}条。"
        + (f"{listing(cut, 3)}台账栏目较多，表中列出主要栏目，全部栏目见同期导出的电子表格。" if cut else ""),
    )
    b.block(d.BREAK)
    for t in tables:
        b.block(d.H1, t.title)
        if not t.rows:
            b.block(d.BODY, f"{year}年度无{t.title}记录。")
            continue
        b.table(t.header, t.rows, t.widths)
    return doc
