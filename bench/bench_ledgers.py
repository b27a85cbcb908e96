"""Ledger benchmarks (issue: Ledgers). Prints each figure beside its target.

1. Filtered list page, rendered in process: median with 100,000 meetings in the unit against the
   same page with 100 meetings. Target: at most 3x.
2. Import of 50,000 meeting rows from .xlsx, validated and committed, against its floor measured
   in the same run on the same file: python-calamine reading it plus one bare `executemany` of the
   same rows into a plain table (one text column per sheet column, no index, one transaction).
   Floor and import alternate, BENCH_IMPORT_REPEATS times (3); medians. Target: at most 4x the
   floor. The rate (rows/s) is shown for information: it moves with the machine, the ratio not.

Run: .venv/bin/python bench/bench_ledgers.py   (uses a fresh SQLite database in a temporary data
directory; set TAIZHANG_DATABASE_URL to measure on PostgreSQL instead). BENCH_BIG and
BENCH_IMPORT make the data smaller for development; the documented figures use the defaults.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from benchtable import print_table

BIG, SMALL, IMPORT_ROWS = (
    int(os.environ.get("BENCH_BIG", 100_000)),
    100,
    int(os.environ.get("BENCH_IMPORT", 50_000)),
)
IMPORT_REPEATS = int(os.environ.get("BENCH_IMPORT_REPEATS", 3))


def setup_django() -> None:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-bench-"))
    os.environ.setdefault("TAIZHANG_ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("TAIZHANG_DEMO_PASSWORD", "Bench-Pass-2026")
    os.environ["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def fill(unit, host, n: int) -> None:
    from django.utils import timezone

    from taizhang.ledger.models import Meeting, MeetingKind

    kinds = list(MeetingKind.values)
    tz = timezone.get_current_timezone()
    start = datetime(2025, 1, 1, 9, tzinfo=tz)
    batch = []
    for i in range(n):
        batch.append(
            Meeting(
                unit=unit,
                kind=kinds[i % len(kinds)],
                title=f"第{i}次{'学习' if i % 3 else '研判'}会议",
                held_at=start + timedelta(minutes=(i * 525_600) // max(n, 1)),
                place="会议室",
                host=host,
                expected=10,
                present=9,
                content="传达学习上级有关文件精神。",
                created_by=host,
                updated_by=host,
            )
        )
        if len(batch) == 5000:
            Meeting.objects.bulk_create(batch)
            batch = []
    Meeting.objects.bulk_create(batch)


def median_render(client, url: str, params: dict[str, str], rounds: int = 15) -> float:
    client.get(url, params)  # warm up
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    return statistics.median(times)


def bench_list() -> tuple[float, float]:
    from django.test import Client
    from django.urls import reverse

    from taizhang.core.context import acting
    from taizhang.orgs import services
    from taizhang.orgs.models import UnitKind, User
    from taizhang.orgs.roles import Role

    with acting(channel="cli"):
        root = services.unit_create(
            acting_user=None,
            code="bench-prov",
            name="基准省局",
            short_name="基准省局",
            kind=UnitKind.PROVINCE,
        )
        big = services.unit_create(
            acting_user=None,
            code="bench-big",
            name="大单位",
            short_name="大单位",
            kind=UnitKind.COUNTY,
            parent=root,
        )
        small = services.unit_create(
            acting_user=None,
            code="bench-small",
            name="小单位",
            short_name="小单位",
            kind=UnitKind.COUNTY,
            parent=root,
        )
        clerk_big = services.user_create(
            acting_user=None,
            username="bigclerk",
            full_name="甲",
            password="Bench-Pass-2026",
            must_change_password=False,
        )
        clerk_small = services.user_create(
            acting_user=None,
            username="smallclerk",
            full_name="乙",
            password="Bench-Pass-2026",
            must_change_password=False,
        )
        services.membership_grant(acting_user=None, user=clerk_big, unit=big, role=Role.CLERK)
        services.membership_grant(acting_user=None, user=clerk_small, unit=small, role=Role.CLERK)
    fill(big, clerk_big, BIG)
    fill(small, clerk_small, SMALL)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum or a nightly ANALYZE would keep
        cursor.execute("ANALYZE")
    url = reverse("ledger:meeting_list")
    params = {"year": "2025", "kind": "analysis"}
    results = []
    for username in ("smallclerk", "bigclerk"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        results.append(median_render(client, url, params))
    return results[0], results[1]


def floor(path: Path) -> tuple[float, float]:
    """The least any import of this file costs: python-calamine's read, then the same rows handed
    to one bare `executemany` into a plain table in one transaction (nothing converted, checked or
    indexed). Returns (read, read + insert) in seconds; the table is emptied afterwards, untimed."""
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    read = time.perf_counter() - t0
    data = rows[1:]
    width = len(rows[0])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO bench_floor VALUES ({', '.join(['%s'] * width)})",  # noqa: S608 (no input)
            [list(r[:width]) + [None] * (width - len(r)) for r in data],
        )
    total = time.perf_counter() - t0
    assert len(data) == IMPORT_ROWS
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_floor")
    return read, total


def bench_import() -> tuple[list[float], list[float], list[float]]:
    """Floor and import alternate, so both see the same machine: (reads, floors, imports)."""
    from django.db import connection

    from taizhang.core import imports
    from taizhang.core.context import acting
    from taizhang.ledger.views import LEDGERS
    from taizhang.loadgen import meeting_workbook
    from taizhang.orgs.models import Unit, User

    views = next(v for v in LEDGERS if v.slug == "meeting")
    path = Path(os.environ["TAIZHANG_DATA_DIR"]) / "import.xlsx"
    meeting_workbook(path, IMPORT_ROWS, "甲")
    width = 9  # the template's columns (loadgen.meeting_workbook)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_floor ({', '.join(f'c{i} text' for i in range(width))})")

    unit = Unit.objects.get(code="bench-big")
    clerk = User.objects.get(username="bigclerk")
    reads, floors, fulls = [], [], []
    for _ in range(IMPORT_REPEATS):
        read, bare = floor(path)
        reads.append(read)
        floors.append(bare)
        t0 = time.perf_counter()
        with path.open("rb") as f, acting(channel="cli"):
            source = imports.source_of(path.name, f)
            result = imports.run_import(
                model=views.model,
                field_names=views.import_fields(),
                rows=imports.read_rows(path.name, f, path.stat().st_size, 100 * 1024 * 1024),
                unit=unit,
                acting_user=clerk,
                commit=True,
                source=source,
            )
        fulls.append(time.perf_counter() - t0)
        assert result.ok and result.created == IMPORT_ROWS, result.errors[:5]
    return reads, floors, fulls


def main() -> int:
    setup_django()
    from django.db import connection

    small, big = bench_list()
    reads, floors, fulls = bench_import()
    read_only, bare, full = (statistics.median(x) for x in (reads, floors, fulls))
    ratio_list = big / small
    rate = IMPORT_ROWS / full
    ratio_import = full / bare
    print(f"database: {connection.vendor}")
    rows = [
        (f"list page median, {SMALL} rows (s)", f"{small:.4f}", "", ""),
        (f"list page median, {BIG:,} rows (s)", f"{big:.4f}", "", ""),
        (
            f"list page ratio {BIG:,} / {SMALL}",
            f"{ratio_list:.2f}x",
            "<= 3x",
            ratio_list <= 3,
            f"{ratio_list:.2f}x {SMALL} rows",
        ),
        (
            f"import {IMPORT_ROWS:,} rows, median of {IMPORT_REPEATS}: floor, calamine read (s)",
            f"{read_only:.2f}",
            "",
            "",
        ),
        ("  floor: read + bare executemany of the rows (s)", f"{bare:.2f}", "", ""),
        ("  import: read, validate and commit (s)", f"{full:.2f}", "", ""),
        ("  import rate (rows/s)", f"{rate:,.0f}", "", ""),
        ("import / floor", f"{ratio_import:.2f}x", "<= 4x", ratio_import <= 4, f"{ratio_import:.2f}x floor"),
    ]
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
