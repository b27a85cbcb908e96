"""Chinese full-text search over study materials and every text field of the records.

Tokenisation: every character and every pair of neighbouring characters (within runs of Chinese
characters, letters or digits; letters lower-cased). A query word of one character is one gram; a
longer word is the AND of its pairs, and where that could match text that does not contain the
word itself (three characters and more), the candidates are checked for the word. So a query of
any length finds exactly the items whose text contains it — the set a LIKE scan finds — while the
index (SQLite FTS5 over the grams; PostgreSQL GIN over the gram array) does the finding. Why not
jieba words: a word index misses every query that cuts across its segmentation (搜“理论学”).
Why not trigrams alone: one- and two-character queries, the commonest Chinese ones, cannot use them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from taizhang.core.scope import scope_for

from .models import Material, SearchEntry

RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]+")
FTS = "library_search_fts"
MAX_TEXT = 200_000  # characters of one item that are indexed


def grams(text: str) -> str:
    """The index terms of a text: its characters and neighbouring pairs, each once."""
    seen: set[str] = set()
    for run in RUN.findall(text.lower()):
        seen.update(run)
        seen.update(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(seen)


def query_grams(word: str) -> tuple[list[str], bool]:
    """(the grams a word's text must hold, whether holding them proves the word is there)."""
    runs = RUN.findall(word.lower())
    out: list[str] = []
    for run in runs:
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    exact = len(runs) == 1 and len(runs[0]) == len(word) and len(runs[0]) <= 2
    return list(dict.fromkeys(out)), exact


# --- What is indexed ------------------------------------------------------------------------------
@cache
def _kinds() -> dict[type[models.Model], str]:
    """Record kinds by model; read after every app's ready() has registered its kinds."""
    from taizhang.core.views import REGISTRY

    return {views.model: slug for slug, views in REGISTRY.items()}


@cache
def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.name != "path"
    ]


def _day(views: Any, obj: Any) -> date | None:
    value = getattr(obj, views.date_field, None)
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, int) and 2000 <= value <= 2100:
        return date(value, 1, 1)
    return None


COLUMNS = ["unit_id", "path", "shared", "kind", "object_id", "title", "day", "text", "grams"]


def entry_row(obj: Any) -> list[Any] | None:
    """The index row of a record or material (values in COLUMNS order), or None when it is not
    searchable (deleted). Rows, not model instances: an import indexes tens of thousands."""
    from taizhang.core.views import REGISTRY

    kind = _kinds().get(type(obj))
    if kind is None or getattr(obj, "deleted_at", None) is not None:
        return None
    parts = [str(getattr(obj, name) or "") for name in _text_fields(type(obj))]  # type: ignore[arg-type]  # model classes hash
    text = "\n".join(p for p in parts if p)[:MAX_TEXT]
    day = _day(REGISTRY[kind], obj)
    return [
        obj.unit_id, obj.unit.path, bool(getattr(obj, "shared", False)), kind, obj.pk,
        str(obj)[:300], day.isoformat() if day else None, text, grams(text),
    ]  # fmt: skip


def _insert(rows: list[list[Any]]) -> None:
    from taizhang.core.bulk import insert_rows

    insert_rows(SearchEntry, COLUMNS, rows)


def on_write(objs: Any, *, new: bool = False) -> None:
    """Called by the record services after every audited write (one record or an import's list;
    `new` when they were just inserted, so they have no entries to replace)."""
    objs = objs if isinstance(objs, (list, tuple)) else [objs]
    kinds = _kinds()
    objs = [o for o in objs if type(o) in kinds]
    if not objs:
        return
    with transaction.atomic():
        for kind in set() if new else {kinds[type(o)] for o in objs}:
            ids = [o.pk for o in objs if kinds[type(o)] == kind]
            SearchEntry.objects.filter(kind=kind, object_id__in=ids).delete()
        _insert([r for r in (entry_row(o) for o in objs) if r is not None])


def rebuild() -> int:
    """Index everything again from the records; the results of any query are the same after."""
    from taizhang.core.views import REGISTRY

    count = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES('delete-all')")
        for views in REGISTRY.values():
            qs = views.model.objects.filter(deleted_at__isnull=True).select_related("unit").order_by("pk")
            batch: list[list[Any]] = []
            for obj in qs.iterator(chunk_size=2000):
                row = entry_row(obj)
                if row is not None:
                    batch.append(row)
                if len(batch) >= 2000:
                    _insert(batch)
                    count += len(batch)
                    batch = []
            _insert(batch)
            count += len(batch)
    return count


# --- Who sees what --------------------------------------------------------------------------------
def visible(user: Any) -> Any:
    """Index rows of what `user` may see: their units' records (and the subtrees they read), and
    the materials their units' ancestors share down. None for the command line's operator."""
    if user is None:
        return SearchEntry.objects.all()
    from taizhang.orgs.models import Unit

    scope = scope_for(user)
    view_ids = sorted(scope.units.get("view", ()))
    q = Q(unit_id__in=view_ids) if view_ids else Q(pk__in=[])
    for path in scope.read_subtrees:
        q |= Q(path__startswith=path)
    ancestors = {
        int(x)
        for p in Unit.objects.filter(id__in=view_ids).values_list("path", flat=True)
        for x in p.strip("/").split("/")
        if x
    }
    if ancestors:
        q |= Q(shared=True, kind="material", unit_id__in=sorted(ancestors))
    return SearchEntry.objects.filter(q)


# --- Searching ------------------------------------------------------------------------------------
@dataclass
class Hit:
    kind: str
    id: int
    title: str
    unit: str  # the unit's code
    unit_name: str
    day: date | None
    snippet: str  # HTML: the text around the first match, matches in <mark>
    score: int


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit]


def words_of(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", query.strip()) if w][:8]


def _match(qs: Any, words: Sequence[str]) -> Any:
    all_grams: list[str] = []
    for word in words:
        found, exact = query_grams(word)
        all_grams.extend(found)
        if not exact or not found:
            qs = qs.filter(text__icontains=word)  # the pairs do not prove the word: check it
    all_grams = list(dict.fromkeys(all_grams))
    if not all_grams:
        return qs
    if connection.vendor == "sqlite":
        expr = " AND ".join('"' + g.replace('"', '""') + '"' for g in all_grams)
        # the table name is a constant and the expression a bound parameter
        return qs.filter(id__in=RawSQL(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [expr]))  # noqa: S608, S611
    return qs.filter(
        id__in=RawSQL(
            "SELECT id FROM library_searchentry WHERE string_to_array(grams, ' ') @> %s::text[]", [all_grams]
        )
    )


def search(
    query: str,
    *,
    user: Any = None,
    kind: str | None = None,
    unit: Any = None,
    year: int | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Items containing every word of the query, ranked by how many words their title holds, then
    by date (newest first)."""
    words = words_of(query)
    if not words:
        return Results(query, 0, [])
    qs = visible(user)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    if year:
        qs = qs.filter(day__year=year)
    qs = _match(qs, words)
    total = qs.count()
    score = sum(
        (
            Case(When(title__icontains=w, then=Value(2)), default=Value(0), output_field=IntegerField())
            for w in words
        ),
        Value(1, output_field=IntegerField()),
    )
    rows = list(
        qs.annotate(score=score)
        .order_by("-score", models.F("day").desc(nulls_last=True), "kind", "-object_id")
        .select_related("unit")[offset : offset + limit]
    )
    hits = [
        Hit(r.kind, r.object_id, r.title, r.unit.code, r.unit.name, r.day, snippet(r.text, words), r.score)
        for r in rows
    ]
    return Results(query, total, hits)


def snippet(text: str, words: Iterable[str], width: int = 60) -> str:
    """About `width` characters around the first match, escaped, each word in <mark>."""
    lower = text.lower()
    words = [w for w in words if w]
    first = min((i for i in (lower.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, first - width // 3)
    piece = text[start : start + width].replace("\n", " ")
    out = html.escape(piece)
    for w in sorted(set(words), key=len, reverse=True):
        out = re.sub(
            re.escape(html.escape(w)), lambda m: f"<mark>{m.group(0)}</mark>", out, flags=re.IGNORECASE
        )
    return ("…" if start else "") + out + ("…" if start + width < len(text) else "")


__all__ = ["Material", "Results", "grams", "on_write", "rebuild", "search", "visible"]
