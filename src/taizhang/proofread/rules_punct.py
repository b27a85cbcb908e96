"""Punctuation per GB/T 15834-2011: full-width marks in Chinese text, the forms of the ellipsis and
the dash, repeated marks, and quotation marks and brackets that are doubled or do not pair."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .context import Context
from .finding import ERROR, WARNING, Finding
from .text import HAN, is_cn, is_han

# --- Half-width marks in Chinese text -------------------------------------------------------------
FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_HALF = re.compile(r"[,:;?!]")
_HALF_STOP = re.compile(f"(?<=[{HAN}])\\.(?=[\\s\u3000]|$)", re.MULTILINE)
_PARENS = re.compile(r"\(([^()\n]{0,80})\)")
_STRAIGHT_QUOTE = re.compile('"')


def _chinese_side(text: str, i: int) -> bool:
    """Whether the mark at i stands in Chinese text: a Han character or Chinese mark beside it."""
    prev = text[i - 1] if i else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return bool((prev and is_cn(prev)) or (nxt and is_cn(nxt)))


def halfwidth(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    for m in _HALF.finditer(text):
        i = m.start()
        if not _chinese_side(text, i) or ctx.protected.covers(i):
            continue
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < n else ""
        if prev.isdigit() and nxt.isdigit():
            continue  # 1,000 · 10:42 · 1:2
        mark = m.group()
        yield Finding("halfwidth", i, i + 1, mark, FULL[mark], f"中文文本中应使用全角标点“{FULL[mark]}”")
    for m in _PARENS.finditer(text):
        s, e = m.start(), m.end()
        inner = m.group(1)
        outside = (text[s - 1] if s else "") + (text[e] if e < n else "")
        if not (any(map(is_han, inner)) or any(map(is_cn, outside))) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("halfwidth", s, s + 1, "(", "（", "中文文本中应使用全角括号“（”")
        yield Finding("halfwidth", e - 1, e, ")", "）", "中文文本中应使用全角括号“）”")
    for m in _HALF_STOP.finditer(text):
        if not ctx.protected.covers(m.start()):
            yield Finding("halfwidth", m.start(), m.end(), ".", "。", "中文句末应使用句号“。”")
    if '"' in text:
        for start, end in ctx.paragraphs:
            line = text[start:end]
            if '"' not in line or not any(map(is_han, line)):
                continue
            marks = [start + m.start() for m in _STRAIGHT_QUOTE.finditer(line)]
            marks = [i for i in marks if not ctx.protected.covers(i)]
            if len(marks) % 2 or not any(_chinese_side(text, i) for i in marks):
                continue
            for k, i in enumerate(marks):
                right = "“" if k % 2 == 0 else "”"
                yield Finding("halfwidth", i, i + 1, '"', right, f"中文文本中应使用全角引号“{right}”")


# --- Ellipsis and dash forms ----------------------------------------------------------------------
_ELLIPSIS = re.compile(r"\.{3,}|。{3,}|…+|(?:\.{2,}…|…\.{2,})")
_DASH_RUN = re.compile(r"-{2,}|－{2,}|—{3,}|—-|-—")


def punct_form(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    for m in _ELLIPSIS.finditer(text):
        s, e = m.start(), m.end()
        if m.group() == "……":
            continue
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < n else ""
        if not ((prev and is_cn(prev)) or (nxt and is_cn(nxt))) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("punct-form", s, e, m.group(), "……", "省略号应为“……”（两个三连点）")
    for m in _DASH_RUN.finditer(text):
        s, e = m.start(), m.end()
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < n else ""
        if not (is_han(prev) or is_han(nxt)) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("punct-form", s, e, m.group(), "——", "破折号应为“——”（两个一字线）")


# --- Repeated marks -------------------------------------------------------------------------------
STRENGTH = "。？！；：，、"  # which mark of a run survives: the strongest
_REPEAT = re.compile("[，。、；：？！]{2,}")


def punct_repeat(ctx: Context) -> Iterator[Finding]:
    for m in _REPEAT.finditer(ctx.text):
        run = m.group()
        if set(run) == {"。"} and len(run) >= 3:
            continue  # an ellipsis typed as full stops: punct-form
        if set(run) <= {"？", "！"} and len(set(run)) > 1:
            continue  # ？！ is an accepted (if rare) combination
        keep = min(run, key=STRENGTH.index)
        yield Finding("punct-repeat", m.start(), m.end(), run, keep, "标点符号重复", ERROR)


# --- Quotation marks and brackets -----------------------------------------------------------------
PAIRS = {"“": "”", "‘": "’", "《": "》", "（": "）", "【": "】", "〈": "〉", "「": "」", "『": "』"}
CLOSERS = {v: k for k, v in PAIRS.items()}
NAMES = {
    "“": "双引号",
    "‘": "单引号",
    "《": "书名号",
    "（": "括号",
    "【": "方括号",
    "〈": "书名号",
    "「": "引号",
    "『": "引号",
}
_PAIR_CHARS = re.compile("[" + re.escape("".join(PAIRS) + "".join(CLOSERS)) + "]")


def pairs(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    if not _PAIR_CHARS.search(text):
        return
    for start, end in ctx.paragraphs:
        line = text[start:end]
        if not _PAIR_CHARS.search(line):
            continue
        handled: set[int] = set()
        for opener, closer in PAIRS.items():
            opens, closes = line.count(opener), line.count(closer)
            if not opens and not closes:
                continue
            # doubled marks (““, 》》) where taking the extra ones out brings the line nearer balance
            for mark, excess in ((opener, opens - closes), (closer, closes - opens)):
                for m in re.finditer(re.escape(mark) + "{2,}", line) if excess > 0 else ():
                    extra = m.end() - m.start() - 1
                    if extra > excess:
                        continue
                    excess -= extra
                    s, e = start + m.start(), start + m.end()
                    handled.update(range(s + 1, e))
                    yield Finding("pair-doubled", s, e, m.group(), mark, f"{NAMES[opener]}重复")
            if opener in "“‘" and (opener == "“" or any(map(is_han, line))):
                # curly quotes alternate open, close, open…: with an even count, a mark facing the
                # wrong way is fixed by its place in that order
                marks = [start + i for i, ch in enumerate(line) if ch in (opener, closer)]
                marks = [i for i in marks if i not in handled and not ctx.protected.covers(i)]
                if len(marks) >= 2 and len(marks) % 2 == 0:
                    for k, i in enumerate(marks):
                        want = opener if k % 2 == 0 else closer
                        if text[i] != want:
                            yield Finding(
                                "pair-direction",
                                i,
                                i + 1,
                                text[i],
                                want,
                                f"{NAMES[opener]}方向错误，应为“{want}”",
                            )
                    handled.update(marks)
        # what is left must nest: a mark with no partner in its line is reported for a person to fix
        stack: list[tuple[str, int]] = []
        unmatched: list[int] = []
        for m in _PAIR_CHARS.finditer(line):
            i = start + m.start()
            if i in handled or ctx.protected.covers(i):
                continue
            ch = m.group()
            if ch in PAIRS:
                stack.append((ch, i))
                continue
            want = CLOSERS[ch]
            if any(o == want for o, _ in stack):
                while stack[-1][0] != want:
                    unmatched.append(stack.pop()[1])
                stack.pop()
            else:
                unmatched.append(i)
        unmatched.extend(i for _, i in stack)
        for i in sorted(unmatched):
            ch = text[i]
            kind = NAMES[ch if ch in PAIRS else CLOSERS[ch]]
            side = "右" if ch in PAIRS else "左"
            yield Finding(
                "pair-unbalanced", i, i + 1, ch, None, f"{kind}不成对：缺少与之配对的{side}半边", WARNING
            )
