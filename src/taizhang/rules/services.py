"""Evaluating the rules for a unit or a subtree, for pages and the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from taizhang.core.views import REGISTRY

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
    local_qs = (
        LocalRule.objects.restrict(user, "view")
        if user is not None
        else LocalRule.objects.filter(deleted_at__isnull=True)
    )
    locals_ = list(local_qs.filter(unit_id__in=paths))
    rules_by_unit = engine.effective_rules(units, year, locals_)

    def queryset(model: Any) -> Any:
        if user is not None:
            return model.objects.restrict(user, "view")
        return model.objects.filter(deleted_at__isnull=True)

    cells = engine.evaluate(
        units=units, year=year, rules_by_unit=rules_by_unit, queryset=queryset, ledgers=REGISTRY,
        with_evidence=with_evidence, today=today,
    )  # fmt: skip
    return [
        UnitResult(
            unit=u, rules=rules_by_unit[u.pk], cells={r.id: cells[(u.pk, r.id)] for r in rules_by_unit[u.pk]}
        )
        for u in units
    ]


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
