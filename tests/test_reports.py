"""Documents: the demo's 2025 annual summary read back from its .docx (GB/T 9704 layout, fonts,
page numbers, heading numbering, no placeholder, every figure equal to the ledgers), the other
kinds, an empty year, Markdown/HTML, and the command line."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document as Word
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from taizhang.ledger import models as lm
from taizhang.proofread import check
from taizhang.reports import render, writer
from taizhang.reports.facts import collect, year_period

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 10)


@pytest.fixture
def annual(cast):
    doc = writer.build("annual", cast.units["demo-dist"], 2025, day=DAY)
    return doc, Word(io.BytesIO(render.to_docx(doc)))


def _east_asian(style) -> str:
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_margins_and_grid_follow_gb_t_9704(annual):
    _, word = annual
    section = word.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1) and abs(section.right_margin - Mm(26)) < Mm(0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    text_height_twips = (Mm(297) - Mm(37) - Mm(35)) / 635
    assert int(text_height_twips / int(grid.get(qn("w:linePitch")))) == 22
    # 28 characters a line: 3号 text condensed to the 156 mm line
    body = word.styles["TZ body"]
    condense = int(body.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    text_width_pt = (Mm(210) - Mm(28) - Mm(26)) / 12700
    assert int(text_width_pt / (16 + condense)) == 28


def test_fonts_sizes_indent_and_heading_levels(annual):
    _doc, word = annual
    paragraphs = [p for p in word.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text.replace("\n", "") == _doc.title  # broken into lines between words (test_word.py)
    assert _east_asian(title.style) == "方正小标宋简体" and title.style.font.size == Pt(22)
    assert title.alignment is None or title.style.paragraph_format.alignment == 1  # centred
    styles = {p.style.name for p in paragraphs}
    h1 = [p for p in paragraphs if p.style.name == "TZ h1"]
    h2 = [p for p in paragraphs if p.style.name == "TZ h2"]
    body = [p for p in paragraphs if p.style.name == "TZ body"]
    assert h1 and h2 and body and "TZ date" in styles
    assert _east_asian(h1[0].style) == "黑体" and _east_asian(h2[0].style) == "楷体_GB2312"
    assert _east_asian(body[0].style) == "仿宋_GB2312" and body[0].style.font.size == Pt(16)
    ind = body[0].style.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert abs(body[0].style.paragraph_format.line_spacing - Pt(28.95)) < Pt(0.1)
    # headings numbered 一、二、三、 and (一)(二)… in sequence, restarting under each 一、
    assert [p.text[:2] for p in h1] == ["一、", "二、", "三、"]
    assert [p.text[:3] for p in h2][:3] == ["（一）", "（二）", "（三）"]
    assert check("\n".join(p.text for p in paragraphs), rules=["heading", "enum"]) == []
    assert paragraphs[-1].text == "2026年1月10日" and paragraphs[-2].text == "中共区气象局党支部"


def test_page_numbers_odd_right_even_left_with_a_page_field(annual):
    _, word = annual
    assert word.settings.odd_and_even_pages_header_footer
    section = word.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer, align in ((odd, 2), (even, 0)):  # RIGHT, LEFT
        assert footer.alignment == align
        xml = footer._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        run = footer.runs[0]
        assert run.font.size == Pt(14) and run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"


def test_no_placeholder_and_clean_text(annual):
    _doc, word = annual
    text = "\n".join(p.text for p in word.paragraphs)
    assert not [f for f in check(text) if f.severity == "error"], [
        f for f in check(text) if f.severity == "error"
    ]
    assert "XX" not in text and "某某" not in text and "{" not in text


def test_every_figure_equals_the_ledgers(annual, cast):
    doc, _ = annual
    unit = cast.units["demo-dist"]
    lo, hi = date(2025, 1, 1), date(2025, 12, 31)
    meetings = lm.Meeting.objects.filter(unit=unit, deleted_at__isnull=True, held_at__year=2025)
    expected = {
        "publicity": lm.Publicity.objects.filter(
            unit=unit, deleted_at__isnull=True, held_on__range=(lo, hi)
        ).count(),
        "central_study": meetings.filter(kind="central_study").count(),
        "submissions": lm.Submission.objects.filter(
            unit=unit, deleted_at__isnull=True, submitted_on__range=(lo, hi)
        ).count(),
        "analyses": lm.Analysis.objects.filter(
            unit=unit, deleted_at__isnull=True, held_on__range=(lo, hi)
        ).count(),
        "rectifications": lm.Rectification.objects.filter(
            unit=unit, deleted_at__isnull=True, found_on__range=(lo, hi)
        ).count(),
        "inspections": lm.PositionInspection.objects.filter(
            unit=unit, deleted_at__isnull=True, inspected_on__range=(lo, hi)
        ).count(),
    }
    for key, count in expected.items():
        assert doc.figures[key].value == count, key
        assert len(doc.figures[key].refs) == count
    # and every figure the text states is written next to its unit, as counted
    text = doc.plain()
    for mention in doc.mentions():
        found = [m.group(1) for m in mention.pattern().finditer(text)]
        assert doc.figures[mention.figure].text in found, mention
    assert len(doc.mentions()) >= 20


def test_an_empty_year_gives_a_short_honest_document(cast):
    unit = cast.units["demo-dist"]
    doc = writer.build("annual", unit, 2019, day=DAY)
    text = doc.plain()
    assert "尚无意识形态工作的记录" in text and len(text) < 1200
    assert all(f.value == 0 for f in doc.figures.values())
    word = Word(io.BytesIO(render.to_docx(doc)))
    assert word.paragraphs[0].text.replace("\n", "").startswith("中共区气象局党支部2019年度")


@pytest.mark.parametrize(
    "kind,extra",
    [
        ("keypoints", {}),
        ("half-year", {"half": 1}),
        ("analysis", {"quarter": 2}),
        ("assessment", {}),
        ("ledger-book", {}),
        ("rollup", {}),
    ],
)
def test_every_kind_renders_clean_text(cast, kind, extra):
    doc = writer.build(kind, cast.units["demo-dist"], 2026 if kind == "keypoints" else 2025, day=DAY, **extra)
    text = doc.plain()
    if kind == "ledger-book":  # a compilation opens with its cover, which carries the date
        assert doc.blocks[0].style == "cover" and "2026年1月" in text
    else:
        assert doc.blocks[0].style == "title" and doc.blocks[-1].text == "2026年1月10日"
    errors = [f for f in check(text, ignore=["heading-format"]) if f.severity == "error"]
    assert errors == [], [(f.rule, text[f.start - 8 : f.end + 8]) for f in errors]
    Word(io.BytesIO(render.to_docx(doc)))
    assert render.to_markdown(doc).startswith("# ")


def test_html_links_each_figure(cast):
    doc = writer.build("annual", cast.units["demo-dist"], 2025, day=DAY)
    page = render.to_html(doc, figure_url=lambda key: f"/figures/{key}")
    assert 'href="/figures/central_study"' in page and "<script" not in page


def test_facts_read_through_restrict(cast):
    unit = cast.units["demo-dist"]
    as_outsider = collect(unit, year_period(2025), user=cast.outsider)
    as_clerk = collect(unit, year_period(2025), user=cast.clerk)
    assert as_outsider.value("central_study") == 0 and as_clerk.value("central_study") > 0


def test_sources_appendix_lists_the_records(cast):
    doc = writer.build("annual", cast.units["demo-dist"], 2025, day=DAY)
    word = Word(io.BytesIO(render.to_docx(doc, sources=True)))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "数据来源" in text and "理论学习中心组集中学习：" in text and "（会议学习台账）" in text
    assert "#" not in text and "meeting" not in text  # the ledger's name, never an internal id


def test_libreoffice_converts_the_docx_to_a_pdf(annual, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        message = "!!! 未安装 LibreOffice（apt-get install libreoffice-writer-nogui）：跳过 PDF 转换检查"
        if os.environ.get("TAIZHANG_REQUIRE_OFFICE"):
            pytest.fail(message)
        pytest.skip(message)
    _, word = annual
    path = tmp_path / "annual.docx"
    word.save(str(path))
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    pdf = (tmp_path / "annual.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 5, pages
    text = subprocess.run(
        ["pdftotext", "-l", "1", str(tmp_path / "annual.pdf"), "-"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    chinese_lines = [line for line in text.splitlines() if line and not any(c.isascii() for c in line)]
    if chinese_lines:  # poppler-utils present: a full line of Chinese holds 28 characters
        assert max(len(line) for line in chinese_lines) == 28


def test_command_line_writes_each_format(cast, tmp_path, settings):
    from taizhang.cli import main

    out = tmp_path / "annual.docx"
    assert main(["report", "annual", "--unit", "demo-dist", "--year", "2025", "-o", str(out)]) == 0
    assert Word(str(out)).paragraphs[0].text.replace("\n", "") == "中共区气象局党支部2025年度意识形态工作总结"
    md = tmp_path / "h.md"
    assert (
        main(
            [
                "report",
                "half-year",
                "--unit",
                "demo-dist",
                "--year",
                "2025",
                "--half",
                "1",
                "--format",
                "md",
                "-o",
                str(md),
            ]
        )
        == 0
    )
    # an upward report opens with the 版头 the Word file has: the mark, 发文字号 and the rule
    head, title = md.read_text(encoding="utf-8").split("\n---\n\n", 1)
    assert "区气党〔2025〕6号" in head and title.startswith("# 中共区气象局党支部关于2025年上半年")
    assert (
        main(["report", "analysis", "--unit", "demo-dist", "--year", "2025", "-o", str(tmp_path / "x")]) == 1
    )
    assert main(["report", "annual", "--unit", "nowhere", "--year", "2025", "-o", str(tmp_path / "y")]) == 1
    assert not Path(tmp_path / "y").exists()
