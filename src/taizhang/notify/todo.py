"""The to-do registry: what is waiting for one person in their current unit.

An app registers a provider, `provider(user, unit) -> list[TodoItem]`, in its AppConfig.ready();
the 待办 page, the header count and the dashboard panel ask every provider. A provider returns
only what is still to be done, so an item disappears by itself once it is done. Each provider reads
through restrict()/readable() like any view: a to-do list shows nothing its reader may not open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: `link` opens the page where it is done; `kind` is the label shown beside it
    (三审, 整改, 到期要求, 通知…); `due` the day it falls due, or None when it has no deadline."""

    title: str
    link: str
    due: date | None
    kind: str
    detail: str = ""
    # the deadline has passed and the item can no longer be done in time (a requirement missed):
    # still listed, after everything that can
    missed: bool = False

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()

    @property
    def days_left(self) -> int | None:
        return None if self.due is None else (self.due - timezone.localdate()).days


Provider = Callable[[Any, Any], list[TodoItem]]

PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (once: registering the same function again is harmless); usable as a decorator."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


SOON_DAYS = 7


def _urgency(item: TodoItem) -> tuple[int, date]:
    """Overdue first, then what falls due within a week, then what waits without a deadline (a
    review someone else is waiting on), then the rest by due day, and what was missed last."""
    left = item.days_left
    if left is None:
        return (2, date.max)
    assert item.due is not None
    if item.missed:
        return (4, item.due)
    return (0 if left < 0 else 1 if left <= SOON_DAYS else 3, item.due)


def items_for(user: Any, unit: Any) -> list[TodoItem]:
    """Everything waiting for `user` in `unit`, most urgent first (see _urgency)."""
    if user is None or not getattr(user, "is_authenticated", False) or unit is None:
        return []
    items: list[TodoItem] = []
    for provider in PROVIDERS:
        items.extend(provider(user, unit))
    return sorted(items, key=lambda i: (*_urgency(i), i.kind, i.title))
