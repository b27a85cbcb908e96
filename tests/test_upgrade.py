"""Operations over years: a database made by the previous release migrates with its records and its
audit chain; servers never migrate at start; scheduled backups keep the newest and restore.

The fixture (tests/fixtures/prev_release.sqlite3.gz) was made by the previous release, commit
bcbe9ba, with tests/fixtures/make_prev_release.py: its audit chain is unkeyed, and migration core
0004 of this release seals it under the installation's key."""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest

from .test_cli import run

FIXTURE = Path(__file__).parent / "fixtures" / "prev_release.sqlite3.gz"
PASSWORD = "Upgrade-demo-2025"  # the fixture's demo accounts
# the fixture is SQLite; the PostgreSQL pass of CI would run the very same thing again
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TAIZHANG_DATABASE_URL")), reason="SQLite fixture: runs in the SQLite pass"
)

SIGN_IN = """
from django.test import Client
c = Client(HTTP_HOST="127.0.0.1")
c.get("/login/")
r = c.post("/login/", {"username": "secretary", "password": "%s"}, follow=True)
assert "退出" in r.content.decode(), r.content.decode()[:300]
page = c.get("/ledger/meeting/").content.decode()
print("PAGE", page)
"""


def _previous_release(data: Path) -> Path:
    data.mkdir(parents=True)
    db = data / "taizhang.sqlite3"
    with gzip.open(FIXTURE, "rb") as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return db


def _rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the data tables (the ledgers, units, accounts, rules, documents, library)."""
    with sqlite3.connect(db) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if name.startswith(
                ("ledger_", "orgs_", "rules_", "reports_", "library_material", "core_attachment")
            )
        ]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}  # noqa: S608


def _audit(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT seq, action, object_type, object_id, actor_name FROM core_auditentry ORDER BY seq"
        ).fetchall()


def test_a_database_of_the_previous_release_migrates_with_its_records_and_audit_chain(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = _previous_release(data)
    before, audit_before = _rows(db), _audit(db)
    assert before["ledger_meeting"] and before["ledger_rectification"] and len(audit_before) > 100

    # a server started with --no-migrate refuses the old schema instead of failing on every page
    proc = run(["serve", "--no-migrate", "--port", "1"], data, check=False)
    assert proc.returncode == 1 and "尚未执行" in proc.stderr and "taizhang migrate" in proc.stderr

    out = run(["migrate"], data).stdout
    assert "已执行" in out and "数据库迁移" in out
    after = _rows(db)
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        if rows and len(after[table][0]) == len(rows[0]):  # a table no migration widened: row for row
            assert after[table] == rows, table
    assert _audit(db)[: len(audit_before)] == audit_before  # the history is kept, row for row
    assert "审计链完好" in run(["audit", "verify"], data).stdout
    assert (data / "audit_key").exists()  # the chain is now keyed

    page = run(["manage", "shell", "-c", SIGN_IN % PASSWORD], data).stdout
    with sqlite3.connect(db) as conn:
        titles = [
            t
            for (t,) in conn.execute(
                "SELECT title FROM ledger_meeting m JOIN orgs_unit u ON u.id = m.unit_id WHERE u.code = 'demo-dist'"
            )
        ]
    assert titles and any(t in page for t in titles)
    assert "数据库已是最新" in run(["migrate"], data).stdout  # a second run changes nothing


def test_scheduled_backups_keep_the_newest_and_the_kept_one_restores(tmp_path: Path) -> None:
    a, b, folder = tmp_path / "a", tmp_path / "b", tmp_path / "backups"
    _previous_release(a)
    run(["migrate"], a)
    folder.mkdir()
    # backups of earlier days, a stray file and an interrupted backup beside them
    run(["backup", "--dir", str(folder)], a)
    first = next(folder.glob("taizhang-*.tar.gz"))
    for day in ("20250101", "20250102"):
        shutil.copy(first, folder / f"taizhang-{day}-023000.tar.gz")
    (folder / "说明.txt").write_text("运维笔记")
    (folder / "taizhang-20250103-023000.tar.gz.partial").write_bytes(b"cut short")

    out = run(["backup", "--dir", str(folder), "--keep", "2"], a).stdout
    assert "删除了 2 份旧备份" in out
    kept = sorted(p.name for p in folder.glob("taizhang-*.tar.gz"))
    assert len(kept) == 2 and not any(n.startswith("taizhang-2025") for n in kept)
    assert (folder / "说明.txt").exists() and (folder / "taizhang-20250103-023000.tar.gz.partial").exists()
    refused = run(["backup", "--dir", str(folder), "--keep", "0"], a, check=False)
    assert refused.returncode == 1 and "--keep 至少为 1" in refused.stderr
    assert len(list(folder.glob("taizhang-*.tar.gz"))) == 2  # nothing pruned by a refused run

    # the drill: the older kept backup into a fresh data directory, with the key kept apart
    b.mkdir()
    (b / "audit_key").write_bytes((a / "audit_key").read_bytes())
    oldest = folder / kept[0]
    with tarfile.open(oldest) as tar:
        assert "database/taizhang.sqlite3" in tar.getnames()
    assert "恢复完成" in run(["restore", str(oldest)], b).stdout
    assert "审计链完好" in run(["audit", "verify"], b).stdout
    assert _rows(b / "taizhang.sqlite3")["ledger_meeting"] == _rows(a / "taizhang.sqlite3")["ledger_meeting"]
