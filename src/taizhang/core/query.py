"""Values read from a query string (and the few ids posted outside a form class), in one place.
A value that is not what the page can use —
digits int() refuses (²), a year no record can have, an id past 64 bits, a sort key not offered —
reads as not given, so the page shows its default instead of answering 500.

Only ASCII digits count as digits: str.isdigit() accepts ² and int() accepts ١٢, and neither is a
number anyone types into this product's filters on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, overload

# Ids are bigint or integer columns: past 2**63 - 1 the database refuses the comparison itself.
MAX_ID = 2**63 - 1
# The years a record can have (ledger.models.base allows 2000 to next year); a little headroom
# above, so a filter for a year not yet reached shows an empty list rather than this year's.
YEAR_MIN, YEAR_MAX = 2000, 2100
# The longest free-text filter worth matching: a title, a name, a phrase.
TEXT_MAX = 200

_INTEGER = re.compile(r"-?[0-9]{1,19}")


def _raw(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def parse_int(value: str, *, lo: int, hi: int) -> int | None:
    """`value` as an integer if it is one written in ASCII digits within lo..hi, else None."""
    value = value.strip()
    if not _INTEGER.fullmatch(value):
        return None
    number = int(value)
    return number if lo <= number <= hi else None


@overload
def integer(params: Mapping[str, Any], name: str, *, lo: int, hi: int, default: int) -> int: ...
@overload
def integer(
    params: Mapping[str, Any], name: str, *, lo: int, hi: int, default: None = None
) -> int | None: ...
def integer(
    params: Mapping[str, Any], name: str, *, lo: int, hi: int, default: int | None = None
) -> int | None:
    """The integer `name` within lo..hi, or `default`."""
    number = parse_int(_raw(params, name), lo=lo, hi=hi)
    return default if number is None else number


@overload
def year(params: Mapping[str, Any], name: str = "year", *, default: int) -> int: ...
@overload
def year(params: Mapping[str, Any], name: str = "year", *, default: None = None) -> int | None: ...
def year(params: Mapping[str, Any], name: str = "year", *, default: int | None = None) -> int | None:
    """A year a record can have (YEAR_MIN..YEAR_MAX), or `default`."""
    return integer(params, name, lo=YEAR_MIN, hi=YEAR_MAX, default=default)


def object_id(params: Mapping[str, Any], name: str) -> int | None:
    """A primary key: a positive integer the database can compare, or None."""
    return integer(params, name, lo=1, hi=MAX_ID)


def page(params: Mapping[str, Any], name: str = "page", *, last: int = 10**6) -> int:
    """A page number: the first page for anything unusable, `last` for any number past it."""
    number = integer(params, name, lo=1, hi=MAX_ID, default=1)
    return min(number, max(last, 1))


def choice(params: Mapping[str, Any], name: str, choices: Collection[str], default: str = "") -> str:
    """One of `choices`, exactly, or `default`."""
    value = _raw(params, name)
    return value if value in choices else default


def sort_key(params: Mapping[str, Any], allowed: Collection[str], name: str = "sort") -> str:
    """The ordering asked for: "field" or "-field" for a field in `allowed`, else "" (for --field,
    a lone "-" or a field not offered)."""
    value = _raw(params, name)
    field = value[1:] if value.startswith("-") else value
    return value if field and field in allowed else ""


def text(params: Mapping[str, Any], name: str, *, max_length: int = TEXT_MAX) -> str:
    """Free text, stripped and cut to `max_length` characters (a filter, not a document)."""
    return _raw(params, name)[:max_length]
