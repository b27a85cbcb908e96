"""The daily reminder pass (事前提醒): requirements falling due within N days, rectifications that
have become overdue.

One `Reminder` row per item and period is the proof a reminder went out; its unique constraint
makes a second pass — the same day, or on another server at the same moment — write nothing new.
The people reminded are chosen by role: 联络员 and 直接责任人 for a requirement; for an overdue
rectification also the 第一责任人 and the rectification's own 责任人. Each person gets one message
per unit and kind listing that day's new items (not one per item), with its e-mail and robot post
written to the outbox in the same transaction as the reminder rows.

A pass that did not run on some day catches up: a requirement is reminded on the first pass within
N days of its due day, a rectification on the first pass within CATCH_UP_DAYS after its deadline.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from taizhang.core import audit

from .models import Delivery, Message, Reminder, ReminderKind
from .services import Channels

CATCH_UP_DAYS = 7
CHUNK_UNITS = 500  # units per transaction: a pass over a province commits as it goes


@dataclass
class Item:
    kind: str
    unit_id: int
    item: str
    period: str
    due_on: date
    line: str
    link: str
    owner_id: int | None = None  # a rectification's own 责任人


@dataclass
class PassResult:
    candidates: int = 0
    reminders: int = 0
    messages: int = 0
    deliveries: int = 0
    units: set[int] = field(default_factory=set)


def _cn(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _requirement_items(units: list[Any], today: date, days: int) -> list[Item]:
    from taizhang.rules import engine
    from taizhang.rules.services import evaluate_units

    horizon = today + timedelta(days=days)
    items = []
    for year in sorted({today.year, horizon.year}):
        for result in evaluate_units(units, year, user=None, today=today):
            uid = result.unit.pk
            for rule_id, cells in result.cells.items():
                for c in cells:
                    if c.status != engine.DUE or not today <= c.period.deadline <= horizon:
                        continue
                    items.append(
                        Item(
                            kind=ReminderKind.DUE,
                            unit_id=uid,
                            item=f"rule:{rule_id}"[:120],
                            period=f"{year}-{c.rule.period}-{c.period.index}",
                            due_on=c.period.deadline,
                            line=f"{c.rule.name}（{c.period.label}），{_cn(c.period.deadline)}到期，"
                            f"目前 {c.value}，要求{c.rule.description}",
                            link=reverse("rules:cell", args=[uid, rule_id, year, c.period.index]),
                        )
                    )
    return items


def _rectification_items(unit_ids: list[int], today: date) -> list[Item]:
    from taizhang.ledger.models import Rectification
    from taizhang.ledger.models.rectification import OPEN_STATES

    rows = Rectification.objects.readable(None).filter(
        unit_id__in=unit_ids,
        state__in=OPEN_STATES,
        deadline__lt=today,
        deadline__gte=today - timedelta(days=CATCH_UP_DAYS),
    )
    return [
        Item(
            kind=ReminderKind.OVERDUE,
            unit_id=r.unit_id,
            item=f"rectification:{r.pk}",
            period=r.deadline.isoformat(),  # a new deadline is a new period: reminded again if missed
            due_on=r.deadline,
            line=f"{r!s}（整改时限{_cn(r.deadline)}）",
            link=reverse("ledger:rectification_detail", args=[r.pk]),
            owner_id=r.owner_id,
        )
        for r in rows.only("pk", "unit_id", "problem", "deadline", "owner_id").iterator(chunk_size=2000)
    ]


def _recipients(unit_ids: list[int]) -> dict[tuple[int, str], list[Any]]:
    """(unit, role) → the people holding it, active accounts only, in one query."""
    from taizhang.orgs.models import Membership
    from taizhang.orgs.roles import Role

    found: dict[tuple[int, str], list[Any]] = defaultdict(list)
    rows = (
        Membership.objects.live()
        .filter(
            unit_id__in=unit_ids, role__in=[Role.CLERK, Role.LEADER, Role.SECRETARY], user__is_active=True
        )
        .select_related("user")
    )
    for m in rows:
        found[(m.unit_id, m.role)].append(m.user)
    return found


def _existing(items: list[Item]) -> set[tuple[str, int, str, str]]:
    if not items:
        return set()
    periods = sorted({i.period for i in items})
    unit_ids = sorted({i.unit_id for i in items})
    rows = Reminder.objects.filter(period__in=periods, unit_id__in=unit_ids).values_list(
        "kind", "unit_id", "item", "period"
    )
    return set(rows)


def _key(i: Item) -> tuple[str, int, str, str]:
    return (i.kind, i.unit_id, i.item, i.period)


def _people(i: Item, roles: dict[tuple[int, str], list[Any]], owners: dict[int, Any]) -> list[Any]:
    from taizhang.orgs.roles import Role

    wanted = [Role.CLERK, Role.LEADER] + ([Role.SECRETARY] if i.kind == ReminderKind.OVERDUE else [])
    people = [u for role in wanted for u in roles.get((i.unit_id, role), [])]
    if i.owner_id is not None and i.owner_id in owners:
        people.append(owners[i.owner_id])
    return list({u.pk: u for u in people}.values())  # each person once, in role order


def _subject(kind: str, unit: Any, items: list[Item]) -> tuple[str, str]:
    if kind == ReminderKind.DUE:
        first = min(i.due_on for i in items)
        return (
            f"{unit.short_name}：{len(items)} 项责任制要求即将到期（最早{_cn(first)}）",
            "请在到期前完成并登记台账：\n" + "\n".join(f"· {i.line}" for i in items),
        )
    return (
        f"{unit.short_name}：{len(items)} 项整改已逾期",
        "以下整改事项已过整改时限，尚未完成：\n" + "\n".join(f"· {i.line}" for i in items),
    )


def _write(items: list[Item], today: date, units: dict[int, Any], result: PassResult) -> None:
    """Reminder rows, messages and outbox rows for one chunk, in one transaction. A conflict on
    the reminder key (another server's pass got there first) rolls the chunk back; it is redone
    without the items already reminded."""
    from taizhang.orgs.models import User

    for _ in range(3):
        done = _existing(items)
        fresh = [i for i in items if _key(i) not in done]
        if not fresh:
            return
        roles = _recipients(sorted({i.unit_id for i in fresh}))
        owner_ids = {i.owner_id for i in fresh if i.owner_id is not None}
        owners = {u.pk: u for u in User.objects.filter(pk__in=owner_ids, is_active=True)} if owner_ids else {}
        groups: dict[tuple[int, str], list[Item]] = defaultdict(list)
        for i in fresh:
            groups[(i.unit_id, i.kind)].append(i)
        try:
            with transaction.atomic():
                written = _write_once(groups, roles, owners, today, units)
        except IntegrityError:
            continue
        result.reminders += written[0]
        result.messages += written[1]
        result.deliveries += written[2]
        result.units |= {i.unit_id for i in fresh}
        return
    raise RuntimeError("事前提醒多次与其他服务器的提醒冲突，请稍后重试。")


def _write_once(
    groups: dict[tuple[int, str], list[Item]],
    roles: dict[tuple[int, str], list[Any]],
    owners: dict[int, Any],
    today: date,
    units: dict[int, Any],
) -> tuple[int, int, int]:
    """Write one chunk's reminder rows, messages and outbox rows, and its one audit row; the three
    counts."""
    reminders: list[Reminder] = []
    messages: list[Message] = []
    by_group: list[tuple[int, list[Message]]] = []
    for (unit_id, kind), group in groups.items():
        group.sort(key=lambda i: (i.due_on, i.item))
        rows, people = _reminder_rows(group, roles, owners)
        if not group:
            continue
        reminders += rows
        mine = _group_messages(kind, units[unit_id], group, people.values(), today)
        messages += mine
        by_group.append((unit_id, mine))
    Reminder.objects.bulk_create(reminders, batch_size=1000)
    Message.objects.bulk_create(messages, batch_size=1000)
    channels = Channels({m.recipient_id for m in messages}, {uid for uid, _ in by_group})
    deliveries = [row for uid, mine in by_group for row in channels.rows(mine, uid)]
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    audit.record(
        action="create",
        object_type="notify.Reminder",
        object_label=f"事前提醒：{len(reminders)} 项，{len(messages)} 条消息"[:300],
        after={
            "day": today.isoformat(),
            "reminders": len(reminders),
            "messages": len(messages),
            "deliveries": len(deliveries),
            "units": sorted({r.unit_id for r in reminders}),
        },
    )
    return len(reminders), len(messages), len(deliveries)


def _reminder_rows(
    group: list[Item], roles: dict[tuple[int, str], list[Any]], owners: dict[int, Any]
) -> tuple[list[Reminder], dict[int, Any]]:
    """A reminder row per item of one unit and kind, and the people to tell, each once. An item
    nobody holds the roles for yet is taken out of `group` with no row, so the next pass tries again."""
    rows: list[Reminder] = []
    people: dict[int, Any] = {}
    for i in list(group):
        who = _people(i, roles, owners)
        if not who:
            group.remove(i)
            continue
        rows.append(
            Reminder(
                kind=i.kind,
                unit_id=i.unit_id,
                item=i.item,
                period=i.period,
                due_on=i.due_on,
                recipients=len(who),
            )
        )
        for u in who:
            people.setdefault(u.pk, u)
    return rows, people


def _group_messages(
    kind: str, unit: Any, group: list[Item], people: Iterable[Any], today: date
) -> list[Message]:
    """One message per person listing the day's items of one unit and kind, linked to the item
    itself when there is one, else to the unit's grid or the rectification list."""
    subject, body = _subject(kind, unit, group)
    if len(group) == 1:
        link = group[0].link
    elif kind == ReminderKind.DUE:
        link = reverse("rules:unit_grid", args=[unit.pk])
    else:
        link = reverse("ledger:rectification_list")
    digest = hashlib.sha256("|".join(i.item + "@" + i.period for i in group).encode()).hexdigest()[:16]
    return [
        Message(
            recipient=u,
            unit_id=unit.pk,
            subject=subject[:200],
            body=body[:4000],
            link=link,
            category="事前提醒" if kind == ReminderKind.DUE else "逾期提醒",
            cause=f"notify.Reminder:{kind}:{today.isoformat()}",
            dedupe_key=f"remind:{kind}:{unit.pk}:{digest}",
        )
        for u in people
    ]


def remind(*, today: date | None = None, days: int | None = None) -> PassResult:
    """The pass over every active unit: what falls due within `days` (NOTIFY_REMIND_DAYS) and the
    rectifications overdue since the last week, each reminded once."""
    from taizhang.orgs.models import Unit

    today = today or timezone.localdate()
    days = days or int(getattr(settings, "NOTIFY_REMIND_DAYS", 7))
    units = list(Unit.objects.filter(is_active=True).order_by("path"))
    by_id = {u.pk: u for u in units}
    items = _requirement_items(units, today, days) + _rectification_items(list(by_id), today)
    result = PassResult(candidates=len(items))
    by_unit: dict[int, list[Item]] = defaultdict(list)
    for i in items:
        by_unit[i.unit_id].append(i)
    ids = sorted(by_unit)
    for start in range(0, len(ids), CHUNK_UNITS):
        chunk = [i for uid in ids[start : start + CHUNK_UNITS] for i in by_unit[uid]]
        _write(chunk, today, by_id, result)
    return result
