"""Requirements as data, and their evaluation: for a unit and a period, met, due or missed.

A requirement set is a YAML file shipped in `requirements/`; the newest version whose `from_year`
is not after the year applies. A unit inherits its ancestors' local changes (`LocalRule`), the
nearer unit winning. Evaluating runs one grouped query per ledger for any number of units (a
rule counting days over every kind of record adds one), so the superior's table over three
thousand units costs the same number of queries as one unit's grid.
"""

from __future__ import annotations

import calendar
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache, reduce
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, connections, models
from django.db.models import Case, Count, F, Func, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from taizhang.core.kinds import DatedBy, Kind

REQUIREMENTS = Path(__file__).parent / "requirements"
PERIODS = {"month": 12, "quarter": 4, "half": 2, "year": 1}
PERIOD_NAMES = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}
MEASURES = {"count": "次", "days": "天", "people": "人次"}
MET, DUE, MISSED = "met", "due", "missed"
STATUS_NAMES = {MET: "已完成", DUE: "待完成", MISSED: "未完成"}


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    source: str
    ledger: str
    period: str
    threshold: int
    filters: tuple[tuple[str, Any], ...] = ()
    measure: str = "count"
    due: tuple[str, ...] = ()  # "MM-DD" per period, or one for all
    local: bool = False
    problem: str = ""  # why the engine cannot evaluate it (rule_problems): shown as 无法计算, skipped
    # the party organisations it is written for (orgs.PartyOrgType values); () for every unit
    orgs: tuple[str, ...] = ()

    def applies_to(self, org_type: str) -> bool:
        """三会一课 binds a branch, 中心组 a 党组/党委; a unit whose type is unknown keeps every rule."""
        return not self.orgs or not org_type or org_type in self.orgs

    @property
    def description(self) -> str:
        if self.period not in PERIOD_NAMES or self.measure not in MEASURES:
            return "无法计算"
        return f"{PERIOD_NAMES[self.period]}不少于 {self.threshold} {MEASURES[self.measure]}"


@dataclass(frozen=True)
class RulePeriod:
    """One of a rule's periods in a year (a month, quarter, half or the year) and its due day."""

    index: int  # 1-based within the year
    label: str
    start: date
    end: date
    deadline: date  # the due day, or the period's last day


@dataclass(frozen=True, slots=True)
class Cell:
    """A rule's result for one unit and period. Frozen: units with the same values share cells."""

    rule: Rule
    period: RulePeriod
    status: str
    value: int
    evidence: list[int] = field(default_factory=list)


def parse_rule(raw: dict[str, Any], *, local: bool = False) -> Rule:
    period = raw["period"]
    if period not in PERIODS:
        raise ValueError(f"规则 {raw.get('id')} 的周期 {period} 无效")
    measure = raw.get("measure", "count")
    if measure not in MEASURES:
        raise ValueError(f"规则 {raw.get('id')} 的计量方式 {measure} 无效")
    due = raw.get("due") or ()
    return Rule(
        id=str(raw["id"]),
        name=str(raw["name"]),
        source=str(raw.get("source", "")),
        ledger=str(raw["ledger"]),
        period=period,
        threshold=int(raw["threshold"]),
        filters=tuple(sorted((raw.get("filters") or {}).items())),
        measure=measure,
        due=(due,) if isinstance(due, str) else tuple(due),
        local=local,
        orgs=tuple(raw.get("orgs") or ()),
    )


DUE_PATTERN = re.compile(r"\d{1,2}-\d{1,2}")


def rule_problems(rule: Rule, ledgers: Mapping[str, Kind]) -> dict[str, str]:
    """Why the engine cannot evaluate `rule`, by the local-rule field at fault (Chinese messages);
    empty when it can. The one check: the rule form and service refuse what it finds, and the
    engine skips such a rule (an old row) instead of failing. It reads the kind's date definition
    (`Kind.date`, as the evaluation does): records are placed by their own date or
    date-time, so a kind dated by a year or by a related record's field cannot be counted per
    period; people are counted in the kind's declared `people_field`."""
    problems: dict[str, str] = {}
    if rule.period not in PERIODS:
        problems["period"] = "周期无效。可用：" + "、".join(PERIOD_NAMES.values())
    if rule.measure not in MEASURES:
        problems["measure"] = "计量方式无效。"
    kind = ledgers.get(rule.ledger)
    if kind is None:
        problems["ledger"] = f"没有“{rule.ledger}”这个台账。可用：" + "、".join(sorted(ledgers))
    else:
        model, name = kind.model, kind.verbose()
        try:
            when = kind.date.field(model) if kind.date.own else None
        except FieldDoesNotExist:
            when = None
        if isinstance(when, models.IntegerField):
            problems["ledger"] = f"“{name}”只记年度，没有具体日期，无法按周期统计，不能作为规则的统计台账。"
        elif not isinstance(when, models.DateField):  # DateTimeField is a DateField too
            problems["ledger"] = f"“{name}”的日期取自关联记录，无法按日期统计，不能作为规则的统计台账。"
        for key, value in rule.filters:
            try:
                f = model._meta.get_field(key)
            except FieldDoesNotExist:
                f = None
            if not isinstance(f, models.Field) or f.is_relation:
                problems["kind"] = f"“{name}”没有类型“{key}”，不能按类型筛选。"
                continue
            allowed = [str(v) for v, _label in f.flatchoices]
            if allowed and str(value) not in allowed:
                labels = "、".join(f"{v}（{label}）" for v, label in f.flatchoices)
                problems["kind"] = f"“{name}”没有类型“{value}”。可用：{labels}"
                continue
            try:
                f.to_python(value)
            except ValidationError:
                problems["kind"] = f"类型“{value}”不是“{name}”的有效取值。"
        if rule.measure == "people" and not kind.people_field:
            problems["measure"] = f"“{name}”没有到会人数，不能按人次统计。"
    due = _due_problem(rule)
    if due:
        problems["due"] = due
    return problems


def _due_problem(rule: Rule) -> str:
    """Why the rule's due days cannot be used (empty when they can)."""
    for due in rule.due:
        if not DUE_PATTERN.fullmatch(due):
            return "截止日格式应为 MM-DD，如 06-20。"
        mm, dd = (int(x) for x in due.split("-"))
        if not 1 <= mm <= 12:
            return f"截止日“{due}”不存在：没有{mm}月。"
        days = calendar.monthrange(2000, mm)[1]  # a leap year: 02-29 is allowed (28 February otherwise)
        if not 1 <= dd <= days:
            return f"截止日“{due}”不存在：{mm}月没有{dd}日。"
    if rule.period in PERIODS and len(rule.due) > PERIODS[rule.period]:
        return f"截止日填了 {len(rule.due)} 个，但{PERIOD_NAMES[rule.period]}只有 {PERIODS[rule.period]} 个周期。"
    return ""


def rule_problem(rule: Rule, ledgers: Mapping[str, Kind]) -> str:
    """The reason shown beside 无法计算 (empty when the rule can be evaluated)."""
    return "；".join(rule_problems(rule, ledgers).values())


@lru_cache(maxsize=8)
def _versions() -> tuple[tuple[int, int, tuple[Rule, ...]], ...]:
    found = []
    for path in sorted(REQUIREMENTS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.append(
            (int(data["from_year"]), int(data["version"]), tuple(parse_rule(r) for r in data["rules"]))
        )
    return tuple(sorted(found))


def default_rules(year: int) -> list[Rule]:
    """The shipped set in force for a year."""
    chosen: tuple[Rule, ...] = ()
    for from_year, _version, rules in _versions():
        if from_year <= year:
            chosen = rules
    return list(chosen)


def periods(rule: Rule, year: int) -> list[RulePeriod]:
    count = PERIODS[rule.period]
    months = 12 // count
    result = []
    for i in range(count):
        start = date(year, i * months + 1, 1)
        end_month = (i + 1) * months
        end = date(year, end_month, calendar.monthrange(year, end_month)[1])
        deadline = end
        if rule.due:
            mm, dd = (int(x) for x in (rule.due[i] if len(rule.due) > i else rule.due[-1]).split("-"))
            # 02-29 is a valid due day (rule_problems allows it); outside leap years it is 28 February
            due = date(year, mm, min(dd, calendar.monthrange(year, mm)[1]))
            deadline = min(end, max(start, due))
        if rule.period == "month":
            label = f"{i + 1}月"
        elif rule.period == "quarter":
            label = f"第{'一二三四'[i]}季度"
        elif rule.period == "half":
            label = "上半年" if i == 0 else "下半年"
        else:
            label = f"{year}年"
        result.append(RulePeriod(i + 1, label, start, end, deadline))
    return result


def status_of(value: int, rule: Rule, period: RulePeriod, today: date) -> str:
    if value >= rule.threshold:
        return MET
    return DUE if today <= period.deadline else MISSED


# --- Effective rules per unit ------------------------------------------------------------------------
def effective_rules(
    units: Iterable[Any], year: int, local_rules: Iterable[Any], *, ledgers: Mapping[str, Kind]
) -> dict[int, list[Rule]]:
    """Each unit's rules: the shipped set, then its ancestors' and its own local changes, root first.
    A rule the engine cannot evaluate (an old row written before the form checked) keeps its place
    with its `problem` set, so the pages show it as 无法计算 and evaluation skips it."""
    base = default_rules(year)
    checked: dict[Rule, Rule] = {}

    def check(rule: Rule) -> Rule:
        if rule not in checked:
            checked[rule] = replace(rule, problem=rule_problem(rule, ledgers) or rule.problem)
        return checked[rule]

    by_unit: dict[int, list[Any]] = defaultdict(list)
    for lr in local_rules:
        if lr.year in (None, year):
            by_unit[lr.unit_id].append(lr)
    cache: dict[str, list[Rule]] = {}
    result = {}
    for unit in units:
        chain = [int(x) for x in unit.path.strip("/").split("/") if x]
        org_type = getattr(unit, "org_type", "")
        key = "/".join(str(u) for u in chain if u in by_unit) + f"|{org_type}"
        if key not in cache:
            rules = {r.id: r for r in base}
            for unit_id in chain:
                for lr in sorted(by_unit.get(unit_id, []), key=lambda x: x.pk):
                    lr.apply(rules)
            cache[key] = [check(rule) for rule in rules.values() if rule.applies_to(org_type)]
        result[unit.pk] = cache[key]
    return result


# --- Evaluation --------------------------------------------------------------------------------------
Readable = Callable[[type[models.Model]], Any]  # the records of a model the caller may read
Values = tuple[int, ...]  # one unit's numbers, one per period (or running totals, one per cut day)


def _moment(model: type[models.Model], when: DatedBy, day: date) -> date | datetime:
    """What a record's date is compared with to ask "before `day`?": the day, or its local midnight."""
    if when.is_datetime(model):
        return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return day


def _bounds(model: type[models.Model], when: DatedBy, year: int) -> dict[str, Any]:
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    return {f"{when.path}__gte": _moment(model, when, first), f"{when.path}__lt": _moment(model, when, after)}


def _scope(records: Readable, kind: Kind, unit_ids: list[int], year: int) -> Any:
    return records(kind.model).filter(unit_id__in=unit_ids, **_bounds(kind.model, kind.date, year)).order_by()


def _local_date(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def evaluate(
    *,
    units: list[Any],
    year: int,
    rules_by_unit: dict[int, list[Rule]],
    queryset: Readable,
    ledgers: Mapping[str, Kind],
    with_evidence: bool = False,
    today: date | None = None,
) -> dict[int, dict[str, list[Cell]]]:
    """Each unit's cells for the year, by rule id in the order of the unit's rules. `queryset(model)`
    gives the records the caller may read (restrict() on the web); `ledgers` maps a rule's ledger
    slug to its Kind. Without evidence, a ledger costs one grouped query whatever the number of
    units and rules (see _grouped_values); with evidence, each rule reads its records.
    Units with the same values share their lists of cells: read them, never change them."""
    today = today or timezone.localdate()
    unit_ids = [u.pk for u in units]
    # units sharing one list of rules (effective_rules gives units of one chain the same list)
    sharing: dict[int, tuple[list[Rule], list[int]]] = {}
    for unit_id, rules in rules_by_unit.items():
        sharing.setdefault(id(rules), (rules, []))[1].append(unit_id)
    rule_units: dict[Rule, list[int]] = defaultdict(list)
    for rules, members in sharing.values():
        for rule in rules:
            rule_units[rule].extend(members)
    by_rule: dict[Rule, dict[int, list[Cell]]] = {}
    grouped: dict[str, list[Rule]] = defaultdict(list)
    for rule, rule_unit_ids in rule_units.items():
        kind = ledgers.get(rule.ledger)
        if kind is None or rule.problem or rule_problem(rule, ledgers):  # never evaluated: no cells
            by_rule[rule] = {unit_id: [] for unit_id in rule_unit_ids}
        elif with_evidence:
            values, evidence = _records_per_period(rule, year, queryset, kind, unit_ids)
            by_rule[rule] = _rule_cells(rule, year, rule_unit_ids, values, evidence, today)
        else:
            grouped[rule.ledger].append(rule)
    for ledger, rules in grouped.items():
        for rule, values in _grouped_values(rules, year, queryset, ledgers[ledger], unit_ids).items():
            by_rule[rule] = _rule_cells(rule, year, rule_units[rule], values, {}, today)
    result = {}
    for rules, members in sharing.values():
        columns = [(rule.id, by_rule[rule]) for rule in rules]
        for unit_id in members:
            result[unit_id] = {rule_id: cells[unit_id] for rule_id, cells in columns}
    return result


def _rule_cells(
    rule: Rule,
    year: int,
    unit_ids: list[int],
    values: Mapping[int, Values],
    evidence: Mapping[tuple[int, int], list[int]],
    today: date,
) -> dict[int, list[Cell]]:
    """One rule's cells per unit. A cell without evidence depends only on its period and value, so
    units with the same values share their (frozen) cells."""
    plist = periods(rule, year)
    zero = (0,) * len(plist)
    shared: dict[tuple[int, int], Cell] = {}  # (period position, value): its cell

    def cell(i: int, value: int) -> Cell:
        found = shared.get((i, value))
        if found is None:
            found = shared[(i, value)] = Cell(rule, plist[i], status_of(value, rule, plist[i], today), value)
        return found

    rows: dict[Values, list[Cell]] = {}
    result = {}
    for unit_id in unit_ids:
        unit_values = values.get(unit_id, zero)
        row = rows.get(unit_values)
        if row is None:
            row = rows[unit_values] = [cell(i, v) for i, v in enumerate(unit_values)]
        if evidence:
            found = [evidence.get((unit_id, p.index)) for p in plist]
            if any(found):
                row = [
                    replace(c, evidence=sorted(ids)) if ids else c for c, ids in zip(row, found, strict=True)
                ]
        result[unit_id] = row
    return result


def _records_per_period(
    rule: Rule, year: int, records: Readable, kind: Kind, unit_ids: list[int]
) -> tuple[dict[int, Values], dict[tuple[int, int], list[int]]]:
    """Every record the rule counts, read one by one and placed against its period's due day, with
    its id kept as the cell's evidence (a unit's page, the command line)."""
    qs = _scope(records, kind, unit_ids, year).filter(**dict(rule.filters))
    plist = periods(rule, year)
    per_month = 12 // len(plist)
    values: dict[int, list[int]] = {}
    evidence: dict[tuple[int, int], list[int]] = defaultdict(list)
    seen_days: set[tuple[int, int, date]] = set()
    for row in qs.values_list(
        "unit_id", "pk", kind.date.path, *([kind.people_field] if rule.measure == "people" else [])
    ):
        unit_id, pk, when = row[0], row[1], _local_date(row[2])
        p = plist[(when.month - 1) // per_month]
        if when > p.deadline:
            continue  # after the due day: does not count for this period
        evidence[(unit_id, p.index)].append(pk)
        counts = values.setdefault(unit_id, [0] * len(plist))
        if rule.measure == "days":
            if (unit_id, p.index, when) not in seen_days:
                seen_days.add((unit_id, p.index, when))
                counts[p.index - 1] += 1
        elif rule.measure == "people":
            counts[p.index - 1] += row[3] or 0
        else:
            counts[p.index - 1] += 1
    return {unit_id: tuple(counts) for unit_id, counts in values.items()}, evidence


# Without evidence, a period's value is a difference of two running totals: what was recorded
# before the day after its deadline, less what was recorded before its first day. SQL takes the
# totals before each "cut day" of the year (a day some period starts on, or stops counting after
# its due day) and over the whole year, so no record's month or period is worked out row by row.
def _cut_days(rules: Iterable[Rule], year: int) -> list[date]:
    days = {
        d for rule in rules for p in periods(rule, year) for d in (p.start, p.deadline + timedelta(days=1))
    }
    return sorted(days - {date(year, 1, 1), date(year + 1, 1, 1)})


def _period_values(
    totals: Mapping[int, Values], rule: Rule, year: int, cuts: list[date] | None = None
) -> dict[int, Values]:
    """Per unit, the rule's value in each of its periods, from running totals before each of
    `cuts` (the rule's own cut days unless given) and then over the whole year."""
    cuts = _cut_days([rule], year) if cuts is None else cuts
    place = {day: i for i, day in enumerate(cuts)} | {date(year + 1, 1, 1): len(cuts)}
    spans = [(place.get(p.start), place[p.deadline + timedelta(days=1)]) for p in periods(rule, year)]
    seen: dict[Values, Values] = {}
    result = {}
    for unit_id, running in totals.items():
        values = seen.get(running)
        if values is None:
            values = seen[running] = tuple(
                running[stop] - (running[start] if start is not None else 0) for start, stop in spans
            )
        result[unit_id] = values
    return result


def _running_columns(
    prefix: str, measure: str, kind: Kind, cuts: list[date], year: int, condition: Q | None = None
) -> dict[str, Any]:
    """The aggregates of the running totals of `measure` (of the records `condition` keeps) before
    each cut day, then over the whole year."""
    model, when = kind.model, kind.date

    def total(before: Q | None) -> Any:
        only = before & condition if before is not None and condition is not None else before or condition
        if measure == "people":
            return Coalesce(Sum(kind.people_field, filter=only), 0, output_field=models.IntegerField())
        if measure == "days":
            return Count(_day_expression(kind, year), distinct=True, filter=only)
        return Count("pk", filter=only)

    columns = {
        f"{prefix}{i}": total(Q(**{f"{when.path}__lt": _moment(model, when, d)})) for i, d in enumerate(cuts)
    }
    columns[f"{prefix}{len(cuts)}"] = total(None)
    return columns


def _day_expression(kind: Kind, year: int) -> Any:
    """A record's local day. On SQLite, Django's time-zone-aware TruncDate runs a Python function
    per row; where the zone keeps one offset all year (Beijing time does), SQLite's own date() of
    the stored UTC text with that offset gives the same day far faster."""
    model, path = kind.model, kind.date.path
    if not kind.date.is_datetime(model):
        return F(path)  # a date is its own day; truncating one in a time zone fails (SQLite raises)
    if connection.vendor == "sqlite":
        tz = timezone.get_current_timezone()
        offsets = {tz.utcoffset(datetime(year, 1, 1) + timedelta(days=n)) for n in range(367)}
        if len(offsets) == 1:
            (offset,) = offsets
            minutes = int(offset.total_seconds() // 60) if offset is not None else 0
            return Func(
                F(path),
                template=f"date(%(expressions)s, '{minutes:+d} minutes')",
                output_field=models.DateField(),
            )
    return TruncDate(path)


def _distinct_days(
    rule: Rule, year: int, records: Readable, kind: Kind, unit_ids: list[int]
) -> dict[int, Values]:
    """Per unit, running totals of the distinct days with a record the rule counts."""
    columns = _running_columns("days", "days", kind, _cut_days([rule], year), year)
    qs = _scope(records, kind, unit_ids, year).filter(**dict(rule.filters))
    rows = _raw_rows(qs.values("unit_id").annotate(**columns).values_list("unit_id", *columns))
    return {row[0]: row[1:] for row in rows}


def _grouped_values(
    rules: list[Rule], year: int, records: Readable, kind: Kind, unit_ids: list[int]
) -> dict[Rule, dict[int, Values]]:
    """Per rule and unit the period values of the rules on one ledger, from one grouped query:
    running totals per unit and combination of values of the rules' filter fields (a meeting's
    kind), added up in Python over the combinations each rule's filters match. Distinct days do
    not add up over combinations: a rule counting days whose filters leave more than one
    combination per unit (a rule on every kind of meeting) has a query of its own."""
    fields = sorted({name for rule in rules for name, _value in rule.filters})
    apart = [r for r in rules if r.measure == "days" and {name for name, _ in r.filters} != set(fields)]
    values = {r: _period_values(_distinct_days(r, year, records, kind, unit_ids), r, year) for r in apart}
    together = [rule for rule in rules if rule not in apart]
    if not together:
        return values
    try:
        totals, layout = _grouped_totals(together, fields, year, records, kind, unit_ids, packed=True)
    except _Overflow:  # a segment too full to pack: the same totals, one aggregate per cut day
        totals, layout = _grouped_totals(together, fields, year, records, kind, unit_ids, packed=False)
    return values | {rule: _period_values(totals[rule], rule, year, layout[rule][0]) for rule in together}


def _grouped_totals(
    rules: list[Rule],
    fields: list[str],
    year: int,
    records: Readable,
    kind: Kind,
    unit_ids: list[int],
    *,
    packed: bool,
) -> tuple[dict[Rule, dict[int, Values]], dict[Rule, _Layout]]:
    """The grouped query, and per rule and unit its running totals."""
    columns, layout = _grouped_columns(rules, fields, year, kind, packed=packed)
    qs = _scope(records, kind, unit_ids, year)
    if all(rule.filters for rule in rules):  # read only the records some rule counts
        qs = qs.filter(reduce(operator.or_, (Q(**dict(rule.filters)) for rule in rules)))
    wanted = {rule: _filter_values(kind, fields, rule, connections[qs.db]) for rule in rules}
    totals: dict[Rule, dict[int, Values]] = {rule: {} for rule in rules}
    matches: dict[tuple[Any, ...], list[tuple[dict[int, Values], slice, _Unpack | None]]] = {}
    for row in _raw_rows(
        qs.values("unit_id", *fields).annotate(**columns).values_list("unit_id", *fields, *columns)
    ):
        key = row[1 : 1 + len(fields)]
        targets = matches.get(key)
        if targets is None:  # the rules counting this combination, found once per combination
            targets = matches[key] = [
                (totals[rule], layout[rule][1], layout[rule][2])
                for rule, pairs in wanted.items()
                if all(key[i] == value for i, value in pairs)
            ]
        for target, part, unpack in targets:
            running = unpack(row[part]) if unpack else row[part]
            before = target.get(row[0])
            target[row[0]] = running if before is None else tuple(map(operator.add, before, running))
    return totals, layout


def _grouped_columns(
    rules: list[Rule], fields: list[str], year: int, kind: Kind, *, packed: bool
) -> tuple[dict[str, Any], dict[Rule, _Layout]]:
    """The grouped query's aggregates, and per rule its cut days, where its totals are in a row
    (after the unit and the `fields`) and how to unpack them: shared by the rules counting records
    (packed: a few sums per row instead of one count per cut day), shared by those counting
    people, and each rule counting days with its own, filtered by the rule."""
    columns: dict[str, Any] = {}
    layout: dict[Rule, _Layout] = {}

    def add(chosen: list[Rule], more: dict[str, Any], unpack: _Unpack | None = None) -> None:
        start = 1 + len(fields) + len(columns)
        columns.update(more)
        layout.update(
            dict.fromkeys(chosen, (_cut_days(chosen, year), slice(start, start + len(more)), unpack))
        )

    counting = [rule for rule in rules if rule.measure == "count"]
    if counting and packed:
        cuts = _cut_days(counting, year)
        add(counting, _packed_columns(kind, cuts), _Unpack(len(cuts) + 1))
    elif counting:
        add(counting, _running_columns("count", "count", kind, _cut_days(counting, year), year))
    people = [rule for rule in rules if rule.measure == "people"]
    if people:
        add(people, _running_columns("people", "people", kind, _cut_days(people, year), year))
    for i, rule in enumerate(rule for rule in rules if rule.measure == "days"):
        condition = Q(**dict(rule.filters)) if rule.filters else None
        add([rule], _running_columns(f"days{i}_", "days", kind, _cut_days([rule], year), year, condition))
    return columns, layout


# Packed counts: the year's segments between cut days, SLOTS to a sum, each segment's count in
# BITS bits of it (a record adds 1 shifted to its segment's place): a record costs the database
# one sum instead of one count per cut day. Unpacking checks that the counts add up to the
# group's total, which fails only if some segment of one unit held 2**BITS records or more; the
# ledger is then counted again with one aggregate per cut day.
BITS, SLOTS = 20, 3


class _Overflow(Exception):
    """A segment held too many records for its place in a packed sum."""


def _packed_columns(kind: Kind, cuts: list[date]) -> dict[str, Any]:
    model, path = kind.model, kind.date.path
    edges = [_moment(model, kind.date, day) for day in cuts]
    columns: dict[str, Any] = {}
    for w, first in enumerate(range(0, len(edges) + 1, SLOTS)):
        last = min(first + SLOTS - 1, len(edges))  # the word's segments: first..last
        inner = edges[first:last]
        weight = Case(
            *[When(Q(**{f"{path}__lt": e}), then=Value(1 << (BITS * i))) for i, e in enumerate(inner)],
            default=Value(1 << (BITS * len(inner))),
            output_field=models.BigIntegerField(),
        )
        within = Q()
        if first > 0:
            within &= Q(**{f"{path}__gte": edges[first - 1]})
        if last < len(edges):
            within &= Q(**{f"{path}__lt": edges[last]})
        columns[f"packed{w}"] = Sum(weight, filter=within or None)
    columns["packed_all"] = Count("pk")
    return columns


class _Unpack:
    """Packed sums and a total → running totals before each cut day, then over the year."""

    def __init__(self, segments: int) -> None:
        self.slots = tuple(min(SLOTS, segments - first) for first in range(0, segments, SLOTS))  # per sum
        self.words: dict[tuple[int, Any], Values] = {}  # (slots, packed sum): its counts

    @staticmethod
    def _counts(slots: int, word: Any) -> Values:
        value = int(word or 0)
        if value >> (BITS * slots):
            raise _Overflow
        return tuple((value >> (BITS * i)) & ((1 << BITS) - 1) for i in range(slots))

    def __call__(self, packed: tuple[Any, ...]) -> Values:
        counts: Values = ()
        for key in zip(self.slots, packed[:-1], strict=True):  # the sums; the total comes last
            found = self.words.get(key)
            if found is None:
                found = self.words[key] = self._counts(*key)
            counts += found
        if sum(counts) != packed[-1]:
            raise _Overflow
        return tuple(accumulate(counts))


_Layout = tuple[list[date], slice, _Unpack | None]


def _filter_values(kind: Kind, fields: list[str], rule: Rule, db: Any) -> tuple[tuple[int, Any], ...]:
    """The rule's filters as (position among `fields`, the value as the database stores it)."""
    found = []
    for name, value in rule.filters:
        f = kind.model._meta.get_field(name)
        assert isinstance(f, models.Field)  # rule_problems refuses anything else
        found.append((fields.index(name), f.get_db_prep_value(f.to_python(value), db)))
    return tuple(found)


def _raw_rows(qs: Any) -> list[tuple[Any, ...]]:
    """A values_list query's rows as the database returns them. Counts and sums need no conversion,
    and Django's converters, called per value, would cost more than the grouping itself."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
