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
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from itertools import combinations, pairwise
from typing import Any

from docx import Document as WordDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

from taizhang.core import printing

from . import document as d

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
LINES = 22  # lines in the text area (28 characters each, GB/T 9704)
SIZE_2, SIZE_3, SIZE_4 = Pt(22), Pt(16), Pt(14)  # 2号, 3号, 4号
ANNEX = "annex"  # the word 附件 heading an annex's page: 3号黑体, flush left (GB/T 9704 7.5)
TITLE_CHARS = 20  # 2号 characters on the 156 mm line
BODY_CHAR_TWIPS = 315  # a condensed 3号 character (15.75 pt)
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
    ANNEX: ("黑体", SIZE_3, WD_ALIGN_PARAGRAPH.LEFT, False),
}
STYLE_NAMES = {style: f"TZ {style}" for style in FONTS}


# Latin text in Times New Roman, Chinese in the named font (on w:eastAsia): one helper for the
# documents and the printed paper forms (core.printing; core imports no app, so it lives there)
set_east_asian = printing.set_east_asian


def _defaults(doc: Any) -> None:
    """The run defaults: 3号, explicit fonts and the languages of the text."""
    # the document grid's character pitch counts from the default font size: make it 3号
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        for old in rpr.findall(qn(tag)):
            rpr.remove(old)
        size = OxmlElement(tag)
        size.set(qn("w:val"), "32")
        rpr.append(size)
    # explicit fonts instead of the theme's, and the language the text is in
    for old in rpr.findall(qn("w:rFonts")) + rpr.findall(qn("w:lang")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    rpr.insert(0, fonts)
    # Chinese for the Chinese text; the Latin runs (figures, dates) as Word in China marks them, so
    # that no layout engine breaks a line inside 2026 by Chinese rules
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def _styles(doc: Any) -> None:
    _defaults(doc)
    normal = doc.styles["Normal"]
    normal.font.size = SIZE_3
    set_east_asian(normal.element, "仿宋_GB2312")
    for style in FONTS:
        _paragraph_style(doc, normal, style)


def _paragraph_style(doc: Any, normal: Any, style: str) -> None:
    """One of our paragraph styles (FONTS): its font and size, alignment, indent and spacing."""
    font, size, align, indent = FONTS[style]
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
    jc = ppr.find(qn("w:jc"))
    if jc is not None:
        jc.addprevious(ind)  # the schema's order: w:ind before w:jc
    else:
        ppr.append(ind)
    if style.startswith("h") or style in (d.TITLE, d.SIGNATURE, ANNEX):
        # a heading never ends a page: it stays with the paragraph it heads (the signature with
        # its date, the word 附件 with the annex's title)
        ppr.insert(1 if ppr.find(qn("w:pStyle")) is not None else 0, OxmlElement("w:keepNext"))
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
        # the dashes and digits too: Word sets — (U+2014) in the hAnsi font unless told otherwise
        fonts = r._r.get_or_add_rPr().find(qn("w:rFonts"))
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), "宋体")
        fonts.set(qn("w:hint"), "eastAsia")
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


# --- Title lines (GB/T 9704 7.3.1) ------------------------------------------------------------------
# A title too long for one line is broken between words, into a trapezoid (each line longer, or each
# shorter, than the one above) or, on three lines, a diamond (the middle line longest) — never an
# hourglass, and never inside a word. Titles are written from a few fixed parts (the issuer, the
# period, 关于……的报告), so the words are known: the issuer's name, a period expression, and a small
# vocabulary of the titles' own words. A run of characters outside them stays whole.
TITLE_WORDS = sorted(
    ("关于", "的", "意识形态", "工作", "领域", "情况", "分析研判", "分析", "研判", "报告", "总结", "要点",
     "专题", "落实", "责任制", "自评", "考核", "系统", "汇总", "台账", "汇编", "年度", "上半年", "下半年",
     "全年", "数据来源", "整改", "问题", "方案", "通知", "意见", "计划"),
    key=len,
    reverse=True,
)  # fmt: skip
_PERIOD = re.compile(r"\d{4}年(?:度|上半年|下半年|第[一二三四]季度)?|第[一二三四]季度|[（(][^）)]{1,12}[）)]")
_OPENING, _CLOSING = "“《（(〔", "”》）)〕、，。：；"


def text_width(text: str) -> float:
    """Characters of the line a text fills: Latin letters and digits take half a character."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def title_words(title: str, names: Sequence[str] = ()) -> list[str]:
    """The title cut where a line may break: after a known name, period or title word; unknown
    runs of characters, and punctuation with the word it belongs to, stay together."""
    known = sorted({n for n in names if n}, key=len, reverse=True)
    words: list[str] = []
    loose = ""  # characters outside every known word, kept as one

    def push(word: str) -> None:
        nonlocal loose
        if loose:
            words.append(loose)
            loose = ""
        if words and (word[0] in _CLOSING or words[-1][-1] in _OPENING):
            words[-1] += word
        else:
            words.append(word)

    i = 0
    while i < len(title):
        m = _PERIOD.match(title, i)
        word = next((n for n in known if title.startswith(n, i)), None) or (m.group() if m else None)
        word = word or next((w for w in TITLE_WORDS if title.startswith(w, i)), None)
        if word:
            push(word)
            i += len(word)
        elif title[i] in _CLOSING and not loose and words:
            words[-1] += title[i]
            i += 1
        else:
            loose += title[i]
            i += 1
    if loose:
        push(loose)
    return words


def title_lines(title: str, names: Sequence[str] = (), width: int = TITLE_CHARS) -> list[str]:
    """The title's lines: as few as fit, shaped as a trapezoid or diamond, as even as the words
    allow. One line (Word wraps it) when no break between words fits."""
    if text_width(title) <= width:
        return [title]
    words = title_words(title, names)
    for count in range(2, min(4, len(words)) + 1):
        best: tuple[float, list[str]] | None = None
        for cuts in combinations(range(1, len(words)), count - 1):
            bounds = (0, *cuts, len(words))
            lines = ["".join(words[a:b]) for a, b in pairwise(bounds)]
            sizes = [text_width(x) for x in lines]
            if max(sizes) > width:
                continue
            rising = all(a < b for a, b in pairwise(sizes))
            falling = all(a > b for a, b in pairwise(sizes))
            diamond = count == 3 and sizes[1] > sizes[0] and sizes[1] > sizes[2]
            # a rectangle (equal lines) or an hourglass is the last resort
            cost = max(sizes) - min(sizes) + (0 if rising or falling or diamond else 100)
            if best is None or cost < best[0]:
                best = (cost, lines)
        if best is not None:
            return best[1]
    return [title]


# --- The package ---------------------------------------------------------------------------------
# python-docx starts from its own template: a 440 KB styles part (written twice, with
# stylesWithEffects), a thumbnail, custom XML, a Mac Word app.xml and "python-docx" as the author.
# The template below keeps only what our documents use, so each document is small and quick to
# write, and its properties are ours (to_docx sets title, author and language).
_DROPPED_PARTS = {
    "docProps/thumbnail.jpeg",
    "docProps/app.xml",
    "word/stylesWithEffects.xml",
    "word/theme/theme1.xml",
    "word/numbering.xml",
    "word/webSettings.xml",
    "customXml/item1.xml",
    "customXml/itemProps1.xml",
    "customXml/_rels/item1.xml.rels",
}
_KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList", "TableGrid", "Header", "Footer",
                "HeaderChar", "FooterChar"}  # fmt: skip
# the template's settings that belong to its author's Word (revision ids, document id, preview
# picture, the dropped theme's colour map, shape and maths defaults), not to our documents
_DROPPED_SETTINGS = {"rsids", "docId", "savePreviewPicture", "clrSchemeMapping", "shapeDefaults", "mathPr",
                     "proofState", "doNotAutoCompressPictures", "attachedTemplate"}  # fmt: skip
_FONTS_USED = ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体", "Times New Roman")
_FONT_ALT = {"仿宋_GB2312": "仿宋", "方正小标宋简体": "华文中宋", "楷体_GB2312": "楷体"}


def _trimmed(package: bytes) -> bytes:
    """The saved template without python-docx's leftovers (see above)."""
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename
            if name in _DROPPED_PARTS:
                continue
            data = src.read(name)
            if name == "[Content_Types].xml":
                root = etree.fromstring(data)
                for el in list(root):
                    part = el.get("PartName", "").lstrip("/")
                    if part in _DROPPED_PARTS or el.get("Extension") == "jpeg":
                        root.remove(el)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif name.endswith(".rels"):
                root = etree.fromstring(data)
                base = "word/" if name.startswith("word/") else ""
                for el in list(root):
                    target = el.get("Target", "")
                    resolved = target[3:] if target.startswith("../") else base + target
                    if resolved in _DROPPED_PARTS or target.lstrip("/") in _DROPPED_PARTS:
                        root.remove(el)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif name == "word/styles.xml":
                root = etree.fromstring(data)
                for el in list(root):
                    if el.tag == qn("w:latentStyles") or (
                        el.tag == qn("w:style")
                        and el.get(qn("w:styleId")) not in _KEPT_STYLES
                        and not el.get(qn("w:styleId"), "").startswith("TZ")
                    ):
                        root.remove(el)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif name == "word/settings.xml":
                root = etree.fromstring(data)
                for el in list(root):
                    if etree.QName(el).localname in _DROPPED_SETTINGS:
                        root.remove(el)
                lang = root.find(qn("w:themeFontLang"))
                if lang is not None:
                    lang.set(qn("w:val"), "en-US")
                    lang.set(qn("w:eastAsia"), "zh-CN")
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            elif name == "word/fontTable.xml":
                root = etree.fromstring(data)
                for el in list(root):
                    root.remove(el)
                for font in _FONTS_USED:
                    el = etree.SubElement(root, qn("w:font"))
                    el.set(qn("w:name"), font)
                    if font in _FONT_ALT:
                        etree.SubElement(el, qn("w:altName")).set(qn("w:val"), _FONT_ALT[font])
                    charset = "00" if font == "Times New Roman" else "86"  # GB2312
                    etree.SubElement(el, qn("w:charset")).set(qn("w:val"), charset)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(name, data)
    return out.getvalue()


_DOCUMENT_PART, _CORE_PART = "word/document.xml", "docProps/core.xml"


@dataclass(frozen=True)
class _Package:
    """The empty document as the members of its file, and the ids of the styles it holds."""

    members: tuple[tuple[str, bytes], ...]  # as python-docx saves them, in its order
    ids: dict[str, str]  # our block styles (FONTS) → style id
    styles: dict[str, str]  # table and cover styles: style name → style id

    def write(self, changed: dict[str, bytes]) -> bytes:
        """The file with `changed` members in place of the empty document's, written as
        python-docx writes a package (deflated, in the same order)."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name, data in self.members:
                dst.writestr(name, changed.get(name, data))
        return out.getvalue()


@cache
def _template() -> _Package:
    """The empty document — styles, page, grid, page numbers — built once per process; each
    document copies its body and properties, adds its paragraphs and writes the file (opening and
    saving the package through python-docx for every document cost more than laying it out)."""
    word = WordDocument()
    _styles(word)
    _table_styles(word)
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
    named = [name for name, _ in TABLE_STYLES.values()] + [v[0] for v in COVER_STYLES.values()]
    styles = {name: word.styles[name].style_id for name in named}
    out = io.BytesIO()
    word.save(out)
    # opened and saved once more: the members are then byte for byte what a save writes
    again = io.BytesIO()
    WordDocument(io.BytesIO(_trimmed(out.getvalue()))).save(again)
    src = zipfile.ZipFile(again)
    return _Package(tuple((i.filename, src.read(i.filename)) for i in src.infolist()), ids, styles)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _run(text: str, font: str | None = None, color: str | None = None, size: Any = None) -> Any:
    r = OxmlElement("w:r")
    if font or color or size:
        rpr = OxmlElement("w:rPr")
        if font:
            fonts = OxmlElement("w:rFonts")
            fonts.set(qn("w:eastAsia"), font)
            rpr.append(fonts)
        if color:
            c = OxmlElement("w:color")
            c.set(qn("w:val"), color)
            rpr.append(c)
        if size:
            for tag in ("w:sz", "w:szCs"):
                sz = OxmlElement(tag)
                sz.set(qn("w:val"), str(int(size.pt * 2)))
                rpr.append(sz)
        r.append(rpr)
    t = OxmlElement("w:t")
    t.text = _NOT_XML.sub("", text)
    if text != text.strip():
        t.set(qn("xml:space"), "preserve")
    r.append(t)
    return r


def _ppr(p: Any, style_id: str) -> Any:
    ppr = OxmlElement("w:pPr")
    pstyle = OxmlElement("w:pStyle")
    pstyle.set(qn("w:val"), style_id)
    ppr.append(pstyle)
    p.append(ppr)
    return ppr


def _keep_with_next(node: Any) -> None:
    """keepNext on a paragraph (given as its w:p or its w:pPr), right after its style."""
    if node is None or node.tag not in (qn("w:p"), qn("w:pPr")):
        return  # a table (the ledger book's) keeps its own rows
    ppr = node if node.tag == qn("w:pPr") else node.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        node.insert(0, ppr)
    if ppr.find(qn("w:keepNext")) is None:
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            style.addnext(OxmlElement("w:keepNext"))
        else:
            ppr.insert(0, OxmlElement("w:keepNext"))


def _indent(ppr: Any, right: float) -> None:
    """Right indent in characters (GB/T 9704 7.3.5: 署名 右空二字, the date under it)."""
    ind = OxmlElement("w:ind")
    ind.set(qn("w:rightChars"), str(round(right * 100)))
    ind.set(qn("w:right"), str(round(right * BODY_CHAR_TWIPS)))
    ppr.append(ind)


def signature_indents(signature: str, day: str) -> tuple[float, float]:
    """Right indents of the issuer's line and the date under it (GB/T 9704 7.3.5.2): the issuer
    右空二字 and the date's first character two to the right of the issuer's; a date longer than
    that allows stands 右空二字 and moves the issuer left."""
    s, t = text_width(signature), text_width(day)
    date_right = s - t
    if date_right >= 2:
        return 2.0, date_right
    return t + 4 - s, 2.0


def annex_lines(doc: d.Document) -> list[tuple[str, str]]:
    """The sources annex as (style, text): each figure, then the records it counts by date, title
    and ledger — the ledger's name, never an internal id."""
    from taizhang.core import kinds

    out: list[tuple[str, str]] = []
    for n, fig in enumerate(doc.figures.values(), 1):
        out.append((d.H3, f"{n}.{fig.label}：{fig.text}{fig.unit}"))
        for ref in fig.refs[:200]:
            kind = kinds.get(ref.slug)
            ledger = f"（{kind.model._meta.verbose_name}台账）" if kind is not None else ""
            out.append((d.BODY, f"{_ref_text(ref)}{ledger}"))
        if len(fig.refs) > 200:
            out.append((d.BODY, f"另有{len(fig.refs) - 200}条记录，可在系统的数据来源页面查看。"))
    return out


ANNEX_TITLE = "数据来源"
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _ref_text(ref: Any) -> str:
    """A record as the annex lists it: its date in words, then its label's parts (a record's label
    is "2025-05-08 网民……" or "2025年 组长 王建国": the date once, no spaces between Chinese)."""
    parts = ref.label.split()
    day = ref.day
    while parts and (m := _ISO_DAY.match(parts[0]) or re.match(r"^\d{4}年$", parts[0])):
        if day is None and m.re is _ISO_DAY:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        parts = parts[1:]
    when = f"{day.year}年{day.month}月{day.day}日" if day else ""
    return "，".join(x for x in (when, "，".join(parts)) if x)


class _Body:
    """The paragraphs of a document being laid out, each put before the body's section mark."""

    def __init__(self, root: Any, doc: d.Document, package: _Package) -> None:
        self.doc, self.ids, self.styles = doc, package.ids, package.styles
        self.sect = root.find(qn("w:body")).find(qn("w:sectPr"))
        self.names = [doc.issuer, doc.unit_name, doc.addressee]  # the words a title breaks between

    def para(self, text: str, style: str) -> Any:
        p = OxmlElement("w:p")
        ppr = _ppr(p, self.ids[style])
        if text:
            p.append(_run(text))
        self.sect.addprevious(p)
        return ppr

    def title(self, text: str) -> None:
        p = OxmlElement("w:p")
        _ppr(p, self.ids[d.TITLE])
        for n, line in enumerate(title_lines(text, self.names)):
            r = _run(line)
            if n:
                r.insert(0 if r.find(qn("w:rPr")) is None else 1, OxmlElement("w:br"))
            p.append(r)
        self.sect.addprevious(p)

    def signature(self, text: str, right: float, annexed: bool) -> None:
        """The signature never opens a page alone: the text's last paragraph, the 附件说明 and
        the blank lines stay with it."""
        _keep_with_next(self.sect.getprevious())
        if annexed:  # 附件说明: under the text after a blank line, 左空二字 (GB/T 9704 7.3.3)
            _keep_with_next(self.para("", d.BODY))
            _keep_with_next(self.para(f"附件：{ANNEX_TITLE}", d.BODY))
        _keep_with_next(self.para("", d.BODY))  # a blank line before the signature
        _indent(self.para(text, d.SIGNATURE), right)

    def annex(self) -> None:
        """The sources annex on a page of its own: 附件, its title, then each figure's records."""
        self.sect.addprevious(page_break_paragraph())
        self.para("附件", ANNEX)
        self.para(ANNEX_TITLE, d.TITLE)
        self.para("", d.BODY)
        for style, text in annex_lines(self.doc):
            self.para(text, style)


def _lay_out(out: _Body, annexed: bool) -> None:
    """The document's blocks, in order, as the Word file's paragraphs and tables."""
    doc = out.doc
    previous: d.Block | None = None
    signature = next((b.text for b in doc.blocks if b.style == d.SIGNATURE), "")
    day = next((b.text for b in doc.blocks if b.style == d.DATE), "")
    sig_right, date_right = signature_indents(signature, day)
    for block in doc.blocks:
        extra, previous = docx_extra(block, out.styles, out.sect, previous), block
        if extra:
            continue
        if block.style == d.SIGNATURE:
            out.signature(block.text, sig_right, annexed)
        elif block.style == d.DATE and signature:
            _indent(out.para(block.text, d.DATE), date_right)
        elif block.style == d.TITLE:
            out.title(block.text)
            out.para("", d.BODY)  # a blank line under the title
            if doc.addressee:  # 主送机关: under the title after a blank line, flush left (7.3.2)
                out.para(f"{doc.addressee.rstrip('：:')}：", d.LEAD)
        else:
            out.para(block.text, block.style)


def to_docx(doc: d.Document, *, sources: bool = False) -> bytes:
    package = _template()
    members = dict(package.members)
    root = parse_xml(members[_DOCUMENT_PART])
    out = _Body(root, doc, package)
    annexed = sources and bool(doc.figures)
    if doc.number or doc.signer:
        _masthead(doc, out.sect, package.ids)
    _lay_out(out, annexed)
    if annexed:
        out.annex()
    core = _properties(members[_CORE_PART], doc)
    return package.write({_DOCUMENT_PART: serialize_part_xml(root), _CORE_PART: core})


def _masthead(doc: d.Document, sect: Any, ids: dict[str, str]) -> None:
    """The 版头 of a report sent up (GB/T 9704 7.2): the issuer's mark in red 小标宋, then
    发文字号 居左空一字 and 签发人 居右空一字 on one line, a red rule under them."""
    issuer = doc.issuer or doc.unit_name
    mark = OxmlElement("w:p")
    ppr = _ppr(mark, ids[d.TITLE])
    size = Pt(min(36, int(440 / max(text_width(issuer), 1))))
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:line"), str(int(size.pt * 20 * 1.4)))
    spacing.set(qn("w:lineRule"), "exact")
    ppr.append(spacing)
    mark.append(_run(issuer, color="FF0000", size=size))
    sect.addprevious(mark)
    blank = OxmlElement("w:p")
    _ppr(blank, ids[d.BODY])
    sect.addprevious(blank)
    line = OxmlElement("w:p")
    ppr = _ppr(line, ids[d.LEAD])
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "8"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    ppr.append(border)
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(int((PAGE_W - LEFT - RIGHT) / 635) - BODY_CHAR_TWIPS))
    tabs.append(tab)
    ppr.append(tabs)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:leftChars"), "100")
    ind.set(qn("w:left"), str(BODY_CHAR_TWIPS))
    ppr.append(ind)
    line.append(_run(doc.number))
    if doc.signer:
        r = OxmlElement("w:r")
        r.append(OxmlElement("w:tab"))
        line.append(r)
        line.append(_run("签发人："))
        line.append(_run(doc.signer, font="楷体_GB2312"))
    sect.addprevious(line)
    for _ in range(2):  # the title two lines under the rule
        blank = OxmlElement("w:p")
        _ppr(blank, ids[d.BODY])
        sect.addprevious(blank)


def _properties(template: bytes, doc: d.Document) -> bytes:
    """Title, author (the issuer), language and dates of our own; nothing of python-docx's."""
    root = parse_xml(template)
    props = CoreProperties(root)
    props.title = doc.title[:255]
    props.author = props.last_modified_by = (doc.issuer or doc.unit_name)[:255]
    props.language = "zh-CN"
    props.subject = props.keywords = props.category = ""
    props.comments = ""
    props.revision = 1
    stamp = datetime.combine(doc.day, time(9, 0))
    props.created = props.modified = stamp
    return serialize_part_xml(root)


def to_markdown(doc: d.Document) -> str:
    """The document as Markdown, with the 版头 the Word file carries for a report sent up: the
    issuer's mark, 发文字号 on the left and 签发人 on the right, the rule under them."""
    lines = []
    if doc.number or doc.signer:
        mark = html.escape(doc.issuer or doc.unit_name)
        lines.append(f'<p align="center"><font color="red">{mark}</font></p>\n')
        signer = f'<span style="float:right">签发人：{html.escape(doc.signer)}</span>' if doc.signer else ""
        lines.append(f"<p>{html.escape(doc.number)}{signer}</p>\n")
        lines.append("---\n")
    for block in doc.blocks:
        text = block.text
        if block.style == d.TABLE:
            lines.append(markdown_table(block))
        elif block.style == d.BREAK:
            lines.append("---\n")
        elif block.style == d.COVER:  # the cover's lines make the one title of the file
            if lines and lines[-1].startswith("# "):
                lines[-1] = lines[-1].rstrip("\n") + text + "\n"
            else:
                lines.append(f"# {text}\n")
        elif block.style == d.COVER_NOTE:
            lines.append(f"{text}\n")
        elif block.style == d.TITLE:
            lines.append(f"# {text}\n")
            if doc.addressee:
                lines.append(f"{doc.addressee.rstrip('：:')}：\n")
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
        if block.style in (d.TABLE, d.BREAK):
            out.append(html_table(block) if block.style == d.TABLE else '<hr class="tz-break">')
            continue
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
        if block.style == d.TITLE and doc.addressee:
            out.append(f'<p class="tz-lead">{html.escape(doc.addressee.rstrip("：:"))}：</p>')
    out.append("</article>")
    return "\n".join(out)


# --- Tables and the cover page (the printable 台账汇编) ----------------------------------------------
# Table text is 小四 仿宋_GB2312 (the header row in 黑体) at single spacing, off the line grid: 3号 in a
# table of six columns leaves two characters a line. Rules are 0.5 pt, the header row repeats on
# each page and no row splits across pages, as offices print their ledgers.
TABLE_STYLES = {"cell": ("TZ table", "仿宋_GB2312"), "head": ("TZ table head", "黑体")}
COVER_STYLES = {
    d.COVER: ("TZ cover", "方正小标宋简体", Pt(26), Pt(44)),
    d.COVER_NOTE: ("TZ cover note", "楷体_GB2312", SIZE_3, Pt(32)),
}
TEXT_WIDTH_TWIPS = int((PAGE_W - LEFT - RIGHT) / 635)


def _table_styles(word: Any) -> None:
    for name, font in TABLE_STYLES.values():
        st = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = word.styles["Normal"]
        st.font.size = Pt(12)  # 小四
        set_east_asian(st.element, font)
        pf = st.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER if font == "黑体" else WD_ALIGN_PARAGRAPH.LEFT
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.space_before = pf.space_after = Pt(0)
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")  # the 22-line grid is for body text, not table cells
        st.element.get_or_add_pPr().append(snap)
    for name, font, size, spacing in COVER_STYLES.values():
        st = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = word.styles["Normal"]
        st.font.size = size
        set_east_asian(st.element, font)
        pf = st.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = spacing
        pf.space_before = pf.space_after = Pt(0)
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        st.element.get_or_add_pPr().append(snap)


def _el(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _cell_paragraph(text: str, style_id: str) -> Any:
    p = _el("w:p")
    ppr = _el("w:pPr")
    ppr.append(_el("w:pStyle", val=style_id))
    p.append(ppr)
    for n, line in enumerate(text.split("\n")):
        r = _el("w:r")
        if n:
            r.append(_el("w:br"))
        t = OxmlElement("w:t")
        t.text = line
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        p.append(r)
    return p


CELL_CHAR_TWIPS = 240  # one 小四 character
NARROW = 6  # a column this many characters wide or less is given its whole width


def column_widths(rows: list[list[str]], weights: list[int] | None = None) -> list[int]:
    """Twips per column from the weights (characters wanted; each column's longest cell when
    none are given): a narrow column (序号, a name, a date) gets all it wants, so 王建国 never
    wraps a character a line; the wide ones share the rest by weight."""
    count = max(len(r) for r in rows)
    if weights is None or len(weights) != count:
        weights = [min(max(max((len(r[i]) if i < len(r) else 0) for r in rows), 2), 16) for i in range(count)]
    narrow = {i: w * CELL_CHAR_TWIPS + 420 for i, w in enumerate(weights) if w <= NARROW}  # margins, slack
    wide = [i for i in range(count) if i not in narrow]
    if not wide or sum(narrow.values()) > TEXT_WIDTH_TWIPS * 3 // 4:
        total = sum(weights) or 1
        widths = [TEXT_WIDTH_TWIPS * w // total for w in weights]
    else:
        rest = TEXT_WIDTH_TWIPS - sum(narrow.values())
        share = sum(weights[i] for i in wide)
        widths = [narrow[i] if i in narrow else rest * weights[i] // share for i in range(count)]
    widths[-1] += TEXT_WIDTH_TWIPS - sum(widths)
    return widths


def docx_table(block: d.Block, cell_style: str, head_style: str) -> Any:
    """A w:tbl of the block's rows: the first row is the header, repeated on every page."""
    rows = block.rows or [[]]
    widths = column_widths(rows, block.widths)
    # a column of short entries (序号, 分值, 5条) is centred; text columns read from the left
    short = [all(len(r[i]) <= 5 for r in rows[1:] if i < len(r)) for i in range(len(widths))]
    tbl = _el("w:tbl")
    pr = _el("w:tblPr")
    pr.append(_el("w:tblW", w=str(TEXT_WIDTH_TWIPS), type="dxa"))
    pr.append(_el("w:jc", val="center"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz="4", space="0", color="000000"))
    pr.append(borders)
    pr.append(_el("w:tblLayout", type="fixed"))
    margins = _el("w:tblCellMar")
    for side, width in (("top", "40"), ("left", "80"), ("bottom", "40"), ("right", "80")):
        margins.append(_el(f"w:{side}", w=width, type="dxa"))
    pr.append(margins)
    pr.append(_el("w:tblLook", val="04A0", firstRow="1", lastRow="0", firstColumn="0", lastColumn="0",
                  noHBand="0", noVBand="1"))  # fmt: skip
    tbl.append(pr)
    grid = _el("w:tblGrid")
    for w in widths:
        grid.append(_el("w:gridCol", w=str(w)))
    tbl.append(grid)
    for n, row in enumerate(rows):
        tr = _el("w:tr")
        trpr = _el("w:trPr")
        trpr.append(_el("w:cantSplit"))
        if n == 0:
            trpr.append(_el("w:tblHeader"))
        tr.append(trpr)
        for i, w in enumerate(widths):
            tc = _el("w:tc")
            tcpr = _el("w:tcPr")
            tcpr.append(_el("w:tcW", w=str(w), type="dxa"))
            tcpr.append(_el("w:vAlign", val="center"))
            tc.append(tcpr)
            text = row[i] if i < len(row) else ""
            cell = _cell_paragraph(text, head_style if n == 0 else cell_style)
            if n and short[i]:
                cell.find(qn("w:pPr")).append(_el("w:jc", val="center"))
            tc.append(cell)
            tr.append(tc)
        tbl.append(tr)
    return tbl


def page_break_paragraph() -> Any:
    p = _el("w:p")
    r = _el("w:r")
    r.append(_el("w:br", type="page"))
    p.append(r)
    return p


def markdown_table(block: d.Block) -> str:
    rows = block.rows or [[]]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", "<br>") for c in cells) + " |"

    return "\n".join([line(rows[0]), line(["---"] * len(rows[0])), *[line(r) for r in rows[1:]]]) + "\n"


def html_table(block: d.Block) -> str:
    rows = block.rows or [[]]

    def cells(tag: str, row: list[str]) -> str:
        return "".join(f"<{tag}>{html.escape(c).replace(chr(10), '<br>')}</{tag}>" for c in row)

    body = "".join(f"<tr>{cells('td', r)}</tr>" for r in rows[1:])
    return (
        f'<table class="tz-table"><thead><tr>{cells("th", rows[0])}</tr></thead><tbody>{body}</tbody></table>'
    )


def docx_extra(block: d.Block, styles: dict[str, str], sect: Any, previous: d.Block | None) -> bool:
    """Lay out a table or cover block before `sect` (`styles`: the ids of the table and cover
    styles by name); False for any other block. A cover's first line stands a third down the
    page, the page after the cover notes breaks, and the cover page carries no page number."""
    if block.style == d.TABLE:
        ids = [styles[name] for name, _ in TABLE_STYLES.values()]
        sect.addprevious(docx_table(block, ids[0], ids[1]))
        return True
    if block.style == d.BREAK:
        sect.addprevious(page_break_paragraph())
        return True
    if block.style not in COVER_STYLES:
        if previous is not None and previous.style == d.COVER_NOTE:
            sect.addprevious(page_break_paragraph())
        return False
    style_id = styles[COVER_STYLES[block.style][0]]
    if block.style == d.COVER and (previous is None or previous.style != d.COVER):
        for _ in range(6):
            sect.addprevious(_cell_paragraph("", style_id))
        if sect.find(qn("w:titlePg")) is None:
            sect.find(qn("w:docGrid")).addprevious(_el("w:titlePg"))
    if block.style == d.COVER_NOTE and previous is not None and previous.style == d.COVER:
        for _ in range(5):
            sect.addprevious(_cell_paragraph("", style_id))
    sect.addprevious(_cell_paragraph(block.text, style_id))
    return True
