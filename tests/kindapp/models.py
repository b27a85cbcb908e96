from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models

from taizhang.core.kinds import DatedBy, Kind, register
from taizhang.core.models import UnitOwned
from taizhang.ledger.models.base import person_fk


class DrillKind(models.TextChoices):
    FIRE = "fire", "消防演练"
    FLOOD = "flood", "防汛演练"


class Drill(UnitOwned):
    """One emergency drill (应急演练) a unit held: who led it, how many took part, whether it was reviewed."""

    held_on = models.DateField("演练日期")
    kind = models.CharField("演练类型", max_length=16, choices=DrillKind.choices)
    title = models.CharField("名称", max_length=200)
    leader = person_fk("组织人")
    turnout = models.PositiveIntegerField("参加人数", default=0)
    reviewed = models.BooleanField("已总结", default=False)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "应急演练"
        verbose_name_plural = "应急演练"

    def __str__(self) -> str:
        return self.title


def _samples(unit: Any, year: int, clerk: Any) -> list[Drill]:
    return [
        Drill(unit=unit, held_on=date(year, 4, 8), kind=DrillKind.FIRE, title="春季消防疏散演练", leader=clerk,
              turnout=18, note="全体职工参加，演练用时六分钟。"),
        Drill(unit=unit, held_on=date(year, 6, 3), kind=DrillKind.FLOOD, title="汛前防汛应急演练", turnout=12),
    ]  # fmt: skip


DRILL = register(Kind(
    model=Drill, slug="drill", search_code=63, namespace="ledger",
    fields=("held_on", "kind", "title", "leader", "turnout", "reviewed", "note"),
    list_fields=("held_on", "kind", "title", "leader", "turnout"), date=DatedBy("held_on"), kind_field="kind",
    state_field="reviewed", person_fields=("leader",), search_fields=("title", "note"),
    sortable=("held_on", "turnout"), people_field="turnout", demo=_samples,
))  # fmt: skip
