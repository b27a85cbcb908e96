"""Search: 100,000 generated materials of about 1,000 characters each; a two-word query, in
process (SQLite FTS5 or PostgreSQL GIN: set TAIZHANG_DATABASE_URL), against its floor measured in
the same run on the same index: the bare count of the entries the index matches for the query's
words, up to the count the search reports (10,001) — on SQLite one FTS5 MATCH count, on PostgreSQL
the GIN gram-set count the index answers. Query and floor alternate, over 60 queries three times
(each time the other one first); medians of the 180. On SQLite the times are the CPU time of the
benchmark's thread, which does all the work in process, so the machine's other work does not
count (the wall-clock medians are shown beside); on PostgreSQL the server works, so wall clock.
Target: the search within 5x the floor. The query time and the indexing rate are shown for
information. Prints figures beside targets.

Run: .venv/bin/python bench/bench_search.py   BENCH_MATERIALS (or a first argument) makes the
corpus smaller for development; the documented figures use the default 100,000."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from typing import Any

from benchtable import print_table

N = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_MATERIALS", 100_000))
QUERIES, ROUNDS = 60, 3
WORDS = [
    "学习",
    "贯彻",
    "落实",
    "意识形态",
    "工作",
    "责任制",
    "理论",
    "党组",
    "支部",
    "会议",
    "研判",
    "宣传",
    "阵地",
    "舆情",
    "整改",
    "督查",
    "报告",
    "计划",
    "气象",
    "服务",
    "防灾",
    "减灾",
    "科普",
    "预警",
    "群众",
    "干部",
    "职工",
    "党员",
    "思想",
    "政治",
    "建设",
    "作风",
    "纪律",
    "制度",
    "机制",
    "要求",
    "部署",
    "推进",
    "加强",
    "完善",
    "提高",
    "组织",
    "领导",
    "班子",
    "基层",
    "单位",
    "网络",
    "信息",
    "发布",
    "审核",
    "检查",
    "问题",
    "风险",
    "隐患",
    "措施",
    "成效",
    "长征",
    "延安",
    "精神",
    "传统",
    "历史",
    "文化",
    "新时代",
    "初心",
    "使命",
    "担当",
    "作为",
    "创新",
    "发展",
    "安全",
    "稳定",
    "改革",
    "开放",
    "人民",
    "群众",
]


def setup() -> None:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def body(rng: random.Random) -> str:
    out, size = [], 0
    while size < 1000:
        sentence = "".join(rng.choices(WORDS, k=rng.randint(4, 9))) + rng.choice("，。；")
        out.append(sentence)
        size += len(sentence)
    return "".join(out)


def floor_count(words: list[str], cap: int) -> int:
    """The bare index count for the words: what the search's own total costs at the least."""
    from django.db import connection, transaction

    from taizhang.library import search
    from taizhang.library.models import SearchEntry

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # each word's one character, or the phrase of its pairs: one column, no filter
            expr = " AND ".join(
                '"' + " ".join([w[i : i + 2] for i in range(len(w) - 1)] or [w]) + '"' for w in words
            )
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {search.FTS} WHERE {search.FTS} MATCH %s LIMIT %s)",  # noqa: S608
                [expr, cap],
            )
            return int(cursor.fetchone()[0])
        grams = list(dict.fromkeys(g for w in words for g in search.query_grams(w)[0]))
        table = connection.ops.quote_name(SearchEntry._meta.db_table)
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")  # the index, as the search uses it
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} "  # noqa: S608 (table name, no input)
                "WHERE string_to_array(grams, ' ') @> %s::text[] LIMIT %s) t",
                [grams, cap],
            )
            return int(cursor.fetchone()[0])


def measure(queries: list[str], cap: int, clock: Any) -> dict[str, list[float]]:
    """Times by `clock` and wall clock of the search and of the floor, and the totals: each query's
    floor and search one after the other, ROUNDS times, the floor first in one round and second in
    the next."""
    from taizhang.library import search

    search.search(queries[0])
    floor_count(queries[0].split(), cap)
    out: dict[str, list[float]] = {k: [] for k in ("search", "floor", "search wall", "floor wall", "totals")}
    for round_ in range(ROUNDS):
        for q in queries:
            for step in ("floor", "search") if round_ % 2 == 0 else ("search", "floor"):
                t0, w0 = clock(), time.perf_counter()
                if step == "floor":
                    bare = floor_count(q.split(), cap)
                else:
                    results = search.search(q, limit=20)
                out[step].append(clock() - t0)
                out[step + " wall"].append(time.perf_counter() - w0)
            out["totals"].append(results.total)
            assert min(bare, search.COUNT_CAP) >= results.total, (q, bare, results.total)  # the same matches
    return out


def build(rng: random.Random) -> int:
    """The N materials of one unit; the characters of their bodies."""
    from django.db import transaction

    from taizhang.core import bulk
    from taizhang.core.context import acting
    from taizhang.library.models import Material
    from taizhang.orgs import services
    from taizhang.orgs.models import UnitKind

    with acting(channel="cli"):
        unit = services.unit_create(
            acting_user=None, code="bench-lib", name="检索基准单位", short_name="检索",
            kind=UnitKind.COUNTY, party_org_name="检索基准单位党支部", parent=None,
        )  # fmt: skip
    materials = []
    with transaction.atomic():
        for i in range(N):
            materials.append(
                Material(
                    unit=unit,
                    title=f"学习资料{i}：" + "".join(rng.choices(WORDS, k=3)),
                    kind="document",
                    body=body(rng),
                )
            )
            if len(materials) == 5000:
                bulk.insert_objects(materials)
                materials = []
        bulk.insert_objects(materials)
    return sum(len(t) for t in Material.objects.values_list("body", flat=True).iterator(chunk_size=5000))


def main() -> int:
    setup()
    from django.db import connection

    from taizhang.library import search
    from taizhang.library.models import SearchEntry

    rng = random.Random(11)
    chars = build(rng)
    t0 = time.perf_counter()
    count = search.rebuild()
    indexing = time.perf_counter() - t0
    assert count == SearchEntry.objects.count() == N

    queries = [" ".join(rng.sample(WORDS, 2)) for _ in range(QUERIES)]
    cap = search.COUNT_CAP + 1
    sqlite = connection.vendor == "sqlite"
    got = measure(queries, cap, time.thread_time if sqlite else time.perf_counter)
    times, floors, totals = got["search"], got["floor"], got["totals"]
    clock_unit = "CPU ms" if sqlite else "ms"
    wall = statistics.median(got["search wall"]) * 1000, statistics.median(got["floor wall"]) * 1000
    median_ms = statistics.median(times) * 1000
    floor_ms = statistics.median(floors) * 1000
    ratio = median_ms / floor_ms
    rate = chars / indexing

    rows = [
        ("database", connection.vendor, "", ""),
        ("materials indexed", f"{N:,}", "", ""),
        ("characters indexed", f"{chars:,}", "", ""),
        ("indexing (s)", f"{indexing:.1f}", "", ""),
        ("indexing rate (characters/s)", f"{rate:,.0f}", "", ""),
        (
            f"two-word query, first page of 20, median of {len(times)} ({clock_unit})",
            f"{median_ms:.1f}",
            "",
            "",
        ),
        ("  matches per query, median", f"{statistics.median(totals):,.0f}", "", ""),
        (f"floor: bare index count of the words, up to {cap:,} ({clock_unit})", f"{floor_ms:.2f}", "", ""),
        ("  wall clock: query, floor (ms)", f"{wall[0]:.1f}, {wall[1]:.2f}", "", ""),
        ("query / floor", f"{ratio:.2f}x", "<= 5x", ratio <= 5, f"{ratio:.2f}x floor"),
    ]
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
