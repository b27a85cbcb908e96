"""Reminder benchmark (issue 17: 事前提醒). Prints each figure beside its target.

A generated province of 3,000 units and 600,000 records of one year (`taizhang gen-load`), every
unit's 联络员 with an e-mail address and e-mail switched on. The daily reminder pass
(`taizhang notify remind`) on 15 June, five days before the half-year report falls due: it
evaluates every unit's rules, writes a reminder row for each unit still owing the report, a message
to its 联络员 and the e-mail's outbox row — against its floor measured in the same run: one rules
evaluation of the province (the same `evaluate_units` over every unit, nothing written). Floor and
pass alternate, BENCH_REPEATS times (3), each pass on an empty reminder table; medians. Target:
the pass within 3x the floor. The queries of a pass, and a second pass the same day (which finds
everything reminded and writes nothing), are shown for information.

Run: .venv/bin/python bench/bench_notify.py   (fresh SQLite in a temporary data directory; set
TAIZHANG_DATABASE_URL for PostgreSQL). BENCH_UNITS and BENCH_PER_UNIT make the province smaller.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date

from benchtable import print_table

UNITS = int(os.environ.get("BENCH_UNITS", 3000))
PER_UNIT = int(os.environ.get("BENCH_PER_UNIT", 200))
REPEATS = int(os.environ.get("BENCH_REPEATS", 3))
DAY = date(2025, 6, 15)


def main() -> int:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    os.environ["TAIZHANG_NOTIFY_EMAIL"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from taizhang.core.context import acting
    from taizhang.loadgen import generate
    from taizhang.notify import reminders
    from taizhang.notify.models import Delivery, Message, Reminder
    from taizhang.orgs.models import Unit, User
    from taizhang.rules.services import evaluate_units

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    counts = generate(units=UNITS, records_per_unit=PER_UNIT, seed=7, year=DAY.year)
    generated = time.perf_counter() - t0
    User.objects.filter(username="load-clerk").update(email="load-clerk@example.cn")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def floor() -> int:
        units = list(Unit.objects.filter(is_active=True).order_by("path"))
        return sum(len(r.cells) for r in evaluate_units(units, DAY.year, user=None, today=DAY))

    def clear() -> None:
        Delivery.objects.all().delete()
        Message.objects.all().delete()
        Reminder.objects.all().delete()

    def remind() -> reminders.PassResult:
        with acting(channel="cli"):
            return reminders.remind(today=DAY, days=7)

    floor()  # warm
    floors, passes = [], []
    result = None
    for _ in range(REPEATS):
        clear()
        t0 = time.perf_counter()
        floor()
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = remind()
        passes.append(time.perf_counter() - t0)
    assert result is not None and result.reminders > 0
    t0 = time.perf_counter()
    again = remind()
    second = time.perf_counter() - t0
    assert again.reminders == 0 and again.messages == 0
    median, bare = statistics.median(passes), statistics.median(floors)
    ratio = median / bare
    print(f"database: {connection.vendor}; generated {counts['units']:,} units and {counts['records']:,} records "
          f"in {generated:.1f} s")  # fmt: skip
    print_table([
        (f"reminder pass: {result.reminders:,} reminders, {result.messages:,} messages, "
         f"{result.deliveries:,} e-mails queued (s, median of {REPEATS})", f"{median:.2f}", "", ""),
        ("floor: one rules evaluation of the province (s)", f"{bare:.2f}", "", ""),
        ("reminder pass / floor", f"{ratio:.2f}x", "<= 3x", ratio <= 3, f"{ratio:.2f}x floor"),
        ("queries for the pass", str(len(queries)), "", ""),
        ("second pass the same day, nothing new (s)", f"{second:.2f}", "", ""),
    ])  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
