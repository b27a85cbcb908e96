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
        qs = qs.select_related(*views.related_fields())
        columns = [c for c in views.form_class.base_fields]
        m2m = {f.name for f in views.model._meta.many_to_many}
        qs = qs.prefetch_related(*[c for c in columns if c in m2m]).order_by(views.date_field, "pk")
        headers = [str(views._field(c).verbose_name) for c in columns]
        rows = [
            [
                "、".join(str(x) for x in getattr(obj, c).all()) if c in m2m else _plain(views.cell(obj, c))
                for c in columns
            ]
            for obj in qs
        ]
        sheets.append((views.verbose(), headers, rows))
    return workbook_bytes(sheets)


def _plain(value: Any) -> Any:
    from taizhang.core.views import _plain as plain

    return plain(value)
