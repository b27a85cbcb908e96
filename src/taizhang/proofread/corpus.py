"""Measuring the proofreader against marked passages: precision and recall per rule family.

A damaged passage marks each fault it carries as [[found|fix|rule]] (an empty fix deletes, ? means
no automatic fix). A correct passage carries no mark and must produce no finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import RULES, Finding, check

_MARK = re.compile(r"\[\[(.*?)\|(.*?)\|([a-z\-]+)\]\]", re.S)


@dataclass(frozen=True)
class Expected:
    rule: str
    start: int
    end: int
    text: str
    suggestion: str | None


def parse_marked(marked: str) -> tuple[str, list[Expected]]:
    """The plain text and the faults its marks name, with their spans in the plain text."""
    out: list[str] = []
    expected: list[Expected] = []
    pos = length = 0
    for m in _MARK.finditer(marked):
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        found, fix, rule = m.groups()
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r} in corpus")
        expected.append(Expected(rule, length, length + len(found), found, None if fix == "?" else fix))
        out.append(found)
        length += len(found)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), expected


@dataclass
class Tally:
    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0
    wrong_fix: int = 0
    suggested: int = 0  # true findings that carry a fix
    right_fix: int = 0  # … whose fix is the one the mark names
    misses: list[str] = field(default_factory=list)

    @property
    def fix_rate(self) -> float:
        return self.right_fix / self.suggested if self.suggested else 1.0

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


def score(damaged: Iterable[str], correct: Iterable[str]) -> dict[str, Tally]:
    """Per family (and "all"): a finding is right when its rule and span equal a mark's; a fix
    that differs from the mark's counts as wrong_fix (and the finding is still found)."""
    tallies: dict[str, Tally] = {}

    def tally(rule: str) -> list[Tally]:
        return [tallies.setdefault(RULES[rule].family, Tally()), tallies.setdefault("all", Tally())]

    for marked in [*damaged, *correct]:
        text, expected = parse_marked(marked)
        findings: list[Finding] = check(text)
        wanted = {(e.rule, e.start, e.end): e for e in expected}
        got = {(f.rule, f.start, f.end): f for f in findings}
        for key, f in got.items():
            for t in tally(f.rule):
                if key in wanted:
                    t.true_pos += 1
                    if wanted[key].suggestion != f.suggestion:
                        t.wrong_fix += 1
                    if f.suggestion is not None:
                        t.suggested += 1
                        t.right_fix += wanted[key].suggestion == f.suggestion
                else:
                    t.false_pos += 1
                    t.misses.append(f"多报 {f.rule} “{text[max(0, f.start - 6) : f.end + 6]}”")
        for key, e in wanted.items():
            if key not in got:
                for t in tally(e.rule):
                    t.false_neg += 1
                    t.misses.append(f"漏报 {e.rule} “{text[max(0, e.start - 6) : e.end + 6]}”")
    return tallies
