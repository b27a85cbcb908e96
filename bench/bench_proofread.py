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
from pathlib import Path

import yaml

from benchtable import print_table
from taizhang.proofread import apply, check
from taizhang.proofread.corpus import parse_marked, score

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "proofread"
REAL = Path(os.environ.get("PROOFREAD_REAL_SET", "/work/shared/proofread-real"))


def corpus() -> tuple[list[str], list[str]]:
    """Marked damaged passages (every *.yaml) and clean text (correct.txt, traps.txt)."""
    damaged = [
        p["text"] for path in sorted(CORPUS.glob("*.yaml")) for p in yaml.safe_load(path.read_text("utf-8"))
    ]
    return damaged, [(CORPUS / name).read_text("utf-8") for name in ("correct.txt", "traps.txt")]


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


def real_set(rows: list[tuple[object, ...]]) -> None:
    """Recall by label family, precision by rule, right fixes (of the found labels whose findings
    suggest a fix, how many give the label's text when applied) and findings on the corrected
    versions. A label is found when a finding overlaps it (a zero-length label: its character)."""
    names = sorted(p.stem for p in REAL.glob("*.txt") if (REAL / f"{p.stem}.labels.tsv").exists())
    if not names:
        rows.append((f"shared real set: none at {REAL} (skipped)", "", "", ""))
        return
    labelled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    fixes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    corrected_findings = 0
    for name in names:
        text = (REAL / f"{name}.txt").read_text("utf-8")
        findings = check(text)
        spans = [(f.start, f.end) for f in findings]
        labels = _labels(REAL / f"{name}.labels.tsv")
        lspans = [(a, a + max(n, 1)) for a, n, _, _ in labels]
        for (a, n, family, fix), (la, lb) in zip(labels, lspans, strict=True):
            hits = [f for f, (s, e) in zip(findings, spans, strict=True) if s < lb and la < e]
            labelled[family][1] += 1
            labelled[family][0] += bool(hits)
            edits = [f for f in hits if f.suggestion is not None]
            human = fix.startswith("[") or "…" in fix
            if edits and not human:
                lo, hi = min([a] + [f.start for f in edits]), max([a + n] + [f.end for f in edits])
                want = text[lo:a] + fix + text[a + n : hi]
                shifted = [
                    type(f)(f.rule, f.start - lo, f.end - lo, f.text, f.suggestion, f.message) for f in edits
                ]
                fixes[family][1] += 1
                fixes[family][0] += apply(text[lo:hi], shifted) == want
            elif edits:
                fixes[family][1] += 1  # a fix offered where only a person can say what belongs
        for f, (s, e) in zip(findings, spans, strict=True):
            by_rule[f.rule][1] += 1
            by_rule[f.rule][0] += any(s < lb and la < e for la, lb in lspans)
        corrected = REAL / "corrected" / f"{name}.txt"
        if corrected.exists():
            corrected_findings += len(check(corrected.read_text("utf-8")))
    found, total = sum(v[0] for v in labelled.values()), sum(v[1] for v in labelled.values())
    true, finds = sum(v[0] for v in by_rule.values()), sum(v[1] for v in by_rule.values())
    right, offered = sum(v[0] for v in fixes.values()), sum(v[1] for v in fixes.values())
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
    for family, (hit, n) in sorted(labelled.items(), key=lambda kv: -kv[1][1]):
        r, o = fixes[family]
        rows.append((f"  real recall: {family}", f"{hit}/{n}", "", "", f"fixes right {r}/{o}"))
    for rule, (ok, n) in sorted(by_rule.items(), key=lambda kv: -kv[1][1]):
        rows.append((f"  real precision: {rule}", f"{ok}/{n}", "", ""))
    rows.append(
        (
            "shared real set: findings on the corrected versions",
            str(corrected_findings),
            "0",
            corrected_findings == 0,
        )
    )


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
    rows: list[tuple[object, ...]] = []
    speeds = {}
    for n, rounds in ((10_000, 15), (100_000, 7), (1_000_000, 3)):
        elapsed_n = seconds(sample(n), rounds)
        speeds[n] = elapsed_n
        rows.append((f"check {n:,} characters, median (s)", f"{elapsed_n:.4f}", "", ""))
    rate = 1_000_000 / speeds[1_000_000]
    rows.append(("characters per second (1M input)", f"{rate:,.0f}", ">= 1,000,000", rate >= 1_000_000))
    per_char_small = speeds[10_000] / 10_000
    per_char_big = speeds[1_000_000] / 1_000_000
    linear = per_char_big / per_char_small
    rows.append(("time per character, 1M vs 10k", f"{linear:.2f}x", "<= 1.5x", linear <= 1.5))
    floor = floor_seconds(sample(1_000_000), 3)
    ratio = speeds[1_000_000] / floor
    rows.append(("1M input: check time / ten compiled regexes", f"{ratio:.1f}x", "<= 8x", ratio <= 8))

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
    tallies = score(damaged, [])
    correct_chars = sum(len(c) for c in correct)
    for family, t in sorted(tallies.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        target = "P >= 0.95, R >= 0.9, fixes >= 0.9" if family == "all" else ""
        ok = (t.precision >= 0.95 and t.recall >= 0.9 and t.fix_rate >= 0.9) if family == "all" else ""
        rows.append(
            (
                f"corpus precision / recall / right fixes: {family}",
                f"{t.precision:.3f} / {t.recall:.3f} / {t.fix_rate:.3f} ({t.right_fix}/{t.suggested})",
                target,
                ok,
            )
        )
    false_on_correct = sum(len(check(c)) for c in correct)
    rows.append(
        (
            f"findings on {correct_chars:,} characters of clean text and traps",
            str(false_on_correct),
            "0",
            false_on_correct == 0,
        )
    )
    real_set(rows)

    print(f"corpus: {len(damaged)} damaged passages, {correct_chars:,} characters of clean text and traps")
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
