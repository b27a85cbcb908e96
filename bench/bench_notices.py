"""Notices benchmark (issue 17: notices down, submissions up). Prints each figure beside its target.

A generated province of 3,000 units (`taizhang gen-load`, the rules benchmark's province). The
province's secretary issues one notice to every unit below it (through notice_issue, as the page
does); the units' answers are then spread over every state the table shows (answered on time,
late, returned, accepted, not yet) by a bulk update — the benchmark measures reading the table,
not 3,000 uploads. Measured as the secretary's pages through Django's test client, alternating,
BENCH_REPEATS times (5), medians: the notice's page with the table over all its units, against the
rules subtree table of the same units in the same run (its baseline). Targets: the notice's table
within 2x the rules table, in at most 20 queries whatever the number of units. Issuing the notice
is shown for information.

Run: .venv/bin/python bench/bench_notices.py   (fresh SQLite in a temporary data directory; set
TAIZHANG_DATABASE_URL for PostgreSQL). BENCH_UNITS and BENCH_PER_UNIT make the province smaller
for development; the documented figures use the defaults.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from benchtable import print_table

UNITS = int(os.environ.get("BENCH_UNITS", 3000))
PER_UNIT = int(os.environ.get("BENCH_PER_UNIT", 200))
REPEATS = int(os.environ.get("BENCH_REPEATS", 5))


def main() -> int:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from taizhang.core.context import acting
    from taizhang.loadgen import generate
    from taizhang.notices import services
    from taizhang.notices.models import NoticeTarget, TargetState
    from taizhang.orgs import services as orgs
    from taizhang.orgs.models import Unit
    from taizhang.orgs.roles import Role

    setup_test_environment()  # the test client's hosts
    call_command("migrate", interactive=False, verbosity=0)
    counts = generate(units=UNITS, records_per_unit=PER_UNIT, seed=7, year=timezone.localdate().year)
    root = Unit.objects.get(code="load-p")
    with acting(channel="cli"):
        secretary = orgs.user_create(
            acting_user=None, username="bench-secretary", full_name="合成省局书记", password="Bench-Pass-2026a",
            must_change_password=False,
        )  # fmt: skip
        orgs.membership_grant(acting_user=None, user=secretary, unit=root, role=Role.SECRETARY)
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as issue_queries:
            notice = services.notice_issue(
                acting_user=secretary, unit=root, title="关于报送下半年意识形态工作专题报告的通知",
                body="请各单位按时报送。", deadline=timezone.localdate(), response="file", recipients=None,
            )  # fmt: skip
        issued = time.perf_counter() - t0
    ids = list(NoticeTarget.objects.filter(notice=notice).order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    spread = [
        (TargetState.ACCEPTED, now - timedelta(days=2)),
        (TargetState.SUBMITTED, now + timedelta(days=1)),  # late
        (TargetState.RETURNED, None),
        (TargetState.SUBMITTED, now),
        (TargetState.PENDING, None),
    ]
    for i, (state, when) in enumerate(spread):
        NoticeTarget.objects.filter(pk__in=ids[i :: len(spread)]).update(state=state, submitted_at=when)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    client = Client()
    client.force_login(secretary)
    notice_url = reverse("notices:detail", args=[notice.pk])
    rules_url = reverse("rules:subtree")

    def get(url: str) -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(response.content)

    get(notice_url), get(rules_url)  # warm
    html = client.get(notice_url).content.decode()
    assert html.count('class="tz-unit-col"><a') == len(ids), "the table shows every unit"
    times, floors = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        get(rules_url)
        floors.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            get(notice_url)
        times.append(time.perf_counter() - t0)
    median, bare = statistics.median(times), statistics.median(floors)
    ratio = median / bare
    print(f"database: {connection.vendor}; {counts['units']:,} units, {counts['records']:,} records")
    print_table([
        (f"issue a notice to {len(ids):,} units (s; {len(issue_queries)} queries)", f"{issued:.2f}", "", ""),
        (f"notice table page, {len(ids):,} units (s, median of {REPEATS})", f"{median:.3f}", "", ""),
        ("baseline: rules subtree table page of the same units (s)", f"{bare:.3f}", "", ""),
        ("notice table / rules table", f"{ratio:.2f}x", "<= 2x", ratio <= 2, f"{ratio:.2f}x rules table"),
        ("queries for the notice table page", str(len(queries)), "<= 20", len(queries) <= 20),
    ])  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
