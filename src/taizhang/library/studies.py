"""Who studied what: hours per person and per unit for a year, and each study-plan item with the
members who studied it. A study session counts for everyone recorded present (its attendees);
personal study counts for its person. Read through restrict()."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import models

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
    def self_hours(self) -> Decimal:
        """Personal study in 学时 (60 minutes), the unit every page shows time in."""
        return Decimal(self.self_minutes) / 60

    @property
    def hours(self) -> Decimal:
        return self.session_hours + self.self_hours


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


# --- What a member reads next ---------------------------------------------------------------------
def materials_for(unit: Any, user: Any) -> Any:
    """The materials a person in `unit` may read: the unit's own (through restrict()) and those
    its ancestors share down."""
    from django.db.models import Q

    from .models import Material

    own = Material.objects.restrict(user, "view").filter(unit=unit).values("pk")
    shared = Material.objects.filter(
        unit_id__in=unit.ancestor_ids(), shared=True, deleted_at__isnull=True
    ).values("pk")
    return Material.objects.filter(Q(pk__in=own) | Q(pk__in=shared))


def studied_materials(person: Any, unit: Any, *, user: Any) -> set[int]:
    """Of the materials readable in `unit`, those the person has studied: through study sessions
    they attended, or on their own (read as `user` sees them)."""
    readable = materials_for(unit, user)
    via_sessions = readable.filter(
        sessions__attendees=person, sessions__deleted_at__isnull=True, sessions__kind__in=list(STUDY_KINDS)
    ).values_list("pk", flat=True)
    via_self = (
        SelfStudy.objects.restrict(user, "view")
        .filter(person=person, material__in=readable)
        .values_list("material_id", flat=True)
    )
    return set(via_sessions) | set(via_self)


@dataclass
class Recommendation:
    material: Any
    reason: str  # what the person has or has not done, in plain words


def recommend(person: Any, unit: Any, *, user: Any, today: Any, limit: int = 8) -> list[Recommendation]:
    """First the materials of this year's study plan the person has not studied (in plan order),
    then recent materials of the kinds they have read least. Built only from what each person has
    and has not studied — no judgement of the person."""
    from collections import Counter

    from .models import Material, MaterialKind

    readable = materials_for(unit, user)
    studied = studied_materials(person, unit, user=user)
    out: list[Recommendation] = []
    seen: set[int] = set()
    planned = (
        readable.filter(
            plan_items__plan__year=today.year,
            plan_items__unit=unit,
            plan_items__deleted_at__isnull=True,
            plan_items__plan__deleted_at__isnull=True,
        )
        .exclude(pk__in=studied)
        .annotate(month=models.Min("plan_items__month"))
        .order_by("month", "pk")
    )
    for material in planned:
        if len(out) >= limit:
            return out
        out.append(Recommendation(material, f"列入本年度学习计划（{material.month}月），您尚未学习"))
        seen.add(material.pk)
    read = Counter(Material.objects.filter(pk__in=studied).values_list("kind", flat=True))
    labels = dict(MaterialKind.choices)
    recent = (
        readable.exclude(pk__in=studied | seen)
        .filter(published_on__gte=today - timedelta(days=730))
        .order_by("-published_on", "-pk")[:200]
    )
    least = min((read[kind] for kind in labels), default=0)
    # kinds from least read; taken in turn, newest first within each kind
    by_kind: dict[str, list[Any]] = {}
    for material in recent:
        by_kind.setdefault(material.kind, []).append(material)
    queues = [by_kind[k] for k in sorted(by_kind, key=lambda k: (read[k], k))]
    ordered = [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]
    for material in ordered:
        if len(out) >= limit:
            break
        label, count = labels.get(material.kind, material.kind), read[material.kind]
        if not count:
            reason = f"您还没有学过{label}类资料"
        elif count == least:
            reason = f"{label}类资料您学得较少（已学 {count} 篇）"
        else:
            reason = "近期新增的资料，您尚未学习"
        out.append(Recommendation(material, reason))
    return out


# --- On the home page -----------------------------------------------------------------------------
def dashboard_tiles(request: Any, unit: Any, year: int) -> list[Any]:
    """The home page's study figures, in one query: my 学时 this year (sessions attended and my own
    study, both in 学时), and how many of the unit's people have studied at all this year."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
    from django.urls import reverse

    from taizhang.ledger.home import Tile
    from taizhang.orgs.models import User

    user = request.user
    sessions = (
        lm.Meeting.objects.restrict(user, "view")
        .filter(unit=unit, kind__in=list(STUDY_KINDS), held_at__year=year, attendees=OuterRef("pk"))
        .order_by()
        .values("attendees")
        .annotate(s=Sum("hours"))
        .values("s")
    )
    own = (
        SelfStudy.objects.restrict(user, "view")
        .filter(unit=unit, studied_on__year=year, person=OuterRef("pk"))
        .order_by()
        .values("person")
    )
    people = (
        User.objects.filter(memberships__unit=unit, memberships__deleted_at__isnull=True)
        .distinct()
        .annotate(
            h=Subquery(sessions),
            mins=Subquery(own.annotate(s=Sum("minutes")).values("s"), output_field=IntegerField()),
            records=Subquery(own.annotate(c=Count("pk")).values("c"), output_field=IntegerField()),
        )
        .values_list("pk", "h", "mins", "records")
    )
    hours, records = {}, {}
    for pk, h, mins, n in people:
        hours[pk] = Decimal(h or 0) + Decimal(mins or 0) / 60
        records[pk] = n or 0
    studied = sum(1 for h in hours.values() if h > 0)
    tiles = []
    if user.pk in hours:
        mine = reverse("library:selfstudy_list") + f"?person={user.pk}&year={year}"
        tiles.append(Tile("我的学时", f"{hours[user.pk]:.1f}", reverse("library:hours") + f"?year={year}",
                          note="集中学习与个人自学，按学时计", key="my-hours"))  # fmt: skip
        tiles.append(Tile("我的个人自学", f"{records[user.pk]}次", mine, note="只列我本人的记录",
                          key="my-records"))  # fmt: skip
    tiles.append(Tile("参学覆盖", f"{studied}/{len(hours)}", reverse("library:hours") + f"?year={year}",
                      note="本年度参加集中学习或有个人自学的人数", key="study-coverage"))  # fmt: skip
    return tiles


# --- The self-study form --------------------------------------------------------------------------
MINUTES_PER_HOUR = 60  # one 学时, as the home page and 学习情况 count it


def as_hours(minutes: int | None) -> str:
    """Minutes of personal study as the 学时 every page shows: 45 → "0.75 学时", 90 → "1.5 学时"."""
    if minutes is None:
        return ""
    value = (Decimal(minutes) / MINUTES_PER_HOUR).quantize(Decimal("0.01"))
    return f"{value.normalize():f} 学时"


def material_choices(person: Any, unit: Any, *, user: Any, today: Any) -> list[tuple[str, Any]]:
    """The materials of the self-study form, nearest first: recommended to this person, then the
    ones they studied lately, then every readable material, newest first (no material twice)."""
    readable = materials_for(unit, user)
    groups: list[tuple[str, list[Any]]] = [
        ("为我推荐", [r.material for r in recommend(person, unit, user=user, today=today, limit=5)]),
    ]
    recent_ids = list(
        SelfStudy.objects.restrict(user, "view")
        .filter(person=person, material__in=readable)
        .order_by("-studied_on", "-pk")
        .values_list("material_id", flat=True)[:30]
    )
    recent = {m.pk: m for m in readable.filter(pk__in=recent_ids)}
    groups.append(("我最近学过", [recent[pk] for pk in dict.fromkeys(recent_ids) if pk in recent][:5]))
    groups.append(("全部资料（新的在前）", list(readable.order_by("-published_on", "-pk"))))
    seen: set[int] = set()
    out: list[tuple[str, Any]] = []
    for label, materials in groups:
        options = [(m.pk, str(m)) for m in materials if m.pk not in seen]
        seen.update(pk for pk, _ in options)
        if options:
            out.append((label, options))
    return out
