"""Small pieces every ledger shares: a person chosen from the unit or named in free text, and the
checks a clerk most often trips over."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


def person_fk(verbose_name: str, **kwargs: Any) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **kwargs,
    )


def in_future(value: date | datetime | None) -> bool:
    """True when a date that must already have happened lies after today (Beijing time)."""
    if value is None:
        return False
    # the default zone (Beijing), not the request's: a ledger's dates are the unit's local dates;
    # this runs once per imported row, so it avoids Django's per-call zone look-ups
    tz = timezone.get_default_timezone()
    today = datetime.now(tz).date()
    if isinstance(value, datetime):
        return (value.astimezone(tz).date() if value.tzinfo is not None else value.date()) > today
    return value > today


def person_required(errors: dict[str, str], obj: Any, field: str, label: str) -> None:
    if not getattr(obj, f"{field}_id") and not getattr(obj, f"{field}_text", ""):
        errors[field] = f"请选择{label}，或填写外单位人员姓名。"


def check_year(errors: dict[str, str], year: int | None, field: str = "year") -> None:
    this_year = timezone.localdate().year
    if year is not None and not (2000 <= year <= this_year + 1):
        errors[field] = f"年度应在 2000 至 {this_year + 1} 之间。"


PAST_ONLY = "不能晚于今天：台账记录已经发生的事。"


def other_unit(obj: Any, field: str) -> bool:
    """True when a linked record belongs to another unit than `obj`."""
    if not getattr(obj, f"{field}_id") or not obj.unit_id:
        return False
    return bool(getattr(obj, field).unit_id != obj.unit_id)
