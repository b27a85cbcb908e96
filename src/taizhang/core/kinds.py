"""What a record kind is, declared once beside its model and read by every layer.

A `Kind` says which model it is, how its records are dated (one `DatedBy` object gives the ORM
lookup, the year filter and the Python value), which fields carry its kind, state and people, what
its form and list show, how it is ordered, who may write it, which records hang below it, and what
it gives the rules engine and the ledger book. The pages (core.views), search, the rules engine, the
ledger book, the documents and the command line all read the registry here; none of them asks the
web layer what a kind is. `check_kinds` validates every declaration at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import date as _Day  # the class below has a field named `date`
from typing import Any, Literal

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone


@dataclass(frozen=True)
class DatedBy:
    """Where a record's date is: a date or date-time field of its own (`held_on`), a year field
    (`year`), or either reached through a relation (`analysis__held_on`, `plan__year`)."""

    path: str
    # the year lookup, where a kind files its records under a year of its own that is not the
    # date's (a risk is listed under its analysis's 年度, whatever day the analysis was held)
    year: str | None = None

    @property
    def own(self) -> bool:
        """The date is the record's own field (not read through a relation)."""
        return LOOKUP_SEP not in self.path

    def field(self, model: type[models.Model]) -> models.Field[Any, Any]:
        """The field the path ends at; FieldDoesNotExist when it does not resolve."""
        *relations, last = self.path.split(LOOKUP_SEP)
        for name in relations:
            rel = model._meta.get_field(name)
            if not rel.is_relation or rel.related_model is None or rel.many_to_many or rel.one_to_many:
                raise FieldDoesNotExist(f"{model.__name__}.{name} 不是指向单条记录的关联")
            model = rel.related_model  # type: ignore[assignment]
        found = model._meta.get_field(last)
        if not isinstance(found, models.Field):
            raise FieldDoesNotExist(f"{model.__name__}.{last} 不是字段")
        return found

    def is_year(self, model: type[models.Model]) -> bool:
        return isinstance(self.field(model), models.IntegerField)

    def is_datetime(self, model: type[models.Model]) -> bool:
        return isinstance(self.field(model), models.DateTimeField)

    def year_lookup(self, model: type[models.Model]) -> str:
        """The ORM lookup a year is compared with (`year` itself, or `held_on__year`)."""
        if self.year:
            return self.year
        return self.path if self.is_year(model) else f"{self.path}{LOOKUP_SEP}year"

    def related(self) -> str | None:
        """The relation to select along with the record so `value` costs no query (or None)."""
        return None if self.own else self.path.rsplit(LOOKUP_SEP, 1)[0]

    def value(self, obj: Any) -> date | None:
        """The record's day: its date, a date-time's local date, a year's 1 January (None if unset)."""
        value: Any = obj
        for name in self.path.split(LOOKUP_SEP):
            value = getattr(value, name, None)
            if value is None:
                return None
        if isinstance(value, datetime):
            return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int) and 1900 <= value <= 2200:
            return date(value, 1, 1)
        return None


@dataclass(frozen=True)
class Child:
    """A list of dependent records shown on the parent's detail page, with an add link."""

    accessor: str  # related manager on the parent, e.g. "items"
    slug: str  # the child kind's slug
    fk: str  # the child's field pointing at the parent
    columns: tuple[str, ...]


BookPart = Literal["year", "standing", "none"]


@dataclass(frozen=True)
class Kind:
    """One record kind: everything the layers above the model need to know about it."""

    model: type[models.Model]
    slug: str  # url name prefix, path segment, search kind, rule ledger
    search_code: int  # its place in the search rank (1..63); stored in the index, never reused
    namespace: str  # the app whose URLconf serves its pages ("ledger", "rules", "library")
    fields: tuple[str, ...]  # the form's fields; also the import and export columns
    list_fields: tuple[str, ...] = ()
    date: DatedBy = DatedBy("created_at")
    kind_field: str | None = None
    state_field: str | None = None
    person_fields: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()  # the list page's text filter
    sortable: tuple[str, ...] = ()
    default_order: tuple[str, ...] = ()  # empty: newest by date first
    write_action: str | None = None  # "manage" where only the unit's managers may write (local rules)
    children: tuple[Child, ...] = ()
    # columns the model's clean() requires only sometimes, and when: marked in the import template
    required_when: tuple[tuple[str, str], ...] = ()
    # the rules engine: the field counted by measure "people" (到会人数), when the kind has one
    people_field: str | None = None
    # the ledger book (台账汇编): a sheet of the year's records, of all standing ones, or none
    book: BookPart = "year"
    # how a cell reads beyond its display value (a rectification past its deadline says so)
    display: Callable[[Any, str, Any], Any] | None = field(default=None, compare=False)
    # sample records for `taizhang demo` (unsaved, for a unit, a year and the person writing them),
    # for a kind the hand-written demo builders do not know
    demo: Callable[[Any, int, Any], list[Any]] | None = field(default=None, compare=False)

    # -- reading the declaration -----------------------------------------------------------------
    def verbose(self) -> str:
        return str(self.model._meta.verbose_name)

    def model_field(self, name: str) -> models.Field[Any, Any]:
        found = self.model._meta.get_field(name)
        assert isinstance(found, models.Field)
        return found

    def year_lookup(self) -> str:
        return self.date.year_lookup(self.model)

    def day(self, obj: Any) -> _Day | None:
        return self.date.value(obj)

    def ordering(self) -> tuple[str, ...]:
        return self.default_order or (f"-{self.date.path}", "-pk")

    def related_fields(self) -> list[str]:
        """Foreign keys the list and the sheet show: selected with the records, not one by one."""
        names = dict.fromkeys((*self.list_fields, *self.person_fields, *self.fields))
        return [f for f in names if self.model_field(f).many_to_one or self.model_field(f).one_to_one]

    def cell(self, obj: Any, name: str) -> Any:
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if display else getattr(obj, name)
        if value is None and hasattr(obj, f"{name}_text"):
            value = getattr(obj, f"{name}_text") or None
        return self.display(obj, name, value) if self.display else value

    def sheet(self, qs: Any) -> tuple[str, list[str], Any]:
        """A worksheet of records: the unit, then every form column as a clerk reads it."""
        columns = list(self.fields)
        m2m = {f.name for f in self.model._meta.many_to_many}
        headers = ["单位", *[str(self.model_field(c).verbose_name) for c in columns]]
        qs = qs.select_related("unit", *self.related_fields()).prefetch_related(
            *[c for c in columns if c in m2m]
        )

        def rows() -> Any:
            for obj in qs.iterator(chunk_size=2000) if not m2m else qs:
                yield [
                    obj.unit.short_name,
                    *[
                        "、".join(str(x) for x in getattr(obj, c).all())
                        if c in m2m
                        else plain(self.cell(obj, c))
                        for c in columns
                    ],
                ]

        return self.verbose(), headers, rows()


def plain(value: Any) -> Any:
    """A cell value a spreadsheet understands: models become their names, booleans 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, models.Model):
        return str(value)
    return value


# --- The registry ---------------------------------------------------------------------------------
REGISTRY: dict[str, Kind] = {}
_BY_MODEL: dict[type[models.Model], Kind] = {}
_DECLARED: list[Kind] = []  # every declaration, clashing ones too: check_kinds reports them


def register(kind: Kind) -> Kind:
    """Declare a kind (at import of its models module). Clashes are reported by check_kinds."""
    _DECLARED.append(kind)
    REGISTRY.setdefault(kind.slug, kind)
    _BY_MODEL.setdefault(kind.model, kind)
    return kind


def unregister(kind: Kind) -> None:
    """Take a declaration out again (a test that declares a broken one)."""
    _DECLARED.remove(kind)
    REGISTRY.clear()
    _BY_MODEL.clear()
    for known in _DECLARED:
        REGISTRY.setdefault(known.slug, known)
        _BY_MODEL.setdefault(known.model, known)


def get(slug: str) -> Kind | None:
    return REGISTRY.get(slug)


def for_model(model: type[Any]) -> Kind | None:
    return _BY_MODEL.get(model)


def of_namespace(namespace: str) -> Iterator[Kind]:
    """The kinds an app serves, in the order of their search codes (the order of docs/domain.md §2)."""
    return iter(
        sorted((k for k in REGISTRY.values() if k.namespace == namespace), key=lambda k: k.search_code)
    )


# --- The start-up check ---------------------------------------------------------------------------
def kind_problems(kind: Kind) -> list[str]:
    """What is wrong with one declaration (Chinese, one line each); empty when it is sound."""
    problems: list[str] = []
    names = {f.name for f in kind.model._meta.get_fields()}
    if not 1 <= kind.search_code <= 63:
        problems.append(f"搜索代码 {kind.search_code} 超出 1–63")
    try:
        when = kind.date.field(kind.model)
    except FieldDoesNotExist as exc:
        problems.append(f"日期定义 “{kind.date.path}” 无法解析：{exc}")
    else:
        if not isinstance(when, models.DateField | models.IntegerField):
            problems.append(f"日期定义 “{kind.date.path}” 不是日期、日期时间或年度字段")
    if kind.date.year:
        try:
            DatedBy(kind.date.year).field(kind.model)
        except FieldDoesNotExist as exc:
            problems.append(f"年度定义 “{kind.date.year}” 无法解析：{exc}")
    groups: list[tuple[str, tuple[str, ...]]] = [
        ("表单字段", kind.fields), ("列表字段", kind.list_fields), ("人员字段", kind.person_fields),
        ("排序字段", kind.sortable),
        ("类型字段", (kind.kind_field,) if kind.kind_field else ()),
        ("状态字段", (kind.state_field,) if kind.state_field else ()),
        ("人数字段", (kind.people_field,) if kind.people_field else ()),
    ]  # fmt: skip
    for label, group in groups:
        missing = [n for n in group if n not in names]
        if missing:
            problems.append(f"{label}不存在：{'、'.join(missing)}")
    people = kind.people_field
    if people and people in names and not isinstance(kind.model._meta.get_field(people), models.IntegerField):
        problems.append(f"人数字段 “{kind.people_field}” 不是整数字段")
    missing = [name for name, _when in kind.required_when if name not in kind.fields]
    if missing:
        problems.append(f"条件必填字段不在表单字段中：{'、'.join(missing)}")
    for name in kind.search_fields:
        try:
            DatedBy(name).field(kind.model)
        except FieldDoesNotExist:
            problems.append(f"检索字段不存在：{name}")
    for child in kind.children:
        if child.slug not in REGISTRY:
            problems.append(f"下级记录类型 “{child.slug}” 未声明")
    return problems


def check_kinds(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django system check: every kind sound, slugs and search codes unique."""
    errors: list[checks.CheckMessage] = []
    slugs: dict[str, Kind] = {}
    codes: dict[int, Kind] = {}
    for kind in _DECLARED:
        for text in kind_problems(kind):
            errors.append(checks.Error(f"记录类型 “{kind.slug}”：{text}", obj=kind.model, id="taizhang.E101"))
        other = slugs.setdefault(kind.slug, kind)
        if other is not kind:
            errors.append(
                checks.Error(
                    f"记录类型 “{kind.slug}” 声明了两次（{other.model.__name__}、{kind.model.__name__}）",
                    obj=kind.model,
                    id="taizhang.E102",
                )
            )
        other = codes.setdefault(kind.search_code, kind)
        if other is not kind:
            errors.append(
                checks.Error(
                    f"记录类型 “{kind.slug}” 与 “{other.slug}” 使用同一搜索代码 {kind.search_code}",
                    obj=kind.model,
                    id="taizhang.E103",
                )
            )
    return errors
