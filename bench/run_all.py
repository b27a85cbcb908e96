"""`make bench`: every benchmark in bench/, one after another, then all their figures in one table
(figure, measured, target, ratio to its baseline, pass or FAIL). Each bench's own output is shown
as it runs; a bench that crashes is reported as a failed row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchtable import render

HERE = Path(__file__).parent
ORDER = [
    "bench_ledgers",
    "bench_rules",
    "bench_notify",
    "bench_notices",
    "bench_proofread",
    "bench_reports",
    "bench_search",
    "bench_load",
    "bench_home",
    "bench_hostile",
]


def main() -> int:
    only = sys.argv[1:] or ORDER
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as out:
        table = Path(out.name)
    rows: list[tuple[str, ...]] = []
    for name in only:
        print(f"=== {name}", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / f"{name}.py")], env={**os.environ, "BENCH_TABLE_FILE": str(table)}
        )
        if done.returncode != 0:
            rows.append((f"[{name}] exited with {done.returncode}", "", "", "", "FAIL"))
    for line in table.read_text(encoding="utf-8").splitlines():
        bench, *cells = json.loads(line)
        cells[0] = f"[{bench.removeprefix('bench_')}] {cells[0].strip()}"
        rows.append(tuple(cells))
    table.unlink()
    print("\n=== every benchmark")
    print(render([(r[0], r[1], r[2], "" if r[4] == "" else r[4] == "pass", r[3]) for r in rows]))
    return 1 if any(r[4] == "FAIL" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
