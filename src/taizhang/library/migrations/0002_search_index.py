"""The full-text index over SearchEntry.grams: an FTS5 table kept in step by triggers on SQLite,
a GIN index over the gram array on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE library_search_fts USING fts5(grams, content='library_searchentry', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER library_search_ai AFTER INSERT ON library_searchentry BEGIN INSERT INTO library_search_fts(rowid, grams) VALUES (new.id, new.grams); END",
    "CREATE TRIGGER library_search_ad AFTER DELETE ON library_searchentry BEGIN INSERT INTO library_search_fts(library_search_fts, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    "CREATE TRIGGER library_search_au AFTER UPDATE ON library_searchentry BEGIN INSERT INTO library_search_fts(library_search_fts, rowid, grams) VALUES ('delete', old.id, old.grams); INSERT INTO library_search_fts(rowid, grams) VALUES (new.id, new.grams); END",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS library_search_au",
    "DROP TRIGGER IF EXISTS library_search_ad",
    "DROP TRIGGER IF EXISTS library_search_ai",
    "DROP TABLE IF EXISTS library_search_fts",
]
POSTGRES = [
    "CREATE INDEX library_search_grams ON library_searchentry USING gin (string_to_array(grams, ' '))"
]
POSTGRES_UNDO = ["DROP INDEX IF EXISTS library_search_grams"]


def forward(apps, schema_editor):
    for sql in SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRES:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in SQLITE_UNDO if schema_editor.connection.vendor == "sqlite" else POSTGRES_UNDO:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
