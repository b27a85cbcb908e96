"""The Word file and the 公文 fields (GB/T 9704): title lines broken between words, headings kept
with what follows, the signature and date placed per 7.3.5, 附件说明 and an annex without internal
ids, page numbers in 宋体, properties of our own; the half-year report's 主送机关, 发文字号 and
签发人 from the unit's 公文设置 or the recorded report; 成文日期 from the browser and `--date`."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from docx import Document as Word
from docx.oxml.ns import qn

from taizhang.core.models import AuditEntry
from taizhang.ledger import models as lm
from taizhang.reports import render, services
from taizhang.reports.models import DocumentSettings, DocumentVersion, OfficialDocument

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 10)


def _docx(doc, **kw) -> tuple[bytes, object]:
    data = render.to_docx(doc, **kw)
    return data, Word(io.BytesIO(data))


def test_title_lines_break_between_words_in_a_trapezoid():
    issuer = "中共区气象局党支部"
    assert render.title_lines(f"{issuer}2025年度意识形态工作总结", [issuer]) == [
        issuer,
        "2025年度意识形态工作总结",
    ]
    lines = render.title_lines(f"{issuer}关于2026年上半年意识形态工作情况的报告", [issuer])
    assert lines == [f"{issuer}关于", "2026年上半年意识形态工作情况的报告"]
    # three lines: a diamond or a trapezoid, never an hourglass, each within the 20-character line
    long = "中共省气象局机关第一党支部关于2025年度落实意识形态工作责任制情况和下一步整改措施的报告"
    lines = render.title_lines(long, ["中共省气象局机关第一党支部"])
    sizes = [render.text_width(x) for x in lines]
    assert "".join(lines) == long and len(lines) == 3 and max(sizes) <= 20
    assert not (sizes[1] < sizes[0] and sizes[1] < sizes[2])
    assert render.title_lines("短标题") == ["短标题"]


def test_signature_and_date_follow_gb_t_9704_7_3_5():
    # "2026年1月10日" fills 6.5 characters (digits are half a character)
    assert render.text_width("2026年1月10日") == 6.5
    # the issuer 右空二字, the date's first character two to the right of the issuer's first
    assert render.signature_indents("中共区气象局党支部", "2026年1月10日") == (2.0, 2.5)
    # a date too long for that stands 右空二字 and the issuer moves left: 2 characters before it
    assert render.signature_indents("中共市气象局党组", "2026年1月10日") == (2.5, 2.0)


def test_the_word_file_of_the_annual_summary(cast):
    unit = cast.units["demo-dist"]
    doc = services.prepare("annual", unit, 2025, day=DAY)
    data, word = _docx(doc, sources=True)
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    # nothing left of python-docx's template: no thumbnail, custom XML, Mac app.xml, default author
    assert not {"docProps/thumbnail.jpeg", "docProps/app.xml", "word/stylesWithEffects.xml"} & names
    assert not any(n.startswith("customXml/") for n in names)
    blob = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in names)
    assert b"python-docx" not in blob and b"Macintosh" not in blob
    assert not {"word/numbering.xml", "word/webSettings.xml", "word/theme/theme1.xml"} & names
    settings_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml")
    assert (
        b"rsid" not in settings_xml and b"ja-JP" not in settings_xml and b'w:eastAsia="zh-CN"' in settings_xml
    )
    # Chinese text marked zh-CN; Latin runs en-US (marked zh-CN, LibreOffice breaks lines inside 2026)
    lang = word.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert (lang.get(qn("w:eastAsia")), lang.get(qn("w:val"))) == ("zh-CN", "en-US")
    props = word.core_properties
    assert props.title == doc.title and props.author == unit.org_name == doc.issuer
    assert props.language == "zh-CN" and props.created.date() == DAY and not props.comments
    paragraphs = word.paragraphs
    title = paragraphs[0]
    breaks = title._p.findall(".//" + qn("w:br"))
    lines = render.title_lines(doc.title, [unit.org_name])
    assert title.text == "\n".join(lines) and len(lines) == 2 and len(breaks) == 1
    # headings stay with the paragraph they head
    styles = {s.name: s for s in word.styles if s.type == 1}
    for name in ("TZ h1", "TZ h2", "TZ title", "TZ signature", "TZ annex"):
        assert styles[name].element.pPr.find(qn("w:keepNext")) is not None, name
    # 附件说明 under the text, then the signature and the date; the annex on its own page
    texts = [p.text for p in paragraphs]
    note = texts.index("附件：数据来源")
    assert texts[note + 1] == "" and texts[note + 2] == unit.org_name and texts[note + 3] == "2026年1月10日"
    sig_ind = paragraphs[note + 2]._p.pPr.find(qn("w:ind"))
    assert sig_ind.get(qn("w:rightChars")) == "200"
    # the signature never opens a page alone: the last paragraph of the text comes with it
    for p in paragraphs[note - 2 : note + 2]:
        assert p._p.pPr.find(qn("w:keepNext")) is not None, p.text
    annex = texts.index("附件", note)
    assert paragraphs[annex].style.name == "TZ annex" and texts[annex + 1] == "数据来源"
    assert styles["TZ annex"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    annex_text = "\n".join(texts[annex:])
    assert "（会议学习台账）" in annex_text and "#" not in annex_text
    # page numbers: the dashes and the digits in 宋体
    for footer in (word.sections[0].footer, word.sections[0].even_page_footer):
        for run in footer.paragraphs[0].runs:
            fonts = run._r.rPr.find(qn("w:rFonts"))
            assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:eastAsia")} == {"宋体"}


def test_half_year_report_is_headed_from_the_settings_and_the_recorded_report(cast, client):
    unit = cast.units["demo-dist"]
    client.force_login(cast.clerk)
    page = client.get(reverse("reports:settings"))
    assert "公文设置" in page.content.decode() and unit.org_name in page.content.decode()
    client.post(reverse("reports:settings"), {"signer": " 罗  建国 ", "number_code": "区气党"})
    own = DocumentSettings.objects.get(unit=unit)
    assert own.signer == "罗 建国" and own.number_code == "区气党"
    assert AuditEntry.objects.filter(object_type="reports.DocumentSettings", action="create").exists()
    client.post(reverse("reports:settings"), {"signer": "罗建国", "number_code": "区气党"})
    assert AuditEntry.objects.filter(object_type="reports.DocumentSettings", action="change").exists()
    recorded = (
        lm.ReportRecord.objects.filter(unit=unit, kind="half_year", held_on__year=2025)
        .order_by("held_on")
        .first()
    )
    client.post(reverse("reports:index"), {"kind": "half-year", "year": "2025", "half": "1"})
    doc = OfficialDocument.objects.get(unit=unit, kind="half-year")
    content = DocumentVersion.objects.get(document=doc).content
    assert content["day"] == recorded.held_on.isoformat() and content["number"] == recorded.document_no
    assert content["signer"] == "罗建国" and content["addressee"] == "中共市气象局党组"
    _, word = _docx(services.as_document(DocumentVersion.objects.get(document=doc)))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == unit.org_name  # the issuer's mark, in red
    assert texts[2] == f"{recorded.document_no}\t签发人：罗建国"
    title = texts.index("\n".join(render.title_lines(doc.title, [unit.org_name])))
    assert texts[title + 2] == "中共市气象局党组："
    detail = client.get(reverse("reports:detail", args=[doc.pk])).content.decode()
    assert 'placeholder="区气党〔2025〕 号，填入序号"' in detail  # the unit's 机关代字 as the pattern
    # the clerk changes the date and the number on the draft; the date line follows
    client.post(
        reverse("reports:header", args=[doc.pk]),
        {"day": "2025-07-08", "number": "区气党〔2025〕9号", "signer": "罗建国"},
    )
    version = DocumentVersion.objects.get(document=doc)
    assert (
        version.content["number"] == "区气党〔2025〕9号"
        and version.content["blocks"][-1]["spans"][0]["text"] == "2025年7月8日"
    )
    bad = client.post(reverse("reports:header", args=[doc.pk]), {"day": "七月"}, follow=True)
    assert "格式" in bad.content.decode()
    bad = client.post(
        reverse("reports:header", args=[doc.pk]), {"day": "2025-07-08", "signer": "王" * 31}, follow=True
    )
    assert "签发人不能超过 30 字" in bad.content.decode()
    services.version_finalise(acting_user=cast.secretary, version=version)
    final = client.post(reverse("reports:header", args=[doc.pk]), {"day": "2025-07-09"}, follow=True)
    assert "定稿的版本不能修改" in final.content.decode()
    assert DocumentVersion.objects.get(document=doc).content["day"] == "2025-07-08"
    # a member reads the settings but cannot change them
    client.force_login(cast.member)
    assert client.post(reverse("reports:settings"), {"signer": "改"}).status_code == 403
    assert DocumentSettings.objects.get(unit=unit).signer == "罗建国"


def test_the_draft_date_from_the_form_and_the_command_line(cast, client, tmp_path, capsys):
    from taizhang.cli import main

    client.force_login(cast.clerk)
    client.post(reverse("reports:index"), {"kind": "annual", "year": "2025", "day": "2026-01-12"})
    version = DocumentVersion.objects.get(document__kind="annual", document__unit=cast.units["demo-dist"])
    assert (
        version.content["day"] == "2026-01-12"
        and version.content["blocks"][-1]["spans"][0]["text"] == "2026年1月12日"
    )
    out = tmp_path / "a.docx"
    main(
        ["report", "annual", "--unit", "demo-dist", "--year", "2025", "--date", "2026-01-09", "-o", str(out)]
    )
    texts = [p.text for p in Word(str(out)).paragraphs]
    assert texts[-1] == "2026年1月9日" and texts[-2] == cast.units["demo-dist"].org_name
    code = main(
        ["report", "annual", "--unit", "demo-dist", "--year", "2025", "--date", "1月9日", "-o", str(out)]
    )
    assert code != 0 and "成文日期“1月9日”的格式不对" in capsys.readouterr().err
