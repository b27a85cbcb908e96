"""One table for every benchmark: figure, measured, target, ratio to its baseline where it has one,
pass or FAIL (blank where a row only informs). With BENCH_TABLE_FILE set, the rows are also
appended there as JSON lines, so `make bench` (bench/run_all.py) prints every bench in one table."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HEADERS = ("figure", "measured", "target", "vs baseline", "result")


def _cells(row: Sequence[Any]) -> list[str]:
    name, measured, target, ok, *rest = row
    verdict = "" if ok == "" else ("pass" if ok else "FAIL")
    return [str(name), str(measured), str(target), str(rest[0]) if rest else "", verdict]


def render(rows: Sequence[Sequence[Any]]) -> str:
    """Rows are (figure, measured, target, ok[, ratio to baseline]); ok "" for information."""
    cells = [list(HEADERS), *(_cells(r) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for c in cells:
        lines.append(
            f"{c[0]:{widths[0]}}  {c[1]:>{widths[1]}}  {c[2]:>{widths[2]}}  {c[3]:>{widths[3]}}  {c[4]}".rstrip()
        )
    return "\n".join(lines)


def print_table(rows: Sequence[Sequence[Any]]) -> None:
    print(render(rows))
    target = os.environ.get("BENCH_TABLE_FILE")
    if target:
        bench = Path(sys.argv[0]).stem
        with open(target, "a", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps([bench, *_cells(row)], ensure_ascii=False) + "\n")
