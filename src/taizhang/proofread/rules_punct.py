"""Punctuation per GB/T 15834-2011: full-width marks in Chinese text, the forms of the ellipsis and
the dash, repeated marks, and quotation marks and brackets that are doubled or do not pair."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .context import Context
from .finding import ERROR, WARNING, Finding
from .text import is_cn, is_han

# --- Half-width marks in Chinese text -------------------------------------------------------------
FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
# each pattern starts with the mark it looks for; the context is checked in Python
_HALF = re.compile(r"[,:;?!]+")
_SAME_RUN = re.compile(r"(.)\1*")
_HALF_STOP = re.compile("\\.(?=[\\s\u3000]|$)", re.MULTILINE)
_PARENS = re.compile(r"\(([^()\n]{0,80})\)")
_STRAIGHT_QUOTE = re.compile('"')


def halfwidth(ctx: Context) -> Iterator[Finding]:
    """Half-width marks standing in Chinese text. Converting one mark can put another in Chinese
    text (:() before a Chinese word), so passes repeat until nothing new is found (two, as a rule)."""
    found: dict[int, Finding] = {}
    converted: set[int] = set()
    becomes_cn, deleted = ctx.after_fixes()
    while True:
        new = [f for f in _halfwidth_pass(ctx, converted, becomes_cn, deleted) if f.start not in found]
        if not new:
            break
        for f in new:
            found[f.start] = f
            converted.update(range(f.start, f.end))
    yield from sorted(found.values(), key=lambda f: f.start)


def _halfwidth_pass(
    ctx: Context, converted: set[int], becomes_cn: set[int], deleted: set[int]
) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)

    def cn(i: int, step: int) -> bool:
        # the neighbour as it will be once every fix is made: deleted characters are skipped over
        while 0 <= i < n and i in deleted:
            i += step
        return 0 <= i < n and (is_cn(text[i]) or i in converted or i in becomes_cn)

    for run in _HALF.finditer(text):
        # a run of marks (:!) stands in Chinese text by its outer neighbours, as one unit
        a, b = run.start(), run.end()
        if not (cn(a - 1, -1) or cn(b, 1)) or ctx.protected.overlaps(a, b):
            continue
        if a and b < n and text[a - 1].isdigit() and text[b].isdigit() and b - a == 1:
            continue  # 1,000 · 10:42 · 1:2
        for m in _SAME_RUN.finditer(run.group()):
            mark = m.group(1)
            i, j = a + m.start(), a + m.end()
            # a repeated mark (!!) becomes one full-width mark: official text does not repeat marks
            yield Finding("halfwidth", i, j, m.group(), FULL[mark], f"中文文本中应使用全角标点“{FULL[mark]}”")
    for m in _PARENS.finditer(text):
        s, e = m.start(), m.end()
        if not (any(map(is_han, m.group(1))) or cn(s - 1, -1) or cn(e, 1)) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("halfwidth", s, s + 1, "(", "（", "中文文本中应使用全角括号“（”")
        yield Finding("halfwidth", e - 1, e, ")", "）", "中文文本中应使用全角括号“）”")
    for m in _HALF_STOP.finditer(text):
        if m.start() and is_han(text[m.start() - 1]) and not ctx.protected.covers(m.start()):
            yield Finding("halfwidth", m.start(), m.end(), ".", "。", "中文句末应使用句号“。”")
    if '"' in text:
        for start, end in ctx.paragraphs:
            line = text[start:end]
            if '"' not in line or not any(map(is_han, line)):
                continue
            marks = [start + m.start() for m in _STRAIGHT_QUOTE.finditer(line)]
            marks = [i for i in marks if not ctx.protected.covers(i)]
            if len(marks) % 2 or not any(cn(i - 1, -1) or cn(i + 1, 1) for i in marks):
                continue
            for k, i in enumerate(marks):
                right = "“" if k % 2 == 0 else "”"
                yield Finding("halfwidth", i, i + 1, '"', right, f"中文文本中应使用全角引号“{right}”")


# --- Ellipsis and dash forms ----------------------------------------------------------------------
_ELLIPSIS = re.compile("[.。…]{2,}|…")
_DASH_RUN = re.compile(r"-{2,}|－{2,}|—{3,}|—-|-—")


def punct_form(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    ellipses = _ELLIPSIS.finditer(text) if ("…" in text or "..." in text or "。。。" in text) else ()
    for m in ellipses:
        s, e = m.start(), m.end()
        run = m.group()
        if run == "……" or ("…" not in run and len(run) < 3):
            continue  # the right form, or two stops (punct-repeat's business)
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < n else ""
        if not ((prev and is_cn(prev)) or (nxt and is_cn(nxt))) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("punct-form", s, e, m.group(), "……", "省略号应为“……”（两个三连点）")
    dashes = _DASH_RUN.finditer(text) if any(d in text for d in ("--", "－－", "———", "—-", "-—")) else ()
    for m in dashes:
        s, e = m.start(), m.end()
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < n else ""
        if not (is_han(prev) or is_han(nxt)) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("punct-form", s, e, m.group(), "——", "破折号应为“——”（两个一字线）")


# --- Repeated marks -------------------------------------------------------------------------------
STRENGTH = "。？！；：，、"  # which mark of a run survives: the strongest
_REPEAT = re.compile("[，。、；：？！,:;?!]{2,}")


def punct_repeat(ctx: Context) -> Iterator[Finding]:
    """Two or more marks in a row (，， · ，。 · ：！), half-width ones counted as their full-width
    forms; a run of one half-width mark alone (!!) is halfwidth's."""
    text = ctx.text
    n = len(text)
    for m in _REPEAT.finditer(text):
        run = m.group()
        full = "".join(FULL.get(c, c) for c in run)
        if set(full) == {"。"} and len(full) >= 3:
            continue  # an ellipsis typed as full stops: punct-form
        if set(full) <= {"？", "！"} and len(set(full)) > 1:
            continue  # ？！ is an accepted (if rare) combination
        if ctx.protected.overlaps(m.start(), m.end()):
            continue  # a URL's own marks (…?d=1!)
        if run.isascii():
            if len(set(run)) == 1:
                continue
            prev = text[m.start() - 1] if m.start() else ""
            nxt = text[m.end()] if m.end() < n else ""
            if not ((prev and is_cn(prev)) or (nxt and is_cn(nxt))):
                continue
        keep = min(full, key=STRENGTH.index)
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


_QUOTED = re.compile("“[^“”\n]*”|‘[^‘’\n]*’")


def _clean_line(line: str) -> bool:
    """The common case, decided in C: every bracket kind balanced, no doubled mark, and curly
    quotes that pair off in order."""
    for opener, closer in PAIRS.items():
        if line.count(opener) != line.count(closer) or (opener + opener) in line or (closer + closer) in line:
            return False
    rest = _QUOTED.sub("", line)
    return not any(q in rest for q in "“”‘’")


def pairs(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    if not _PAIR_CHARS.search(text):
        return
    for start, end in ctx.paragraphs:
        line = text[start:end]
        if not _PAIR_CHARS.search(line) or _clean_line(line):
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
