"""Documents: the annual summary of a unit with 2,000 records in the year, from the ledgers to
.docx bytes, against its floor measured in the same run: python-docx alone writing the document's
final text (the same paragraphs, default formatting). The two alternate, BENCH_ROUNDS times (9);
medians. Target: the document within 3x the floor. The absolute times, and the split into
reading the ledgers, the rules engine, writing the text and laying out the .docx, are shown for
information. The .docx is laid out on a trimmed template (render._trimmed: none of python-docx's
440 KB of default styles written twice), kept as the members of its file and written without a
python-docx package opened and saved, which is why laying out costs less than the floor. Data from
`taizhang gen-load`; BENCH_RECORDS makes it smaller for development. Prints figures beside targets.

Run: .venv/bin/python bench/bench_reports.py   (fresh SQLite; set TAIZHANG_DATABASE_URL for
PostgreSQL)."""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time

from benchtable import print_table

RECORDS = int(os.environ.get("BENCH_RECORDS", 2000))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 9))


def setup() -> None:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "taizhang.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def median(fn, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def alternated(ours, floor) -> tuple[float, float]:
    """Medians of the two, run in turn, so that a busy moment of the machine falls on both."""
    ours()
    floor()
    ends, bases = [], []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        ours()
        ends.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        floor()
        bases.append(time.perf_counter() - t0)
    return statistics.median(ends), statistics.median(bases)


def main() -> int:
    setup()
    from docx import Document as Word

    from taizhang import loadgen
    from taizhang.orgs.models import Unit
    from taizhang.reports import facts, render, writer

    year = 2025
    loadgen.generate(units=2, records_per_unit=RECORDS, seed=7, year=year)
    unit = Unit.objects.filter(code__startswith="load-").order_by("-depth", "pk").first()
    doc = writer.build("annual", unit, year)
    counted = len({(r.slug, r.pk) for f in doc.figures.values() for r in f.refs})  # distinct records

    def ours() -> bytes:
        return render.to_docx(writer.build("annual", unit, year))

    paragraphs = [b.text for b in doc.blocks]

    def baseline() -> bytes:
        word = Word()
        for text in paragraphs:
            word.add_paragraph(text)
        out = io.BytesIO()
        word.save(out)
        return out.getvalue()

    def render_only() -> bytes:
        return render.to_docx(doc)

    t_ours, t_base = alternated(ours, baseline)
    t_build = median(lambda: writer.build("annual", unit, year))
    t_render = median(render_only)
    period = facts.year_period(year)
    t_collect = median(lambda: facts.collect(unit, period))
    t_rules = median(lambda: facts.missed_rules(unit, year, until=period.end))
    ratio = t_ours / t_base
    rows = [
        (
            f"records of the unit in {year} (cited by the summary's figures: {counted:,})",
            f"{RECORDS:,}",
            "",
            "",
        ),
        (f"annual summary: ledgers -> .docx, median of {ROUNDS} (s)", f"{t_ours:.3f}", "", ""),
        ("  of which reading and writing the text (s)", f"{t_build:.3f}", "", ""),
        ("    reading the ledgers (facts.collect) (s)", f"{t_collect:.3f}", "", ""),
        ("    the rules engine: missed periods (s)", f"{t_rules:.3f}", "", ""),
        ("  of which laying out the .docx (s)", f"{t_render:.3f}", "", ""),
        ("floor: python-docx alone, same paragraphs, median (s)", f"{t_base:.3f}", "", ""),
        ("  laying out the .docx / floor", f"{t_render / t_base:.2f}x", "", ""),
        # the target is the whole document as the user waits for it: reading the ledgers,
        # writing the prose and laying it out, against python-docx only writing the result
        ("document (ledgers -> .docx) / floor", f"{ratio:.2f}x", "<= 3x", ratio <= 3, f"{ratio:.2f}x floor"),
    ]
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
