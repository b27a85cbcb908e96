"""Evaluating the rules for a unit or a subtree, for pages and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from taizhang.core.kinds import REGISTRY

from . import engine
from .engine import MET, MISSED, Cell, Rule
from .models import LocalRule


@dataclass
class UnitResult:
    unit: Any
    rules: list[Rule]
    cells: dict[str, list[Cell]]  # rule id -> cells in period order

    def rate(self, rule_id: str) -> float | None:
        """Share of the periods already decided (met or missed) that were met."""
        decided = [c for c in self.cells.get(rule_id, []) if c.status in (MET, MISSED)]
        if not decided:
            return None
        return sum(c.status == MET for c in decided) / len(decided)

    def overall(self) -> float | None:
        decided = [c for cells in self.cells.values() for c in cells if c.status in (MET, MISSED)]
        if not decided:
            return None
        return sum(c.status == MET for c in decided) / len(decided)


def evaluate_units(
    units: list[Any], year: int, *, user: Any = None, with_evidence: bool = False, today: Any = None
) -> list[UnitResult]:
    """Rules of each unit (inherited and local), evaluated in a fixed number of queries. With a
    user, records and local rules are read through restrict(); without (the command line, an
    operator on the server), as they are."""
    paths = {int(x) for u in units for x in u.path.strip("/").split("/") if x}
    locals_ = list(LocalRule.objects.readable(user).filter(unit_id__in=paths))
    rules_by_unit = engine.effective_rules(units, year, locals_, ledgers=REGISTRY)

    def queryset(model: Any) -> Any:
        return model.objects.readable(user)

    cells = engine.evaluate(
        units=units, year=year, rules_by_unit=rules_by_unit, queryset=queryset, ledgers=REGISTRY,
        with_evidence=with_evidence, today=today,
    )  # fmt: skip
    return [UnitResult(unit=u, rules=rules_by_unit[u.pk], cells=cells[u.pk]) for u in units]


def upcoming(unit: Any, *, user: Any, days: int = 30) -> list[Cell]:
    """Periods still open and unmet whose deadline falls within the next `days` days."""
    today = timezone.localdate()
    horizon = today + timedelta(days=days)
    found = []
    for year in sorted({today.year, horizon.year}):
        [result] = evaluate_units([unit], year, user=user, today=today)
        for cells in result.cells.values():
            found += [c for c in cells if c.status == engine.DUE and today <= c.period.deadline <= horizon]
    return sorted(found, key=lambda c: c.period.deadline)


def missed(unit: Any, year: int, *, user: Any) -> list[Cell]:
    [result] = evaluate_units([unit], year, user=user)
    return [c for cells in result.cells.values() for c in cells if c.status == MISSED]


# --- Assessment (考核) --------------------------------------------------------------------------------
@dataclass
class IndicatorRow:
    indicator: Any
    computed: Any  # Decimal for rule-based indicators, None for hand-scored ones
    missed: int
    self_score: Any
    superior_score: Any
    problem: str = ""  # the rule it is computed from cannot be evaluated (无法计算)


def assessment_rows(scheme: Any, assessed: Any, *, user: Any) -> list[IndicatorRow]:
    """Each indicator for one assessed unit: the computed score beside the self and superior scores."""
    from decimal import Decimal

    from .models import AssessmentScore

    indicators = list(scheme.indicators.filter(deleted_at__isnull=True).order_by("number", "pk"))
    [result] = evaluate_units([assessed], scheme.year, user=user)
    # readable(): the command line (no person) reads the scores too; restrict(None) reads nothing
    scores = AssessmentScore.objects.readable(user).filter(indicator__in=indicators, assessed=assessed)
    self_scores = {s.indicator_id: s for s in scores if s.unit_id == assessed.pk}
    superior_scores = {
        s.indicator_id: s for s in scores if s.unit_id == scheme.unit_id and s.unit_id != assessed.pk
    }
    rows = []
    for ind in indicators:
        computed, missed_count = None, 0
        if ind.method == "rule":
            cells = result.cells.get(ind.rule_id, [])
            missed_count = sum(c.status == MISSED for c in cells)
            computed = max(Decimal(0), ind.points - (ind.deduction or 0) * missed_count)
        problem = (
            next((r.problem for r in result.rules if r.id == ind.rule_id), "") if ind.method == "rule" else ""
        )
        if problem:
            computed = None  # not full points for a rule nobody can evaluate: scored by hand instead
        rows.append(
            IndicatorRow(
                ind, computed, missed_count, self_scores.get(ind.pk), superior_scores.get(ind.pk), problem
            )
        )
    return rows


def score_set(
    *, acting_user: Any, indicator: Any, assessed: Any, scorer_unit: Any, score: Any, note: str = ""
) -> Any:
    """The self-assessment (scorer is the assessed unit) or the superior's score (scorer issued the
    scheme); written by someone who may add records in the scoring unit."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from taizhang.core import audit
    from taizhang.core.services import record_create, record_update

    from .models import AssessmentScore

    scheme = indicator.scheme
    if scorer_unit.pk not in (assessed.pk, scheme.unit_id):
        raise PermissionDenied("只有被考核单位自评，或由下发考核方案的单位评分。")
    if not assessed.path.startswith(scheme.unit.path):
        raise PermissionDenied("该单位不在考核方案的适用范围内。")
    with transaction.atomic():
        existing = (
            AssessmentScore.objects.restrict(acting_user, "change")
            .filter(unit=scorer_unit, indicator=indicator, assessed=assessed)
            .first()
        )
        if existing is None:
            return record_create(
                acting_user=acting_user,
                instance=AssessmentScore(
                    unit=scorer_unit, indicator=indicator, assessed=assessed, score=score, note=note
                ),
            )
        before = audit.snapshot(existing)
        existing.score, existing.note = score, note
        return record_update(acting_user=acting_user, instance=existing, before=before)
