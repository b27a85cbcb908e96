"""Who studied what: hours per person and per unit for a year, and each study-plan item with the
members who studied it. A study session counts for everyone recorded present (its attendees);
personal study counts for its person. Read through restrict()."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from taizhang.ledger import models as lm
from taizhang.ledger.models.meetings import STUDY_KINDS

from .models import SelfStudy


@dataclass
class PersonHours:
    person: Any
    session_hours: Decimal = Decimal(0)
    sessions: int = 0
    self_minutes: int = 0
    self_records: int = 0
    materials: set[int] = field(default_factory=set)

    @property
    def hours(self) -> Decimal:
        return self.session_hours + Decimal(self.self_minutes) / 60


@dataclass
class PlanItemRow:
    item: Any
    studied_by: int
    members: int


def year_hours(unit: Any, year: int, *, user: Any) -> list[PersonHours]:
    """Each member of the unit with what they studied in the year, most hours first."""
    from taizhang.orgs.models import User

    members = list(
        User.objects.filter(memberships__unit=unit, memberships__deleted_at__isnull=True)
        .distinct()
        .order_by("full_name", "username")
    )
    rows = {u.pk: PersonHours(u) for u in members}
    sessions = (
        lm.Meeting.objects.restrict(user, "view")
        .filter(unit=unit, kind__in=list(STUDY_KINDS), held_at__year=year)
        .prefetch_related("attendees", "materials")
    )
    for meeting in sessions:
        for person in meeting.attendees.all():
            row = rows.setdefault(person.pk, PersonHours(person))
            row.sessions += 1
            row.session_hours += meeting.hours or Decimal(0)
            row.materials.update(m.pk for m in meeting.materials.all())
    for study in (
        SelfStudy.objects.restrict(user, "view")
        .filter(unit=unit, studied_on__year=year)
        .select_related("person")
    ):
        if study.person_id is None:
            continue
        row = rows.setdefault(study.person_id, PersonHours(study.person))
        row.self_minutes += study.minutes
        row.self_records += 1
        if study.material_id:
            row.materials.add(study.material_id)
    return sorted(rows.values(), key=lambda r: (-r.hours, str(r.person)))


def plan_items(unit: Any, year: int, *, user: Any) -> list[PlanItemRow]:
    """Each study-plan item of the year and how many members studied it (were present at a session
    that covered it)."""
    from taizhang.orgs.models import User

    member_ids = set(
        User.objects.filter(memberships__unit=unit, memberships__deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    items = (
        lm.StudyPlanItem.objects.restrict(user, "view")
        .filter(unit=unit, plan__year=year)
        .select_related("plan")
        .prefetch_related("sessions__attendees")
        .order_by("plan", "month", "pk")
    )
    out = []
    for item in items:
        studied: set[int] = set()
        for session in item.sessions.all():
            if session.deleted_at is None:
                studied.update(a.pk for a in session.attendees.all())
        out.append(PlanItemRow(item, len(studied & member_ids), len(member_ids)))
    return out
