"""The audit log: one row per write, login, lockout or download, hash-chained so tampering shows.

`record()` is called explicitly by every service function, inside the transaction of the write it
describes, so a write and its row commit or roll back together. Writers serialise on `AuditHead`.

The chain is keyed: each row's hash is an HMAC under the installation's audit key, which lives
outside the database (DATA_DIR/audit_key, created 0600 on first use, or TAIZHANG_AUDIT_KEY) and is
never written into it or into a backup. The head carries its own HMAC, so someone who can write
the database but not read the key can neither recompute the rows nor move the head back. What a
database writer can still do — put back a head row saved earlier, after deleting the rows since —
is caught by checkpoints exported to a separate log (`checkpoint_line`, `check_checkpoints`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast
from django.utils import timezone

from . import context
from .models import AuditEntry, AuditHead

logger = logging.getLogger("taizhang.audit")

SECRET_FIELDS = {"password"}

AUDIT_ACTIONS: list[tuple[str, str]] = [
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
    ("refuse", "拒绝越权操作"),
    ("download", "下载"),
    ("signin", "扫码签到"),
    ("backup", "备份"),
    ("restore_backup", "恢复备份"),
    ("audit_break", "审计链异常"),
]
ACTION_LABELS = dict(AUDIT_ACTIONS)


def object_type_label(object_type: str) -> str:
    """ "ledger.Meeting" → "会议学习"; unknown types are shown as they are."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return {
            "backup": "备份",
            "audit": "审计日志",
            "export": "导出文件",
            "axes.AccessAttempt": "登录失败记录",
        }.get(object_type, object_type)


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


jsonable = _jsonable  # for callers that build a row's JSON themselves (an import's `native` row)


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


def _encode(value: Any) -> str:
    """The payload's JSON of one value: keys sorted, compact, Chinese as it is."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _payload(e: AuditEntry, after_text: str | None = None) -> bytes:
    """What a row's hash covers. `after_text` is `_encode(e.after)` when the writer has it already
    (a JSON list is its items' JSON joined by commas, so the bytes are the same)."""
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
    if after_text is None:
        return _encode(fields).encode()
    items = [_encode(v) for v in fields]
    items[13] = after_text
    return ("[" + ",".join(items) + "]").encode()


# -- the installation's audit key --------------------------------------------------------------

KEY_FILE = "audit_key"
KEY_MIN_LENGTH = 32


class AuditKeyMissing(Exception):
    """The key is needed (a restore on a new machine) and neither the file nor the variable is there."""


_file_keys: dict[str, bytes] = {}


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def installation_key(*, create: bool = True) -> bytes:
    """TAIZHANG_AUDIT_KEY if set, else the key file in the data directory (made on first use unless
    `create` is false: a restore must not invent a key that cannot check the archive)."""
    configured = str(getattr(settings, "AUDIT_KEY", "") or "")
    if configured:
        if len(configured) < KEY_MIN_LENGTH:
            raise ImproperlyConfigured(f"TAIZHANG_AUDIT_KEY 至少需要 {KEY_MIN_LENGTH} 个字符。")
        return configured.encode()
    path = key_path()
    cached = _file_keys.get(str(path))
    if cached is not None:
        return cached
    if not path.exists():
        if not create:
            raise AuditKeyMissing(
                f"找不到本安装的审计密钥 {path}（audit_key），也没有设置 TAIZHANG_AUDIT_KEY。"
                "请把原安装的 audit_key 放回数据目录后再恢复。"
            )
        _create_key_file(path)
    text = path.read_text().strip()
    if len(text) < KEY_MIN_LENGTH:
        raise ImproperlyConfigured(f"审计密钥文件 {path} 内容过短（至少 {KEY_MIN_LENGTH} 个字符）。")
    key = _file_keys[str(path)] = text.encode()
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # create-if-absent with its content: workers starting together agree on one key
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def derived_key(purpose: str) -> bytes:
    """One key per use (rows, head, checkpoints, backup manifests) so no MAC can stand in for another."""
    return hmac.new(installation_key(), purpose.encode(), hashlib.sha256).digest()


def key_id() -> str:
    """Names the key without revealing it: a backup or checkpoint made under another key says so."""
    return derived_key("key-id").hex()[:16]


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def entry_hash(e: AuditEntry, chain_key: bytes | None = None) -> str:
    return _mac(chain_key or derived_key("chain"), _payload(e))


def legacy_entry_hash(e: AuditEntry) -> str:
    """How rows were hashed before the chain was keyed (rows before the head's `keyed_from`)."""
    return hashlib.sha256(_payload(e)).hexdigest()


def head_mac(seq: int, last_hash: str, keyed_from: int) -> str:
    return _mac(derived_key("head"), f"{seq}|{last_hash}|{keyed_from}".encode())


def _head_ok(head: AuditHead) -> bool:
    return hmac.compare_digest(head.mac, head_mac(head.seq, head.last_hash, head.keyed_from))


def _append(head: AuditHead, chain_key: bytes, fields: dict[str, Any], *, large: bool = False) -> AuditEntry:
    """Chain and save one row. `large` (an import's table): `after` is encoded once, for the hash
    and as the stored JSON, instead of once each."""
    entry = AuditEntry(seq=head.seq + 1, prev_hash=head.last_hash, **fields)
    if large and entry.after is not None:
        after, text = entry.after, _encode(entry.after)
        entry.hash = _mac(chain_key, _payload(entry, text))
        entry.after = Cast(Value(text), models.JSONField())  # stored as encoded, not encoded again
        entry.save()
        entry.after = after
    else:
        entry.hash = entry_hash(entry, chain_key)
        entry.save()
    head.seq, head.last_hash = entry.seq, entry.hash
    head.mac = head_mac(head.seq, head.last_hash, head.keyed_from)
    return entry


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
    native: bool = False,
) -> AuditEntry:
    """Append one row to the chain, inside the caller's transaction. `at` is the write's own time
    when the caller stamped its records with it (an import); otherwise now. `native`: `before` and
    `after` hold JSON values only already (an import builds its table so), so they are neither
    copied value by value (`_jsonable`) nor encoded twice."""
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
        head, created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        chain_key = derived_key("chain")
        if not (created and not AuditEntry.objects.exists()) and not _head_ok(head):
            _mark_break(head, chain_key, ctx)
        entry = _append(
            head,
            chain_key,
            {
                "at": (at or timezone.now()).astimezone(UTC),
                "actor_id": getattr(actor, "pk", None),
                "actor_name": actor_name[:150] or "系统",
                "unit_id": getattr(unit, "pk", None),
                "unit_label": str(unit)[:200] if unit is not None else "",
                "client_addr": ctx.client_addr,
                "request_id": ctx.request_id,
                "action": action,
                "object_type": object_type[:100],
                "object_id": object_id[:64],
                "object_label": object_label[:300],
                "before": before if native else _jsonable(before),
                "after": after if native else _jsonable(after),
            },
            large=native,
        )
        head.save(update_fields=["seq", "last_hash", "mac"])
        _log_checkpoint(entry)
    return entry


def _mark_break(head: AuditHead, chain_key: bytes, ctx: Any) -> None:
    """Extending a head that was moved would launder the change: mark it in the chain for good."""
    logger.error("audit head MAC does not match at seq %s: rows may have been removed", head.seq)
    _append(
        head,
        chain_key,
        {
            "at": timezone.now().astimezone(UTC),
            "actor_name": "系统",
            "client_addr": ctx.client_addr,
            "request_id": ctx.request_id,
            "action": "audit_break",
            "object_type": "audit",
            "object_label": "链头与签名不符",
            "after": {"head_seq": head.seq, "head_hash": head.last_hash},
        },
    )


def _log_checkpoint(entry: AuditEntry) -> None:
    every = int(getattr(settings, "AUDIT_CHECKPOINT_EVERY", 0) or 0)
    if every and entry.seq % every == 0:
        line = checkpoint_line(entry.seq, entry.hash)
        # only once committed: a checkpoint naming a row that rolled back would be a false alarm
        transaction.on_commit(lambda: logger.info(line))


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _live_rows(batch: int) -> Iterator[AuditEntry]:
    last_seq = 0
    while True:
        rows = list(AuditEntry.objects.order_by("seq").filter(seq__gt=last_seq)[:batch])
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq


def verify(batch: int = 2000) -> VerifyResult:
    """Recompute the chain from the first row with the key; name the first row that does not hold."""
    head = AuditHead.objects.filter(pk=1).first()
    return verify_rows(_live_rows(batch), head)


def verify_rows(rows: Iterable[AuditEntry], head: AuditHead | None) -> VerifyResult:
    """The chain check on any source of rows in order (the live database, or a database about to be
    restored, read before it replaces anything)."""
    chain_key = derived_key("chain")
    keyed_from = head.keyed_from if head is not None else 1
    prev_hash, expected_seq, checked = "", 1, 0
    for e in rows:
        if e.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条记录")
        if e.prev_hash != prev_hash:
            return VerifyResult(False, checked, e.seq, "与前一条记录的链接不符")
        expected = entry_hash(e, chain_key) if e.seq >= keyed_from else legacy_entry_hash(e)
        if not hmac.compare_digest(expected, e.hash):
            return VerifyResult(
                False, checked, e.seq, "内容与哈希不符，记录已被改动（或审计密钥不是本安装的）"
            )
        if e.action == "audit_break":
            return VerifyResult(
                False, checked, e.seq, "写入时发现链头与签名不符：此前的审计记录可能被删除或改动"
            )
        prev_hash, expected_seq = e.hash, e.seq + 1
        checked += 1
    if head is None:
        if checked:
            return VerifyResult(False, checked, checked + 1, "缺少链头")
        return VerifyResult(True, 0)
    if not _head_ok(head):
        return VerifyResult(
            False, checked, head.seq, "链头签名不符：链头被改动（审计记录可能被删除），或审计密钥不是本安装的"
        )
    if head.seq != checked or head.last_hash != prev_hash:
        return VerifyResult(False, checked, checked + 1, f"链头记录到第 {head.seq} 条，实际只有 {checked} 条")
    return VerifyResult(True, checked)


# -- checkpoints for a separate log ---------------------------------------------------------------

CHECKPOINT_TAG = "taizhang-audit-checkpoint"
_CHECKPOINT = re.compile(
    CHECKPOINT_TAG
    + r" seq=(\d{1,19}) hash=([0-9a-f]{64}) at=(\S{1,40}) key=([0-9a-f]{16}) mac=([0-9a-f]{64})"
)


def _checkpoint_mac(seq: int, row_hash: str, at: str) -> str:
    return _mac(derived_key("checkpoint"), f"{seq}|{row_hash}|{at}".encode())


def checkpoint_line(seq: int, row_hash: str) -> str:
    """One signed line naming a row of the chain, for syslog/journald: whoever later deletes that
    row, or everything after an earlier head, cannot make the line disappear from the other log."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    mac = _checkpoint_mac(seq, row_hash, at)
    return f"{CHECKPOINT_TAG} seq={seq} hash={row_hash} at={at} key={key_id()} mac={mac}"


def current_checkpoint() -> str | None:
    head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    return checkpoint_line(head.seq, head.last_hash)


def check_checkpoints(lines: Iterable[str]) -> VerifyResult:
    """Every checkpoint line found (any prefix, as syslog or journalctl prints it) must carry this
    installation's signature and name a row the database still holds with the same hash."""
    found = 0
    for line in lines:
        m = _CHECKPOINT.search(line[:1000])
        if m is None:
            continue
        seq, row_hash, at, _kid, mac = int(m[1]), m[2], m[3], m[4], m[5]
        if not hmac.compare_digest(mac, _checkpoint_mac(seq, row_hash, at)):
            return VerifyResult(False, found, seq, "检查点签名不符：检查点被伪造，或来自另一安装")
        stored = AuditEntry.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if stored is None:
            return VerifyResult(False, found, seq, "检查点记录的这条审计记录已不在数据库中（审计记录被删除）")
        if stored != row_hash:
            return VerifyResult(False, found, seq, "与检查点记录的哈希不符，审计记录被改写")
        found += 1
    if not found:
        return VerifyResult(False, 0, None, "文件中没有找到审计检查点")
    return VerifyResult(True, found)


EXCEL_CELL_LIMIT = 32_000  # Excel holds at most 32,767 characters in a cell


def json_text(value: Any, limit: int | None = None) -> str:
    """The value as JSON text; cut at `limit` characters with a note saying so (an import's row
    holds every record it created: the audit page downloads those in full)."""
    text = "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
    if limit is not None and len(text) > limit:
        text = text[: limit - 40] + f"…（共 {len(text)} 字，已截断）"
    return text
