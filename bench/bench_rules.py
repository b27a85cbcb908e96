"""Rules benchmark (issue: Responsibility rules). Prints each figure beside its target.

A generated province of 3,000 units and 600,000 records of one year (`taizhang gen-load`); the
superior's table for every rule (the default set: 14 rules, more than the 12 of the target)
computed for the whole province as its inspector sees it. Targets: at most 2 s on PostgreSQL and
4 s on SQLite, in at most 20 queries whatever the number of units.

Run: .venv/bin/python bench/bench_rules.py   (fresh SQLite in a temporary data directory; set
TAIZHANG_DATABASE_URL for PostgreSQL).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

from benchtable import print_table

UNITS = int(os.environ.get("BENCH_UNITS", 3000))
PER_UNIT = int(os.environ.get("BENCH_PER_UNIT", 200))


def main() -> int:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from taizhang.loadgen import generate
    from taizhang.orgs.models import Unit, User
    from taizhang.rules.services import evaluate_units

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    counts = generate(units=UNITS, records_per_unit=PER_UNIT, seed=7, year=2025)
    generated = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    inspector = User.objects.get(username="load-inspector")
    root = Unit.objects.get(code="load-p")

    def table() -> int:
        units = list(Unit.objects.restrict(inspector).filter(path__startswith=root.path).order_by("path"))
        results = evaluate_units(units, 2025, user=inspector)
        return sum(len(r.cells) for r in results)

    table()  # warm
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            pairs = table()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    target = 2.0 if connection.vendor == "postgresql" else 4.0
    print(f"database: {connection.vendor}; generated {counts['units']:,} units and {counts['records']:,} records "
          f"in {generated:.1f} s")  # fmt: skip
    print_table([
        (f"superior table, {pairs} unit x rule pairs (s, median of 3)", f"{median:.2f}", f"<= {target}", median <= target),
        ("queries for the table", str(len(queries)), "<= 20", len(queries) <= 20),
    ])  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
