"""One table for every benchmark: figure, measured, target, pass or FAIL (blank where a row only
informs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def print_table(rows: Sequence[tuple[str, str, str, Any]]) -> None:
    width = max(len("figure"), *(len(r[0]) for r in rows)) + 2
    measured_w = max(len("measured"), *(len(r[1]) for r in rows))
    target_w = max(len("target"), *(len(r[2]) for r in rows))
    print(f"{'figure':{width}} {'measured':>{measured_w}} {'target':>{target_w}}  result")
    for name, measured, target, ok in rows:
        verdict = "" if ok == "" else ("pass" if ok else "FAIL")
        print(f"{name:{width}} {measured:>{measured_w}} {target:>{target_w}}  {verdict}")
