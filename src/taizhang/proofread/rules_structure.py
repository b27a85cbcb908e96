"""The shape of an official text: heading numbers (一、（一）1.（1）) in order and at the right level,
enumerations within a section (一是、二是…, 第一、第二…, 首先、其次…) that neither skip, repeat nor
restart, and a stated count ("十项举措") that matches the items listed under it."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from .context import Context
from .finding import ERROR, WARNING, Finding
from .text import HAN, cn_to_int, int_to_cn, is_han

CN = "一二三四五六七八九十"
LEAD = " \t\u3000"


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 一、 2 （一） 3 1. 4 （1）
    number: int
    para: int  # index of the paragraph
    num_start: int  # the numeral's span in the text
    num_end: int
    chinese: bool
    inline: bool = False  # run into a line (a lost break): it counts, but is not judged itself


_H1 = re.compile(f"([{CN}]{{1,3}})(?:、|[.．](?!\\d))")  # 一. is misformatted but still a heading
_H2 = re.compile(f"[（(]([{CN}]{{1,3}})[）)]")
_H3 = re.compile(r"(\d{1,2})(?:[.．](?!\d)|、)")
_H4 = re.compile(r"[（(](\d{1,2})[）)]")
_BAD_FORMAT = re.compile(
    f"^[{LEAD}]*(?:\\d{{1,2}}(、)(?!\\d)|[{CN}]{{1,3}}([.．])(?![\\d，。、；：？！,.:;?!])|[（(][{CN}\\d]{{1,3}}[）)]([、.．，,]))",
    re.MULTILINE,
)
_RESET = re.compile(f"^[{LEAD}]*(?:附件|附表|附录)", re.MULTILINE)


_HEAD_FIRST = LEAD + CN + "（(0123456789#"
# a Markdown heading mark (### （二）……) opens the line of a heading in a .md file
_HEAD = re.compile(
    f"^[{LEAD}]*(?:#{{1,6}}[ \t]+)?(?:([{CN}]{{1,3}})(?:、|[.．](?!\\d))|[（(]([{CN}]{{1,3}})[）)]|(\\d{{1,2}})(?:[.．](?!\\d)|、)|[（(](\\d{{1,2}})[）)])",
    re.MULTILINE,
)


# a heading run into the line before it when the break was lost (……完成任务。二、存在问题): it
# still counts in the numbering, or the next heading would look like a skip
_INLINE_HEADING = re.compile(
    f"[。！？ \u3000][ \u3000]*(?:([{CN}]{{1,3}})、|[（(]([{CN}]{{1,3}})[）)]|(\\d{{1,2}})[.．](?!\\d)|[（(](\\d{{1,2}})[）)])"
    f"(?=[{HAN}“《])"
)


def headings(ctx: Context) -> list[Heading]:
    """Numbered headings: paragraphs that open with a number of one of the four levels, and
    headings run into a line after a sentence end."""
    cached = getattr(ctx, "_headings", None)
    if cached is not None:
        return cached
    found = []
    para_starts = [s for s, _ in ctx.paragraphs]
    text = ctx.text
    inline_matches = [
        m
        for m in _INLINE_HEADING.finditer(text)
        if text[m.start()] in "。！？"
        or (m.start() and is_han(text[m.start() - 1]))  # after a space: 学习 1.强化
    ]
    matches = [(m, False) for m in ctx.line_matches(_HEAD, _HEAD_FIRST)] + [(m, True) for m in inline_matches]
    for m, inline in sorted(matches, key=lambda mi: mi[0].start()):
        level = next(i for i in range(1, 5) if m.group(i))
        chinese = level <= 2
        numeral = m.group(level)
        number = cn_to_int(numeral) if chinese else int(numeral)
        if number:
            para = bisect_right(para_starts, m.start()) - 1
            found.append(Heading(level, number, para, m.start(level), m.end(level), chinese, inline))
    ctx._headings = found  # type: ignore[attr-defined]
    return found


def _arabic_first_heading(found: list[Heading]) -> list[Heading]:
    """A "1、" (or "1.") that opens a document whose other first-level headings are 二、 三、: its
    一 was turned into the digit 1. It stands before any 一、 and no "2." follows it before 二、."""
    out: list[Heading] = []
    for k, h in enumerate(found):
        if h.level == 1:
            break
        if h.level != 3 or h.number != 1:
            continue
        for g in found[k + 1 :]:
            if g.level == 3 and g.number == 2:
                break
            if g.level == 1:
                if g.number == 2:
                    out.append(h)
                break
        break
    return out


def _numeral(n: int, chinese: bool) -> str:
    return int_to_cn(n) if chinese else str(n)


def heading_rules(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    found = headings(ctx)
    counters = [0, 0, 0, 0, 0]
    open_level = 0
    para_starts = [s for s, _ in ctx.paragraphs]
    resets = sorted({bisect_right(para_starts, m.start()) - 1 for m in ctx.line_matches(_RESET, LEAD + "附")})
    last_para = -1
    promoted = _arabic_first_heading(found)
    for h in promoted:
        yield Finding(
            "yi-digit", h.num_start, h.num_end + 1, text[h.num_start : h.num_end + 1], "一、",
            "其余一级标题为“二、”“三、”，此处的“1”应为“一、”", WARNING,
        )  # fmt: skip
    found = [Heading(1, 1, h.para, h.num_start, h.num_end, True) if h in promoted else h for h in found]
    for index, h in enumerate(found):
        r = bisect_right(resets, h.para) - 1
        if r >= 0 and resets[r] > last_para:
            counters, open_level = [0, 0, 0, 0, 0], 0
        last_para = h.para
        if h.level == 1 and h.number == 1:
            counters, open_level = [0, 0, 0, 0, 0], 0  # a new document (or attachment) begins
        expected = counters[h.level] + 1
        if index == 0:
            expected = h.number  # the text may be an excerpt that starts at 五、
        if h.number != expected and not h.inline:
            want = _numeral(expected, h.chinese)
            got = text[h.num_start : h.num_end]
            kind = "跳号" if h.number > expected else "重号或倒序"
            yield Finding(
                "heading-order", h.num_start, h.num_end, got, want, f"标题序号{kind}：此处应为“{want}”"
            )
        # 一、 followed directly by 1. is a common house style, not a fault
        if (
            open_level
            and h.level > open_level + 1
            and not (open_level == 1 and h.level == 3)
            and not h.inline
        ):
            yield Finding(
                "heading-level", h.num_start, h.num_end, text[h.num_start : h.num_end], None,
                "标题层级跳跃：结构层次应依次为“一、”“（一）”“1.”“（1）”", WARNING,
            )  # fmt: skip
        counters[h.level] = expected
        for deeper in range(h.level + 1, 5):
            counters[deeper] = 0
        open_level = h.level
    # the marks that follow a number: 1、 → 1.   一. → 一、   （一）、 → （一）
    for m in ctx.line_matches(_BAD_FORMAT, _HEAD_FIRST):
        if m.group(1):
            continue  # 1、 is a writer's house style (GB/T 9704 writes 1.), not copying damage
        if m.group(2):
            yield Finding("heading-format", m.start(2), m.end(2), m.group(2), "、", "汉字数字序号后应用“、”")
        else:
            yield Finding("heading-format", m.start(3), m.end(3), m.group(3), "", "括号序号后不再加标点")


# --- Enumerations inside the text -----------------------------------------------------------------
# found by their numerals; that they open a clause (start of line, after a mark) is checked in Python
_ENUM_BODY = f"(?:([{CN}]{{1,3}})([是要])|第([{CN}]{{1,3}})(?=[，、：,:]))"
_ENUM_AT_START = re.compile(_ENUM_BODY)
_ENUM_AFTER_MARK = re.compile("[，。；：！？ \t\n\u3000“]" + _ENUM_BODY)
_INLINE_HEAD = re.compile(
    f"[。！？；：][ \u3000]*(?=\\d{{1,2}}[.．、](?!\\d)|[（(][{CN}]{{1,3}}[）)]|[{CN}]{{1,3}}、)"
)
_ORDER = re.compile(f"(首先|其次|再次)(?=[，,{HAN}])")
CLAUSE_START = "，。；：！？ \t\n\u3000“"


def _opens_clause(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] in CLAUSE_START


def enumerations(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    para_starts = [s for s, _ in ctx.paragraphs]
    # a section starts at a heading's paragraph, or at a heading number run into a line after a
    # sentence end (……成果。2.丰富学习方式): lost breaks do not merge two lists into one
    bounds = sorted(
        {para_starts[h.para] for h in headings(ctx)} | {m.end() for m in _INLINE_HEAD.finditer(text)}
    )

    def section(pos: int) -> tuple[int, int]:
        para = bisect_right(para_starts, pos) - 1
        return bisect_right(bounds, pos), para

    state: dict[str, tuple[int, int, int]] = {}  # kind → (section, paragraph, last number)
    # an item opens a clause: the pattern starts with the mark before it (a leading class lets the
    # engine skip ahead), and the text's own start is tried on its own
    at_start = _ENUM_AT_START.match(text)
    for m in ([at_start] if at_start else []) + list(_ENUM_AFTER_MARK.finditer(text)):
        if m.group(1):
            numeral, kind, n_start, n_end = m.group(1), m.group(2), m.start(1), m.end(1)
        else:
            numeral, kind, n_start, n_end = m.group(3), "第", m.start(3), m.end(3)
        n = cn_to_int(numeral)
        if not n:
            continue
        sec, para = section(n_start)
        prev_sec, prev_para, last = state.get(kind, (-1, -1, 0))
        if prev_sec != sec:
            last, prev_para = 0, -1
        label = "第" if kind == "第" else ""
        suffix = kind if kind != "第" else ""
        if n == last + 1 or (n == 1 and para != prev_para) or last == 0:
            state[kind] = (sec, para, n)
            continue
        want = int_to_cn(last + 1)
        what = "重复" if n == last else ("跳号" if n > last + 1 else "重新从头编号")
        yield Finding(
            "enum", n_start, n_end, numeral, want,
            f"列举序号{what}：“{label}{numeral}{suffix}”应为“{label}{want}{suffix}”",
        )  # fmt: skip
        state[kind] = (sec, para, last + 1)
    seen: dict[str, tuple[int, int]] = {}
    following = {"首先": "其次", "其次": "再次"}
    for m in _ORDER.finditer(text):
        if not _opens_clause(text, m.start()):
            continue
        sec, para = section(m.start())
        word = m.group(1)
        if word in following and seen.get(word) == (sec, para):
            yield Finding(
                "enum",
                m.start(1),
                m.end(1),
                word,
                following[word],
                f"同一段中“{word}”重复，应为“{following[word]}”",
            )
            seen[following[word]] = (sec, para)
            continue
        seen[word] = (sec, para)


# --- A stated count against the items listed ------------------------------------------------------
# a count phrase just before a colon or at the end of a line (a heading): 以下五个方面：, 十项举措
_COUNT_END = re.compile("[：:]|$", re.MULTILINE)
_COUNT_WORD = re.compile(f"[项个条点面大](?=[{HAN}]{{0,6}}(?:[：:]|$))[{HAN}]{{0,6}}", re.MULTILINE)
_LIST_OPENER = re.compile(f"^[{LEAD}]*(?:[{CN}]{{1,3}}是|第[{CN}]{{1,3}}[，、,：:])", re.MULTILINE)
_COUNT = re.compile(f"([{CN}]{{1,3}}|\\d{{1,2}})(?:项|个|条|点|方面|大)[{HAN}]{{0,6}}$")
_ITEM_IN_LINE = re.compile(
    f"(?:^|(?<=[，。；：！？\\s]))(?:[{CN}]{{1,3}}是|第[{CN}]{{1,3}}[，、,]|[（(][{CN}\\d]{{1,2}}[）)])"
)


def _marker(line: str) -> tuple[str, int] | None:
    """The kind of number a line opens with (h1…h4 for headings, shi for 一是, di for 第一) and
    its value."""
    line = line.lstrip(LEAD)
    head = line[:8]
    for kind, pattern, chinese in (
        ("h1", _H1, True),
        ("h2", _H2, True),
        ("h3", _H3, False),
        ("h4", _H4, False),
    ):
        m = pattern.match(head)
        if m:
            return kind, (cn_to_int(m.group(1)) or 0) if chinese else int(m.group(1))
    m = re.match(f"([{CN}]{{1,3}})是|第([{CN}]{{1,3}})[，、,：:]", head)
    if m:
        return ("shi", cn_to_int(m.group(1)) or 0) if m.group(1) else ("di", cn_to_int(m.group(2)) or 0)
    return None


HEADING_ORDER = ["h1", "h2", "h3", "h4"]
MAX_GAP = 30  # body paragraphs allowed between two items of one list


def _listed_after(text: str, paras: list[tuple[int, int]], k: int) -> int:
    """How many items the list that starts on the line after k has: lines opening with the same
    kind of number, counting up, until a higher heading, a restart or a long gap."""
    first = _marker(text[paras[k + 1][0] : paras[k + 1][1]]) if k + 1 < len(paras) else None
    if first is None:
        return 0
    kind = first[0]
    listed, last, gap = 0, 0, 0
    for s, e in paras[k + 1 :]:
        found = _marker(text[s:e])
        if found is None:
            gap += 1
            if gap > MAX_GAP:
                break
            continue
        gap = 0
        other, number = found
        if other == kind:
            if number <= last:
                break  # numbering starts again: another list
            listed, last = listed + 1, number
        elif other in HEADING_ORDER and (
            kind not in HEADING_ORDER or HEADING_ORDER.index(other) < HEADING_ORDER.index(kind)
        ):
            break  # a heading of a higher level (or any heading after an 一是 list) ends the list
    return listed


def counts(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    paras = ctx.paragraphs
    para_starts = [s for s, _ in paras]
    # where a list can follow: a colon, or the end of a line whose next line opens with a number
    openers = {h.para - 1 for h in headings(ctx)} | {
        bisect_right(para_starts, m.start()) - 2 for m in ctx.line_matches(_LIST_OPENER, LEAD + CN + "第")
    }
    opener_ends = {paras[k][1] for k in openers if k >= 0}
    # a count word (项 个 条 点 方面 大) a few characters before a colon or a line end
    ends = sorted({c.end() for c in _COUNT_WORD.finditer(text)})
    for end_pos in ends:
        end = _COUNT_END.match(text, end_pos)
        if end is None or (text[end_pos : end_pos + 1] not in ("：", ":") and end_pos not in opener_ends):
            continue
        window_start = max(0, end.start() - 12)
        m = _COUNT.search(text, window_start, end.start())
        if m is None or (m.start() and text[m.start() - 1] in CN + "第0123456789"):
            continue
        stated = cn_to_int(m.group(1)) if not m.group(1).isdigit() else int(m.group(1))
        if not stated or stated < 2 or stated > 20:
            continue
        k = bisect_right(para_starts, m.start()) - 1
        rest = text[end.end() : paras[k][1]]
        inline = _ITEM_IN_LINE.findall(rest)
        listed = len(inline) if len(inline) >= 2 else _listed_after(text, paras, k)
        if listed >= 2 and listed != stated:
            chinese = not m.group(1).isdigit()
            want = int_to_cn(listed) if chinese else str(listed)
            yield Finding(
                "count", m.start(1), m.end(1), m.group(1), want,
                f"文中称“{m.group(1)}”，其下实际列出 {listed} 项", WARNING,
            )  # fmt: skip


__all__ = ["ERROR", "counts", "enumerations", "heading_rules", "headings"]
