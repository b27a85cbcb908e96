"""Search's SQLite layout (issue 19): one FTS5 column whose title and scope terms are marked, so
no kind of term is taken for another; results are those of a LIKE scan, tiers those of the title."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from taizhang.core.services import record_create
from taizhang.library import search
from taizhang.library.models import Material, SearchEntry

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("taizhang.library.migrations.0006_perfS_title_terms")


def _like(user, words):
    qs = search.visible(user)
    for w in words:
        qs = qs.filter(text__icontains=w)
    return set(qs.values_list("kind", "object_id"))


def _score(entry: SearchEntry, words: list[str]) -> int:
    title = search._ranked_title(entry.kind, entry.title).lower()
    held = [w.lower() in title for w in words]
    return 3 if all(held) else 2 if any(held) else 1


def _answers(user, queries):
    return {
        q: [(h.kind, h.id, h.score) for h in search.search(q, user=user, limit=1000).hits] for q in queries
    }


def test_scope_terms_and_title_terms_are_not_words_of_the_text(cast):
    dist = cast.units["demo-dist"]
    shared = Material(unit=dist, title="共享下发的学习资料", kind="book", body="只讲共享", shared=True)
    record_create(acting_user=cast.clerk, instance=shared)
    tokens = ["sm", f"u{dist.pk}", f"p{dist.pk}", "kmaterial", "y2025", "nothing"]
    for q in [*tokens, *(t[:2] for t in tokens)]:
        for user in (cast.clerk, cast.inspector, None):
            found = search.search(q, user=user, limit=100_000)
            assert {(h.kind, h.id) for h in found.hits} == _like(user, [q]), (q, user)
    assert ("material", shared.pk) not in {(h.kind, h.id) for h in search.search("sm", user=None).hits}


def test_tiers_are_what_the_ranked_title_holds(cast):
    record_create(
        acting_user=cast.clerk,
        instance=Material(unit=cast.units["demo-dist"], title="意识，形态", kind="book", body="意识形态工作"),
    )
    entries = {(e.kind, e.object_id): e for e in SearchEntry.objects.all()}
    for q in ("意识形态", "识形", "意识 形态", "会议 学习", "工作", "学", "长征 红军"):
        words = search.words_of(q)
        hits = search.search(q, user=cast.inspector, limit=100_000).hits
        assert hits, q
        assert [h.score for h in hits] == [_score(entries[h.kind, h.id], words) for h in hits], q
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True), q


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_the_migration_writes_the_index_again_both_ways(cast):
    queries = ["学习", "意识形态", "长征 遵义", "会", "学习 会议", "红军"]
    before = _answers(cast.clerk, queries)

    def execute(sql: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)

    # what the migration reads of its schema editor (a real one refuses to open inside a test's transaction)
    editor = SimpleNamespace(connection=connection, execute=execute)
    MIGRATION.backward(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM library_search_fts WHERE library_search_fts MATCH '{bi}: 学习'")
        assert cursor.fetchone()[0] > 0  # 0003's five columns again
    MIGRATION.forward(apps, editor)
    assert _answers(cast.clerk, queries) == before
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {search.FTS}({search.FTS}, rank) VALUES ('integrity-check', 1)")  # noqa: S608
