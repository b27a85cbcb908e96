"""What copying from a web page or PDF does to the layout: line and paragraph breaks that were lost
(a title, heading or addressee run into the text), a line broken in the middle of a sentence, and
the page furniture that came along (page numbers, a viewer's chunk numbers, 文档预览 remnants,
a site's watermark sentence)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .context import Context
from .finding import WARNING, Finding
from .text import HAN, is_han

CN = "一二三四五六七八九十"
SPACES = " \u3000\u00a0\u2002\u2003\u2009\u200a"
ENDS = "。！？"
# a heading number, as it opens a heading: 一、 （一） 1. 1、 （1） 第一，
HEAD_MARK = re.compile(
    f"(?:[{CN}]{{1,3}}、|[（(][{CN}]{{1,3}}[）)]|\\d{{1,2}}(?:[.．](?!\\d)|、(?!\\d))|[（(]\\d{{1,2}}[）)])"
    f"(?=[{HAN}“《])"
)
# the last word of a title: a document names its kind at its end (……工作总结, ……情况汇报)
TITLE_END = re.compile(
    "(?:总结|工作总结|总结报告|报告|汇报|情况汇报|方案|实施方案|工作方案|计划|工作计划|要点|工作要点|"
    "通知|通报|意见|实施意见|决定|办法|细则|规定|制度|讲话|发言|心得|体会|心得体会|述职报告|"
    "纪要|会议纪要|请示|函|决议|公告|倡议书|承诺书|简报|剖析材料|对照检查材料)$"
)
# words that open the body right after a title with no break between them
BODY_OPENERS = ("今年以来", "近年来", "一年来", "半年来", "为深入", "为全面", "为进一步", "为认真", "为切实",
                "根据", "按照", "我局", "我县", "我镇", "我乡", "我委", "我办", "我们", "在县委", "在市委",
                "在上级", "在全", "自", "今年", "本年度", "年初以来")  # fmt: skip
# an addressee straight after the title (……的通知各乡镇人民政府：)
ADDRESSEES = ("各乡镇", "各村", "各单位", "各股室", "各部门", "各科室", "县直各", "局属各", "中共")  # fmt: skip


def _is_heading_segment(segment: str) -> bool:
    """The text from a line's start up to a point is a whole heading: it opens with a heading
    number and holds no sentence end (a heading that ends in 。 and runs on is ordinary layout)."""
    body = segment.lstrip(SPACES)
    m = HEAD_MARK.match(body)
    if m is None or any(c in body for c in ENDS + "；"):
        return False
    return 2 <= len(body) - m.end() <= 30


# what a template site puts after a title: 范文, 精选, its collection's count (8篇, 篇1, （通用5篇）)
SITE_SUFFIX = "(?:范文|精选|模板|大全|汇编|例文)?(?:\\d{1,2}篇|篇\\d{1,2}|[（(](?:通用|精选|优选|推荐)?\\d{1,2}篇[）)])?"
_SITE_SUFFIX_END = re.compile(SITE_SUFFIX + "$")


def _is_title_segment(segment: str) -> bool:
    body = segment.strip(SPACES)
    if not 4 <= len(body) <= 60 or any(c in body for c in "，。；！？：,;"):
        return False
    suffix = _SITE_SUFFIX_END.search(body)
    return TITLE_END.search(body[: suffix.start()] if suffix else body) is not None


# an addressee on its own line, before its colon: 县委宣传部 · 各乡镇人民政府、县直各单位
_ADDRESSEE_LINE = re.compile(
    f"[{HAN}×X、，]{{2,40}}?(?:委|局|政府|办公室|办|厅|部|党组|党委|支部|总支|委员会|公司|单位|部门|同志们)"
    f"(?:[（(][{HAN}]{{1,8}}[）)])?$"
)


def break_for_space(text: str, line_start: int, s: int, e: int) -> tuple[str | None, str] | None:
    """Whether the space text[s:e] stands where a line break was: (suggestion, why), or None."""
    prev, nxt = text[s - 1], text[e]
    # what stands before the space since the last sentence end, colon or space: with breaks lost,
    # a heading or title is only that much of the line
    cut = line_start
    for k in range(s - 1, max(line_start, s - 70) - 1, -1):
        if text[k] in "。！？：；" or text[k] in SPACES:
            cut = k + 1
            break
    segment = text[cut:s]
    if prev in "，、":
        return None
    in_brackets = text.rfind("（", line_start, s) > text.rfind(
        "）", line_start, s
    )  # （县级 0.5、市级 1、……）
    if (
        HEAD_MARK.match(text, e)
        and not in_brackets
        and (prev in ENDS + "；：" or is_han(prev) or prev in "”》）")
    ):
        return "\n", "标题序号前原有换行，复制时丢失"
    if (is_han(nxt) or nxt in "“《（(" or nxt.isdigit()) and not in_brackets and _is_heading_segment(segment):
        return "\n", "标题之后原有换行，复制时与正文连在一起"
    if (is_han(nxt) or nxt.isdigit()) and _is_title_segment(segment):
        return "\n", "标题之后原有换行，复制时与正文（或主送机关）连在一起"
    if prev == "：" and is_han(nxt) and _ADDRESSEE_LINE.fullmatch(text, line_start, s - 1):
        return "\n", "主送机关之后原有换行，复制时与正文连在一起"
    if prev in ENDS and (is_han(nxt) or nxt in "“《"):
        return None, "句末标点后多出空格：此处原为分段（应换行）或多余空格（应删除），需人工确认"
    return None


# where a heading number may follow with no break: a sentence end, 如下, or a Chinese-numbered
# bracket (its preceding character is checked in Python); the number itself is a look-ahead
_INLINE_HEAD = re.compile(
    f"[{ENDS}如（(](?:(?<=[{ENDS}])(?={HEAD_MARK.pattern})|(?<=如)下(?=[{CN}]{{1,3}}、)|(?<=如)下[：:](?={HEAD_MARK.pattern})|(?<=[（(])(?=[{CN}]{{1,3}}[）)][{HAN}“《]))"
)


def _inline_breaks(ctx: Context) -> Iterator[Finding]:
    """A heading number in the middle of a line with nothing between it and what went before
    (……汇报如下一、 · ……的言论。二、 · ……作为评价使用（二）): the break was lost."""
    text = ctx.text
    for m in _INLINE_HEAD.finditer(text):
        p = m.end()
        ch = text[m.start()]
        if ch in "（(":
            p = m.start()
            if not p or not is_han(text[p - 1]):
                continue
            ch = text[p - 1]
        if ctx.protected.covers(p):
            continue
        if ch in ENDS:
            yield Finding(
                "space-break", p, p + 1, text[p], "\n" + text[p], "此处原为另起一段，复制时丢失换行"
            )
        elif m.group().startswith("如下") and len(m.group()) == 3:
            yield Finding(
                "space-break", p, p + 1, text[p], "\n" + text[p], "“如下：”之后原为另起一段，复制时丢失换行"
            )
        elif m.group() == "如下":
            yield Finding(
                "space-break",
                p,
                p + 1,
                text[p],
                "：\n" + text[p],
                "“如下”之后缺冒号并丢失换行，应为“如下：”后另起一段",
            )
        else:
            if ch in "第条款项附件表图" or text[p + 1] == text[p]:
                continue  # 第（一）项, 附件（二）: a reference, not a heading
            line_start = text.rfind("\n", 0, p) + 1
            segment = text[line_start:p]
            last_end = max(segment.rfind(c) for c in ENDS)
            if _is_heading_segment(segment[last_end + 1 :]):
                fix, why = "\n", "标题之后丢失换行"
            elif any(c in segment for c in ENDS) or (len(segment) >= 15 and "，" in segment):
                fix, why = "。\n", "句子末尾缺句号并丢失换行"
            else:
                continue
            yield Finding("space-break", p, p + 1, text[p], fix + text[p], why)


def _title_run_in(ctx: Context) -> Iterator[Finding]:
    """The document's first line: a title run straight into the body (……心得体会在全党……)."""
    text = ctx.text
    start = len(text) - len(text.lstrip(SPACES + "\n"))
    end = text.find("\n", start)
    line = text[start : end if end >= 0 else len(text)]
    # a body or an addressee follows the title on its line only where the line goes on to a
    # sentence end or a colon; a heading number can follow a title anywhere
    runs_on = "。" in line or "：" in line
    for m in _TITLE_IN_LINE.finditer(line, 0, 90):
        head = line[: m.end()]
        if any(c in head for c in "，。；！？：、"):
            return
        if len(head) < 8 or head.startswith(("本", "该", "此", "各", "现将", "根据")):
            continue  # 本通知自……: a sentence about the document, not its title
        rest = line[m.end() :]
        addressee = _ADDRESSEE_AHEAD.match(rest) if rest[:1] in _ADDRESSEE_FIRST else None
        if (
            runs_on
            and (
                rest.startswith(BODY_OPENERS + ADDRESSEES)
                or (rest[:4].isdigit() and rest[4:5] == "年")
                or addressee is not None
            )
        ) or (HEAD_MARK.match(rest) and rest[:1] in CN):
            p = start + m.end()
            yield Finding(
                "space-break", p, p + 1, text[p], "\n" + text[p], "标题与正文连在一起，标题之后应换行"
            )
            if addressee is not None and addressee.end() < len(rest) and _han_or_digit(rest[addressee.end()]):
                q = p + addressee.end()  # the addressee runs on into the body too
                yield Finding(
                    "space-break", q, q + 1, text[q], "\n" + text[q], "主送机关之后应换行，再起正文"
                )


# an addressee straight after a title, up to its colon: 各党支部、机关各科室： · 中共××县委：
_ADDRESSEE_AHEAD = re.compile(
    f"[{HAN}×X、，（）]{{1,40}}?(?:委|局|政府|办公室|办|厅|部|党组|党委|支部|总支|委员会|公司|单位|部门|科室|股室)"
    f"(?:[（(][{HAN}]{{1,8}}[）)])?[：:]"
)


def _han_or_digit(ch: str) -> bool:
    return is_han(ch) or ch.isdigit()


# a title inside the first line, with the number a site's collection gives it (……总结8篇, ……总结篇1)
_TITLE_IN_LINE = re.compile("(?:" + TITLE_END.pattern[3:-2] + ")" + SITE_SUFFIX + "(?!\\d{0,2}篇)")


# an addressee line run into the body: 中共××县委：今年以来…… (the line is the addressee, then text)
_ADDRESSEE = re.compile(
    f"^[{HAN}×X、]{{2,30}}?(?:委|局|政府|办公室|办|厅|部|党组|党委|支部|总支|委员会|公司|单位|部门|同志们)"
    "[：:](?=" + "|".join(("现将", "经研究", "近日", "近期", "你", "\\d{4}年", *BODY_OPENERS)) + ")",
    re.MULTILINE,
)


_ADDRESSEE_FIRST = "中各县市区乡镇局省全党团公×X"


def breaks(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    for m in _SPACE_RUN.finditer(text):
        s, e = m.start(), m.end()
        if not s or e >= n or text[s - 1] == "\n" or text[e] == "\n" or ctx.protected.overlaps(s - 1, e + 1):
            continue
        line_start = text.rfind("\n", 0, s) + 1
        decided = break_for_space(text, line_start, s, e)
        if decided is not None:
            fix, why = decided
            yield Finding("space-break", s, e, m.group(), fix, why, WARNING if fix is None else "error")
    inline = list(_inline_breaks(ctx))
    yield from inline
    for m in ctx.line_matches(_ADDRESSEE, _ADDRESSEE_FIRST):
        p = m.end()
        yield Finding("space-break", p, p + 1, text[p], "\n" + text[p], "主送机关之后应换行，再起正文")
    yield from _title_run_in(ctx)
    yield from _heading_run_on(ctx, [f.start for f in inline])
    yield from _broken_lines(ctx)


# a heading that opens with the verb of a task (一、加强组织领导，落实……) and runs into the body's
# opening words with nothing between (……工作按照守土有责……。): the break after it was lost
HEADING_VERBS = ("加强", "强化", "落实", "健全", "完善", "抓好", "抓实", "推进", "推动", "深化", "压实", "压紧",
                 "筑牢", "坚持", "严格", "突出", "注重", "聚焦", "狠抓", "做好", "提升", "提高", "创新", "丰富",
                 "拓展", "建立", "规范", "夯实", "守牢", "持续", "全面", "牢牢", "切实", "扎实", "着力")  # fmt: skip
_RUN_ON_OPENER = re.compile(
    f"(?<=[{HAN}])(?:按照|根据|今年以来|年初以来|近年来|一年来|半年来|为进一步|为深入|为全面|为切实|为认真)"
)
_AUXILIARY = "要将已均都并等也又再即就需应须可能会在和及与以"


# a heading of a few words that names a part (一、基本情况 · 二、存在的问题) and runs straight into
# its body's subject or opening (……情况我局现有 · ……问题一是……)
HEADING_NOUNS = ("基本情况", "工作情况", "主要做法", "主要成效", "工作成效", "取得的成效", "存在的问题", "存在问题",
                 "主要问题", "存在的不足", "问题和不足", "下一步打算", "下一步工作打算", "工作打算", "工作措施",
                 "主要措施", "保障措施", "总体要求", "工作要求", "指导思想", "工作目标", "目标任务", "工作安排")  # fmt: skip
_NOUN_HEADING = re.compile(
    "(?:"
    + "|".join(HEADING_NOUNS)
    + ")(?=一是|首先|我局|我镇|我乡|我县|我区|我委|我校|我院|我单位|我支部|今年以来|"
    "一年来|半年来|近年来|年初以来|按照|根据|为深入|为进一步|为全面|以习近平|坚持以)"
)


_HEAD_FIRST = CN + "（(0123456789"


def _heading_run_on(ctx: Context, inline: list[int]) -> Iterator[Finding]:
    """Each heading, at a line's start or where a lost break was found before it (`inline`)."""
    text = ctx.text
    n = len(text)
    first = _HEAD_FIRST
    starts = [s for s, e in ctx.paragraphs if s < e and text[s] in first] + inline
    for s in starts:
        line_end = text.find("\n", s)
        e = min(line_end if line_end >= 0 else n, s + 300)
        head = HEAD_MARK.match(text, s, e)
        if head is None or text.find("。", head.end(), e) < 0:
            continue
        p = _run_on_at(text, head.end(), e)
        if p is not None:
            yield Finding(
                "space-break",
                p,
                p + 1,
                text[p],
                "\n" + text[p],
                "标题之后原有换行，复制时与正文连在一起",
                WARNING,
            )


def _run_on_at(text: str, h: int, e: int) -> int | None:
    """Where the body starts in a heading line that holds no break: after a part's name
    (基本情况我局), or after a task heading's words (压实工作责任按照……)."""
    noun = _NOUN_HEADING.match(text, h, e)
    if noun is not None:
        return noun.end()
    if not text.startswith(HEADING_VERBS, h):
        return None
    m = _RUN_ON_OPENER.search(text, h + 4, min(e, h + 32))
    if m is None or text[m.start() - 1] in _AUXILIARY:
        return None
    if any(c in text[h : m.start()] for c in ENDS + "；：“”（）"):
        return None
    return m.start()


_SPACE_RUN = re.compile(f"[{SPACES}][{SPACES}]*")
_LINE_END_HAN = re.compile(f"\n(?=[{HAN}])")


def _broken_lines(ctx: Context) -> Iterator[Finding]:
    """A sentence broken over two lines (……思路⏎清。): the line before is body text (long, with
    commas) that stops on a character, and the next line finishes the sentence within a few
    characters."""
    text = ctx.text
    for m in _LINE_END_HAN.finditer(text):
        p = m.start()
        if not p or not is_han(text[p - 1]):
            continue
        line_start = text.rfind("\n", 0, p) + 1
        line = text[line_start:p].strip(SPACES)
        head = HEAD_MARK.match(line)
        body = line[head.end() :] if head else line
        if len(line) < 20 or not ("，" in body or "、" in body) or line.startswith(("第", "附")):
            continue
        if TITLE_END.search(line):
            continue  # a title ends its line
        nxt_end = text.find("\n", p + 1)
        nxt = text[p + 1 : nxt_end if nxt_end >= 0 else len(text)]
        if HEAD_MARK.match(nxt) or _LIST_OPENER.match(nxt) or nxt.startswith(BODY_OPENERS + CLOSINGS):
            continue
        stop = min((nxt.find(c) for c in ENDS + "，；" if c in nxt), default=-1)
        if HEAD_MARK.match(line) and not (0 < stop <= 3 and len(nxt) <= 8):
            continue  # a long heading line: only a tail of a word or two left on the next line
        if 0 < stop <= 6 and len(nxt.rstrip(SPACES)) <= 12 and nxt.rstrip(SPACES)[-1:] in ENDS + "；":
            # the next line is the short tail of the sentence, ending its paragraph
            yield Finding("line-break", p, p + 1, "\n", "", "句子中间断行（从 PDF 或网页复制时产生），应接排")


# the formulas that close a document on a line of their own
CLOSINGS = ("特此通知", "特此报告", "特此函告", "特此通报", "特此批复", "妥否", "以上报告", "此复", "当否")
_LIST_OPENER = re.compile(f"[{CN}]{{1,3}}是|第[{CN}]{{1,3}}|首先|其次")

# --- Page and viewer junk -------------------------------------------------------------------------
# each pattern is run only when a plain substring test (C speed) says it can match at all
_PAGE_DASH = re.compile(r"[—－\-–]\s?\d{1,3}\s?[—－\-–]")
_PAGE_OF = re.compile(
    r"第\s?\d{1,4}\s?页\s?[，,/／]?\s?共\s?\d{1,4}\s?页|共\s?\d{1,4}\s?页\s?[，,/／]?\s?第\s?\d{1,4}\s?页"
)
VIEWER = ("全文预览已结束", "预览已结束", "文档预览", "继续阅读全文", "点击阅读全文", "展开全文阅读", "下载文档到电脑",
          "下载此文档", "免费下载本文档", "VIP专享文档", "原创力文档", "本文档由用户上传",
          "展开阅读全文", "点击查看全文", "转载请注明出处", "本文来源于网络", "内容来源于网络", "如有侵权请联系删除",
          "如有侵权请联系我们删除", "点击下载完整版", "下载完整版", "下载后可编辑", "Word版下载", "下载word文档",
          "word文档下载", "更多精彩范文", "更多相关范文", "查看更多范文")  # fmt: skip
# a page number alone on its line (第3页, 共5页)
_PAGE_ALONE = re.compile(r"^[ \t]*((?:第|共)\s?\d{1,4}\s?页)[ \t]*$", re.MULTILINE)
_VIEWER = re.compile("|".join(VIEWER) + "|还剩\\s?\\d{1,4}\\s?页未读")
_WATERMARK_END = re.compile("严禁复制|禁止复制|请勿转载|禁止转载|侵权必究|版权所有|下载")
# a site's watermark sentence pasted into the text: from its subject to its warning
_WATERMARK = re.compile(
    "(?:本资料|本文档|本文|此文档|资料)(?:权属|版权归|版权属于|来源于|来源|来自|由)[^。\n]{0,24}?"
    "(?:严禁复制剽窃|严禁复制|禁止复制|请勿转载|禁止转载|侵权必究|版权所有|下载)"
)
# a viewer's chunk number: 、 with a number before it and a mark or a space after it
_CHUNK_MARK = re.compile(f"、(?=[，。；：、{SPACES}])")
_NUMBER_BEFORE = re.compile(r"\d{1,2}$")


_MARKS = "，。、；：？！,.:;?!"


def _joins_marks(text: str, s: int, e: int) -> bool:
    """Deleting text[s:e] would put two marks side by side (，—2—：): a person sorts that out."""
    return bool(s and e < len(text) and text[s - 1] in _MARKS and text[e] in _MARKS)


def _junk(ctx: Context, pattern: re.Pattern[str]) -> Iterator[Finding]:
    for m in pattern.finditer(ctx.text):
        if not ctx.protected.overlaps(m.start(), m.end()) and not _joins_marks(ctx.text, m.start(), m.end()):
            yield Finding(
                "page-junk", m.start(), m.end(), m.group(), "", "页码、网页阅读器或网站水印残留，应删除"
            )


def page_junk(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    for m in _PAGE_DASH.finditer(text):
        s, e = m.start(), m.end()
        if (s and (text[s - 1].isdigit() or (text[s - 1].isascii() and text[s - 1].isalpha()))) or (
            e < n and (text[e].isdigit() or text[e] in "—－-–")
        ):
            continue  # 2024-01-15, A-1-2: a date or a code, not a page number
        if not ctx.protected.overlaps(s, e) and not _joins_marks(text, s, e):
            yield Finding("page-junk", s, e, m.group(), "", "页码残留（从 PDF 复制时带入），应删除")
    if "页" in text:
        yield from _junk(ctx, _PAGE_OF)
        for m in ctx.line_matches(_PAGE_ALONE, "第共 \t"):
            yield Finding("page-junk", m.start(1), m.end(1), m.group(1), "", "单独成行的页码残留，应删除")
    if _VIEWER.search(text):
        yield from _junk(ctx, _VIEWER)
    if _WATERMARK_END.search(text):
        yield from _junk(ctx, _WATERMARK)
    for m in _CHUNK_MARK.finditer(text):
        e = m.start() + 1
        number = _NUMBER_BEFORE.search(text, max(0, m.start() - 3), m.start())
        if number is None:
            continue
        s = number.start()
        if s and text[s - 1].isdigit():
            continue
        if e < n and text[e] in SPACES:
            # "文字2、 文字": a chunk number inside a sentence, with the viewer's space after it
            if not (s and is_han(text[s - 1])):
                continue
            while e < n and text[e] in SPACES:
                e += 1
            if e >= n or not is_han(text[e]):
                continue
        elif not (e + 1 < n and is_han(text[e + 1])) or not (
            s == 0 or is_han(text[s - 1]) or text[s - 1] == "\n"
        ):
            continue  # only between characters (申请⏎2、，所在): elsewhere the marks left need a person
        elif s and text[s - 1] == "\n":
            s -= 1  # the number broke the sentence onto a new line: the break goes with it
        if not _joins_marks(text, s, e):
            yield Finding("page-junk", s, e, text[s:e], "", "网页阅读器的分块编号夹在句中，应删除")
    # a viewer's chunk number opening the text: "1、 " before the title
    lead = re.match(f"[{SPACES}\n]*(\\d{{1,2}}、[{SPACES}]+)", text)
    if lead:
        s, e = lead.span(1)
        if e < n and (is_han(text[e]) or text[e].isdigit() or text[e] in "XxＸｘ×"):
            yield Finding("page-junk", s, e, text[s:e], "", "网页阅读器的分块编号，应删除")


__all__ = ["breaks", "page_junk"]
