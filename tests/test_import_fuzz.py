"""The import parser under random input (hypothesis): any bytes under any of the accepted names,
and any cell values under the real headers, end in rows or in a Chinese refusal — never another
exception, never a row written by a dry run."""

from __future__ import annotations

import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.core import imports
from taizhang.core.views import REGISTRY

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("IMPORT_FUZZ_EXAMPLES", 150)),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HAN = re.compile(r"[\u4e00-\u9fff]")

# bytes that look like the formats the reader sniffs, and plain noise
PREFIXES = st.sampled_from(
    [b"", b"PK\x03\x04", b"\xef\xbb\xbf", b"\xff\xfe", "类型,名称\n".encode(), b"%PDF-"]
)


@FUZZ
@given(
    prefix=PREFIXES,
    body=st.binary(max_size=3000),
    name=st.sampled_from(["会议.xlsx", "会议.csv", "会议.xls", "会议"]),
)
def test_any_bytes_give_rows_or_a_chinese_refusal(cast, prefix, body, name):
    data = prefix + body
    views = REGISTRY["meeting"]
    try:
        rows = imports.read_rows(name, io.BytesIO(data), len(data), 20 * 1024 * 1024)
        result = imports.run_import(
            model=views.model, field_names=views.import_fields(), rows=rows,
            unit=cast.units["demo-dist"], acting_user=cast.clerk, commit=False,
        )  # fmt: skip
    except imports.ImportRefused as exc:
        assert HAN.search(str(exc)), str(exc)
        return
    for error in result.errors:
        assert HAN.search(error.message), error


CELL = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.sampled_from(["=1+1", "2025-13-45", "张晓燕", "区气象局", "是", "\x00", "\u202e", "👍", " ", "1e400"]),
)


@FUZZ
@given(data=st.data())
def test_any_cells_under_the_real_headers_are_checked_not_crashed(cast, data):
    from taizhang.ledger.models import Meeting

    slug = data.draw(st.sampled_from(["meeting", "rectification", "submission", "publicity", "material"]))
    views = REGISTRY[slug]
    fields = views.import_fields()
    headers = [str(views.model._meta.get_field(f).verbose_name) for f in fields]
    body = data.draw(st.lists(st.lists(CELL, min_size=len(headers), max_size=len(headers)), max_size=4))
    before = Meeting.objects.count()
    result = imports.run_import(
        model=views.model, field_names=fields, rows=iter([headers, *body]),
        unit=cast.units["demo-dist"], acting_user=cast.clerk, commit=False,
    )  # fmt: skip
    for error in result.errors:
        assert HAN.search(error.message), error
    assert Meeting.objects.count() == before
