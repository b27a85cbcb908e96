"""Rules benchmark (issue: Responsibility rules). Prints each figure beside its target.

A generated province of 3,000 units and 600,000 records of one year (`taizhang gen-load`); the
superior's table for every rule (the default set: 14 rules, more than the 12 of the target)
computed for the whole province as its inspector sees it, against its floor measured in the same
run over the same rows: one grouped SQL count of the generated records (meetings, reports,
positions, inspections) per unit of the province. Floor and table alternate, BENCH_REPEATS times
(5); medians. Targets: the table within 5x the floor, in at most 20 queries whatever the number
of units. The table's absolute time is shown for information.

Run: .venv/bin/python bench/bench_rules.py   (fresh SQLite in a temporary data directory; set
TAIZHANG_DATABASE_URL for PostgreSQL). BENCH_UNITS and BENCH_PER_UNIT make the province smaller
for development; the documented figures use the defaults.
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
REPEATS = int(os.environ.get("BENCH_REPEATS", 5))


def floor_sql(root_path: str) -> tuple[str, list[str]]:
    """One grouped count over the rows the table is made of: every generated record of the
    province's units, per unit (one statement, UNION ALL of the four record tables)."""
    from django.db import connection

    from taizhang.ledger import models as m
    from taizhang.orgs.models import Unit

    q = connection.ops.quote_name
    tables = [x._meta.db_table for x in (m.Meeting, m.ReportRecord, m.Position, m.PositionInspection)]
    rows = " UNION ALL ".join(f"SELECT unit_id FROM {q(t)}" for t in tables)  # noqa: S608 (no input)
    units = q(Unit._meta.db_table)
    sql = (
        f"SELECT r.unit_id, count(*) FROM ({rows}) r "  # noqa: S608 (table names, no input)
        f"WHERE r.unit_id IN (SELECT id FROM {units} WHERE path LIKE %s) GROUP BY r.unit_id"
    )
    return sql, [root_path + "%"]


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

    sql, params = floor_sql(root.path)

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return sum(n for _, n in cursor.fetchall())

    table()  # warm
    assert floor() == counts["records"]
    times, floors = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            pairs = table()
        times.append(time.perf_counter() - t0)
    median, bare = statistics.median(times), statistics.median(floors)
    ratio = median / bare
    print(f"database: {connection.vendor}; generated {counts['units']:,} units and {counts['records']:,} records "
          f"in {generated:.1f} s")  # fmt: skip
    print_table([
        (f"superior table, {pairs:,} unit x rule pairs (s, median of {REPEATS})", f"{median:.2f}", "", ""),
        (f"floor: one grouped count of the {counts['records']:,} records per unit (s)", f"{bare:.3f}", "", ""),
        ("superior table / floor", f"{ratio:.2f}x", "<= 5x", ratio <= 5, f"{ratio:.2f}x floor"),
        ("queries for the table", str(len(queries)), "<= 20", len(queries) <= 20),
    ])  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
