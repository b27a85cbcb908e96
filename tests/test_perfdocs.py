"""What the quicker document path must keep: inspections read as rows cite the same records as the
ledger does, the ledgers are read in a fixed number of queries, and the Word file written from the
cached empty document is a whole package with properties of its own, the same on every write."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document as Word

from taizhang.ledger import models as lm
from taizhang.reports import facts, render, writer

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 10)


def test_inspections_read_as_rows_cite_the_ledger_records(cast):
    unit = cast.units["demo-dist"]
    found = facts.collect(unit, facts.year_period(2025), as_of=DAY)
    rows = found.lists["inspections"]
    records = {
        r.pk: r
        for r in lm.PositionInspection.objects.filter(unit=unit, inspected_on__year=2025, deleted_at=None)
    }
    assert rows and {r.pk for r in rows} == set(records)
    for ref in found.figure("inspections").refs:
        record = records[ref.pk]
        assert (ref.slug, ref.label, ref.day) == ("inspection", str(record), record.inspected_on)
    assert found.value("inspection_problems") == sum(r.problems for r in records.values())


def test_the_ledgers_are_read_in_a_fixed_number_of_queries(cast):
    unit = cast.units["demo-dist"]  # every ledger holds records of the year
    with CaptureQueriesContext(connection) as queries:
        facts.collect(unit, facts.year_period(2025), as_of=DAY)
    # one a ledger (this year's key points and next year's in one, the rectifications found and
    # those still open in one), and one for each kind of record read with its parent's
    assert len(queries) <= 20


def test_the_word_file_is_whole_and_the_same_on_every_write(cast):
    doc = writer.build("annual", cast.units["demo-dist"], 2025, day=DAY)
    first, second = render.to_docx(doc, sources=True), render.to_docx(doc, sources=True)
    members = zipfile.ZipFile(io.BytesIO(first))
    assert members.testzip() is None
    assert {n: members.read(n) for n in members.namelist()} == {
        n: zipfile.ZipFile(io.BytesIO(second)).read(n) for n in members.namelist()
    }
    word = Word(io.BytesIO(first))
    props = word.core_properties
    assert (props.title, props.author, props.language) == (doc.title, doc.issuer or doc.unit_name, "zh-CN")
    assert props.created.date() == DAY
    text = "\n".join(p.text for p in word.paragraphs)
    assert all(b.text.replace("\n", "") in text.replace("\n", "") for b in doc.blocks if b.text)
    assert "附件" in text and "数据来源" in text
