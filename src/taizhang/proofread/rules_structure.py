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
from .text import HAN, cn_to_int, int_to_cn

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


_H1 = re.compile(f"([{CN}]{{1,3}})、")
_H2 = re.compile(f"[（(]([{CN}]{{1,3}})[）)]")
_H3 = re.compile(r"(\d{1,2})(?:[.．](?!\d)|、)")
_H4 = re.compile(r"[（(](\d{1,2})[）)]")
_BAD_H1 = re.compile(f"([{CN}]{{1,3}})([.．])(?!\\d)")
_BAD_H3 = re.compile(r"\d{1,2}(、)")
_BAD_AFTER = re.compile(f"[（(][{CN}\\d]{{1,3}}[）)]([、.．，,])")
_RESET = re.compile("附件|附表|附录")


def headings(ctx: Context) -> list[Heading]:
    """Numbered headings: paragraphs that open with a number of one of the four levels."""
    found = []
    text = ctx.text
    for k, (start, end) in enumerate(ctx.paragraphs):
        s = start
        while s < end and text[s] in LEAD:
            s += 1
        head = text[s : min(end, s + 8)]
        if not head:
            continue
        for level, pattern, chinese in ((1, _H1, True), (2, _H2, True), (3, _H3, False), (4, _H4, False)):
            m = pattern.match(head)
            if m:
                number = cn_to_int(m.group(1)) if chinese else int(m.group(1))
                if number:
                    found.append(Heading(level, number, k, s + m.start(1), s + m.end(1), chinese))
                break
    return found


def _numeral(n: int, chinese: bool) -> str:
    return int_to_cn(n) if chinese else str(n)


def heading_rules(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    found = headings(ctx)
    counters = [0, 0, 0, 0, 0]
    open_level = 0
    resets = {k for k, (s, e) in enumerate(ctx.paragraphs) if _RESET.match(text[s : s + 3])}
    last_para = -1
    for h in found:
        if any(last_para < k <= h.para for k in resets):
            counters, open_level = [0, 0, 0, 0, 0], 0
        last_para = h.para
        expected = counters[h.level] + 1
        if h.number != expected:
            want = _numeral(expected, h.chinese)
            got = text[h.num_start : h.num_end]
            kind = "跳号" if h.number > expected else "重号或倒序"
            yield Finding(
                "heading-order", h.num_start, h.num_end, got, want, f"标题序号{kind}：此处应为“{want}”"
            )
        if open_level and h.level > open_level + 1:
            yield Finding(
                "heading-level", h.num_start, h.num_end, text[h.num_start : h.num_end], None,
                "标题层级跳跃：结构层次应依次为“一、”“（一）”“1.”“（1）”", WARNING,
            )  # fmt: skip
        counters[h.level] = expected
        for deeper in range(h.level + 1, 5):
            counters[deeper] = 0
        open_level = h.level
    # the marks that follow a number: 1、 → 1.   一. → 一、   （一）、 → （一）
    for start, end in ctx.paragraphs:
        s = start
        while s < end and text[s] in LEAD:
            s += 1
        head = text[s : min(end, s + 8)]
        m = _BAD_H3.match(head)
        if m and not head[m.end() :].startswith(tuple("0123456789")):
            i = s + m.start(1)
            yield Finding("heading-format", i, i + 1, "、", ".", "阿拉伯数字序号后应用“.”，不用“、”")
            continue
        m = _BAD_H1.match(head)
        if m:
            i = s + m.start(2)
            yield Finding("heading-format", i, i + 1, m.group(2), "、", "汉字数字序号后应用“、”")
            continue
        m = _BAD_AFTER.match(head)
        if m:
            i = s + m.start(1)
            yield Finding("heading-format", i, i + 1, m.group(1), "", "括号序号后不再加标点")


# --- Enumerations inside the text -----------------------------------------------------------------
_ENUM = re.compile(
    f"(?:^|(?<=[，。；：！？\\s“]))(?:([{CN}]{{1,3}})(是|要)|第([{CN}]{{1,3}})(?=[，、：,:]))", re.MULTILINE
)
_ORDER = re.compile(f"(?:^|(?<=[，。；：！？\\s]))(首先|其次|再次)(?=[，,{HAN}])", re.MULTILINE)


def enumerations(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    para_starts = [s for s, _ in ctx.paragraphs]
    heading_paras = sorted({h.para for h in headings(ctx)})

    def section(pos: int) -> tuple[int, int]:
        para = bisect_right(para_starts, pos) - 1
        return bisect_right(heading_paras, para), para

    state: dict[str, tuple[int, int, int]] = {}  # kind → (section, paragraph, last number)
    for m in _ENUM.finditer(text):
        if m.group(1):
            numeral, kind, n_start, n_end = m.group(1), m.group(2), m.start(1), m.end(1)
        else:
            numeral, kind, n_start, n_end = m.group(3), "第", m.start(3), m.end(3)
        n = cn_to_int(numeral)
        if not n:
            continue
        sec, para = section(m.start())
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
_COUNT = re.compile(
    f"(?:^|(?<=[^{CN}\\d第]))([{CN}]{{1,3}}|\\d{{1,2}})(?:项|个|条|点|方面|大)([{HAN}]{{0,6}}?)([：:]|$)",
    re.MULTILINE,
)
_ITEM_IN_LINE = re.compile(
    f"(?:^|(?<=[，。；：！？\\s]))(?:[{CN}]{{1,3}}是|第[{CN}]{{1,3}}[，、,]|[（(][{CN}\\d]{{1,2}}[）)])"
)


def _marker_kind(line: str) -> str | None:
    line = line.lstrip(LEAD)
    for kind, pattern in (("h1", _H1), ("h2", _H2), ("h3", _H3), ("h4", _H4)):
        if pattern.match(line[:8]):
            return kind
    if re.match(f"[{CN}]{{1,3}}是", line):
        return "shi"
    if re.match(f"第[{CN}]{{1,3}}[，、,：:]", line):
        return "di"
    return None


def counts(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    paras = ctx.paragraphs
    para_starts = [s for s, _ in paras]
    for m in _COUNT.finditer(text):
        stated = cn_to_int(m.group(1)) if not m.group(1).isdigit() else int(m.group(1))
        if not stated or stated > 20:
            continue
        k = bisect_right(para_starts, m.start()) - 1
        rest = text[m.end() : paras[k][1]]
        inline = _ITEM_IN_LINE.findall(rest)
        if len(inline) >= 2:
            listed = len(inline)
        else:
            kind = _marker_kind(text[paras[k + 1][0] : paras[k + 1][1]]) if k + 1 < len(paras) else None
            if kind is None:
                continue
            order = ["h1", "h2", "h3", "h4"]
            listed = 0
            for s, e in paras[k + 1 :]:
                other = _marker_kind(text[s:e])
                if other == kind:
                    listed += 1
                elif (other in order and kind in order and order.index(other) < order.index(kind)) or (
                    other is not None and kind not in order and other in order
                ):
                    break
        if listed >= 2 and listed != stated:
            chinese = not m.group(1).isdigit()
            want = int_to_cn(listed) if chinese else str(listed)
            yield Finding(
                "count", m.start(1), m.end(1), m.group(1), want,
                f"文中称“{m.group(1)}”，其下实际列出 {listed} 项", WARNING,
            )  # fmt: skip


__all__ = ["ERROR", "counts", "enumerations", "heading_rules", "headings"]
