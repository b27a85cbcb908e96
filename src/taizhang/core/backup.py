"""One-file backups that can be taken while the server runs, and restores that check before touching.

The archive is a tar file:
  manifest.json            format, versions, database engine, and the size and SHA-256 of every member
  database/taizhang.sqlite3 (SQLite, via the online backup API)  or  database/taizhang.pgdump (pg_dump -Fc)
  attachments/...          every attached file, under its stored name
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection, connections

from . import audit
from .context import acting

FORMAT = "taizhang-backup/1"


class BackupError(Exception):
    pass


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
        finally:
            dst.close()
            src.close()
        return "sqlite", target
    if connection.vendor == "postgresql":
        target = dest_dir / "taizhang.pgdump"
        args, env = _pg_env()
        proc = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "-f", str(target), *args],
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
            "attachments": attachments,
            "files": files,
        }
        manifest_path = tmpdir / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(manifest_path, arcname="manifest.json")
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
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _extract_verified(file: Path, dest: Path) -> dict[str, Any]:
    """Extract into `dest` and check every member against the manifest; raise on any fault."""
    try:
        with tarfile.open(file, "r:gz") as tar:
            manifest_member = tar.extractfile("manifest.json")
            if manifest_member is None:
                raise BackupError("备份文件缺少清单（manifest.json）。")
            manifest = json.loads(manifest_member.read().decode("utf-8"))
            if manifest.get("format") != FORMAT:
                raise BackupError("不是台账的备份文件，或备份格式不受支持。")
            expected = manifest["files"]
            seen = set()
            for member in tar:
                if member.name == "manifest.json":
                    continue
                if not member.isfile() or not _safe_member(member.name) or member.name not in expected:
                    raise BackupError(f"备份文件含有清单之外或不安全的条目：{member.name}")
                tar.extract(member, dest, filter="data")
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise BackupError(f"备份文件已损坏或不完整，未做任何改动（{type(exc).__name__}）。") from exc
    missing = set(expected) - seen
    if missing:
        raise BackupError(f"备份文件不完整，缺少 {len(missing)} 个文件，未做任何改动。")
    for name, info in expected.items():
        path = dest / name
        if path.stat().st_size != info["size"] or _sha256(path) != info["sha256"]:
            raise BackupError(f"备份文件校验失败：{name} 与清单不符，未做任何改动。")
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['engine']} 数据库，当前为 {connection.vendor}，不能直接恢复。")
    return manifest


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
        dbfile = staging / manifest["database"]
        connections.close_all()
        if manifest["engine"] == "sqlite":
            live = Path(settings.DATABASES["default"]["NAME"])
            incoming = sqlite3.connect(str(dbfile))
            target = sqlite3.connect(str(live), timeout=60)
            try:
                incoming.backup(target)  # page-by-page copy under SQLite's own locking
            finally:
                target.close()
                incoming.close()
        else:
            args, env = _pg_env()
            proc = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(dbfile),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_restore 失败：{proc.stderr.strip()[:300]}")
        media = Path(settings.MEDIA_ROOT)
        old = media.with_name(media.name + ".before-restore")
        if old.exists():
            shutil.rmtree(old)
        if media.exists():
            media.rename(old)
        incoming_media = staging / "attachments"
        if incoming_media.exists():
            incoming_media.rename(media)
        else:
            media.mkdir(parents=True)
        if old.exists():
            shutil.rmtree(old)
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
