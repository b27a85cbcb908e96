"""The 台账汇编: a unit's year, every ledger on its own sheet, in one workbook inspectors read."""

from __future__ import annotations

from typing import Any

from taizhang.core.excel import workbook_bytes

from .views import LEDGERS

SKIP = {"score"}  # the score table is configuration, not a ledger of the year
STANDING = {"position"}  # positions are listed whatever year they were opened


def ledger_book(*, unit: Any, year: int, user: Any = None) -> bytes:
    """Build the workbook. With `user`, every sheet is read through restrict(); the command line
    (an operator on the server) passes none and reads the unit as it is."""
    return workbook_bytes(ledger_sheets(unit=unit, year=year, user=user))


def ledger_sheets(*, unit: Any, year: int, user: Any = None) -> list[Any]:
    """(title, headers, rows) of every ledger of the unit's year: the workbook's sheets, and the
    printable 台账汇编's sections."""
    sheets = []
    for views in LEDGERS:
        if views.slug in SKIP:
            continue
        base = (
            views.model.objects.restrict(user, "view")
            if user is not None
            else views.model.objects.filter(deleted_at__isnull=True)
        )
        qs = base.filter(unit=unit)
        if views.slug not in STANDING:
            qs = qs.filter(**{views.year_lookup(): year})
        sheets.append(views.sheet(qs.order_by(views.date_field, "pk")))
    return sheets
