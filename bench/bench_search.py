"""Search: 100,000 generated materials of about 1,000 characters each; a two-word query answers
in at most 50 ms median, in process (SQLite FTS5 or PostgreSQL GIN: set TAIZHANG_DATABASE_URL);
indexing runs at 500,000 characters per second or more. Prints figures beside targets."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time

from benchtable import print_table

N = int(os.environ.get("BENCH_MATERIALS", 100_000))
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


def main() -> int:
    setup()
    from django.db import transaction

    from taizhang.core import bulk
    from taizhang.library import search
    from taizhang.library.models import Material, SearchEntry

    rng = random.Random(11)
    from taizhang.core.context import acting
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
    chars = sum(len(t) for t in Material.objects.values_list("body", flat=True).iterator(chunk_size=5000))

    t0 = time.perf_counter()
    count = search.rebuild()
    indexing = time.perf_counter() - t0
    assert count == SearchEntry.objects.count() == N

    queries = [" ".join(rng.sample(WORDS, 2)) for _ in range(30)]
    search.search(queries[0])
    times, totals = [], []
    for q in queries:
        t0 = time.perf_counter()
        results = search.search(q, limit=20)
        times.append(time.perf_counter() - t0)
        totals.append(results.total)
    median_ms = statistics.median(times) * 1000
    rate = chars / indexing
    from django.db import connection

    rows = [
        ("database", connection.vendor, "", ""),
        ("materials indexed", f"{N:,}", "", ""),
        ("characters indexed", f"{chars:,}", "", ""),
        ("indexing (s)", f"{indexing:.1f}", "", ""),
        ("indexing rate (characters/s)", f"{rate:,.0f}", ">= 500,000", rate >= 500_000),
        ("two-word query, median of 30 (ms)", f"{median_ms:.1f}", "<= 50", median_ms <= 50),
        ("  matches per query, median", f"{statistics.median(totals):,.0f}", "", ""),
    ]
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
