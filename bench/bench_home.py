"""The home page for one client against a real `taizhang serve` (gunicorn) on loopback.

The home page is what everyone opens first. One signed-in person at a time (the secretary, the
clerk, a member, the inspector) opens it again and again, the bare /ping interleaved with it so the floor is
measured on the same server in the same run. Target: the home page's median within 4x /ping's
median for each of them; the p95 and the number of requests are shown for information.

    .venv/bin/python bench/bench_home.py                       # SQLite
    TAIZHANG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh> .venv/bin/python bench/bench_home.py

HOME_ROUNDS changes how many times each page is opened.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchtable import print_table
from taizhang.loadclient import HttpSession, start_server

ROUNDS = int(os.environ.get("HOME_ROUNDS", 150))
PASSWORD = os.environ.get("TAIZHANG_DEMO_PASSWORD", "Bench-Home-2026")
EXE = str(Path(sys.executable).with_name("taizhang"))
PEOPLE = ("secretary", "clerk", "member", "inspector")


def percentile(ts: list[float], q: float) -> float:
    ts = sorted(ts)
    return ts[max(0, math.ceil(q * len(ts)) - 1)]


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="taizhang-home-"))
    env = {
        **os.environ,
        "TAIZHANG_DATA_DIR": str(data),
        "TAIZHANG_DEMO_PASSWORD": PASSWORD,
        "TAIZHANG_RATE_LIMIT": "0",  # one client opening a page hundreds of times a minute
        "DJANGO_SETTINGS_MODULE": "taizhang.settings",
    }
    vendor = "postgresql" if env.get("TAIZHANG_DATABASE_URL") else "sqlite"
    subprocess.run([EXE, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    proc, base = start_server(env, data / "server.log", workers=1)
    rows: list[tuple[object, ...]] = [("database", vendor, "", ""), ("rounds per page", str(ROUNDS), "", "")]
    try:
        for who in PEOPLE:
            s = HttpSession(base)
            s.login(who, PASSWORD)
            for _ in range(5):  # warm the worker: imports, templates, the first connection
                s.request("/")
                s.request("/ping")
            home: list[float] = []
            ping: list[float] = []
            for _ in range(ROUNDS):
                status, text, t = s.request("/")
                if status != 200 or "退出" not in text:
                    raise RuntimeError(f"{who}: the home page answered {status}")
                home.append(t)
                ping.append(s.request("/ping")[2])
            p50, ping50 = percentile(home, 0.5), percentile(ping, 0.5)
            ratio = p50 / ping50
            rows.append((f"{who}: ping p50 / p95 (ms)", f"{ping50 * 1000:.1f} / {percentile(ping, 0.95) * 1000:.1f}",
                         "", ""))  # fmt: skip
            rows.append((f"{who}: home p50 / p95 (ms)", f"{p50 * 1000:.1f} / {percentile(home, 0.95) * 1000:.1f}",
                         "p50 <= 4x ping", ratio <= 4, f"p50 {ratio:.2f}x ping"))  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
