"""One-file backups that can be taken while the server runs, and restores that check before touching.

The archive is a tar file, written 0600 (it holds every account's password hash):
  manifest.json            format, versions, database engine, and the size and SHA-256 of every member
  manifest.sig             HMAC-SHA256 of manifest.json under the installation's audit key
  database/taizhang.sqlite3 (SQLite, via the online backup API)  or  database/taizhang.pgdump (pg_dump -Fc)
  attachments/...          every attached file, under its stored name

The database copy leaves out `django_session` (a session key is a login). Neither the audit key nor
SECRET_KEY is in the archive: a restore on another machine needs the audit key put back first, so
keep a copy of DATA_DIR/audit_key (or TAIZHANG_AUDIT_KEY) apart from the backups.

A restore checks, before anything is replaced: the manifest's signature, that every member is a
plain file at a relative path inside the archive and listed in the manifest, every checksum, and
the audit chain of the incoming database under this installation's key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, connections

from . import audit
from .context import acting
from .models import AuditEntry, AuditHead

FORMAT = "taizhang-backup/2"
UNSIGNED_FORMAT = "taizhang-backup/1"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
# tables whose rows a backup leaves out: a session key is as good as the password it came from
EXCLUDED_TABLES = ("django_session",)
DATABASE_MEMBERS = {"sqlite": "database/taizhang.sqlite3", "postgresql": "database/taizhang.pgdump"}


class BackupError(Exception):
    pass


def manifest_signature(manifest: bytes, key: bytes) -> str:
    """The manifest's HMAC under `key` (the installation's audit key), with its own derived key."""
    signing_key = hmac.new(key, b"backup-manifest", hashlib.sha256).digest()
    return hmac.new(signing_key, manifest, hashlib.sha256).hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        "-h",
        str(db.get("HOST") or "127.0.0.1"),
        "-p",
        str(db.get("PORT") or 5432),
        "-U",
        str(db.get("USER") or "postgres"),
        "-d",
        str(db["NAME"]),
    ]
    return args, env


def _dump_database(dest_dir: Path) -> tuple[str, Path]:
    if connection.vendor == "sqlite":
        target = dest_dir / "taizhang.sqlite3"
        src = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]), timeout=60)
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)  # consistent snapshot while other processes keep writing
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            for table in EXCLUDED_TABLES:
                dst.execute(f'DELETE FROM "{table}"')  # noqa: S608 (a constant of this module)
            dst.commit()
            dst.execute("VACUUM")  # the deleted rows must not linger in free pages of the copy
        finally:
            dst.close()
            src.close()
        return "sqlite", target
    if connection.vendor == "postgresql":
        target = dest_dir / "taizhang.pgdump"
        args, env = _pg_env()
        proc = subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                *[f"--exclude-table-data={t}" for t in EXCLUDED_TABLES],
                "-f",
                str(target),
                *args,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise BackupError(f"pg_dump 失败：{proc.stderr.strip()[:300]}")
        return "postgresql", target
    raise BackupError(f"不支持的数据库：{connection.vendor}")


def create_backup(file: str | os.PathLike[str]) -> dict[str, Any]:
    out = Path(file)
    if out.exists():
        raise BackupError(f"目标文件已存在：{out}")
    key = audit.installation_key()
    with acting(channel="cli"):
        # the backup's own row goes in first, so the archive carries it
        audit.record(action="backup", object_type="backup", object_label=out.name)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="taizhang-backup-") as tmp:
        tmpdir = Path(tmp)
        engine, dbfile = _dump_database(tmpdir)
        members: list[tuple[str, Path]] = [(f"database/{dbfile.name}", dbfile)]
        attachments = []
        if media.exists():
            for path in sorted(p for p in media.rglob("*") if p.is_file()):
                rel = path.relative_to(media).as_posix()
                members.append((f"attachments/{rel}", path))
                attachments.append(rel)
        files = {}
        for name, path in members:
            files[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "taizhang_version": _version(),
            "django_version": django.get_version(),
            "engine": engine,
            "database": f"database/{dbfile.name}",
            "excluded_tables": list(EXCLUDED_TABLES),
            "key_id": audit.key_id(),
            "attachments": attachments,
            "files": files,
        }
        manifest_path = tmpdir / "manifest.json"
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        manifest_path.write_bytes(manifest_bytes)
        sig_path = tmpdir / "manifest.sig"
        sig_path.write_text(manifest_signature(manifest_bytes, key))
        partial = out.with_name(out.name + ".partial")
        partial.unlink(missing_ok=True)  # left by a backup that was cut short
        # 0600 from the first byte: the archive holds every password hash
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(manifest_path, arcname="manifest.json")
            tar.add(sig_path, arcname="manifest.sig")
            for name, path in members:
                tar.add(path, arcname=name)
        partial.replace(out)  # a backup cut short never looks like a finished one
    return manifest


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("taizhang")
    except PackageNotFoundError:
        return "unknown"


def _safe_member(name: str) -> bool:
    """A relative path of plain names that stays inside the archive's own folders."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    parts = name.split("/")
    return (
        not name.startswith("/")
        and all(p not in ("", ".", "..") for p in parts)
        and parts[0] in ("database", "attachments")
    )


def _read_small(tar: tarfile.TarFile, name: str) -> bytes | None:
    try:
        member = tar.getmember(name)
    except KeyError:
        return None
    if not member.isfile() or member.size > MANIFEST_MAX_BYTES:
        raise BackupError(f"备份文件的 {name} 不是普通文件或过大，未做任何改动。")
    f = tar.extractfile(member)
    return f.read() if f is not None else None


def _checked_manifest(tar: tarfile.TarFile, key: bytes) -> dict[str, Any]:
    """The manifest, once its signature holds and every path in it is inside the archive."""
    text = _read_small(tar, "manifest.json")
    if text is None:
        raise BackupError("备份文件缺少清单（manifest.json）。")
    manifest = json.loads(text.decode("utf-8"))
    if not isinstance(manifest, dict):
        raise BackupError("不是台账的备份文件，或备份格式不受支持。")
    if manifest.get("format") == UNSIGNED_FORMAT:
        raise BackupError(
            "这是升级前未签名格式的备份，本版本不恢复未签名的备份：请用做这份备份的版本恢复，再升级。"
        )
    if manifest.get("format") != FORMAT:
        raise BackupError("不是台账的备份文件，或备份格式不受支持。")
    sig = _read_small(tar, "manifest.sig")
    if sig is None:
        raise BackupError("备份文件没有签名（manifest.sig），不能确认它出自本安装，未做任何改动。")
    if not hmac.compare_digest(sig.decode("ascii", "replace").strip(), manifest_signature(text, key)):
        other = manifest.get("key_id") if manifest.get("key_id") != audit.key_id() else None
        why = f"它由另一安装的审计密钥（标识 {str(other)[:16]}）签名" if other else "清单已被改动"
        raise BackupError(f"备份文件的签名不符：{why}。未做任何改动。")
    files = manifest.get("files")
    engine = manifest.get("engine")
    if (
        not isinstance(files, dict)
        or engine not in DATABASE_MEMBERS
        or manifest.get("database") != DATABASE_MEMBERS[engine]
        or manifest["database"] not in files
    ):
        raise BackupError(f"备份清单含有不安全或不合规定的数据库路径：{str(manifest.get('database'))[:200]}")
    for name, info in files.items():
        if not _safe_member(name) or not isinstance(info, dict):
            raise BackupError(f"备份清单含有不安全的路径：{str(name)[:200]}")
    return manifest


def _extract_verified(file: Path, dest: Path) -> dict[str, Any]:
    """Extract into `dest` and check every member against the signed manifest; raise on any fault."""
    try:
        key = audit.installation_key(create=False)
    except audit.AuditKeyMissing as exc:
        raise BackupError(f"{exc}未做任何改动。") from exc
    root = dest.resolve()
    try:
        with tarfile.open(file, "r:gz") as tar:
            manifest = _checked_manifest(tar, key)
            expected = manifest["files"]
            seen: set[str] = set()
            for member in tar:
                if member.name in ("manifest.json", "manifest.sig"):
                    continue
                target = (root / member.name).resolve()
                if (
                    not member.isfile()
                    or not _safe_member(member.name)
                    or member.name not in expected
                    or member.name in seen
                    or not target.is_relative_to(root)
                ):
                    raise BackupError(f"备份文件含有清单之外或不安全的条目：{member.name[:200]}")
                tar.extract(member, dest, filter="data")
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError, KeyError, ValueError, TypeError) as exc:
        raise BackupError(f"备份文件已损坏或不完整，未做任何改动（{type(exc).__name__}）。") from exc
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"备份文件不完整，缺少 {len(missing)} 个文件，未做任何改动。")
    for name, info in expected.items():
        path = dest / name
        if path.stat().st_size != info.get("size") or _sha256(path) != info.get("sha256"):
            raise BackupError(f"备份文件校验失败：{name} 与清单不符，未做任何改动。")
    result = _incoming_chain(manifest["engine"], dest / manifest["database"])
    if not result.ok:
        raise BackupError(
            f"备份中的审计链校验失败：第 {result.broken_seq} 条记录，{result.reason}。未做任何改动。"
        )
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['engine']} 数据库，当前为 {connection.vendor}，不能直接恢复。")
    return manifest


# -- the incoming database's audit chain, read before it replaces anything -------------------------

CHAIN_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "unit_id",
    "unit_label",
    "client_addr",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "before",
    "after",
    "prev_hash",
    "hash",
)
HEAD_COLUMNS = ("seq", "last_hash", "keyed_from", "mac")


def _entry(values: dict[str, Any]) -> AuditEntry:
    at = datetime.fromisoformat(str(values["at"]))
    fields: dict[str, Any] = {
        **values,
        "at": at.replace(tzinfo=UTC) if at.tzinfo is None else at,
        "before": None if values["before"] is None else json.loads(values["before"]),
        "after": None if values["after"] is None else json.loads(values["after"]),
    }
    for name in ("seq", "actor_id", "unit_id"):
        fields[name] = None if fields[name] is None else int(fields[name])
    for name in CHAIN_COLUMNS:
        if fields[name] is None and name not in ("actor_id", "unit_id", "before", "after"):
            fields[name] = ""
    return AuditEntry(**fields)


def _head(values: dict[str, Any] | None) -> AuditHead | None:
    if values is None:
        return None
    return AuditHead(
        seq=int(values["seq"]),
        last_hash=values["last_hash"] or "",
        keyed_from=int(values["keyed_from"]),
        mac=values["mac"] or "",
    )


def _incoming_chain(engine: str, dbfile: Path) -> audit.VerifyResult:
    try:
        if engine == "sqlite":
            return _sqlite_chain(dbfile)
        return _pg_chain(dbfile)
    except (sqlite3.Error, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        return audit.VerifyResult(False, 0, None, f"无法读取备份中的审计记录（{type(exc).__name__}）")


def _sqlite_chain(dbfile: Path) -> audit.VerifyResult:
    conn = sqlite3.connect(f"{dbfile.resolve().as_uri()}?mode=ro", uri=True)
    try:
        head_row = conn.execute(
            f"SELECT {', '.join(HEAD_COLUMNS)} FROM core_audithead WHERE id = 1"  # noqa: S608 (constants)
        ).fetchone()
        head = _head(dict(zip(HEAD_COLUMNS, head_row, strict=True)) if head_row else None)
        cursor = conn.execute(
            f"SELECT {', '.join(CHAIN_COLUMNS)} FROM core_auditentry ORDER BY seq"  # noqa: S608 (constants)
        )
        rows = (_entry(dict(zip(CHAIN_COLUMNS, r, strict=True))) for r in cursor)
        return audit.verify_rows(rows, head)
    finally:
        conn.close()


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_field(raw: str) -> str | None:
    """One field of PostgreSQL's COPY text format."""
    if raw == "\\N":
        return None
    if "\\" not in raw:
        return raw
    out, i = [], 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in _COPY_ESCAPES:
                out.append(_COPY_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "01234567":
                j = i + 1
                while j < len(raw) and j < i + 4 and raw[j] in "01234567":
                    j += 1
                out.append(chr(int(raw[i + 1 : j], 8)))
                i = j
                continue
            out.append(nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _copy_rows(dbfile: Path, table: str) -> Iterator[dict[str, str | None]]:
    """The rows of one table of a pg_dump archive, streamed from pg_restore's COPY text (no scratch
    database needed)."""
    proc = subprocess.Popen(
        ["pg_restore", "--data-only", "-t", table, "-f", "-", str(dbfile)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdout is not None
    try:
        columns: list[str] = []
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            if line.startswith("COPY "):
                inside = line[line.index("(") + 1 : line.index(")")]
                columns = [c.strip().strip('"') for c in inside.split(",")]
            elif line == "\\.":
                columns = []
            elif columns:
                yield dict(zip(columns, (_copy_field(f) for f in line.split("\t")), strict=True))
    finally:
        proc.stdout.close()
        if proc.wait() != 0:
            raise ValueError("pg_restore failed")


def _pg_chain(dbfile: Path) -> audit.VerifyResult:
    """COPY gives rows in storage order, not by seq: they go through a scratch SQLite file beside the
    dump, which sorts on disk, so a long audit log is checked in bounded memory."""
    scratch = dbfile.with_name("audit-check.sqlite3")
    conn = sqlite3.connect(str(scratch))
    try:
        conn.execute(f"CREATE TABLE core_audithead (id INTEGER, {', '.join(HEAD_COLUMNS)})")
        conn.execute(
            f"CREATE TABLE core_auditentry ({', '.join(c + ' INTEGER' if c == 'seq' else c for c in CHAIN_COLUMNS)})"
        )
        for table, columns in (("core_audithead", ("id", *HEAD_COLUMNS)), ("core_auditentry", CHAIN_COLUMNS)):
            marks = ", ".join("?" for _ in columns)
            conn.executemany(
                f"INSERT INTO {table} VALUES ({marks})",  # noqa: S608 (constants)
                ([r[c] for c in columns] for r in _copy_rows(dbfile, table)),
            )
        conn.execute("CREATE INDEX entry_seq ON core_auditentry (seq)")
        conn.commit()
    finally:
        conn.close()
    return _sqlite_chain(scratch)


def restore_backup(file: str | os.PathLike[str]) -> dict[str, Any]:
    src = Path(file)
    if not src.is_file():
        raise BackupError(f"找不到备份文件：{src}")
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        manifest = _extract_verified(src, staging)
        # Verified: now replace the database, then the attachments.
        connections.close_all()
        _restore_database(manifest["engine"], staging / manifest["database"])
        _replace_attachments(staging / "attachments")
        with acting(channel="cli"):
            audit.record(
                action="restore_backup",
                object_type="backup",
                object_label=src.name,
                after={"created_at": manifest["created_at"]},
            )
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore_database(engine: str, dbfile: Path) -> None:
    """Replace the live database with the verified copy `dbfile`."""
    if engine == "sqlite":
        live = Path(settings.DATABASES["default"]["NAME"])
        incoming = sqlite3.connect(str(dbfile))
        target = sqlite3.connect(str(live), timeout=60)
        try:
            incoming.backup(target)  # page-by-page copy under SQLite's own locking
        finally:
            target.close()
            incoming.close()
        return
    args, env = _pg_env()
    proc = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(dbfile)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BackupError(f"pg_restore 失败：{proc.stderr.strip()[:300]}")


def _replace_attachments(incoming_media: Path) -> None:
    """Put the verified attachment folder in place of the live one (an empty folder when the backup
    held none); the live one is set aside first and removed once the new one stands."""
    media = Path(settings.MEDIA_ROOT)
    old = media.with_name(media.name + ".before-restore")
    if old.exists():
        shutil.rmtree(old)
    if media.exists():
        media.rename(old)
    if incoming_media.exists():
        incoming_media.rename(media)
    else:
        media.mkdir(parents=True)
    if old.exists():
        shutil.rmtree(old)
