"""Search entries get a rank (date, kind and id in one integer: the order results are read in).
PostgreSQL's gram sets gain the title's grams (marked "#"). SQLite's index becomes a contentless FTS5 table whose rowid is that rank, with the characters and
ordered pairs of title and text and a scope column; its rows are written by
taizhang.library.search, no longer by triggers."""

from datetime import date

from django.db import migrations, models

DROP = [
    "DROP TRIGGER IF EXISTS library_search_au",
    "DROP TRIGGER IF EXISTS library_search_ad",
    "DROP TRIGGER IF EXISTS library_search_ai",
    "DROP TABLE IF EXISTS library_search_fts",
]
CREATE = (
    "CREATE VIRTUAL TABLE library_search_fts USING fts5(tuni, tbi, uni, bi, scope, content='', "
    "tokenize='unicode61 remove_diacritics 0')"
)


def five_values(rank, unit_id, path, shared, kind, title, day, text):
    """This layout's row: the ranked title's and the text's characters and pairs, the scope terms
    unmarked (0006 gives the table one column)."""
    from taizhang.library import search

    if isinstance(day, str):
        day = date.fromisoformat(day)
    ranked = search._ranked_title(kind, title)
    scope = search.scope_terms(unit_id, path, shared, kind, day).replace(search.SCOPE_TERM, "")
    return (
        rank,
        search.characters(ranked),
        search.pairs(ranked),
        search.characters(text),
        search.pairs(text),
        scope,
    )


def forward(apps, schema_editor):
    from taizhang.library.search import ENTRY, grams, rank_of

    SearchEntry = apps.get_model("library", "SearchEntry")
    postgres = schema_editor.connection.vendor == "postgresql"
    for entry in SearchEntry.objects.all().iterator():
        entry.rank = rank_of(entry.kind, entry.object_id, entry.day)
        if postgres:  # title grams join the set
            entry.grams = grams(entry.text, entry.title)
        entry.save(update_fields=["rank", "grams"])
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in DROP:
        schema_editor.execute(sql)
    schema_editor.execute(CREATE)
    rows = [five_values(*row) for row in SearchEntry.objects.values_list(*ENTRY).iterator()]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO library_search_fts(rowid, tuni, tbi, uni, bi, scope) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        # the gram sets were only for the old FTS table: PostgreSQL alone reads them now
        cursor.execute("UPDATE library_searchentry SET grams = ''")


class Migration(migrations.Migration):
    dependencies = [("library", "0002_search_index")]

    operations = [
        migrations.AddField("searchentry", "rank", models.BigIntegerField(null=True)),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AlterField("searchentry", "rank", models.BigIntegerField(unique=True)),
    ]
