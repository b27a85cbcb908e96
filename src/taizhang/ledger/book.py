"""The 台账汇编: a unit's year, every ledger on its own sheet, in one workbook inspectors read."""

from __future__ import annotations

from typing import Any

from taizhang.core import kinds
from taizhang.core.excel import workbook_bytes


def ledger_book(*, unit: Any, year: int, user: Any = None) -> bytes:
    """Build the workbook. With `user`, every sheet is read through restrict(); the command line
    (an operator on the server) passes none and reads the unit as it is."""
    return workbook_bytes(ledger_sheets(unit=unit, year=year, user=user))


def ledger_sheets(*, unit: Any, year: int, user: Any = None) -> list[Any]:
    """(title, headers, rows) of every ledger of the unit's year: the workbook's sheets, and the
    printable 台账汇编's sections. Each kind says whether it has a sheet (Kind.book)."""
    return [kind.sheet(qs) for kind, qs in ledger_records(unit=unit, year=year, user=user)]


def ledger_records(*, unit: Any, year: int, user: Any = None) -> list[tuple[Any, Any]]:
    """Each ledger kind that has a sheet (Kind.book) with the unit's records of the year, in date
    order: what the workbook and the printable 台账汇编 (reports.facts_more) both lay out."""
    out = []
    for kind in kinds.of_namespace("ledger"):
        if kind.book == "none":
            continue
        qs = kind.model.objects.readable(user).filter(unit=unit)  # type: ignore[attr-defined]
        if kind.book == "year":
            qs = qs.filter(**{kind.year_lookup(): year})
        out.append((kind, qs.order_by(kind.date.path, "pk")))
    return out
