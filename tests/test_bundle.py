"""What the offline bundle carries to a server, read as systemd and the shell will read it.

The bundle itself is built, installed, started and signed in to with no network by
deploy/bundle/prove-offline.sh, and its systemd branch run under a real systemd in namespaces of
its own by deploy/bundle/prove-systemd.sh, steps of .ci/run (they need root and the registry to
build, so they are not part of the test suite)."""

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


BUNDLE = ROOT / "deploy/bundle"


def test_install_fills_in_every_placeholder_of_the_units() -> None:
    install = (BUNDLE / "install.sh").read_text()
    substituted = set(re.findall(r'-e "s#(@[A-Z_]+@)#', install))
    used = {p for unit in (BUNDLE / "systemd").iterdir() for p in re.findall(r"@[A-Z_]+@", unit.read_text())}
    assert used and used <= substituted, used - substituted


def test_install_knows_every_timer_it_ships() -> None:
    """An upgrade stops every timer and keeps those the administrators turned off: a timer missing
    from TIMERS would fire while the environment is switched, or be enabled again."""
    install = (BUNDLE / "install.sh").read_text()
    m = re.search(r"^TIMERS=\(([^)]*)\)", install, re.M)
    assert m, "install.sh has no TIMERS=(…)"
    listed = set(m[1].split())
    shipped = {u.name for u in (BUNDLE / "systemd").glob("*.timer")}
    assert listed == shipped
    for timer in shipped:
        assert (BUNDLE / "systemd" / timer.replace(".timer", ".service")).exists(), timer


def test_ci_proves_the_systemd_branch() -> None:
    ci = (ROOT / ".ci/run").read_text().splitlines()
    assert ci.index("deploy/bundle/prove-systemd.sh") > ci.index("deploy/bundle/prove-offline.sh")
    proof = (BUNDLE / "prove-systemd.sh").read_text()
    # booted on its own: a custom target, no network, its own /run and /tmp, SIGKILL at the end
    for needle in (
        "--unit=proof.target",
        "--net",
        "--pid",
        "--cgroup",
        'tmpfs "$r/run"',
        'kill -KILL "$pid1"',
    ):
        assert needle in proof, needle
