"""The audit log: one row per write, login, lockout or download, hash-chained so tampering shows.

`record()` is called explicitly by every service function, inside the transaction of the write it
describes, so a write and its row commit or roll back together. Writers serialise on `AuditHead`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from . import context
from .models import AuditEntry, AuditHead

SECRET_FIELDS = {"password"}

ACTIONS: list[tuple[str, str]] = [
    ("create", "新增"),
    ("import", "导入"),
    ("change", "修改"),
    ("delete", "删除"),
    ("restore", "恢复"),
    ("login", "登录"),
    ("logout", "退出"),
    ("login_failed", "登录失败"),
    ("lockout", "锁定"),
    ("unlock", "解锁"),
    ("grant", "授权"),
    ("revoke", "撤销授权"),
    ("password_change", "修改密码"),
    ("password_reset", "重置密码"),
    ("download", "下载文书"),
    ("backup", "备份"),
    ("restore_backup", "恢复备份"),
]
ACTION_LABELS = dict(ACTIONS)


def object_type_label(object_type: str) -> str:
    """ "ledger.Meeting" → "会议学习"; unknown types are shown as they are."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return {"backup": "备份", "axes.AccessAttempt": "登录失败记录"}.get(object_type, object_type)


_NATIVE = (str, int, float, bool, type(None))


_ENCODER = DjangoJSONEncoder()


def _jsonable(value: Any) -> Any:
    """A JSON-native copy: dates as ISO text, decimals and other values as text."""
    kind = type(value)
    if kind in _NATIVE:
        return value
    if kind is dict:
        return {str(k): v if type(v) in _NATIVE else _jsonable(v) for k, v in value.items()}
    if kind in (list, tuple):
        return [v if type(v) in _NATIVE else _jsonable(v) for v in value]
    if isinstance(value, _NATIVE):  # subclasses (a TextChoices member is a str)
        return value
    return _ENCODER.default(value)  # datetime, date, time, timedelta, Decimal, UUID, Promise


def snapshot(obj: models.Model | None, *, with_m2m: bool = True) -> dict[str, Any] | None:
    """The object's concrete fields as JSON, secrets left out; many-to-many links too unless the
    caller supplies them (a bulk import knows them without a query per row)."""
    if obj is None:
        return None
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in SECRET_FIELDS:
            continue
        value = f.value_from_object(obj)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        data[f.attname if f.is_relation else f.name] = value
    if with_m2m and obj.pk is not None:
        for m in obj._meta.many_to_many:
            data[m.name] = sorted(getattr(obj, m.name).values_list("pk", flat=True))
    return _jsonable(data)


def _person_name(user: Any) -> str:
    if user is None:
        return ""
    full = getattr(user, "full_name", "") or ""
    return f"{full}({user.get_username()})" if full else user.get_username()


def _payload(e: AuditEntry) -> bytes:
    at = e.at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        e.seq,
        at,
        e.actor_id,
        e.actor_name,
        e.unit_id,
        e.unit_label,
        e.client_addr,
        e.request_id,
        e.action,
        e.object_type,
        e.object_id,
        e.object_label,
        e.before,
        e.after,
        e.prev_hash,
    ]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(e: AuditEntry) -> str:
    return hashlib.sha256(_payload(e)).hexdigest()


def record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    unit: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    actor_name: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Append one row to the chain, inside the caller's transaction. `at` is the write's own time
    when the caller stamped its records with it (an import); otherwise now."""
    ctx = context.current()
    if unit is None and obj is not None:
        unit = obj if obj._meta.label == "orgs.Unit" else getattr(obj, "unit", None)
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    if not actor_name:
        actor_name = _person_name(actor) if actor is not None else ""
        if ctx.channel == "cli":
            actor_name = f"{actor_name} 命令行".strip()
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=(at or timezone.now()).astimezone(UTC),
            actor_id=getattr(actor, "pk", None),
            actor_name=actor_name[:150] or "系统",
            unit_id=getattr(unit, "pk", None),
            unit_label=str(unit)[:200] if unit is not None else "",
            client_addr=ctx.client_addr,
            request_id=ctx.request_id,
            action=action,
            object_type=object_type[:100],
            object_id=object_id[:64],
            object_label=object_label[:300],
            before=_jsonable(before),
            after=_jsonable(after),
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        head.seq, head.last_hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "last_hash"])
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify(batch: int = 2000) -> VerifyResult:
    """Recompute the chain from the first row; name the first row that does not hold."""
    prev_hash, expected_seq, checked = "", 1, 0
    qs = AuditEntry.objects.order_by("seq")
    last_seq = 0
    while True:
        rows = list(qs.filter(seq__gt=last_seq)[:batch])
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条记录")
            if e.prev_hash != prev_hash:
                return VerifyResult(False, checked, e.seq, "与前一条记录的链接不符")
            if entry_hash(e) != e.hash:
                return VerifyResult(False, checked, e.seq, "内容与哈希不符，记录已被改动")
            prev_hash, expected_seq, last_seq = e.hash, e.seq + 1, e.seq
            checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and head.seq != checked:
        return VerifyResult(False, checked, checked + 1, f"链头记录到第 {head.seq} 条，实际只有 {checked} 条")
    return VerifyResult(True, checked)


EXCEL_CELL_LIMIT = 32_000  # Excel holds at most 32,767 characters in a cell


def json_text(value: Any, limit: int | None = None) -> str:
    """The value as JSON text; cut at `limit` characters with a note saying so (an import's row
    holds every record it created: the audit page downloads those in full)."""
    text = "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if limit is not None and len(text) > limit:
        text = text[: limit - 40] + f"…（共 {len(text)} 字，已截断）"
    return text
