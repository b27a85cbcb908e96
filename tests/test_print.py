"""Printing: a record as its paper form, a list as a table, Word and PDF (LibreOffice headless)."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from taizhang.core import printing
from taizhang.core.models import AuditEntry
from taizhang.core.services import attachment_add
from taizhang.ledger import models as lm


def _get(client: Any, user: Any, name: str, **kwargs: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


def _docx(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == printing.DOCX
    return Document(io.BytesIO(response.content))


def _cells(table: Any) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _east_asian(paragraph: Any) -> str:
    return paragraph.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def _sample(model: Any) -> Any:
    return model.objects.filter(unit__code="demo-dist", deleted_at__isnull=True).order_by("pk").first()


def test_a_meeting_prints_as_its_record_form_with_its_attachments(
    cast: Any, meeting: Any, client: Any
) -> None:
    attachment_add(
        acting_user=cast.clerk,
        record=meeting,
        upload=SimpleUploadedFile("会议签到表扫描件.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    doc = _docx(_get(client, cast.member, "print_record", slug="meeting", pk=meeting.pk, fmt="docx"))
    title = doc.paragraphs[0]
    assert title.text == "会议（学习）记录表" and _east_asian(title) == "方正小标宋简体"
    assert "填报单位：区气象局" in doc.paragraphs[1].text
    form = _cells(doc.tables[0])
    assert form[0] == ["名称", meeting.title, meeting.title, meeting.title]  # the name first, across the row
    paired = [row for row in form if row[1] != row[2]]  # short fields two to a row
    pairs = {(row[0], row[2]) for row in paired}
    assert {("类型", "学时"), ("时间", "结束时间"), ("地点", "主持人"), ("应到人数", "实到人数")} <= pairs
    by_label = {row[0]: row[1] for row in form} | {row[2]: row[3] for row in paired}
    assert by_label["类型"] == meeting.get_kind_display()
    assert (by_label["应到人数"], by_label["实到人数"]) == (str(meeting.expected), str(meeting.present))
    assert by_label["参加人员"] == "、".join(str(u) for u in meeting.attendees.all())
    assert by_label["附件"].endswith("会议签到表扫描件.pdf")
    label_cell = doc.tables[0].rows[0].cells[0].paragraphs[0]
    value_cell = doc.tables[0].rows[0].cells[1].paragraphs[0]
    assert (_east_asian(label_cell), _east_asian(value_cell)) == ("黑体", "仿宋_GB2312")
    assert "记录人：" in doc.paragraphs[-1].text and "主持人：" in doc.paragraphs[-1].text
    section = doc.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)  # GB/T 9704
    entry = AuditEntry.objects.filter(action="download", object_id=str(meeting.pk)).latest("seq")
    assert entry.after["what"] == "会议（学习）记录表"


@pytest.mark.parametrize(
    ("slug", "model", "title", "label"),
    [
        ("rectification", lm.Rectification, "问题整改台账", "整改时限"),
        ("inspection", lm.PositionInspection, "阵地检查表", "检查日期"),
        ("analysis", lm.Analysis, "意识形态领域形势分析研判记录表", "研判日期"),
    ],
)
def test_each_ledger_prints_as_its_own_paper_form(
    slug: str, model: Any, title: str, label: str, cast: Any, client: Any
) -> None:
    obj = _sample(model)
    doc = _docx(_get(client, cast.clerk, "print_record", slug=slug, pk=obj.pk, fmt="docx"))
    assert doc.paragraphs[0].text == title
    labels = {row[0] for row in _cells(doc.tables[0])} | {row[2] for row in _cells(doc.tables[0])}
    assert label in labels


def test_an_analysis_prints_its_risks_and_a_review_its_chain(cast: Any, client: Any) -> None:
    analysis = lm.Analysis.objects.filter(unit__code="demo-dist", risks__isnull=False).order_by("pk").first()
    doc = _docx(_get(client, cast.clerk, "print_record", slug="analysis", pk=analysis.pk, fmt="docx"))
    risks = _cells(doc.tables[1])
    assert risks[0][0] == "序号" and len(risks) - 1 == analysis.risks.filter(deleted_at__isnull=True).count()
    review = (
        lm.PublicationReview.objects.filter(unit__code="demo-dist", steps__isnull=False)
        .order_by("pk")
        .first()
    )
    doc = _docx(_get(client, cast.clerk, "print_record", slug="review", pk=review.pk, fmt="docx"))
    chain = _cells(doc.tables[-1])
    assert chain[0][:3] == ["序号", "审核环节", "审核人"] and len(chain) - 1 == review.steps.count()


def test_a_list_prints_as_one_table_of_what_the_page_shows(cast: Any, client: Any) -> None:
    client.force_login(cast.clerk)
    response = client.get(reverse("print_list", kwargs={"slug": "meeting", "fmt": "docx"}), {"year": "2025"})
    doc = _docx(response)
    assert doc.paragraphs[0].text == "会议学习台账（2025年）"
    table = doc.tables[0]
    rows = _cells(table)
    assert rows[0] == ["序号", "时间", "类型", "名称", "地点", "主持人", "应到人数", "实到人数"]
    expected = lm.Meeting.objects.filter(unit__code="demo-dist", held_at__year=2025, deleted_at__isnull=True)
    assert len(rows) - 1 == expected.count() > 10
    assert [r[0] for r in rows[1:4]] == ["1", "2", "3"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape
    titles = {r[3] for r in rows[1:]}
    assert titles == set(expected.values_list("title", flat=True))


def test_print_reads_only_what_the_person_may_see(cast: Any, meeting: Any, client: Any) -> None:
    assert (
        _get(client, cast.outsider, "print_record", slug="meeting", pk=meeting.pk, fmt="docx").status_code
        == 404
    )
    doc = _docx(_get(client, cast.outsider, "print_list", slug="meeting", fmt="docx"))
    titles = {r[3] for r in _cells(doc.tables[0])[1:]}
    assert (
        meeting.title not in titles
        or lm.Meeting.objects.filter(unit__code="demo-east", title=meeting.title).exists()
    )
    assert _get(client, cast.clerk, "print_record", slug="nosuch", pk=1, fmt="docx").status_code == 404
    assert (
        _get(client, cast.clerk, "print_record", slug="meeting", pk=meeting.pk, fmt="exe").status_code == 404
    )


def test_a_list_too_long_to_print_says_how_to_narrow_it(cast: Any, client: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(printing, "MAX_LIST_ROWS", 3)
    response = _get(client, cast.clerk, "print_list", slug="meeting", fmt="docx")
    assert response.status_code == 400 and "一次最多打印 3 条记录" in response.content.decode()


def test_without_libreoffice_the_pdf_is_refused_in_chinese(
    cast: Any, meeting: Any, client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(printing, "soffice", lambda: None)
    response = _get(client, cast.clerk, "print_record", slug="meeting", pk=meeting.pk, fmt="pdf")
    page = response.content.decode()
    assert response.status_code == 503 and "服务器未安装 LibreOffice" in page
    assert f"/print/meeting/{meeting.pk}.docx" in page  # the Word version instead


def test_a_conversion_that_hangs_is_cut_off(monkeypatch: Any, tmp_path: Any) -> None:
    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(printing, "soffice", lambda: str(slow))
    with pytest.raises(printing.PrintUnavailable, match="超时"):
        printing.to_pdf(b"PK", timeout=0.5)


def test_the_pdf_has_the_form_on_its_pages(cast: Any, meeting: Any, client: Any, tmp_path: Any) -> None:
    from pypdf import PdfReader

    if printing.soffice() is None:
        message = "!!! 未安装 LibreOffice（apt-get install libreoffice-writer-nogui）：跳过打印 PDF 检查"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    response = _get(client, cast.clerk, "print_record", slug="meeting", pk=meeting.pk, fmt="pdf")
    assert response.status_code == 200 and response["Content-Type"] == printing.PDF
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 1
    text = "".join(p.extract_text() for p in reader.pages)
    assert "会议" in text and "记录表" in text and meeting.title[:6] in text.replace("\n", "")
    (tmp_path / "meeting.pdf").write_bytes(response.content)


def test_every_kind_prints_its_records_and_its_list(cast: Any, client: Any) -> None:
    from taizhang.core.views import REGISTRY

    client.force_login(cast.secretary)
    printed = []
    for slug, views in sorted(REGISTRY.items()):
        # an empty year: the table and its header, without paying for every row of every list
        listing = _docx(
            client.get(reverse("print_list", kwargs={"slug": slug, "fmt": "docx"}), {"year": "2001"})
        )
        assert listing.tables[0].rows[0].cells[0].text == "序号", slug
        obj = (
            views.model.objects.restrict(cast.secretary).filter(unit__code="demo-dist").order_by("pk").first()
        )
        if obj is None:
            continue
        doc = _docx(client.get(reverse("print_record", kwargs={"slug": slug, "pk": obj.pk, "fmt": "docx"})))
        assert doc.paragraphs[0].text == printing.paper_title(views.kind), slug
        assert len(doc.tables[0].rows) >= 1, slug
        printed.append(slug)
    assert {"meeting", "rectification", "inspection", "position", "review", "submission"} <= set(printed)


def test_the_rectification_ledger_prints_the_columns_of_the_paper_ledger(cast: Any, client: Any) -> None:
    client.force_login(cast.clerk)
    doc = _docx(
        client.get(reverse("print_list", kwargs={"slug": "rectification", "fmt": "docx"}), {"year": "2025"})
    )
    assert doc.paragraphs[0].text == "问题整改台账（2025年）"
    rows = _cells(doc.tables[0])
    assert rows[0] == [
        "序号",
        "发现日期",
        "问题来源",
        "问题描述",
        "整改措施",
        "责任人",
        "整改时限",
        "状态",
        "完成日期",
    ]
    done = lm.Rectification.objects.filter(
        unit__code="demo-dist", found_on__year=2025, completed_on__isnull=False
    ).first()
    row = next(r for r in rows if r[3] == done.problem)
    assert (
        row[4] == done.measures
        and row[8] == f"{done.completed_on.year}年{done.completed_on.month}月{done.completed_on.day}日"
    )
