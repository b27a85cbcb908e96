"""Requirements as data, and their evaluation: for a unit and a period, met, due or missed.

A requirement set is a YAML file shipped in `requirements/`; the newest version whose `from_year`
is not after the year applies. A unit inherits its ancestors' local changes (`LocalRule`), the
nearer unit winning. Evaluating runs one grouped query per rule for any number of units, so the
superior's table over three thousand units costs the same number of queries as one unit's grid.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models import Count, F, Func, Q, Sum
from django.db.models.functions import Cast, ExtractMonth, TruncDate
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
class Period:
    index: int  # 1-based within the year
    label: str
    start: date
    end: date
    deadline: date  # the due day, or the period's last day


@dataclass(slots=True)
class Cell:
    rule: Rule
    period: Period
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
    (`Kind.date`, as `_bounds`, `_fine` and `_coarse` do): records are placed by their own date or
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


def periods(rule: Rule, year: int) -> list[Period]:
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
        result.append(Period(i + 1, label, start, end, deadline))
    return result


def status_of(value: int, rule: Rule, period: Period, today: date) -> str:
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
def _bounds(model: type[models.Model], when: DatedBy, year: int) -> dict[str, Any]:
    date_field = when.path
    if when.is_datetime(model):
        tz = timezone.get_current_timezone()
        return {
            f"{date_field}__gte": datetime.combine(date(year, 1, 1), time.min, tzinfo=tz),
            f"{date_field}__lt": datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz),
        }
    return {f"{date_field}__gte": date(year, 1, 1), f"{date_field}__lte": date(year, 12, 31)}


def _month_expression(model: type[models.Model], when: DatedBy, year: int) -> Any:
    """The local month of a record. On SQLite, Django's time-zone-aware truncation runs a Python
    function per row; where the zone keeps one offset all year (Beijing time does), SQLite's own
    strftime on the stored UTC text with that offset gives the same month far faster."""
    date_field = when.path
    if connection.vendor == "sqlite" and when.is_datetime(model):
        tz = timezone.get_current_timezone()
        offsets = {tz.utcoffset(datetime(year, month, 1)) for month in range(1, 13)}
        if len(offsets) == 1:
            (offset,) = offsets
            minutes = int(offset.total_seconds() // 60) if offset is not None else 0
            return Cast(
                Func(F(date_field), template=f"strftime('%%%%m', %(expressions)s, '{minutes:+d} minutes')"),
                models.IntegerField(),
            )
    if connection.vendor == "sqlite":
        return Cast(Func(F(date_field), template="strftime('%%%%m', %(expressions)s)"), models.IntegerField())
    # an integer straight from the database (in the current time zone for date-times): no per-row
    # conversion of truncated dates in Python
    return ExtractMonth(date_field)


def _local_date(value: Any) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def evaluate(
    *,
    units: list[Any],
    year: int,
    rules_by_unit: dict[int, list[Rule]],
    queryset: Callable[[type[models.Model]], Any],
    ledgers: Mapping[str, Kind],
    with_evidence: bool = False,
    today: date | None = None,
) -> dict[tuple[int, str], list[Cell]]:
    """Every (unit, rule) pair's cells for the year. `queryset(model)` gives the records the caller
    may read (restrict() on the web); `ledgers` maps a rule's ledger slug to its Kind."""
    today = today or timezone.localdate()
    unit_ids = [u.pk for u in units]
    distinct: dict[Rule, list[int]] = defaultdict(list)
    for unit_id, rules in rules_by_unit.items():
        for rule in rules:
            distinct[rule].append(unit_id)
    results: dict[tuple[int, str], list[Cell]] = {}
    values: dict[Rule, dict[int, list[int]]] = {}
    evidence: dict[Rule, dict[tuple[int, int], list[int]]] = {}
    # Rules that only need counts per month share one scan of their ledger: a column per rule.
    grouped: dict[str, list[Rule]] = defaultdict(list)
    for rule in list(distinct):
        if rule.problem or rule_problem(rule, ledgers):  # never evaluated: its cells stay empty
            for unit_id in distinct.pop(rule):
                results[(unit_id, rule.id)] = []
        elif with_evidence or rule.due:
            values[rule], evidence[rule] = _fine(rule, year, queryset, ledgers, unit_ids)
        else:
            grouped[rule.ledger].append(rule)
    for ledger, rules in grouped.items():
        values.update(_coarse(ledger, rules, year, queryset, ledgers, unit_ids))
    for rule, rule_units in distinct.items():
        plist = periods(rule, year)
        rule_values, rule_evidence = values[rule], evidence.get(rule, {})
        zero = [0] * len(plist)
        statuses = {}  # a period's status depends only on its value: compute each once
        for unit_id in rule_units:
            counts = rule_values.get(unit_id, zero)
            cells = []
            for p in plist:
                value = counts[p.index - 1]
                key = (p.index, value)
                if key not in statuses:
                    statuses[key] = status_of(value, rule, p, today)
                ids = rule_evidence.get((unit_id, p.index))
                cells.append(Cell(rule, p, statuses[key], value, sorted(ids) if ids else []))
            results[(unit_id, rule.id)] = cells
    return results


def _scope(queryset: Callable[[type[models.Model]], Any], kind: Kind, unit_ids: list[int], year: int) -> Any:
    return queryset(kind.model).filter(unit_id__in=unit_ids, **_bounds(kind.model, kind.date, year))


def _fine(
    rule: Rule,
    year: int,
    queryset: Callable[[type[models.Model]], Any],
    ledgers: Mapping[str, Kind],
    unit_ids: list[int],
) -> tuple[dict[int, list[int]], dict[tuple[int, int], list[int]]]:
    """Each record placed against its period's due day, with its id as evidence."""
    kind = ledgers[rule.ledger]
    qs = _scope(queryset, kind, unit_ids, year).filter(**dict(rule.filters))
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
    return values, evidence


def _coarse(
    ledger: str,
    rules: list[Rule],
    year: int,
    queryset: Callable[[type[models.Model]], Any],
    ledgers: Mapping[str, Kind],
    unit_ids: list[int],
) -> dict[Rule, dict[int, list[int]]]:
    """One grouped query for all these rules on one ledger: rows per (unit, month), a column per rule."""
    kind = ledgers[ledger]
    model, date_field = kind.model, kind.date.path
    columns: dict[str, Any] = {}
    for i, rule in enumerate(rules):
        condition = Q(**dict(rule.filters))
        if rule.measure == "days":
            # a date is its own day; truncating one in a time zone fails (SQLite raises)
            day = TruncDate(date_field) if kind.date.is_datetime(model) else F(date_field)
            columns[f"r{i}"] = Count(day, distinct=True, filter=condition)
        elif rule.measure == "people":
            columns[f"r{i}"] = Sum(kind.people_field, filter=condition)
        else:
            columns[f"r{i}"] = Count("pk", filter=condition)
    qs = _scope(queryset, kind, unit_ids, year)
    rows = qs.annotate(m=_month_expression(model, kind.date, year)).values("unit_id", "m").annotate(**columns)
    result: dict[Rule, dict[int, list[int]]] = {rule: {} for rule in rules}
    # per rule: its own result dict (no hashing of rules inside the loop) and its period shape
    shapes = [(result[rule], 12 // PERIODS[rule.period], PERIODS[rule.period]) for rule in rules]
    for row in rows.order_by().values_list("unit_id", "m", *columns):
        unit_id, month = row[0], int(row[1])
        for column, (target, per_month, size) in enumerate(shapes, start=2):
            n = row[column]
            if n:
                counts = target.get(unit_id)
                if counts is None:
                    counts = target[unit_id] = [0] * size
                counts[(month - 1) // per_month] += n
    return result
