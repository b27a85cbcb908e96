"""Proofreader benchmarks: speed (≥ 1,000,000 characters per second on one core, time linear in
length), memory (a 10 MB input within 10× its size) and precision/recall per rule family on the
project's own corpus (tests/proofread). Prints each figure beside its target."""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

from benchtable import print_table
from taizhang.proofread import check
from taizhang.proofread.corpus import parse_marked, score

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "proofread"


def corpus() -> tuple[list[str], list[str]]:
    damaged = [p["text"] for p in yaml.safe_load((CORPUS / "damaged.yaml").read_text("utf-8"))]
    return damaged, [(CORPUS / "correct.txt").read_text("utf-8")]


def sample(chars: int) -> str:
    """Realistic input: the correct text with the damaged passages mixed in (about 1 in 8)."""
    damaged, correct = corpus()
    parts = correct[0].split("\n")
    plain = [parse_marked(d)[0] for d in damaged]
    out: list[str] = []
    size = i = 0
    while size < chars:
        piece = plain[(i // 8) % len(plain)] if i % 8 == 7 else parts[i % len(parts)]
        out.append(piece)
        size += len(piece) + 1
        i += 1
    return "\n".join(out)[:chars]


def seconds(text: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        check(text)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    check("预热：加载错别字表。")
    rows = []
    speeds = {}
    for n, rounds in ((10_000, 15), (100_000, 7), (1_000_000, 3)):
        t = seconds(sample(n), rounds)
        speeds[n] = t
        rows.append((f"check {n:,} characters, median (s)", f"{t:.4f}", "", ""))
    rate = 1_000_000 / speeds[1_000_000]
    rows.append(("characters per second (1M input)", f"{rate:,.0f}", ">= 1,000,000", rate >= 1_000_000))
    per_char_small = speeds[10_000] / 10_000
    per_char_big = speeds[1_000_000] / 1_000_000
    linear = per_char_big / per_char_small
    rows.append(("time per character, 1M vs 10k", f"{linear:.2f}x", "<= 1.5x", linear <= 1.5))

    big = sample(3_400_000)  # about 10 MB as UTF-8
    size = len(big.encode("utf-8"))
    tracemalloc.start()
    t0 = time.perf_counter()
    findings = check(big)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows.append(
        (f"10 MB input ({size / 1e6:.1f} MB, {len(findings):,} findings): time (s)", f"{elapsed:.2f}", "", "")
    )
    rows.append(("10 MB input: peak memory / input size", f"{peak / size:.2f}x", "<= 10x", peak <= 10 * size))

    damaged, correct = corpus()
    tallies = score(damaged, correct)
    correct_chars = sum(len(c) for c in correct)
    for family, t in sorted(tallies.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        target = ">= 0.95" if family == "all" else ""
        ok = (t.precision >= 0.95 and t.recall >= 0.9) if family == "all" else ""
        rows.append((f"precision / recall: {family}", f"{t.precision:.3f} / {t.recall:.3f}", target, ok))
    false_on_correct = len(check(correct[0]))
    rows.append(
        (
            f"findings on {correct_chars:,} characters of correct text",
            str(false_on_correct),
            "0",
            false_on_correct == 0,
        )
    )

    print(f"corpus: {len(damaged)} damaged passages, {correct_chars:,} characters of correct text")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
