"""Chinese full-text search over study materials and every text field of the records.

Tokenisation: characters and pairs of neighbouring characters, within runs of Chinese characters,
letters or digits (letters lower-cased). A one-character query is one character term; a longer
word is its chain of pairs. On SQLite the pairs are indexed in order (FTS5 keeps positions, and a
private-use mark separates runs), so the phrase of a word's pairs matches exactly where the word
itself stands: every query of one character or more finds the items whose text contains it — the
set a LIKE scan finds — from the index alone. On PostgreSQL the GIN index over the set of
characters and pairs finds candidates and words of three characters or more are checked in the text.
Why not jieba words: a word index misses every query that cuts across its segmentation (搜“理论学”).
Why not trigrams alone: one- and two-character queries, the commonest Chinese ones, cannot use them.

Speed at 100,000 materials comes from never sorting the matches: every entry has a rank (date,
kind and id in one integer); SQLite's FTS5 rowid is that rank, so "newest first" is the index's
own order, and the reader's scope, kind, unit and year are scope terms in the same match;
PostgreSQL walks the rank's index and stops at the page. Relevance is three tiers — the title
holds every word, some, none — each read newest first. SQLite's one FTS5 column holds the text's
terms, the title's and the scope's, the latter two marked (TITLE_TERM, SCOPE_TERM) so no kind of
term is another's: no column filter, and the first tier walks the short lists of the titles, not
the text's lists of nearly every entry.
"""

from __future__ import annotations

import html
import itertools
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from taizhang.core import kinds
from taizhang.core.scope import scope_for

from .models import Material, SearchEntry

RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9]+")
SEP = "\ue000"  # between runs in the pair sequence: a token no text produces
TITLE = "#"  # marks a title gram in PostgreSQL's gram set (no text gram holds it)
TITLE_TERM = "\ue001"  # starts each of SQLite's title terms (no text term starts so)
SCOPE_TERM = "\ue002"  # starts each of SQLite's scope terms ("u12" could be a pair of the text)
FTS = "library_search_fts"  # one column, `terms`: the kinds of term are told apart by their marks
MAX_TEXT = 200_000  # characters of one item that are indexed


def _gram_set(text: str) -> set[str]:
    seen: set[str] = set()
    for run in RUN.findall(text.lower()):
        seen.update(run)
        seen.update(run[i : i + 2] for i in range(len(run) - 1))
    return seen


def grams(text: str, title: str = "") -> str:
    """PostgreSQL's GIN terms: the characters and neighbouring pairs of the text, and those of the
    title marked with TITLE (relevance tiers find titles through the index too)."""
    return " ".join([*_gram_set(text), *(TITLE + g for g in _gram_set(title))])


def characters(text: str) -> str:
    """Each character of the runs once (SQLite's one-character terms)."""
    return " ".join({c for run in RUN.findall(text.lower()) for c in run})


def pairs(text: str) -> str:
    """The neighbouring pairs of each run, in order, runs apart (SQLite's phrase terms)."""
    out: list[str] = []
    for run in RUN.findall(text.lower()):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(SEP)
    return " ".join(out)


def query_grams(word: str) -> tuple[list[str], bool]:
    """(the grams a word's text must hold, whether holding them proves the word is there)."""
    runs = RUN.findall(word.lower())
    out: list[str] = []
    for run in runs:
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    exact = len(runs) == 1 and len(runs[0]) == len(word) and len(runs[0]) <= 2
    return list(dict.fromkeys(out)), exact


def _last(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _kind_token(kind: str) -> str:
    return "k" + re.sub(r"[^a-z0-9]", "", kind.lower())


def rank_of(kind: str, object_id: int, day: date | str | None) -> int:
    """An entry's place in "newest first": its date (undated last), then kind, then id, packed in
    one 63-bit integer — 21 bits of date, 6 of kind, 36 of id. Determined by the item alone, so a
    rebuild gives every entry the same rank and every query the same order."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    code = _code(kind)
    return (min(day.toordinal() if day else 0, (1 << 21) - 1) << 42) | (code << 36) | object_id


def _code(kind: str) -> int:
    """The kind's fixed number in the rank (Kind.search_code; stored, so never reused)."""
    declared = kinds.get(kind)
    if declared is None:
        raise KeyError(kind)
    return declared.search_code


def fts_values(rank: int, unit_id: int, path: str, shared: bool, kind: str, title: str,
               day: date | str | None, text: str) -> tuple[int, str]:  # fmt: skip
    """One entry's FTS5 row (rowid, terms). Pure: deleting an entry recomputes exactly these values."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    ranked_title = _ranked_title(kind, title)
    return rank, _fts_terms(
        characters(text),
        pairs(text),
        _title_terms(characters(ranked_title)),
        _title_terms(pairs(ranked_title)),
        scope_terms(unit_id, path, shared, kind, day),
    )


def _fts_terms(*parts: str) -> str:
    """An entry's one column: the text's characters and pairs, the title's, the scope's. Each kind
    of term is its own term (a title's pair is not the text's, nor a scope term a pair), so a match
    needs no column filter and the title tier reads the short lists of the titles alone."""
    return " ".join(part for part in parts if part)


def scope_terms(unit_id: int, path: str, shared: bool, kind: str, day: date | None) -> str:
    """The scope terms of an entry, marked with SCOPE_TERM: its unit, the units above it, its
    kind, "shared down" for a shared material, its year."""
    scope = [f"u{unit_id}", *(f"p{x}" for x in path.strip("/").split("/") if x), _kind_token(kind)]
    if shared and kind == "material":
        scope.append("sm")
    if day:
        scope.append(f"y{day.year}")
    return " ".join(SCOPE_TERM + term for term in scope)


MARKED = " " + TITLE_TERM  # between two title terms


def _title_terms(terms: str) -> str:
    """Terms of the title, each marked with TITLE_TERM."""
    return TITLE_TERM + terms.replace(" ", MARKED) if terms else ""


def _fts_insert(values: Sequence[tuple[int, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {FTS}(rowid, terms) VALUES (%s, %s)", values)  # noqa: S608 (constant)


def _fts_delete(values: Sequence[tuple[int, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {FTS}({FTS}, rowid, terms) VALUES ('delete', %s, %s)", values)  # noqa: S608


# --- What is indexed ------------------------------------------------------------------------------
@cache
def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices and f.name != "path"
    ]


# Records found by the titles of what they link to: a study record by its material's title (the
# member types the title of what they read, not their own note).
LINKED_TITLES: dict[str, tuple[str, ...]] = {"selfstudy": ("material",)}


def _ranked_title(kind: str, title: str) -> str:
    """The title the relevance tiers read. A record that is found by what it links to ranks by its
    own words, not the linked title its name carries: the material first, then its study records."""
    return "" if kind in LINKED_TITLES else title


COLUMNS = ["rank", "unit_id", "path", "shared", "kind", "object_id", "title", "day", "text", "grams"]
ENTRY = ["rank", "unit_id", "path", "shared", "kind", "title", "day", "text"]  # fts_values' arguments


class _Terms:
    """The characters, pairs and gram set of pieces of text, each distinct short piece worked out
    once: an import repeats its places, hosts and standard wording on every row. The pieces of an
    entry are joined by a line break, which no run crosses, so an entry's terms are its pieces' terms
    put together — the same strings characters() and pairs() give for the whole text."""

    CACHED = 300  # characters of a piece worth remembering (titles, places, names)

    def __init__(self) -> None:
        self.seen: dict[str, tuple[set[str], str, set[str] | None]] = {}
        self.titles: dict[str, tuple[str, str]] = {}

    def of(self, piece: str) -> tuple[set[str], str, set[str] | None]:
        found = self.seen.get(piece)
        if found is not None:
            return found
        chars: set[str] = set()
        out: list[str] = []
        for run in RUN.findall(piece.lower()):
            chars.update(run)
            out.extend(map(operator.add, run, run[1:]))  # the pairs, as pairs() cuts them
            out.append(SEP)
        found = (chars, " ".join(out), None)
        if len(piece) <= self.CACHED:
            if len(self.seen) > 50_000:
                self.seen.clear()
            self.seen[piece] = found
        return found

    def title(self, piece: str) -> tuple[str, str]:
        """A ranked title's marked characters and pairs (fts_values')."""
        found = self.titles.get(piece)
        if found is None:
            chars, joined, _ = self.seen.get(piece) or self.of(piece)
            found = (TITLE_TERM + MARKED.join(chars) if chars else "", _title_terms(joined))
            if len(piece) <= self.CACHED:
                if len(self.titles) > 50_000:
                    self.titles.clear()
                self.titles[piece] = found
        return found

    def grams(self, piece: str) -> set[str]:
        chars, joined, gram_set = self.of(piece)
        if gram_set is None:
            gram_set = chars | {p for p in joined.split(" ") if p and p != SEP}
            if piece in self.seen:
                self.seen[piece] = (chars, joined, gram_set)
        return gram_set


def _day_reader(declared: Any) -> Any:
    """The kind's day of a record (Kind.day), with the local time zone looked up once per batch
    for the common case of an aware date-time field of the record's own, and each distinct time
    converted once (an import's meetings share their dates and hours)."""
    if not declared.date.own:
        return declared.day
    name = declared.date.path
    tz = timezone.get_current_timezone()
    days: dict[tuple[datetime, int], date] = {}

    def day(obj: Any) -> Any:
        value = getattr(obj, name, None)
        if type(value) is datetime:
            # equal aware times are one instant, but for the two readings of a repeated hour
            key = (value, value.fold)
            found = days.get(key)
            if found is not None:
                return found
            if value.utcoffset() is not None:
                found = days[key] = value.astimezone(tz).date()
                return found
        return declared.day(obj)

    return day


def entry_rows(objs: Sequence[Any]) -> tuple[list[list[Any]], list[tuple[Any, ...]]]:
    """The index rows (COLUMNS order) of the searchable ones of `objs` and, on SQLite, their FTS5
    rows (fts_values'), worked out for a batch: each kind's fields, each unit's scope terms and each
    distinct piece of text once. Rows, not model instances: an import indexes tens of thousands."""
    rows: list[list[Any]] = []
    fts: list[tuple[Any, ...]] = []
    terms = _Terms()
    vendor = connection.vendor
    groups: dict[type[Any], list[Any]] = {}
    for obj in objs:
        groups.setdefault(type(obj), []).append(obj)
    for model, group in groups.items():
        declared = kinds.for_model(model)
        if declared is not None:
            _kind_rows(declared, group, terms, vendor, rows, fts)
    return rows, fts


def _kind_rows(declared: Any, objs: list[Any], terms: _Terms, vendor: str,
               rows: list[list[Any]], fts: list[tuple[Any, ...]]) -> None:  # fmt: skip
    """entry_rows for the records of one kind, appended to `rows` and `fts`. What a batch repeats
    is worked out once: per day the rank's upper bits, the ISO date and, per unit, the scope terms."""
    kind = declared.slug
    fields, linked = _text_fields(declared.model), LINKED_TITLES.get(kind, ())
    day_of = _day_reader(declared)
    code = _code(kind) << 36  # rank_of's middle bits
    dated: dict[tuple[Any, int, bool], tuple[int, str | None, str]] = {}
    paths: dict[int, str] = {}
    seen, of, title_of = terms.seen, terms.of, terms.title
    sharing = hasattr(declared.model, "shared")
    pk_name = declared.model._meta.pk.attname  # read from the values: `.pk` is a property call
    sqlite, postgresql = vendor == "sqlite", vendor == "postgresql"
    for obj in objs:
        if getattr(obj, "deleted_at", None) is not None:
            continue
        parts = _pieces(obj, fields, linked)
        text = "\n".join(parts)
        day = day_of(obj)
        title = str(obj)[:300]
        ranked = "" if linked else title
        values = obj.__dict__
        pk, unit_id = values[pk_name], values["unit_id"]
        shared = bool(getattr(obj, "shared", False)) if sharing else False
        path = paths.get(unit_id) or paths.setdefault(unit_id, obj.unit.path)
        known = dated.get((day, unit_id, shared))
        if known is None:
            ordinal = min(day.toordinal() if day else 0, (1 << 21) - 1)
            iso = day.isoformat() if day else None
            scope = scope_terms(unit_id, path, shared, kind, day) if sqlite else ""
            known = dated[(day, unit_id, shared)] = (ordinal << 42 | code, iso, scope)
        rank = known[0] | pk
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
            parts = [text]
        gram_set = ""
        if postgresql:
            found = set().union(*(terms.grams(p) for p in parts))
            gram_set = " ".join([*found, *(TITLE + g for g in terms.grams(ranked))])
        rows.append([rank, unit_id, path, shared, kind, pk, title, known[1], text, gram_set])
        if not sqlite:
            continue
        pieces = [seen.get(p) or of(p) for p in parts]
        chars = " ".join(pieces[0][0].union(*[p[0] for p in pieces[1:]])) if pieces else ""
        text_pairs = " ".join([p[1] for p in pieces if p[1]])
        marked = title_of(ranked)  # _fts_terms' parts, the empty ones left out
        fts.append((rank, " ".join(filter(None, (chars, text_pairs, marked[0], marked[1], known[2])))))


def _pieces(obj: Any, fields: list[str], linked: tuple[str, ...]) -> list[str]:
    """The non-empty text fields of a record, then the titles of what it links to (LINKED_TITLES)."""
    values = obj.__dict__
    try:
        parts = [v if type(v) is str else str(v) for v in map(values.__getitem__, fields) if v]
    except KeyError:  # a deferred field: read it as the model reads it
        parts = [str(v) for v in (getattr(obj, name) for name in fields) if v]
    return parts + [str(v) for v in (getattr(obj, name) for name in linked) if v] if linked else parts


def _insert(rows: list[list[Any]], fts: list[tuple[Any, ...]]) -> None:
    """Write index rows, in rank order: FTS5 keeps a batch's terms in memory only while rowids
    rise, and writes them out at every step back (an import's dates come in any order)."""
    from taizhang.core.bulk import insert_rows

    rows.sort(key=lambda row: row[0])
    insert_rows(SearchEntry, COLUMNS, rows)
    if fts:
        fts.sort(key=lambda values: values[0])
        _fts_insert(fts)


def _index(objs: Sequence[Any]) -> int:
    """Index a batch of records; the number of entries written."""
    rows, fts = entry_rows(objs)
    _insert(rows, fts)
    return len(rows)


def _remove(entries: Any) -> None:
    """Delete index entries (a queryset), and their FTS5 rows on SQLite."""
    if connection.vendor == "sqlite":
        _fts_delete([fts_values(*row) for row in entries.values_list(*ENTRY)])
    entries.delete()


def on_write(objs: Any, *, new: bool = False) -> None:
    """Called by the record services after every audited write (one record or an import's list;
    `new` when they were just inserted, so they have no entries to replace)."""
    objs = objs if isinstance(objs, (list, tuple)) else [objs]
    by_model = {type(o): k for o in objs if (k := kinds.for_model(type(o))) is not None}
    objs = [o for o in objs if type(o) in by_model]
    if not objs:
        return
    _with_linked(objs, by_model)
    with transaction.atomic():
        for kind in set() if new else {by_model[type(o)].slug for o in objs}:
            ids = [o.pk for o in objs if by_model[type(o)].slug == kind]
            _remove(SearchEntry.objects.filter(kind=kind, object_id__in=ids))
        _insert(*entry_rows(objs))
        # a material retitled: the study records found by its title carry the new one
        retitled = [o.pk for o in objs if isinstance(o, Material)] if not new else []
        if retitled:
            from .models import SelfStudy

            studies = list(
                SelfStudy.objects.filter(material__in=retitled, deleted_at__isnull=True).select_related(
                    "unit", "material"
                )
            )
            if studies:
                _remove(SearchEntry.objects.filter(kind="selfstudy", object_id__in=[s.pk for s in studies]))
                _insert(*entry_rows(studies))


def _with_linked(objs: list[Any], by_model: dict[type[models.Model], Any]) -> None:
    """Fetch the linked records LINKED_TITLES names, one query per field for a whole import."""
    from django.db.models import prefetch_related_objects

    for model, declared in by_model.items():
        fields = LINKED_TITLES.get(declared.slug, ())
        if fields:
            prefetch_related_objects([o for o in objs if type(o) is model], *fields)


def unit_moved(old_path: str, new_path: str) -> None:
    """A unit moved: its subtree's entries carry the new path (and, on SQLite, new scope terms)."""
    from django.db.models import Value
    from django.db.models.functions import Concat, Substr

    with transaction.atomic():
        moved = SearchEntry.objects.filter(path__startswith=old_path)
        if connection.vendor == "sqlite":
            rows = list(moved.values_list(*ENTRY))
            _fts_delete([fts_values(*row) for row in rows])
            _fts_insert([fts_values(r[0], r[1], new_path + r[2][len(old_path) :], *r[3:]) for r in rows])
        moved.update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1)))


def rebuild() -> int:
    """Index everything again from the records; the results of any query are the same after."""
    count = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES('delete-all')")
        for kind in kinds.REGISTRY.values():
            related = ["unit", *filter(None, [kind.date.related()]), *LINKED_TITLES.get(kind.slug, ())]
            qs = kind.model.objects.filter(deleted_at__isnull=True).select_related(*related).order_by("pk")  # type: ignore[attr-defined]
            batch: list[Any] = []
            for obj in qs.iterator(chunk_size=2000):
                batch.append(obj)
                if len(batch) >= 2000:
                    count += _index(batch)
                    batch = []
            count += _index(batch)
    return count


# --- Who sees what --------------------------------------------------------------------------------
def _reach(user: Any) -> tuple[list[int], list[str], list[int]]:
    """(units whose records the user reads, subtree paths they read, ancestor units whose shared
    materials reach them)."""
    from taizhang.orgs.models import Unit

    scope = scope_for(user)
    view_ids = sorted(scope.units.get("view", ()))
    ancestors = {
        int(x)
        for p in Unit.objects.filter(id__in=view_ids).values_list("path", flat=True)
        for x in p.strip("/").split("/")
        if x
    }
    return view_ids, sorted(scope.read_subtrees), sorted(ancestors)


def visible(user: Any) -> Any:
    """Index rows of what `user` may see: their units' records (and the subtrees they read), and
    the materials their units' ancestors share down. None for the command line's operator."""
    if user is None:
        return SearchEntry.objects.all()
    # the same Scope restrict() reads, over the index's copies of the unit id and path
    q = scope_for(user).q("view", unit_id="unit_id", path="path")
    _view_ids, _subtrees, ancestors = _reach(user)
    if ancestors:
        q |= Q(shared=True, kind="material", unit_id__in=ancestors)
    return SearchEntry.objects.filter(q)


def _match(qs: Any, words: Sequence[str]) -> Any:
    """The rows holding every word: the gram index for candidates, the text where grams do not prove it."""
    all_grams: list[str] = []
    for word in words:
        found, exact = query_grams(word)
        all_grams.extend(found)
        if not exact or not found:
            qs = qs.filter(text__icontains=word)
    all_grams = list(dict.fromkeys(all_grams))
    if not all_grams:
        return qs
    if connection.vendor == "sqlite":
        expr = " AND ".join(f'"{g}"' for g in all_grams)
        ranks = RawSQL(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s", [expr])  # noqa: S608, S611
        return qs.filter(rank__in=ranks)
    return _grams_filter(qs, all_grams, "@>")


def _grams_filter(qs: Any, terms: list[str], op: str) -> Any:
    """PostgreSQL: rows whose gram set holds every term (@>) or any (&&), through the GIN index."""
    assert op in ("@>", "&&")
    test = RawSQL(f"string_to_array(grams, ' ') {op} %s::text[]", [terms], output_field=models.BooleanField())  # noqa: S611
    name = f"grams_{next(_ALIASES)}"
    return qs.alias(**{name: test}).filter(**{name: True})


_ALIASES = itertools.count()


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
    more: bool = False  # more than `total` (= COUNT_CAP) items match


COUNT_CAP = 10_000  # counted exactly up to here; beyond, "more than 10,000"


def words_of(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", query.strip()) if w][:8]


def _clean(word: str) -> bool:
    """A word the index answers alone: one run of characters, letters or digits."""
    return RUN.fullmatch(word.lower()) is not None


class _Tiers:
    """How one backend answers: the matching items (`base`) and those of a tier (all / some / none
    of the words in the title), newest first, counted up to a cap and fetched a page at a time."""

    base: Any

    def tiers(self) -> list[tuple[int, Any]]:
        raise NotImplementedError

    def count(self, tier: Any, cap: int) -> int:
        raise NotImplementedError

    def fetch(self, tier: Any, offset: int, limit: int) -> list[int]:
        """Ranks of entries, highest (newest) first."""
        raise NotImplementedError


class _Fts(_Tiers):
    """SQLite: the whole question — words, scope, kind, unit, year, tier — is one FTS5 match;
    rowids run in date order, so the newest matches come first without sorting."""

    def __init__(self, words: Sequence[str], scope: str | None) -> None:
        self.base = " AND ".join(_fts_word(w) for w in words)
        if scope is not None:
            self.base = f"({self.base}) AND ({scope})"
        self.titles = [_fts_word(w, TITLE_TERM) for w in words]

    def tiers(self) -> list[tuple[int, Any]]:
        every, some = " AND ".join(self.titles), " OR ".join(self.titles)
        out = [(3, f"({self.base}) AND ({every})")]
        if len(self.titles) > 1:
            out.append((2, f"(({self.base}) AND ({some})) NOT ({every})"))
        out.append((1, f"({self.base}) NOT ({some})"))
        return out

    def count(self, tier: Any, cap: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {FTS} WHERE {FTS} MATCH %s LIMIT %s)",  # noqa: S608 (constant name)
                [tier, cap],
            )
            return int(cursor.fetchone()[0])

    def fetch(self, tier: Any, offset: int, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s ORDER BY rowid DESC LIMIT %s OFFSET %s",  # noqa: S608
                [tier, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]


class _Orm(_Tiers):
    """PostgreSQL (and words the FTS5 table cannot answer alone): the reader's rows, the gram
    index for candidates — title grams too, marked with TITLE — the words themselves checked where
    the grams do not prove them."""

    DENSE = 1000  # a tier with more matches is read along the rank index, fewer through the grams

    def __init__(self, qs: Any, words: Sequence[str]) -> None:
        self.base = _match(qs, words)
        self.words = words

    def tiers(self) -> list[tuple[int, Any]]:
        every = Q()
        some = Q(pk__in=[])
        linked = ~Q(kind__in=list(LINKED_TITLES))  # ranked by their own words (_ranked_title)
        for w in self.words:
            every &= Q(title__icontains=w) & linked
            some |= Q(title__icontains=w) & linked
        title_grams = [TITLE + g for w in self.words for g in query_grams(w)[0]]
        all_in_title = some_in_title = self.base
        if connection.vendor == "postgresql" and title_grams:
            all_in_title = _grams_filter(self.base, title_grams, "@>")
            some_in_title = _grams_filter(self.base, title_grams, "&&")
        out = [(3, all_in_title.filter(every))]
        if len(self.words) > 1:
            out.append((2, some_in_title.filter(some).exclude(every)))
        out.append((1, self.base.exclude(some)))
        return out

    def count(self, tier: Any, cap: int) -> int:
        with _plan(rank_order=False):
            return int(tier.values("pk")[:cap].count())

    def fetch(self, tier: Any, offset: int, limit: int) -> list[int]:
        # many matches: walk the rank index newest first and stop at the page; few: collect them
        # through the gram index and sort (PostgreSQL cannot tell which from its statistics: the
        # gram test costs far more than it assumes)
        dense = self.count(tier, self.DENSE + 1) > self.DENSE
        with _plan(rank_order=dense):
            return list(tier.order_by("-rank").values_list("rank", flat=True)[offset : offset + limit])


@contextmanager
def _plan(*, rank_order: bool) -> Iterator[None]:
    """On PostgreSQL, steer the planner for the next query: never a sequential scan, and with
    rank_order no bitmap scan either (so the rank index is walked in order)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if rank_order:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        yield


def _fts_word(word: str, mark: str = "") -> str:
    """The FTS5 expression for a clean word in the text (or, marked with TITLE_TERM, the title):
    its one character, or the phrase of its pairs (pairs on neighbouring positions prove the word
    itself is there)."""
    w = word.lower()
    if len(w) == 1:
        return f'"{mark}{w}"'
    return '"' + " ".join(mark + w[i : i + 2] for i in range(len(w) - 1)) + '"'


def _scope(term: str) -> str:
    return f'"{SCOPE_TERM}{term}"'


def _fts_scope(user: Any, kind: str | None, unit: Any, year: int | None) -> str | None:
    """The reader's scope and the filters as an expression over the scope terms; None when
    nothing limits the search (the command line's operator with no filters)."""
    parts: list[str] = []
    if user is not None:
        view_ids, subtrees, ancestors = _reach(user)
        reach = [_scope(f"u{i}") for i in view_ids] + [_scope(f"p{_last(p)}") for p in subtrees]
        if ancestors:
            reach.append(f"({_scope('sm')} AND (" + " OR ".join(_scope(f"u{i}") for i in ancestors) + "))")
        parts.append("(" + " OR ".join(reach or [_scope("nothing")]) + ")")
    if kind:
        parts.append(_scope(_kind_token(kind)))
    if unit is not None:
        parts.append(_scope(f"p{unit.pk}"))
    if year:
        parts.append(_scope(f"y{year}"))
    return " AND ".join(parts) if parts else None


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
    """Items containing every word of the query (the set a LIKE scan finds), ranked by relevance —
    first those whose title holds every word, then some, then none — and within that by date,
    newest first. Counted exactly up to COUNT_CAP."""
    words = words_of(query)
    if not words:
        return Results(query, 0, [])
    backend = _backend(words, user, kind, unit, year)
    tiers = backend.tiers()
    total = backend.count(backend.base, COUNT_CAP + 1)
    ids: list[tuple[int, int]] = []  # (rank, score)
    skip = offset
    for score, tier in tiers:
        if len(ids) >= limit:
            break
        if skip:
            size = backend.count(tier, skip)
            if size < skip:  # the whole tier lies before the page
                skip -= size
                continue
        page = backend.fetch(tier, skip, limit - len(ids))
        skip = 0
        ids.extend((i, score) for i in page)
    fields = ("rank", "kind", "object_id", "title", "unit__code", "unit__name", "day", "text")
    entries = {r[0]: r for r in SearchEntry.objects.filter(rank__in=[i for i, _ in ids]).values_list(*fields)}
    hits = []
    for i, score in ids:
        _rank, kind, object_id, title, code, name, day, text = entries[i]
        hits.append(Hit(kind, object_id, title, code, name, day, snippet(text, words), score))
    return Results(query, min(total, COUNT_CAP), hits, more=total > COUNT_CAP)


def _backend(words: Sequence[str], user: Any, kind: str | None, unit: Any, year: int | None) -> _Tiers:
    if connection.vendor == "sqlite" and all(_clean(w) for w in words):
        return _Fts(words, _fts_scope(user, kind, unit, year))
    qs = visible(user)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    if year:
        qs = qs.filter(day__gte=date(year, 1, 1), day__lte=date(year, 12, 31))
    return _Orm(qs, words)


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
