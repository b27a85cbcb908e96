"""Load and concurrency against a real `taizhang serve` (gunicorn) on loopback, bounded in time.

1. 50 simulated people for 60 s, each signed in with their own account (clerk, member, secretary and
   inspector in turn), mixing each role's home page, list, detail,
   create, search and document generation with a short think time, the bare /ping among them (so
   the floor is measured interleaved with the pages, on the same server and machine). Targets:
   each page's p95 within 3x /ping's p95, 0 errors and 0 "database is locked"; the p50 and p95 in
   milliseconds are shown for information.
2. 20 writers x 200 creates as fast as they can (SQLite): exactly 4,000 new rows, 0 errors, and
   the audit chain verifies afterwards.

    .venv/bin/python bench/bench_load.py                       # SQLite
    TAIZHANG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh> .venv/bin/python bench/bench_load.py

LOAD_USERS, LOAD_SECONDS, LOAD_WORKERS, WRITERS and CREATES change the sizes.
"""

from __future__ import annotations

import html
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date
from pathlib import Path

from benchtable import print_table
from taizhang.loadclient import HttpSession, start_server

USERS = int(os.environ.get("LOAD_USERS", 50))
SECONDS = float(os.environ.get("LOAD_SECONDS", 60))
WORKERS = int(os.environ.get("LOAD_WORKERS", 4))
WRITERS = int(os.environ.get("WRITERS", 20))
CREATES = int(os.environ.get("CREATES", 200))
PASSWORD = "Load-Test-2026"
EXE = str(Path(sys.executable).with_name("taizhang"))
# the load accounts take these roles in turn (the inspector over the city, the others in the district);
# beyond the pages everyone opens, each role's own: (pages, weights)
ROLES = ("clerk", "member", "secretary", "inspector")
EXTRA = {
    "clerk": (["create", "document"], [10, 3]),
    "member": (["study"], [10]),
    "secretary": (["document"], [3]),
    "inspector": ([], []),
}

ACCOUNTS = """
import sys
from taizhang.core.context import acting
from taizhang.orgs import services
from taizhang.orgs.models import Unit
from taizhang.orgs.roles import Role
unit, city = Unit.objects.get(code="demo-dist"), Unit.objects.get(code="demo-city")
roles = [(unit, Role.CLERK), (unit, Role.MEMBER), (unit, Role.SECRETARY), (city, Role.INSPECTOR)]
with acting(channel="cli"):
    for i in range(int(sys.argv[1])):
        user = services.user_create(acting_user=None, username=f"load{i:02d}", full_name=f"压测{i:02d}",
                                    password=sys.argv[2], must_change_password=False)
        where, role = roles[i % len(roles)]
        services.membership_grant(acting_user=None, user=user, unit=where, role=role)
"""


def meeting_form(n: int) -> dict[str, str]:
    return {
        "kind": "analysis", "title": f"压测会议{n}", "held_at": f"{date.today().year - 1}-06-10T09:30",
        "host_text": "外单位专家", "expected": "10", "present": "9", "place": "会议室",
    }  # fmt: skip


def simulate(
    base: str, n: int, start: threading.Barrier, clock: dict[str, float], out: dict[str, list[float]],
    errors: list[str], lock: threading.Lock,
) -> None:  # fmt: skip
    rng = random.Random(n)
    role = ROLES[n % len(ROLES)]
    s = HttpSession(base)
    try:
        s.login(f"load{n:02d}", PASSWORD)
    except RuntimeError as exc:
        with lock:
            errors.append(str(exc))
        start.wait()  # the others still start together
        return
    start.wait()  # everyone signed in: the timed minute is page traffic, not 50 password checks
    deadline = clock["deadline"]
    status, text, _ = s.request("/ledger/meeting/?year=2025")
    ids = re.findall(r'href="/ledger/meeting/(\d+)/"', text) or ["1"]
    pages = ["ping", f"home ({role})", "list", "detail", "search"] + EXTRA[role][0]
    weights = [10, 10, 30, 25, 20] + EXTRA[role][1]
    count = 0
    while time.monotonic() < deadline:
        page = rng.choices(pages, weights)[0]
        if page == "ping":
            status, text, t = s.request("/ping")
        elif page.startswith("home"):  # each role's home page, opened again after the others' writes
            status, text, t = s.request("/")
        elif page == "list":
            status, text, t = s.request(
                f"/ledger/meeting/?year=2025&q={urllib.parse.quote('学习')}&page={rng.randint(1, 3)}"
            )
        elif page == "detail":
            status, text, t = s.request(f"/ledger/meeting/{rng.choice(ids)}/")
        elif page == "search":
            status, text, t = s.request(
                "/library/?q="
                + urllib.parse.quote(rng.choice(["学习", "意识形态", "长征", "会议 整改", "宣传"]))
            )
        elif page == "create":
            s.request("/ledger/meeting/new/")
            count += 1
            status, text, t = s.request("/ledger/meeting/new/", meeting_form(n * 10_000 + count))
        elif page == "study":
            _, form, _ = s.request("/library/selfstudy/new/")
            me = re.search(r'<select name="person"[^>]*>\s*<option value="(\d+)"', form)
            status, text, t = s.request(
                "/library/selfstudy/new/",
                {
                    "person": me.group(1) if me else "",
                    "studied_on": f"{date.today().year - 1}-05-06",
                    "hours": "0.5",
                    "note": "压测学习记录",
                },
            )
        else:
            status, text, t = s.request("/reports/", {"kind": "keypoints", "year": str(date.today().year)})
        with lock:
            out[page].append(t)
            if status >= 400 or 'class="invalid-feedback' in text or 'class="errorlist' in text:
                errors.append(f"{page} {status} {html.unescape(text[:200])!r}")
        time.sleep(rng.uniform(0.2, 1.0))


def writer(base: str, n: int, results: list[int], errors: list[str], lock: threading.Lock) -> None:
    s = HttpSession(base)
    s.login(f"load{n * len(ROLES):02d}", PASSWORD)  # every fourth account is a clerk
    s.request("/ledger/meeting/new/")
    ok = 0
    for i in range(CREATES):
        status, text, _ = s.request("/ledger/meeting/new/", meeting_form(900_000 + n * 1000 + i))
        if status == 200 and "已保存" in text:
            ok += 1
        else:
            with lock:
                errors.append(f"writer {n} #{i}: {status} {html.unescape(text[:160])!r}")
    with lock:
        results.append(ok)


def percentile(ts: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted times (q in 0..1)."""
    return ts[max(0, math.ceil(q * len(ts)) - 1)]


def count_meetings(env: dict[str, str]) -> int:
    code = "import django; django.setup(); from taizhang.ledger.models import Meeting; print(Meeting.objects.count())"
    return int(
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout
    )


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="taizhang-load-"))
    env = {**os.environ, "TAIZHANG_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "taizhang.settings"}
    vendor = "postgresql" if env.get("TAIZHANG_DATABASE_URL") else "sqlite"
    subprocess.run([EXE, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + ACCOUNTS, str(max(USERS, len(ROLES) * WRITERS)), PASSWORD],
        env=env, check=True,
    )  # fmt: skip
    log = data / "server.log"
    proc, base = start_server(env, log, WORKERS)
    rows: list[tuple[object, ...]] = [
        ("database", vendor, "", ""),
        ("server workers x threads", f"{WORKERS} x 4", "", ""),
    ]
    try:
        times: dict[str, list[float]] = defaultdict(list)
        errors: list[str] = []
        lock = threading.Lock()
        clock: dict[str, float] = {}
        start = threading.Barrier(USERS, action=lambda: clock.update(deadline=time.monotonic() + SECONDS))
        threads = [
            threading.Thread(target=simulate, args=(base, n, start, clock, times, errors, lock))
            for n in range(USERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = sum(len(v) for v in times.values())
        rows.append((f"{USERS} people for {SECONDS:.0f} s: requests", f"{total:,}", "", ""))
        pings = sorted(times["ping"])
        ping95 = percentile(pings, 0.95) if pings else 0.0
        homes = [f"home ({role})" for role in ROLES]
        for page in ("ping", *homes, "list", "detail", "search", "create", "study", "document"):
            ts = sorted(times[page])
            if not ts:
                continue
            p50, p95 = percentile(ts, 0.5), percentile(ts, 0.95)
            label = f"  {page}: p50 / p95 (ms), n={len(ts)}"
            shown = f"{p50 * 1000:.0f} / {p95 * 1000:.0f}"
            if page == "ping" or not ping95:
                rows.append((label + (" (the floor)" if page == "ping" else ""), shown, "", ""))
                continue
            ratio = p95 / ping95
            rows.append((label, shown, "p95 <= 3x ping", ratio <= 3, f"p95 {ratio:.2f}x ping"))
        locked = log.read_text(errors="replace").count("database is locked")
        rows.append(("load: errors", str(len(errors)), "0", not errors))
        rows.append(('load: "database is locked"', str(locked), "0", locked == 0))

        before = count_meetings(env)
        results: list[int] = []
        werrors: list[str] = []
        start = time.perf_counter()
        writers = [
            threading.Thread(target=writer, args=(base, n, results, werrors, lock)) for n in range(WRITERS)
        ]
        for t in writers:
            t.start()
        for t in writers:
            t.join()
        elapsed = time.perf_counter() - start
        created = count_meetings(env) - before
        expected = WRITERS * CREATES
        rows.append(
            (
                f"{WRITERS} writers x {CREATES} creates: new rows",
                f"{created:,}",
                f"{expected:,}",
                created == expected,
            )
        )
        rows.append(("  writes/s", f"{created / elapsed:,.0f}", "", ""))
        rows.append(("  writer errors", str(len(werrors)), "0", not werrors))
        locked_after = log.read_text(errors="replace").count("database is locked")
        rows.append(('  "database is locked"', str(locked_after - locked), "0", locked_after == locked))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    verify = subprocess.run([EXE, "audit", "verify"], env=env, capture_output=True, text=True)
    rows.append(
        ("audit chain verifies", "yes" if verify.returncode == 0 else "NO", "yes", verify.returncode == 0)
    )
    print_table(rows)
    for e in (errors + werrors)[:10]:
        print("  error:", e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
