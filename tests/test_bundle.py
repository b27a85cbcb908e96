"""What the offline bundle carries to a server, read as systemd and the shell will read it.

The bundle itself is built, installed, started and signed in to with no network by
deploy/bundle/prove-offline.sh, a step of .ci/run (it needs root for `unshare -n` and the registry
to build, so it is not part of the test suite)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy").rglob("*.service"))
ENV_FILES = sorted((ROOT / "deploy").glob("*/taizhang.env.example"))


def test_no_server_unit_migrates_at_start() -> None:
    servers = [u for u in UNITS if "taizhang serve" in u.read_text()]
    assert len(servers) >= 2  # the bundle's and the province's
    for unit in servers:
        start = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
        assert "serve --no-migrate" in start, unit


def test_environment_files_hold_nothing_systemd_would_misread() -> None:
    """systemd's EnvironmentFile takes everything after '=' as the value, a trailing '# …' included."""
    assert ENV_FILES
    for path in ENV_FILES:
        for n, line in enumerate(path.read_text().splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                assert re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", line), f"{path.name}:{n}: {line}"


def test_timers_back_up_with_retention_and_export_checkpoints() -> None:
    backup = (ROOT / "deploy/bundle/systemd/taizhang-backup.service").read_text()
    assert re.search(r"taizhang backup --dir \S+ --keep [1-9]", backup)
    assert (
        "audit checkpoint --syslog"
        in (ROOT / "deploy/bundle/systemd/taizhang-checkpoint.service").read_text()
    )
    for timer in ("taizhang-backup.timer", "taizhang-checkpoint.timer"):
        text = (ROOT / "deploy/bundle/systemd" / timer).read_text()
        assert "OnCalendar=" in text and "Persistent=true" in text
