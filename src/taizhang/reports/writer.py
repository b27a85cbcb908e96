"""The documents, by kind: `build` hands each kind to the module that writes it. Every writer
reads the records through the facts layer (facts.py, facts_more.py) and words them with the
phrase bank (phrases.py, phrases_upward.py) through prose.Prose; none imports another writer
except for a shared piece of content (the problems and their measures, problems.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from . import document as d
from .analysis import analysis_report
from .annual import annual
from .assessment import assessment
from .compendium import ledger_book
from .keypoints import keypoints
from .rollup import rollup


def build(
    kind: str,
    unit: Any,
    year: int,
    *,
    user: Any = None,
    half: int | None = None,
    quarter: int | None = None,
    day: date | None = None,
) -> d.Document:
    if kind == "annual":
        return annual(unit, year, user=user, day=day)
    if kind == "half-year":
        return annual(unit, year, user=user, day=day, half=half or 1)
    if kind == "keypoints":
        return keypoints(unit, year, user=user, day=day)
    if kind == "analysis":
        return analysis_report(unit, year, quarter or 1, user=user, day=day)
    if kind == "assessment":
        return assessment(unit, year, user=user, day=day)
    if kind == "ledger-book":
        return ledger_book(unit, year, user=user, day=day)
    if kind == "rollup":
        return rollup(unit, year, user=user, day=day)
    raise ValueError(f"没有“{kind}”这种文书")
