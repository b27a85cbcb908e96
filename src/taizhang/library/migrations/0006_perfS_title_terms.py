"""SQLite's FTS5 table gets one column and no column sizes: the text's characters and pairs, the
title's marked with search.TITLE_TERM and the scope's with search.SCOPE_TERM, so no kind of term
is another's. The first relevance tier reads the short lists of the titles; a match needs no
column filter. The rows are written again from the search entries; PostgreSQL is unchanged."""

import importlib

from django.db import migrations

BATCH = 2000
OPTIONS = "content='', tokenize='unicode61 remove_diacritics 0'"
ONE = f"CREATE VIRTUAL TABLE library_search_fts USING fts5(terms, {OPTIONS}, columnsize=0)"


def _write(apps, schema_editor, *, one: bool) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    from taizhang.library.search import ENTRY, fts_values

    SearchEntry = apps.get_model("library", "SearchEntry")
    schema_editor.execute("DROP TABLE IF EXISTS library_search_fts")
    if one:
        schema_editor.execute(ONE)
        insert, row_of = "INSERT INTO library_search_fts(rowid, terms) VALUES (%s, %s)", fts_values
    else:  # back to 0003's five columns
        before = importlib.import_module("taizhang.library.migrations.0003_search_by_date")
        schema_editor.execute(before.CREATE)
        insert = (
            "INSERT INTO library_search_fts(rowid, tuni, tbi, uni, bi, scope) VALUES (%s, %s, %s, %s, %s, %s)"
        )
        row_of = before.five_values
    entries = SearchEntry.objects.order_by("rank").values_list(*ENTRY).iterator(chunk_size=BATCH)
    with schema_editor.connection.cursor() as cursor:
        rows = []
        for entry in entries:
            rows.append(row_of(*entry))
            if len(rows) >= BATCH:
                cursor.executemany(insert, rows)
                rows = []
        cursor.executemany(insert, rows)


def forward(apps, schema_editor):
    _write(apps, schema_editor, one=True)


def backward(apps, schema_editor):
    _write(apps, schema_editor, one=False)


class Migration(migrations.Migration):
    dependencies = [("library", "0005_story_fields")]

    operations = [migrations.RunPython(forward, backward)]
