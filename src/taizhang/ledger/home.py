"""首页: what each person sees first, counted in a small, fixed number of queries.

The secretary's year at a glance (the rules' completion, what is missed and what falls due, open and
overdue rectifications, risks by level, the ledgers' counts), each number with the list it counts.
Every read goes through restrict(); nothing here writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, IntegerField, Q, Subquery, Value
from django.db.models.functions import Cast, ExtractMonth
from django.urls import reverse

from taizhang.core.kinds import REGISTRY

from . import models as m

# Records that stand until they are closed or replaced: the home page counts what exists today,
# not what was created this year (six positions opened years ago are six positions).
STANDING = ("position", "group")
MONTHS = [f"{n}月" for n in range(1, 13)]


@dataclass
class Tile:
    """One number on the home page and the list it counts."""

    label: str
    value: str
    url: str
    tone: str = ""  # "danger", "warning" or "" (plain)
    note: str = ""
    key: str = ""  # the element id, for tests and for people who link to it


# Further tiles other apps add (学习资料: my hours this year, the unit's study coverage): each
# takes (request, unit, year) and returns its tiles.
TileSource = Callable[[Any, Any, int], list[Tile]]
DASHBOARD_TILES: list[TileSource] = []


def _list_url(slug: str, **params: Any) -> str:
    kind = REGISTRY[slug]
    url = reverse(f"{kind.namespace}:{kind.slug}_list")
    query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
    return f"{url}?{query}" if query else url


def ledger_counts(
    user: Any, unit: Any, year: int, slugs: list[str]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Per ledger, its records of the year (standing ledgers: what exists now), and the year's
    records per month across the ledgers dated by a day, in one query (a UNION of one grouped
    count per ledger; the second column is the month, or for the leading group the year it was
    last appointed in, which its list is filtered by)."""
    parts = []
    for i, slug in enumerate(slugs):
        kind = REGISTRY[slug]
        model: Any = kind.model
        qs = model.objects.restrict(user, "view").filter(unit=unit)
        month: Any = Value(0, output_field=IntegerField())
        if slug == "position":
            qs = qs.filter(state=m.positions.PositionState.OPEN)
        elif slug == "group":  # the group as last appointed, this year's or an earlier year's
            latest = (
                model.objects.restrict(user, "view")
                .filter(unit=unit, year__lte=year)
                .order_by("-year")
                .values("year")[:1]
            )
            qs = qs.filter(year=Subquery(latest))
            month = Cast(F("year"), IntegerField())
        else:
            qs = qs.filter(**{kind.year_lookup(): year})
            if not kind.date.is_year(model):
                month = Cast(ExtractMonth(kind.date.path), IntegerField())
        parts.append(
            qs.order_by()
            .annotate(month=month)
            .values("month")
            .annotate(n=Count("pk"), ledger=Value(i, output_field=IntegerField()))
            .values_list("ledger", "month", "n")
        )
    totals = [0] * len(slugs)
    monthly = [0] * 12
    appointed = None
    for ledger, bucket, n in parts[0].union(*parts[1:], all=True) if parts else []:
        month = int(bucket or 0)  # PostgreSQL's UNION may hand the column back as numeric
        totals[int(ledger)] += n
        if slugs[int(ledger)] == "group":
            appointed = month
        elif month and slugs[int(ledger)] not in STANDING:
            monthly[month - 1] += n
    counts = []
    for i, slug in enumerate(slugs):
        if slug == "position":
            url = _list_url(slug, state=m.positions.PositionState.OPEN)
        elif slug == "group":
            url = _list_url(slug, year=appointed or year)
        else:
            url = _list_url(slug, year=year)
        counts.append({"slug": slug, "n": totals[i], "url": url, "standing": slug in STANDING})
    return counts, monthly


@dataclass
class RulesSummary:
    overall: float | None
    missed: list[Any]
    upcoming: list[Any]  # open, unmet periods due within 30 days
    by_month: dict[str, list[int]] = field(default_factory=dict)  # status -> periods by deadline month


def rules_summary(unit: Any, year: int, *, user: Any, today: date) -> RulesSummary:
    """One evaluation of the unit's rules gives the rate, the misses, what falls due and the chart."""
    from taizhang.rules import engine
    from taizhang.rules.services import evaluate_units

    [result] = evaluate_units([unit], year, user=user, today=today)
    cells = [c for cs in result.cells.values() for c in cs]
    horizon = today + timedelta(days=30)
    ahead = list(cells)
    if horizon.year > year:  # late December: the first periods of next year fall due too
        [nxt] = evaluate_units([unit], horizon.year, user=user, today=today)
        ahead += [c for cs in nxt.cells.values() for c in cs]
    by_month = {s: [0] * 12 for s in (engine.MET, engine.MISSED, engine.DUE)}
    for c in cells:
        deadline = c.period.deadline
        by_month[c.status][deadline.month - 1 if deadline.year == year else 11] += 1
    return RulesSummary(
        overall=result.overall(),
        missed=sorted((c for c in cells if c.status == engine.MISSED), key=lambda c: c.period.deadline),
        upcoming=sorted(
            (c for c in ahead if c.status == engine.DUE and today <= c.period.deadline <= horizon),
            key=lambda c: c.period.deadline,
        ),
        by_month=by_month,
    )


@dataclass
class RectificationSummary:
    overdue: list[Any]
    due_this_month: list[Any]
    pending: int
    in_progress: int


def rectification_summary(unit: Any, *, user: Any, today: date) -> RectificationSummary:
    """The unit's open rectifications, read once: overdue, due this month, by state."""
    rects = list(
        m.Rectification.objects.restrict(user)
        .filter(unit=unit, state__in=m.rectification.OPEN_STATES)
        .select_related("owner")
        .order_by("deadline", "pk")
    )
    return RectificationSummary(
        overdue=[r for r in rects if r.deadline and r.deadline < today],
        due_this_month=[
            r
            for r in rects
            if r.deadline
            and r.deadline >= today
            and (r.deadline.year, r.deadline.month) == (today.year, today.month)
        ],
        pending=sum(r.state == m.RectificationState.PENDING for r in rects),
        in_progress=sum(r.state == m.RectificationState.IN_PROGRESS for r in rects),
    )


def risks_by_level(unit: Any, year: int, *, user: Any) -> list[dict[str, Any]]:
    """The year's risk points by level (高, 中, 低): all of them and those not yet resolved."""
    rows: dict[str, dict[str, Any]] = {
        r["level"]: dict(r)
        for r in m.Risk.objects.restrict(user)
        .filter(unit=unit, **{REGISTRY["risk"].year_lookup(): year})
        .order_by()
        .values("level")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(resolved=False)))
    }
    return [
        {
            "level": value,
            "label": f"{label}风险",
            "n": rows.get(value, {}).get("n", 0),
            "open": rows.get(value, {}).get("open", 0),
            "url": _list_url("risk", year=year, kind=value),
        }
        for value, label in m.analysis.RiskLevel.choices
    ]


def status_tiles(
    unit: Any, year: int, rules: RulesSummary, rects: RectificationSummary, risks: list[dict[str, Any]]
) -> list[Tile]:
    grid = reverse("rules:grid")
    high: dict[str, Any] = next(
        (r for r in risks if r["level"] == m.analysis.RiskLevel.HIGH), {"open": 0, "url": ""}
    )
    return [
        Tile("责任制完成率", "—" if rules.overall is None else f"{rules.overall:.0%}", f"{grid}?year={year}",
             note="已到期的周期中按要求完成的比例", key="tile-rate"),
        Tile("未完成的要求", str(len(rules.missed)), f"{grid}?year={year}#missed",
             tone="danger" if rules.missed else "", key="tile-missed"),
        Tile("30天内到期", str(len(rules.upcoming)), "#todo", tone="warning" if rules.upcoming else "",
             key="tile-upcoming"),
        Tile("待整改", str(rects.pending), _list_url("rectification", state=m.RectificationState.PENDING),
             key="tile-pending"),
        Tile("整改中", str(rects.in_progress),
             _list_url("rectification", state=m.RectificationState.IN_PROGRESS), key="tile-in-progress"),
        Tile("逾期整改", str(len(rects.overdue)), _list_url("rectification", state="overdue"),
             tone="danger" if rects.overdue else "", key="tile-overdue"),
        Tile("未化解的高风险", str(high["open"]), _list_url("risk", year=year, kind=m.analysis.RiskLevel.HIGH, state="0"),
             tone="danger" if high["open"] else "", key="tile-high-risk"),
    ]  # fmt: skip


# --- One person's figures, kept until the next write -----------------------------------------------
CACHE_SECONDS = 300
# part of every key: raise it when what is kept changes shape, so a shared cache (Redis) never hands
# a new release the figures an older one pickled
SHAPE = 1


def _kept(key: str) -> Any:
    """What the cache holds under `key`, or None (also when it no longer unpickles)."""
    import pickle

    from django.core.cache import cache

    try:
        return cache.get(key)
    except (pickle.UnpicklingError, AttributeError, ImportError, TypeError, EOFError):
        return None


def _data_version(request: Any) -> str:
    """The audit chain's head: every write of every kind moves it (its hash, not only its number,
    so a restored older database never matches figures counted from a newer one). Read once a
    request."""
    from taizhang.core.models import AuditHead

    version = getattr(request, "_home_data_version", None)
    if version is None:
        head = AuditHead.objects.filter(pk=1).values_list("seq", "last_hash").first()
        version = f"{head[0]}:{head[1]}" if head else "0:"
        request._home_data_version = version
    return str(version)


def figures(request: Any, unit: Any, today: date, slugs: list[str]) -> dict[str, Any]:
    """Everything the home page counts for this person in this unit today. The home page is what
    everyone opens first and opens again; what it counts changes only with a write, and every
    write moves the audit chain's head, so the figures are kept (in the shared cache) under that
    head, the person, the unit and the day, and counted again after any write."""
    return kept_until_write(  # type: ignore[no-any-return]
        request, "home", (unit.pk, today.isoformat()), lambda: _count_figures(request, unit, today, slugs)
    )


def _count_figures(request: Any, unit: Any, today: date, slugs: list[str]) -> dict[str, Any]:
    """The home page's figures counted afresh (what `figures` keeps)."""
    user = request.user
    year = today.year
    counts, monthly = ledger_counts(user, unit, year, slugs)
    rules = rules_summary(unit, year, user=user, today=today)
    rects = rectification_summary(unit, user=user, today=today)
    risks = risks_by_level(unit, year, user=user)
    data = {
        "counts": counts,
        "monthly": monthly,
        "rules": rules,
        "rects": rects,
        "risks": risks,
        "tiles": status_tiles(unit, year, rules, rects, risks),
        "extra": [t for source in DASHBOARD_TILES for t in source(request, unit, year)],
        "due_workplan": list(
            m.WorkPlanItem.objects.restrict(user)
            .filter(unit=unit, done=False, due_on__year=year, due_on__month=today.month)
            .order_by("due_on")
        ),
        "due_study": list(
            m.StudyPlanItem.objects.restrict(user)
            .filter(unit=unit, plan__year=year, month=today.month)
            .annotate(held=Count("sessions", filter=Q(sessions__deleted_at__isnull=True)))
            .filter(held=0)
            .select_related("plan")
        ),
    }
    return data


def panels(request: Any, unit: Any, today: date, sources: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """The cards other apps put on the home page, kept like the figures (under the audit chain's
    head, the person, the unit and the day). A card whose context cannot be kept (it holds
    something that does not pickle) is simply built on every visit."""
    return kept_until_write(  # type: ignore[no-any-return]
        request,
        "home-panels",
        (unit.pk, today.isoformat()),
        lambda: [p for p in (source(request, unit) for source in sources) if p],
    )


def scope_key(user: Any) -> str:
    """A short, stable digest of what the person may read and write (the same scope gives the same
    digest in every process), part of the key of anything kept per viewer."""
    import hashlib

    from taizhang.core.scope import scope_for

    scope = scope_for(user)
    units = sorted((action, sorted(ids)) for action, ids in scope.units.items())
    text = repr((units, sorted(scope.read_subtrees), sorted(scope.own_units)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def kept_until_write(request: Any, name: str, parts: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """What `build` returns, kept (in the shared cache) under the audit chain's head, the person,
    their scope and `parts`, so any audited write, and any change of what the person may see, has
    it built again. What does not pickle is built on every visit."""
    import contextlib
    import pickle

    from django.core.cache import cache

    tail = ":".join(str(p) for p in parts)
    key = f"{name}{SHAPE}:{_data_version(request)}:{request.user.pk}:{scope_key(request.user)}:{tail}"
    found = _kept(key)
    if found is not None:
        return found
    value = build()
    with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
        cache.set(key, value, CACHE_SECONDS)
    return value
