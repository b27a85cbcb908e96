"""What the quarter's analysis report, the assessment self-report, the roll-up and the printable
ledger book read from the records, beyond facts.py: everything through restrict() for a person,
or as the server operator for the command line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from taizhang.core import kinds
from taizhang.ledger import models as lm

from .facts import Period, Reader, quarter_period

# --- The printable 台账汇编 ------------------------------------------------------------------------
MAX_COLUMNS = 6  # besides 序号: more do not fit a portrait A4 line at 小四
LONG_TEXT = 120  # characters of a free-text cell before it is cut at a sentence end


@dataclass
class LedgerTable:
    title: str  # the ledger's name (会议学习)
    header: list[str]
    rows: list[list[str]]
    widths: list[int]
    left_out: list[str] = field(default_factory=list)  # columns the printed table leaves to the workbook


def _cell(value: Any, year: int) -> str:
    """A cell as a reader of the printed book reads it: dates without the book's own year."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return (
            f"{value.month}月{value.day}日"
            if value.year == year
            else f"{value.year}年{value.month}月{value.day}日"
        )
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    text = str(value).strip()
    if len(text) > LONG_TEXT:
        cut = max(text.rfind(mark, 0, LONG_TEXT) for mark in "。；！？")
        text = (text[: cut + 1] if cut > 20 else text[:LONG_TEXT]) + "……"
    return text


ENUMERATOR = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)])\s*")


def _grouping(name: str, text: str) -> str:
    """A work plan's part (一、强化理论武装) as the column that groups its tasks: without its own
    number, which would read as the book's heading."""
    return ENUMERATOR.sub("", text) if name == "section" else text


def _is_parent(kind: kinds.Kind, name: str) -> bool:
    target = kind.model_field(name).related_model if kind.model_field(name).many_to_one else None
    return target is not None and kinds.for_model(target) is not None


def _is_text(kind: kinds.Kind, name: str) -> bool:
    return isinstance(kind.model_field(name), models.TextField)


def ledger_tables(unit: Any, year: int, *, user: Any = None) -> list[LedgerTable]:
    """One table per ledger of the unit's year (Kind.book), columns as the printed book shows
    them: no unit column (the cover names it), no year column in a year's book, a person written
    once whether on the unit's staff (an account) or named by hand, and no column nobody filled."""
    from taizhang.ledger.book import ledger_records

    tables = []
    for kind, qs in ledger_records(unit=unit, year=year, user=user):
        title, headers, rows_iter = kind.sheet(qs)
        names = list(kind.fields)  # headers[1:] in this order
        raw = [row[1:] for row in rows_iter]
        keep = [
            i
            for i, name in enumerate(names)
            if not (name == "year" and kind.book == "year")
            and not (name.endswith("_text") and name.removesuffix("_text") in names)
            and (not raw or any(r[i] not in (None, "") for r in raw))
        ]
        if len(keep) > MAX_COLUMNS:
            listed = set(kind.list_fields)
            # the list page's columns first, then free text; a link to the parent record (the
            # analysis a risk came from) last: the book prints the parent's own table too
            rank = sorted(
                keep,
                key=lambda i: (
                    _is_parent(kind, names[i]),
                    names[i] not in listed,
                    not _is_text(kind, names[i]),
                    i,
                ),
            )
            chosen = set(rank[:MAX_COLUMNS])
            left_out = [headers[i + 1] for i in keep if i not in chosen]
            keep = [i for i in keep if i in chosen]
        else:
            left_out = []
        header = ["序号", *[headers[i + 1] for i in keep]]
        rows = [
            [str(n), *[_grouping(names[i], _cell(r[i], year)) for i in keep]] for n, r in enumerate(raw, 1)
        ]
        widths = [
            2,
            *[
                _width(kind, names[i], [row[j + 1] for row in rows], headers[i + 1])
                for j, i in enumerate(keep)
            ],
        ]
        tables.append(LedgerTable(title, header, rows, widths, left_out))
    return tables


def _width(kind: kinds.Kind, name: str, cells: Sequence[str], header: str) -> int:
    """A column's weight: its longest cell within bounds, wider for free text."""
    longest = max([min(len(header), 2), *[_display(c) for c in cells]])
    return min(max(longest, 2), 14 if _is_text(kind, name) else 8)


def _display(text: str) -> int:
    """Characters of width: a Chinese character is one, a digit or Latin letter half."""
    return -(-sum(2 if ord(ch) > 0x2E7F else 1 for ch in text) // 2)


# --- The quarter's analysis ------------------------------------------------------------------------
@dataclass
class QuarterFacts:
    analyses: list[Any]
    risks: list[Any]  # of this quarter's analyses
    opinions: list[Any]  # found in the quarter
    previous: list[Any]  # the last analysis before the quarter (at most one), with its risks
    previous_risks: list[Any]
    rectifications: list[Any]  # opened from this quarter's risks
    history: dict[str, list[Any]] = field(default_factory=dict)  # risk point → its earlier entries


def quarter_facts(
    unit: Any, year: int, quarter: int, *, user: Any = None, until: date | None = None
) -> QuarterFacts:
    """The quarter's analyses, risks and 舆情; with `until` (a quarter not yet over) only what the
    ledgers held on that day: a 舆情 closed later is still being handled."""
    read = Reader(unit, user)
    period = quarter_period(year, quarter)
    if until is not None and until < period.end:
        period = Period(period.start, until, period.label)
    analyses = list(read.dated(lm.Analysis, period).order_by("held_on", "pk").select_related("meeting"))
    risks = list(
        read(lm.Risk)
        .filter(analysis__in=[a.pk for a in analyses])
        .select_related("rectification")
        .order_by("pk")
    )
    opinions = list(read.dated(lm.PublicOpinion, period).order_by("found_on", "pk"))
    for o in opinions:
        if until is not None and o.closed_on and o.closed_on > until:
            o.closed, o.closed_on = False, None  # as it stood on the day: read, never saved
    previous = list(read(lm.Analysis).filter(held_on__lt=period.start).order_by("-held_on", "-pk")[:1])
    previous_risks = list(read(lm.Risk).filter(analysis__in=[a.pk for a in previous]).order_by("pk"))
    rectifications = [r.rectification for r in risks if r.rectification_id and r.rectification]
    # each risk's earlier appearances (the same risk point in earlier analyses), oldest first
    history: dict[str, list[Any]] = {}
    earlier = (
        read(lm.Risk)
        .filter(description__in=[r.description for r in risks], analysis__held_on__lt=period.start)
        .select_related("analysis")
        .order_by("analysis__held_on", "pk")
    )
    for r in earlier:
        history.setdefault(r.description, []).append(r)
    return QuarterFacts(analyses, risks, opinions, previous, previous_risks, rectifications, history)


# --- The assessment -------------------------------------------------------------------------------
def schemes_for(unit: Any, year: int, *, user: Any = None) -> list[Any]:
    """The year's assessment schemes that apply to the unit: issued by it or by a unit above it,
    nearest issuer first."""
    from taizhang.rules.models import AssessmentScheme

    ancestors = [int(x) for x in unit.path.strip("/").split("/") if x]
    # a superior's scheme assesses the unit; the unit's own scheme assesses those below it. A scheme
    # is addressed to every unit below its issuer, so the assessed unit's people read it though it
    # is the superior's record (as rules.views._scheme_for does); the caller may read `unit`.
    found = list(
        AssessmentScheme.objects.filter(year=year, unit_id__in=ancestors, deleted_at__isnull=True)
        .exclude(unit_id=unit.pk)
        .select_related("unit")
    )
    found.sort(key=lambda s: (-len(s.unit.path), s.pk))
    return found


# --- The roll-up ----------------------------------------------------------------------------------
@dataclass
class UnitStanding:
    """One subordinate unit in the roll-up: its decided periods and which of them missed, and the
    rules with no record in the unit's year at all (not done all year: told apart, and counted as
    missed); a unit with no record at all (nothing entered) is not rated."""

    unit: Any
    met: int
    missed: list[Any]  # cells missed of rules the unit recorded at other times of the year
    unrecorded: list[Any]  # cells missed of rules with no record in the whole year (not done all year)
    records: int  # the unit's records of the year, every ledger the rules read
    folded: list[Any] = field(default_factory=list)  # a child that is this unit's own party organisation
    rules: dict[str, int] = field(default_factory=dict)  # each rule's decided periods, by the rule's name

    @property
    def decided(self) -> int:
        return self.met + len(self.missed) + len(self.unrecorded)

    @property
    def rate(self) -> float | None:
        return self.met / self.decided if self.decided and (self.records or self.met) else None


def _decided_by_rule(cells: list[Any], *statuses: Any) -> dict[str, int]:
    """How many periods of each rule were decided (met or missed), by the rule's name."""
    out: dict[str, int] = {}
    for c in cells:
        if c.status in statuses:
            out[c.rule.name] = out.get(c.rule.name, 0) + 1
    return out


def own_organisation(child: Any, parent: Any) -> bool:
    """A child unit that stands for its parent's own party organisation (区气象局 › 区气象局党支部),
    not a unit below it: counted once, with the parent."""
    org = (parent.party_org_name or "").strip()
    return bool(org) and org in ((child.name or "").strip(), (child.party_org_name or "").strip())


def standings(unit: Any, year: int, *, user: Any = None, until: date | None = None) -> list[UnitStanding]:
    """The units below `unit` the reader may see, each once: a child standing for its parent's
    party organisation is folded into the parent; `unit` itself is not its own subordinate."""
    from taizhang.orgs.models import Unit
    from taizhang.rules.engine import MET, MISSED
    from taizhang.rules.services import evaluate_units

    below = list(
        Unit.objects.readable(user).filter(path__startswith=unit.path).exclude(pk=unit.pk).order_by("path")
    )
    by_pk = {u.pk: u for u in [unit, *below]}  # the issuer's own branch is the issuer too
    folded: dict[int, list[Any]] = {}
    listed = []
    for u in below:
        parent = by_pk.get(u.parent_id) if u.parent_id else None
        if parent is not None and own_organisation(u, parent):
            if parent.pk != unit.pk:
                folded.setdefault(parent.pk, []).append(u)
        else:
            listed.append(u)
    if not listed:
        return []
    results = evaluate_units(listed, year, user=user)
    # records per ledger per unit: one grouped query per ledger the rules read
    slugs = {r.ledger for res in results for r in res.rules}
    counts: dict[tuple[str, int], int] = {}
    for slug in slugs:
        kind = kinds.REGISTRY.get(slug)
        if kind is None:
            continue
        qs = kind.model.objects.readable(user).filter(unit__in=[u.pk for u in listed])  # type: ignore[attr-defined]
        for row in qs.filter(**{kind.year_lookup(): year}).values("unit").annotate(n=models.Count("pk")):
            counts[(slug, row["unit"])] = row["n"]
    # a rule with not one record all year: nothing was entered (or nothing done) — told apart
    # (a report sent after its due day counts for no period, but it was entered: not silent)
    empty = {
        (rid, res.unit.pk): cs[0].rule
        for res in results
        for rid, cs in res.cells.items()
        if cs and not sum(c.value for c in cs)
    }
    entered = _entered(empty, year, user)
    out = []
    for res in results:
        cells = [c for cs in res.cells.values() for c in cs if until is None or c.period.end <= until]
        missed = [c for c in cells if c.status == MISSED]
        silent = {rid for (rid, pk) in empty if pk == res.unit.pk and (rid, pk) not in entered}
        out.append(
            UnitStanding(
                unit=res.unit,
                met=sum(c.status == MET for c in cells),
                missed=[c for c in missed if c.rule.id not in silent],
                unrecorded=[c for c in missed if c.rule.id in silent],
                records=sum(n for (slug, pk), n in counts.items() if pk == res.unit.pk),
                folded=folded.get(res.unit.pk, []),
                rules=_decided_by_rule(cells, MET, MISSED),
            )
        )
    return out


def evidence_records(unit: Any, cells: list[Any], *, user: Any = None) -> dict[int, list[tuple[str, Any]]]:
    """For each cell (by id()), the (name, day) of the records it counted: one query per ledger."""
    if not cells:
        return {}
    kind = kinds.REGISTRY.get(cells[0].rule.ledger)
    pks = {pk for c in cells for pk in c.evidence}
    if kind is None or not pks:
        return {}
    found = {obj.pk: obj for obj in kind.model.objects.readable(user).filter(unit=unit, pk__in=pks)}  # type: ignore[attr-defined]
    out: dict[int, list[tuple[str, Any]]] = {}
    for c in cells:
        rows = []
        for pk in c.evidence:
            obj = found.get(pk)
            if obj is not None:
                when = kind.day(obj)
                if isinstance(when, datetime):
                    when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
                rows.append((str(obj), when if isinstance(when, date) else None))
        out[id(c)] = rows
    return out


def rule_records(unit: Any, rule: Any, start: date, end: date, *, user: Any = None) -> list[tuple[str, date]]:
    """The (name, day) of the unit's records a rule reads, dated from `start` to `end`, whether or
    not the rule is one of the unit's (a 党组 rule read for a branch's 支委会) and whether or not
    they were in time: what the assessment cites beside the periods counted."""
    kind = kinds.REGISTRY.get(rule.ledger)
    if kind is None:
        return []
    qs = kind.model.objects.readable(user).filter(unit=unit, **dict(rule.filters))  # type: ignore[attr-defined]
    out = []
    for obj in qs.filter(**{kind.year_lookup(): start.year}).order_by("pk"):
        when = kind.day(obj)
        if isinstance(when, datetime):
            when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
        if isinstance(when, date) and start <= when <= end:
            out.append((str(obj), when))
    return sorted(out, key=lambda x: x[1])


def schemes_of(unit: Any, year: int, *, user: Any = None) -> list[Any]:
    """The assessment schemes `unit` issued for the year (those its units are assessed by)."""
    from taizhang.rules.models import AssessmentScheme

    return list(AssessmentScheme.objects.readable(user).filter(year=year, unit=unit).order_by("pk"))


def system_opinions(units: list[Any], year: int, *, user: Any = None) -> list[Any]:
    """The 舆情 found in the year at the units below, oldest first."""
    return list(
        lm.PublicOpinion.objects.readable(user)
        .filter(unit__in=[u.pk for u in units], found_on__year=year)
        .select_related("unit")
        .order_by("found_on", "pk")
    )


# --- A party organisation's 专题研究 of ideology work ---------------------------------------------------
IDEOLOGY_WORD = (
    "意识形态"  # a 支委会 whose title names it studied ideology work (as the demo's evidence reads it)
)


def ideology_studies(facts: Any) -> Any:
    """The meetings at which the unit's party organisation studied ideology work: the 党组/党委's
    meetings of kind party_group; for a 党支部 or 党总支 (it has no 党组) also its 支委会 whose title
    names 意识形态 — the same definition the 支委会专题研究 indicator and the work plan's evidence use."""
    from .facts import Figure, org_meeting

    rows = facts.lists.get("meetings", [])
    branch = getattr(facts.unit, "org_type", "") in ("branch", "general_branch")
    studied = [
        r
        for r in rows
        if r.kind == "party_group" or (branch and r.kind == "branch_committee" and IDEOLOGY_WORD in r.title)
    ]
    day = lambda r: r.held_at  # noqa: E731 (a local date when a reference is made)
    return Figure(
        "ideology_studies",
        len(studied),
        "次",
        f"{org_meeting(facts.unit)}专题研究意识形态工作",
        None,
        studied,
        day,
    )


# --- What a superior's inspections of its units found (docs4) ------------------------------------------
@dataclass
class Feedback:
    """One inspection of a unit by its superior, as the inspected unit recorded it."""

    day: date
    unit: Any
    count: int | None  # the problems fed back: the 整改台账's items, else the summary's 反馈问题N个
    fields: list[str]  # what they concern, from the summary (涉及三审记录和学习研讨)
    items: list[Any]  # the rectifications the inspection opened (source 检查, found the same day)


def inspection_feedback(unit: Any, units: list[Any], year: int, *, user: Any = None) -> list[Feedback]:
    """Each inspection `unit` made of its units in the year, as the inspected unit recorded it. The
    problems are the rectification items the unit entered from it (source 检查, found on the day);
    where it entered none, the count its summary gives (反馈问题4个), the one place the model holds
    a count without the items (a report record has no link to the items it produced)."""
    names = {unit.name, (getattr(unit, "short_name", "") or "").strip()} - {""}
    rows = (
        lm.ReportRecord.objects.readable(user)
        .filter(unit__in=[u.pk for u in units], kind="inspected", held_on__year=year)
        .select_related("unit")
        .order_by("held_on", "unit__path")
    )
    out = []
    for r in rows:
        if r.recipient.strip() in names or any(n in r.title for n in names):
            text = r.summary or ""
            items = list(
                lm.Rectification.objects.readable(user)
                .filter(unit=r.unit, source="inspection", found_on=r.held_on)
                .order_by("pk")
            )
            said = re.search(r"反馈问题(\d+)个", text)
            count = len(items) if items else int(said.group(1)) if said else None
            about = re.findall(r"涉及([^，。；]+)", text)
            fields = [x for a in about for x in re.split(r"和|、", a) if x]
            out.append(Feedback(r.held_on, r.unit, count, fields, items))
    return out


def _entered(empty: dict[tuple[str, int], Any], year: int, user: Any) -> set[tuple[str, int]]:
    """Of the (rule, unit) pairs with nothing counted, those where the unit recorded something of
    the rule's in the year, on time or not: one grouped query per ledger and filter over all units."""
    asked: dict[str, tuple[Any, list[tuple[str, int]]]] = {}
    for (rid, pk), rule in empty.items():
        key = f"{rule.ledger}:{sorted(dict(rule.filters).items())!r}"
        asked.setdefault(key, (rule, []))[1].append((rid, pk))
    out: set[tuple[str, int]] = set()
    for rule, pairs in asked.values():
        kind = kinds.REGISTRY.get(rule.ledger)
        if kind is None:
            continue
        qs = kind.model.objects.readable(user).filter(unit__in={pk for _, pk in pairs})  # type: ignore[attr-defined]
        qs = qs.filter(**{kind.year_lookup(): year}, **dict(rule.filters))
        found = set(qs.values_list("unit", flat=True).distinct())
        out |= {(rid, pk) for rid, pk in pairs if pk in found}
    return out
