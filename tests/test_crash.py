"""kill -9 in the middle of work: the server (every gunicorn process) killed while it commits a
50,000-row import leaves all rows or none, the SQLite file passes integrity_check and the audit
chain verifies; a backup cut off leaves no archive that looks finished, the .partial file is
refused by restore, and nothing changed. Real processes, real SIGKILL."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROWS = 50_000
SETUP = """
from taizhang.core.context import acting
from taizhang.orgs import services
from taizhang.orgs.models import UnitKind
from taizhang.orgs.roles import Role
from taizhang.loadgen import meeting_workbook
with acting(channel="cli"):
    unit = services.unit_create(acting_user=None, code="crash", name="断电测试局", short_name="断电",
                                kind=UnitKind.COUNTY, parent=None)
    clerk = services.user_create(acting_user=None, username="crashclerk", full_name="甲",
                                 password="Crash-Pass-2026", must_change_password=False)
    services.membership_grant(acting_user=None, user=clerk, unit=unit, role=Role.CLERK)
meeting_workbook(sys.argv[1], int(sys.argv[2]), "甲")
"""


def _env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_DATABASE")}
    env.update(TAIZHANG_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="taizhang.settings")
    return env


def _taizhang(data: Path, *args: str, **kw) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("taizhang")
    return subprocess.run(
        [str(exe), *args], env=_env(data), capture_output=True, text=True, timeout=600, **kw
    )


def _kill_when(proc: subprocess.Popen[bytes], grown: Path, by: int, limit: float = 120) -> bool:
    """SIGKILL the process once `grown` is `by` bytes bigger than now (it is writing); False if it
    finished first."""
    start_size = grown.stat().st_size if grown.exists() else 0
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if grown.exists() and grown.stat().st_size >= start_size + by:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.01)
    raise AssertionError("the process neither wrote nor finished")


def _meetings(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM ledger_meeting").fetchone()[0]


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("crash")
    assert _taizhang(data, "manage", "migrate", "--noinput").returncode == 0
    setup = subprocess.run(
        [sys.executable, "-c", "import sys, django; django.setup()\n" + SETUP, str(data / "import.xlsx"), str(ROWS)],
        env=_env(data), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    return data


def test_kill_9_of_the_server_during_a_50000_row_import_leaves_all_rows_or_none(data: Path) -> None:
    """The clerk uploads the workbook, sees the preview and commits; while the server writes the
    50,000 rows, every gunicorn process is killed."""
    import re
    import threading

    from taizhang.loadclient import HttpSession, start_server

    db = data / "taizhang.sqlite3"
    server, base = start_server(_env(data), data / "server.log")
    try:
        browser = HttpSession(base)
        browser.login("crashclerk", "Crash-Pass-2026")
        browser.request("/ledger/meeting/import/")
        _, preview, _ = browser.request(
            "/ledger/meeting/import/", {}, files={"file": ("会议.xlsx", (data / "import.xlsx").read_bytes())}
        )
        token = re.search(r'name="token" value="([^"]+)"', preview)
        assert token, preview[-1500:]
        commit = threading.Thread(
            target=lambda: _ignore_errors(
                browser.request, "/ledger/meeting/import/", {"token": token.group(1)}
            )
        )
        commit.start()
        wal = data / "taizhang.sqlite3-wal"
        start = wal.stat().st_size if wal.exists() else 0
        deadline = time.monotonic() + 120
        while not (wal.exists() and wal.stat().st_size >= start + 2 * 1024 * 1024):
            assert time.monotonic() < deadline and commit.is_alive(), "the import finished before the kill"
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-transaction
        server.wait()
        commit.join(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert _meetings(db) in (0, ROWS)  # the write transaction is all or nothing
    assert _integrity(db) == "ok"
    verify = _taizhang(data, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # restart: the server answers again and the same import runs to the end
    server, base = start_server(_env(data), data / "server2.log")
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as resp:  # noqa: S310 (loopback)
            assert resp.status == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    again = _taizhang(data, "import", "meeting", str(data / "import.xlsx"), "--unit", "crash")
    assert again.returncode == 0, again.stdout + again.stderr
    assert _meetings(db) == ROWS and _integrity(db) == "ok"
    assert _taizhang(data, "audit", "verify").returncode == 0


def _ignore_errors(fn, *args) -> None:
    with contextlib.suppress(OSError):  # the server died under the request: that is the point
        fn(*args)


def test_kill_9_during_a_backup_leaves_nothing_that_looks_finished(data: Path) -> None:
    db = data / "taizhang.sqlite3"
    media = data / "attachments" / "bulk"
    media.mkdir(parents=True, exist_ok=True)
    for i in range(3):  # enough to keep gzip busy for a moment
        (media / f"scan{i}.bin").write_bytes(os.urandom(40 * 1024 * 1024))
    before = _meetings(db)
    archive = data / "backup.tar.gz"
    exe = Path(sys.executable).with_name("taizhang")
    proc = subprocess.Popen(
        [str(exe), "backup", str(archive)],
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert _kill_when(proc, data / "backup.tar.gz.partial", by=1024 * 1024)
    assert not archive.exists()  # only the .partial, never a finished-looking archive
    refused = _taizhang(data, "restore", str(data / "backup.tar.gz.partial"))
    assert refused.returncode != 0 and any("\u4e00" <= c <= "\u9fff" for c in refused.stdout + refused.stderr)
    assert _meetings(db) == before and _integrity(db) == "ok"
    assert _taizhang(data, "audit", "verify").returncode == 0
    done = _taizhang(data, "backup", str(archive))
    assert done.returncode == 0 and archive.exists(), done.stderr
