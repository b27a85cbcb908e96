"""Laying a Document out: a GB/T 9704-2012 Word file (python-docx), Markdown, and HTML.

The Word file: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a document grid of 22
lines × 28 characters; title 2号 方正小标宋简体 centred; body 3号 仿宋_GB2312 with a two-character
first-line indent and fixed line spacing; headings 一、 黑体, （一） 楷体_GB2312, 1. and （1）
仿宋_GB2312; East Asian fonts set on w:rFonts/@w:eastAsia (font.name alone does not); page numbers
4号 宋体 "— 1 —", right on odd pages and left on even pages, one character in from the edge.
Fonts live in paragraph styles, so runs carry no formatting of their own.
"""

from __future__ import annotations

import html
import io
from functools import cache
from typing import Any

from docx import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

from . import document as d

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES = 22  # lines in the text area (28 characters each, GB/T 9704)
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
LINE_PITCH_TWIPS = int(
    (PAGE_H - TOP - BOTTOM) / 635 / LINES
)  # 22 lines in the text area: 579 twips, 28.95 pt
# 3号 (16 pt) characters condensed by a quarter point advance 15.75 pt: 28 to the 156 mm line
CONDENSE_TWENTIETHS = -5

FONTS = {
    d.TITLE: ("方正小标宋简体", SIZE_2, WD_ALIGN_PARAGRAPH.CENTER, False),
    d.H1: ("黑体", SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, True),
    d.H2: ("楷体_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, True),
    d.H3: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, True),
    d.H4: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, True),
    d.BODY: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, True),
    d.LEAD: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.LEFT, False),
    d.NOTE: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.LEFT, False),
    d.SIGNATURE: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, False),
    d.DATE: ("仿宋_GB2312", SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT, False),
}
STYLE_NAMES = {style: f"TZ {style}" for style in FONTS}


def set_east_asian(rpr_owner: Any, name: str) -> None:
    """Latin text in Times New Roman, Chinese in `name` (on w:eastAsia)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), name)


def _styles(doc: Any) -> None:
    # the document grid's character pitch counts from the default font size: make it 3号
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
        size = OxmlElement(tag)
        size.set(qn("w:val"), "32")
        rpr.append(size)
    normal = doc.styles["Normal"]
    normal.font.size = SIZE_3
    set_east_asian(normal.element, "仿宋_GB2312")
    for style, (font, size, align, indent) in FONTS.items():
        st = doc.styles.add_style(STYLE_NAMES[style], WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size = size
        set_east_asian(st.element, font)
        if size == SIZE_3:
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
            st.element.get_or_add_rPr().append(spacing)
        pf = st.paragraph_format
        pf.alignment = align
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(LINE_PITCH_TWIPS) if style != d.TITLE else Pt(36)
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        ppr = st.element.get_or_add_pPr()
        ind = OxmlElement("w:ind")
        if indent:
            ind.set(qn("w:firstLineChars"), "200")  # two characters, whatever the font size
            ind.set(qn("w:firstLine"), str(2 * 320))
        elif style == d.DATE or style == d.SIGNATURE:
            ind.set(qn("w:rightChars"), "400")  # 右空四字
            ind.set(qn("w:right"), str(4 * 320))
        ppr.append(ind)
        if style.startswith("h"):
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(int(style[1]) - 1))
            ppr.append(outline)


def _page(section: Any) -> None:
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = Mm(28) - Mm(7)  # page number 7 mm below the text area
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    # 22 lines by the line grid; 28 characters by condensing 3号 text to the character pitch (a
    # character grid with a negative charSpace is what Word would take, but LibreOffice lays it out
    # two cells a character, and documents must convert to PDF there too)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    sect.append(grid)


def _page_number(paragraph: Any, align: Any, side: str) -> None:
    """— N — in 4号 宋体 with a PAGE field, one character in from the outer edge."""
    paragraph.alignment = align
    pf = paragraph.paragraph_format
    if side == "right":
        pf.right_indent = Pt(14)
    else:
        pf.left_indent = Pt(14)

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        r.font.size = SIZE_4
        set_east_asian(r._r, "宋体")
        r._r.get_or_add_rPr().find(qn("w:rFonts")).set(qn("w:ascii"), "宋体")
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text
    run(" —")


@cache
def _template() -> tuple[bytes, dict[str, str]]:
    """The empty document — styles, page, grid, page numbers — built once per process; each
    document opens a copy and only adds its paragraphs."""
    word = WordDocument()
    _styles(word)
    section = word.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    _page(section)
    word.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT, "right")
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT, "left")
    body = word.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    ids = {style: word.styles[name].style_id for style, name in STYLE_NAMES.items()}
    out = io.BytesIO()
    word.save(out)
    return out.getvalue(), ids


def to_docx(doc: d.Document, *, sources: bool = False) -> bytes:
    template, ids = _template()
    word = WordDocument(io.BytesIO(template))
    body = word.element.body
    sect = body.find(qn("w:sectPr"))

    def para(text: str, style: str) -> None:
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), ids[style])
        ppr.append(pstyle)
        p.append(ppr)
        if text:
            r = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = text
            if text != text.strip():
                t.set(qn("xml:space"), "preserve")
            r.append(t)
            p.append(r)
        sect.addprevious(p)

    for block in doc.blocks:
        if block.style == d.SIGNATURE:
            para("", d.BODY)  # a blank line before the signature
        para(block.text, block.style)
        if block.style == d.TITLE:
            para("", d.BODY)  # a blank line under the title
    if sources and doc.figures:
        page_break = OxmlElement("w:p")
        r = OxmlElement("w:r")
        br = OxmlElement("w:br")
        br.set(qn("w:type"), "page")
        r.append(br)
        page_break.append(r)
        sect.addprevious(page_break)
        para("附件", d.LEAD)
        para("数据来源", d.TITLE)
        for fig in doc.figures.values():
            para(f"{fig.label}：{fig.text}{fig.unit}", d.H3)
            for ref in fig.refs[:200]:
                day = f"{ref.day.year}年{ref.day.month}月{ref.day.day}日 " if ref.day else ""
                para(f"{day}{ref.label}（记录 {ref.slug}#{ref.pk}）", d.BODY)
            if len(fig.refs) > 200:
                para(f"另有 {len(fig.refs) - 200} 条记录，见系统中的数据来源页面。", d.BODY)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def to_markdown(doc: d.Document) -> str:
    lines = []
    for block in doc.blocks:
        text = block.text
        if block.style == d.TITLE:
            lines.append(f"# {text}\n")
        elif block.style == d.H1:
            lines.append(f"## {text}\n")
        elif block.style == d.H2:
            lines.append(f"### {text}\n")
        elif block.style in (d.SIGNATURE, d.DATE):
            lines.append(f'<p align="right">{html.escape(text)}</p>\n')
        else:
            lines.append(f"{text}\n")
    return "\n".join(lines)


def to_html(doc: d.Document, *, figure_url: Any = None) -> str:
    """The document as HTML; with `figure_url(key)`, each figure links to the records it counts."""
    tags = {d.TITLE: "h1", d.H1: "h2", d.H2: "h3", d.H3: "h4", d.H4: "h5"}
    out = [f'<article class="tz-doc"><!-- {html.escape(doc.title)} -->']
    for block in doc.blocks:
        parts = []
        for span in block.spans:
            text = html.escape(span.text)
            if span.figure and figure_url is not None:
                fig = doc.figures.get(span.figure)
                title = html.escape(f"{fig.label}：{len(fig.refs)} 条记录") if fig else ""
                parts.append(
                    f'<a class="tz-figure" href="{html.escape(figure_url(span.figure))}" title="{title}">{text}</a>'
                )
            else:
                parts.append(text)
        tag = tags.get(block.style, "p")
        css = f"tz-{block.style}"
        out.append(f'<{tag} class="{css}">{"".join(parts)}</{tag}>')
    out.append("</article>")
    return "\n".join(out)
