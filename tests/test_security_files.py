"""Issue 13, items 2, 3, 7, 10, 16, 17, 18 and 22 (previews): hostile files and imports.

Every hostile file is built here, small: a 5 KB workbook with a cell at XFD1048576, a 1 MB .docx
whose part unpacks to 1 GB, a PDF whose pages share one large content stream, workbooks with a DTD
entity, a giant attribute or a million shared strings. Each must end in a Chinese refusal within a
few seconds and bounded memory, and the process reading it must live on.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from taizhang.core import bounded, imports, safezip
from taizhang.core.views import REGISTRY
from taizhang.ledger import models as m
from taizhang.library.models import Material

from .hostile_files import PDF_TEXT_LINE, shared_stream_pdf

HAN = re.compile(r"[\u4e00-\u9fff]")
HEADERS = ["类型*", "名称*", "时间*", "地点", "主持人", "应到人数*", "实到人数*", "参加人员"]


def _read(name: str, data: bytes) -> list[list[object]]:
    return list(imports.read_rows(name, io.BytesIO(data), len(data), 20 * 1024 * 1024))


def _upload(client: Client, data: bytes, name: str = "会议.xlsx"):
    return client.post(
        reverse("ledger:meeting_import"), {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def _raw_xlsx(sheet: bytes, parts: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook around the given sheet XML (and any other parts)."""
    parts = parts or {}
    shared = (
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        if "xl/sharedStrings.xml" in parts
        else ""
    )
    files = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        + shared.encode()
        + b"</Relationships>",
        "xl/worksheets/sheet1.xml": sheet,
        **parts,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return out.getvalue()


def _sheet(cells: str, before: str = "", doctype: str = "") -> bytes:
    head = '<?xml version="1.0"?>' + doctype
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS)
    )
    return f'{head}<worksheet {ns}>{before}<sheetData><row r="1">{header}</row>{cells}</sheetData></worksheet>'.encode()


# --- Item 2: the extent bomb ----------------------------------------------------------------------
def _extent_bomb() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_5kb_workbook_reaching_xfd1048576_is_refused_before_any_reader_allocates(cast, client):
    bomb = _extent_bomb()
    assert len(bomb) < 8 * 1024
    start = time.monotonic()
    with pytest.raises(imports.ImportRefused, match="超过导入上限"):
        imports.read_rows("会议.xlsx", io.BytesIO(bomb), len(bomb), 20 * 1024 * 1024)
    assert time.monotonic() - start < 2
    client.force_login(cast.clerk)
    before = m.Meeting.objects.count()
    page = _upload(client, bomb).content.decode()
    assert "第 1,048,576 行" in page and "超过导入上限" in page
    assert m.Meeting.objects.count() == before


@pytest.mark.parametrize(
    ("sheet", "why"),
    [
        # the declared extent lies small, one cell reaches far
        (
            _sheet('<row r="2"><c r="XFD1048576"><v>1</v></c></row>', before='<dimension ref="A1:H2"/>'),
            "actual",
        ),
        # the declared extent alone is absurd
        (_sheet("", before='<dimension ref="A1:XFD1048576"/>'), "declared"),
        # cells without references: a reader counts them along the row
        (_sheet('<row r="2">' + "<c><v>1</v></c>" * 300 + "</row>"), "unnumbered"),
        # a prefixed namespace and a row far below
        (_sheet('<x:row xmlns:x="urn:x" r="900000"><x:c r="A900000"><x:v>1</x:v></x:c></x:row>'), "prefixed"),
    ],
)
def test_the_declared_and_the_actual_extent_are_both_checked(sheet, why):
    with pytest.raises(imports.ImportRefused, match="超过导入上限"):
        imports.read_rows("会议.xlsx", io.BytesIO(_raw_xlsx(sheet)), 10_000, 20 * 1024 * 1024)


def test_a_reader_that_dies_in_its_child_process_becomes_a_refusal():
    """calamine on the extent bomb aborts (SIGABRT) the process it runs in: that is the child."""
    with pytest.raises(bounded.Refused) as refused:
        list(bounded.run("calamine-rows", _extent_bomb(), budget=bounded.XLSX, what="Excel 文件",
                         failed="无法读取", options={"max_rows": 10}))  # fmt: skip
    assert "内存上限" in str(refused.value)
    # and the process that asked lives on: the next file reads normally
    good = _raw_xlsx(_sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>分析研判会议</t></is></c></row>'))
    assert _read("会议.xlsx", good)[1][0] == "分析研判会议"


# --- Item 16: the formula route (openpyxl on expat) -------------------------------------------------
FORMULA = '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c></row>'


def test_a_dtd_entity_is_refused_and_openpyxl_runs_with_entities_off():
    doctype = '<!DOCTYPE worksheet [<!ENTITY e "' + "啊" * 1000 + '"><!ENTITY f "' + "&e;" * 1000 + '">]>'
    sheet = _sheet(
        FORMULA + '<row r="3"><c r="B3" t="inlineStr"><is><t>&f;</t></is></c></row>', doctype=doctype
    )
    data = _raw_xlsx(sheet)
    assert len(data) < 20_000  # expands to 3 MB of text, or to gigabytes with one more level
    with pytest.raises(imports.ImportRefused, match="DTD"):
        _read("会议.xlsx", data)
    # the bounded parser itself refuses it too (defusedxml), should a DTD ever get past the check
    with pytest.raises(bounded.Refused, match="无法读取"):
        list(bounded.run("openpyxl-rows", data, budget=bounded.XLSX, what="Excel 文件",
                         failed="无法读取", options={"max_rows": 10}))  # fmt: skip


def test_a_giant_attribute_is_refused_in_a_moment():
    attribute = "".join(f"{i:07d}" for i in range(300_000))  # 2 MB that packs like text, not a bomb
    sheet = _sheet(FORMULA + '<row r="3" x="' + attribute + '"><c r="B3"><v>1</v></c></row>')
    data = _raw_xlsx(sheet)
    assert len(data) < 1_000_000
    start = time.monotonic()
    with pytest.raises(imports.ImportRefused, match="超长的 XML 标签"):
        _read("会议.xlsx", data)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("declared", [False, True])
def test_a_million_shared_strings_are_refused(declared):
    if declared:  # one string, but a table size that readers would allocate
        table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>'
    else:
        table = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + b"".join(b"<si><t>%d</t></si>" % i for i in range(1_100_000))
            + b"</sst>"
        )
    data = _raw_xlsx(_sheet(FORMULA), {"xl/sharedStrings.xml": table})
    start = time.monotonic()
    with pytest.raises(imports.ImportRefused, match="共享字符串"):
        _read("会议.xlsx", data)
    assert time.monotonic() - start < 3


def test_formulas_still_come_back_as_text_through_the_bounded_reader():
    rows = _read("会议.xlsx", _raw_xlsx(_sheet(FORMULA)))
    assert rows[1][0] == "=1+1"


# --- Item 3: archives -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """About 1 MB: [Content_Types].xml and a document part of 1 GB of zeros."""
    out = io.BytesIO()
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(1024):
                part.write(zeros)
    return out.getvalue()


@pytest.mark.parametrize("who", ["member", "outsider", "auditor"])
def test_a_docx_bomb_on_the_proofreading_page_is_refused_in_bounded_memory(cast, client, docx_bomb, who):
    assert len(docx_bomb) < 1_200_000
    client.force_login(getattr(cast, who))
    tracemalloc.start()
    start = time.monotonic()
    try:
        response = client.post(
            reverse("module_proofread"), {"file": SimpleUploadedFile("报告.docx", docx_bomb)}
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()
    assert time.monotonic() - start < 5
    assert peak < 64 * 1024 * 1024, f"{peak / 2**20:.0f} MB allocated"


def test_a_docx_bomb_as_study_material_is_refused(cast, client, docx_bomb):
    client.force_login(cast.clerk)
    before = Material.objects.count()
    response = client.post(
        reverse("library:material_files"),
        {"files": [SimpleUploadedFile("学习.docx", docx_bomb)], "kind": "document"},
    )
    assert response.status_code == 400 and "压缩炸弹" in response.content.decode()
    assert Material.objects.count() == before


def _lying(real: bytes, declared: int) -> bytes:
    """A zip whose directory says the part unpacks to `declared` bytes; it unpacks to len(real)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", real)
    data = bytearray(out.getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    size = info.file_size.to_bytes(4, "little")
    for at in (found.start() for found in re.finditer(re.escape(size), bytes(data))):
        data[at : at + 4] = declared.to_bytes(4, "little")  # in the local header and the directory
    return bytes(data)


def test_the_checked_opener_counts_what_it_inflates_not_what_the_directory_says():
    real = os.urandom(600_000).hex().encode() * 4  # 4.8 MB, packs about 2:1
    lying = _lying(real, declared=1000)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo("word/document.xml").file_size == 1000
    with pytest.raises(safezip.ArchiveRefused):
        safezip.check(lying, safezip.Limits(total=2 << 20, part=2 << 20, parts=10, ratio=100))
    # and the limits hold while inflating: a part over its limit is refused on the way
    honest = _lying(real, declared=len(real))
    with pytest.raises(safezip.ArchiveRefused, match="解压后超过 1 MB"):
        safezip.check(honest, safezip.Limits(total=100 << 20, part=1 << 20, parts=10, ratio=100))


def test_one_opener_refuses_part_count_and_ratio():
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(30):
            zf.writestr(f"p{i}", b"x")
    with pytest.raises(safezip.ArchiveRefused, match="30 个部件"):
        safezip.check(many.getvalue(), safezip.Limits(total=1 << 20, part=1 << 20, parts=20, ratio=100))
    dense = io.BytesIO()
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", bytes(3 << 20))
    with pytest.raises(safezip.ArchiveRefused, match="压缩比"):
        safezip.check(dense.getvalue(), safezip.DOCX)


# --- Item 7: PDF CPU amplification ----------------------------------------------------------------


def test_a_small_pdf_whose_pages_share_one_large_stream_is_refused_at_once(cast, client):
    pdf = shared_stream_pdf(20, PDF_TEXT_LINE * 20_000)  # 20 pages × 860 KB: about 20 s of extraction
    assert len(pdf) < 10_000
    client.force_login(cast.clerk)
    before = Material.objects.count()
    start = time.monotonic()
    response = client.post(
        reverse("library:material_files"),
        {"files": [SimpleUploadedFile("学习.pdf", pdf)], "kind": "document"},
    )
    assert time.monotonic() - start < 5
    page = response.content.decode()
    assert response.status_code == 400 and "代价过高" in page, page[-2000:]
    assert Material.objects.count() == before


def test_pdf_extraction_past_its_cpu_limit_is_refused(monkeypatch):
    from taizhang.library.importing import Unreadable, extract

    monkeypatch.setattr(bounded, "PDF", bounded.Budget(memory=768 << 20, cpu=1, wall=30))
    pdf = shared_stream_pdf(1, PDF_TEXT_LINE * 40_000)  # within the size bounds, but seconds of work
    with pytest.raises(Unreadable, match="计算时间上限"):
        extract("学习.pdf", pdf)


def test_an_ordinary_pdf_still_gives_its_text():
    from taizhang.library.importing import extract

    item = extract("学习.pdf", shared_stream_pdf(3, PDF_TEXT_LINE))
    assert item.title == "Hello world"


# --- Item 10: workbooks the product writes ----------------------------------------------------------
def test_the_import_template_writes_names_from_the_database_as_text(cast, client):
    from taizhang.orgs.models import User

    evil = '=HYPERLINK("http://evil.example/","点我")'
    User.objects.filter(pk=cast.clerk.pk).update(full_name=evil)  # as if it came from an older system
    client.force_login(cast.clerk)
    wb = load_workbook(io.BytesIO(client.get(reverse("ledger:meeting_template")).content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    options = [c.value for row in wb["选项"].iter_rows() for c in row]
    assert "'" + evil in options  # still offered, as text
    # and the escaped name, picked from the drop-down, still names the person
    views = REGISTRY["meeting"]
    result = imports.run_import(
        model=views.model, field_names=views.import_fields(), unit=cast.units["demo-dist"],
        acting_user=cast.clerk, commit=False,
        rows=iter([[h.rstrip("*") for h in HEADERS],
                   ["分析研判会议", "会", "2025-03-01 09:00", "", "'" + evil, 5, 5, ""]]),
    )  # fmt: skip
    assert result.ok, result.errors


def test_exported_headers_are_escaped_too():
    from taizhang.core.excel import workbook_bytes

    data = workbook_bytes([("表", ["单位", '=HYPERLINK("http://evil.example/")'], [["甲", "=1+1"]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.data_type for row in ws.iter_rows() for c in row] == ["s", "s", "s", "s"]


# --- Item 17: the error table -----------------------------------------------------------------------
def test_errors_are_capped_at_200_with_the_total(cast, client):
    client.force_login(cast.clerk)
    rows = "".join(f"分析研判会议,会议{i},2025-03-01,罗建国,多,少\n" for i in range(1000))
    response = _upload(client, ("类型,名称,时间,主持人,应到人数,实到人数\n" + rows).encode(), "会议.csv")
    result = response.context["result"]
    assert result.total_errors == 2000 and len(result.errors) == 200
    page = response.content.decode()
    assert "发现 2000 处错误" in page and "前 200 处" in page
    assert page.count("应为") <= 200


def test_a_csv_with_100000_columns_is_refused_in_one_line(cast, client):
    client.force_login(cast.clerk)
    wide = ",".join(f"列{i}" for i in range(100_000)) + "\n"
    response = _upload(client, wide.encode(), "会议.csv")
    page = response.content.decode()
    assert "200 列的上限" in page and len(page) < 200_000


# --- Items 18 and 22: the preview is confirmed once, and expires -------------------------------------
def _meetings_csv(n: int) -> bytes:
    rows = "".join(f"分析研判会议,导入去重{i},2025-03-0{i % 9 + 1} 09:30,罗建国,5,5\n" for i in range(n))
    return ("类型,名称,时间,主持人,应到人数,实到人数\n" + rows).encode()


@pytest.mark.django_db(transaction=True)
def test_three_concurrent_confirms_of_one_preview_import_it_once(cast, settings):
    # The session travels in the cookie, so every confirmation (a double click, another tab, a
    # replayed request) carries the token: only the atomic claim of the file stands between them.
    # (It also keeps the threads from writing session rows, which SQLite's in-memory test database
    # would refuse as "table is locked" while the import writes; a file database queues them.)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    client = Client()
    client.force_login(cast.clerk)
    preview = _upload(client, _meetings_csv(300), "会议.csv")
    token = preview.context["token"]
    before = m.Meeting.objects.count()
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def confirm() -> None:
        from django.db import connection

        tab = Client()  # another tab of the same browser: the same session
        tab.cookies = client.cookies
        barrier.wait()
        try:
            statuses.append(tab.post(reverse("ledger:meeting_import"), {"token": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 302, 302]  # one to the list, two back to the import page
    assert m.Meeting.objects.count() == before + 300
    again = client.post(reverse("ledger:meeting_import"), {"token": token}, follow=True)
    assert m.Meeting.objects.count() == before + 300 and (
        "已经确认过" in again.content.decode() or "过期" in again.content.decode()
    )


def test_a_preview_not_confirmed_within_a_day_is_deleted(cast, client):
    client.force_login(cast.clerk)
    old = _upload(client, _meetings_csv(2), "会议.csv").context["token"]
    kept = client.session["imports"][old]["file"]
    path = imports.preview_dir() / kept
    assert path.is_file()
    day_ago = time.time() - (imports.PREVIEW_HOURS + 1) * 3600
    os.utime(path, (day_ago, day_ago))
    _upload(client, _meetings_csv(1), "会议.csv")  # the next upload sweeps
    assert not path.exists()
    before = m.Meeting.objects.count()
    response = client.post(reverse("ledger:meeting_import"), {"token": old}, follow=True)
    assert m.Meeting.objects.count() == before and "过期" in response.content.decode()
