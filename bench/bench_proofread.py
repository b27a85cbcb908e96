"""Proofreader benchmarks: speed (≥ 1,000,000 characters per second on one core, time linear in
length, at most 8× the time of ten compiled regular expressions over the same text), memory (a
10 MB input within 10× its size), and quality — recall, precision and right fixes by family — on
the project's own corpus (tests/proofread) and, when it is present, on the shared set of real
copied texts with hand labels (../shared/proofread-real, scored the way its score.py scores:
by span overlap). Prints each figure beside its target."""

from __future__ import annotations

import gc
import os
import re
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from benchtable import print_table
from taizhang.proofread import Finding, apply, check
from taizhang.proofread.corpus import parse_marked, score

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "proofread"
REAL = Path(os.environ.get("PROOFREAD_REAL_SET", "/work/shared/proofread-real"))


def corpus() -> tuple[list[str], list[str]]:
    """Marked damaged passages (every *.yaml) and clean text full of traps (every *.txt)."""
    damaged = [
        p["text"] for path in sorted(CORPUS.glob("*.yaml")) for p in yaml.safe_load(path.read_text("utf-8"))
    ]
    return damaged, [path.read_text("utf-8") for path in sorted(CORPUS.glob("*.txt"))]


# --- the shared real set, scored as its score.py does ---------------------------------------------
def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def _labels(path: Path) -> list[tuple[int, int, str, str]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        p = line.split("\t")
        out.append((int(p[0]), int(p[1]), p[2], _unescape(p[4]) if len(p) > 4 else ""))
    return out


@dataclass
class RealTally:
    labelled: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    by_rule: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    fixes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    corrected_findings: int = 0


def _fix_is_right(text: str, label: tuple[int, int, str, str], edits: list[Finding]) -> bool:
    """Applying the findings' fixes over the label's region gives the label's fixed text."""
    a, n, _, fix = label
    lo, hi = min([a] + [f.start for f in edits]), max([a + n] + [f.end for f in edits])
    want = text[lo:a] + fix + text[a + n : hi]
    shifted = [Finding(f.rule, f.start - lo, f.end - lo, f.text, f.suggestion, f.message) for f in edits]
    return apply(text[lo:hi], shifted) == want


def _score_real_text(name: str, tally: RealTally) -> None:
    """One text: each label found when a finding overlaps it (a zero-length label: its character);
    of the found labels whose findings suggest a fix, how many fixes give the label's text."""
    text = (REAL / f"{name}.txt").read_text("utf-8")
    findings = check(text)
    labels = _labels(REAL / f"{name}.labels.tsv")
    lspans = [(a, a + max(n, 1)) for a, n, _, _ in labels]
    for label, (la, lb) in zip(labels, lspans, strict=True):
        family, fix = label[2], label[3]
        hits = [f for f in findings if f.start < lb and la < f.end]
        tally.labelled[family][1] += 1
        tally.labelled[family][0] += bool(hits)
        edits = [f for f in hits if f.suggestion is not None]
        if edits:
            human = fix.startswith("[") or "…" in fix  # only a person can say what belongs there
            tally.fixes[family][1] += 1
            tally.fixes[family][0] += not human and _fix_is_right(text, label, edits)
    for f in findings:
        tally.by_rule[f.rule][1] += 1
        tally.by_rule[f.rule][0] += any(f.start < lb and la < f.end for la, lb in lspans)
    corrected = REAL / "corrected" / f"{name}.txt"
    if corrected.exists():
        tally.corrected_findings += len(check(corrected.read_text("utf-8")))


def real_set(rows: list[tuple[object, ...]]) -> None:
    """Recall by label family, precision by rule, right fixes, findings on the corrected versions."""
    names = sorted(p.stem for p in REAL.glob("*.txt") if (REAL / f"{p.stem}.labels.tsv").exists())
    if not names:
        rows.append((f"shared real set: none at {REAL} (skipped)", "", "", ""))
        return
    t = RealTally()
    for name in names:
        _score_real_text(name, t)
    found, total = (sum(v[i] for v in t.labelled.values()) for i in (0, 1))
    true, finds = (sum(v[i] for v in t.by_rule.values()) for i in (0, 1))
    right, offered = (sum(v[i] for v in t.fixes.values()) for i in (0, 1))
    recall, precision = found / total, (true / finds if finds else 1.0)
    rate = right / offered if offered else 1.0
    rows.append(
        (
            f"shared real set ({len(names)} texts, {total} labels): recall",
            f"{recall:.3f}",
            ">= 0.9",
            recall >= 0.9,
        )
    )
    rows.append(
        ("shared real set: precision", f"{precision:.3f} ({true}/{finds})", ">= 0.95", precision >= 0.95)
    )
    rows.append(
        (
            "shared real set: right fixes / fixes suggested",
            f"{rate:.3f} ({right}/{offered})",
            ">= 0.9",
            rate >= 0.9,
        )
    )
    for family, (hit, n) in sorted(t.labelled.items(), key=lambda kv: -kv[1][1]):
        r, o = t.fixes[family]
        rows.append((f"  real recall: {family}", f"{hit}/{n}", "", "", f"fixes right {r}/{o}"))
    for rule, (ok, n) in sorted(t.by_rule.items(), key=lambda kv: -kv[1][1]):
        rows.append((f"  real precision: {rule}", f"{ok}/{n}", "", ""))
    ok = t.corrected_findings == 0
    rows.append(("shared real set: findings on the corrected versions", str(t.corrected_findings), "0", ok))


# the floor: ten compiled expressions of the kind the rules use, each run over the whole text
FLOOR = [
    re.compile(p)
    for p in (
        "[，。、；：？！]{2,}", "[,:;?!]", "[-—–]", "[“”‘’]", "[（）()]", "[ \u3000]+", "[Xx×某_*]+", "\\d+",
        "[A-Za-z]+", "[《》]",
    )
]  # fmt: skip


def floor_seconds(text: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        for pattern in FLOOR:
            for _m in pattern.finditer(text):
                pass
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sample(chars: int) -> str:
    """Realistic input: the correct text with the damaged passages mixed in (about 1 in 8)."""
    damaged, correct = corpus()
    parts = "\n".join(correct).split("\n")
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


def speed(rows: list[tuple[object, ...]]) -> None:
    """Characters per second on 1M characters, linearity against 10k, the ratio to the floor."""
    speeds = {}
    for n, rounds in ((10_000, 15), (100_000, 7), (1_000_000, 3)):
        speeds[n] = seconds(sample(n), rounds)
        rows.append((f"check {n:,} characters, median (s)", f"{speeds[n]:.4f}", "", ""))
    rate = 1_000_000 / speeds[1_000_000]
    rows.append(("characters per second (1M input)", f"{rate:,.0f}", ">= 1,000,000", rate >= 1_000_000))
    linear = (speeds[1_000_000] / 1_000_000) / (speeds[10_000] / 10_000)
    rows.append(("time per character, 1M vs 10k", f"{linear:.2f}x", "<= 1.5x", linear <= 1.5))
    ratio = speeds[1_000_000] / floor_seconds(sample(1_000_000), 3)
    rows.append(("1M input: check time / ten compiled regexes", f"{ratio:.1f}x", "<= 8x", ratio <= 8))


def memory(rows: list[tuple[object, ...]]) -> None:
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


def own_corpus(rows: list[tuple[object, ...]]) -> None:
    """Precision, recall and right fixes by family on the marked passages; findings on clean text."""
    damaged, correct = corpus()
    for family, t in sorted(score(damaged, []).items(), key=lambda kv: (kv[0] == "all", kv[0])):
        every = family == "all"
        rows.append(
            (
                f"corpus precision / recall / right fixes: {family}",
                f"{t.precision:.3f} / {t.recall:.3f} / {t.fix_rate:.3f} "
                f"(found {t.true_pos}/{t.true_pos + t.false_neg}, fixes {t.right_fix}/{t.suggested})",
                "P >= 0.95, R >= 0.9, fixes >= 0.9" if every else "",
                (t.precision >= 0.95 and t.recall >= 0.9 and t.fix_rate >= 0.9) if every else "",
            )
        )
    chars = sum(len(c) for c in correct)
    false_on_correct = sum(len(check(c)) for c in correct)
    rows.append(
        (
            f"findings on {chars:,} characters of clean text and traps",
            str(false_on_correct),
            "0",
            false_on_correct == 0,
        )
    )


def main() -> int:
    check("预热：加载错别字表。")
    rows: list[tuple[object, ...]] = []
    speed(rows)
    memory(rows)
    own_corpus(rows)
    real_set(rows)
    damaged, correct = corpus()
    print(
        f"corpus: {len(damaged)} damaged passages, {sum(map(len, correct)):,} characters of clean text and traps"
    )
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
