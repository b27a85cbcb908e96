"""The one place that decides which units' data a person may see or touch.

A person's `Scope` lists, per action, the units they act on directly and the unit-tree path
prefixes whose whole subtree they may read. It is computed by the user model (orgs), so core
needs no import of any app. Every query on unit-owned data goes through `restrict()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q

Action = Literal["view", "add", "change", "delete", "manage"]
# What a member may do with a record of their own kind (个人自学): write it, correct it, withdraw it.
# Restoring from the bin and the other managers' actions stay with the unit's managers.
OWN_ACTIONS: tuple[Action, ...] = ("add", "change", "delete")


@dataclass(frozen=True)
class Scope:
    # action -> ids of units where the person may do it
    units: dict[str, frozenset[int]] = field(default_factory=dict)
    # path prefixes of units whose whole subtree the person may read (never write)
    read_subtrees: tuple[str, ...] = ()
    # ids of units where the person writes only records they created themselves (成员's study log)
    own_units: frozenset[int] = frozenset()

    def unit_q(self, action: str, unit_field: str) -> Q:
        prefix = f"{unit_field}__" if unit_field else ""
        return self.q(action, unit_id=f"{prefix}id", path=f"{prefix}path")

    def q(self, action: str, *, unit_id: str, path: str) -> Q:
        """The condition on rows whose unit id is in `unit_id` and unit path in `path` (a unit's
        own columns, a record's `unit__…`, or the search index's copies of both)."""
        ids = self.units.get(action)
        q = Q(**{f"{unit_id}__in": sorted(ids)}) if ids else Q(pk__in=[])
        if action == "view":
            for prefix in self.read_subtrees:
                q |= Q(**{f"{path}__startswith": prefix})
        return q

    def may_write(self, action: str, unit: Any, model: Any) -> bool:
        """`allows`, or a member writing their own record of a kind members keep themselves
        (the record's person field then has to be the member: see services._own_only)."""
        if self.allows(action, unit):
            return True
        return (
            action in OWN_ACTIONS
            and bool(getattr(model, "member_writes_own", False))
            and unit is not None
            and unit.pk in self.own_units
        )

    def allows(self, action: str, unit: Any) -> bool:
        if unit is None:
            return False
        if unit.pk in self.units.get(action, ()):
            return True
        return action == "view" and any(unit.path.startswith(p) for p in self.read_subtrees)


EMPTY = Scope()


def scope_for(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_taizhang_scope", None)
    if cached is None:
        cached = user.compute_scope()
        user._taizhang_scope = cached
    return cached


def forget_scope(user: Any) -> None:
    if hasattr(user, "_taizhang_scope"):
        del user._taizhang_scope
