"""Punctuation per GB/T 15834-2011: full-width marks in Chinese text, the forms of the ellipsis and
the dash, repeated marks, and quotation marks and brackets that are doubled or do not pair."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

from .context import Context
from .finding import ERROR, WARNING, Finding
from .text import HAN, is_cn, is_han

# --- Half-width marks in Chinese text -------------------------------------------------------------
FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
# each pattern starts with the mark it looks for; the context is checked in Python
_HALF = re.compile(r"[,:;?!][,:;?!]*")  # [x][x]* not [x]+: the engine skips ahead by a leading class
_SAME_RUN = re.compile(r"(.)\1*")
_HALF_STOP = re.compile("\\.(?=[\\s\u3000]|$)", re.MULTILINE)
_HALF_PAREN = re.compile(r"[()\n]")
_STRAIGHT_QUOTE = re.compile('"')


def halfwidth(ctx: Context) -> Iterator[Finding]:
    """Half-width marks standing in Chinese text. Converting one mark can put another in Chinese
    text (:() before a Chinese word), so passes repeat until nothing new is found (two, as a rule)."""
    found: dict[int, Finding] = {}
    converted: set[int] = set()
    becomes_cn, deleted = ctx.after_fixes()
    text = ctx.text
    # the scans are made once; each pass only re-decides the candidates against what is converted
    quoted_lines: dict[int, tuple[int, int]] = {}
    if '"' in text:
        for q in _STRAIGHT_QUOTE.finditer(text):
            start = text.rfind("\n", 0, q.start()) + 1
            if start not in quoted_lines:
                end = text.find("\n", q.start())
                quoted_lines[start] = (start, end if end >= 0 else len(text))
    scans = (
        list(_HALF.finditer(text)),
        _paren_pairs(text),
        list(_HALF_STOP.finditer(text)),
        list(quoted_lines.values()),
    )
    while True:
        new = [f for f in _halfwidth_pass(ctx, scans, converted, becomes_cn, deleted) if f.start not in found]
        if not new:
            break
        for f in new:
            found[f.start] = f
            converted.update(range(f.start, f.end))
    yield from sorted(found.values(), key=lambda f: f.start)


def _paren_pairs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each half-width bracket pair within a line, nested ones included ((（…）))."""
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    if "(" not in text:
        return pairs
    for m in _HALF_PAREN.finditer(text):
        i, ch = m.start(), m.group()
        if ch == "\n":
            stack.clear()
        elif ch == "(":
            stack.append(i)
        elif stack:
            s = stack.pop()
            if i - s <= 81:
                pairs.append((s, i + 1))
    return sorted(pairs)


def _halfwidth_pass(
    ctx: Context,
    scans: tuple[list[re.Match[str]], list[tuple[int, int]], list[re.Match[str]], list[tuple[int, int]]],
    converted: set[int],
    becomes_cn: set[int],
    deleted: set[int],
) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    half_runs, parens, stops, quoted_lines = scans

    def cn(i: int, step: int) -> bool:
        # the neighbour as it will be once every fix is made: deleted characters are skipped over
        while 0 <= i < n and i in deleted:
            i += step
        return 0 <= i < n and (is_cn(text[i]) or i in converted or i in becomes_cn)

    for run in half_runs:
        # a run of marks (:!) stands in Chinese text by its outer neighbours, as one unit
        a, b = run.start(), run.end()
        if not (cn(a - 1, -1) or cn(b, 1)) or ctx.protected.overlaps(a, b):
            continue
        if (
            a
            and b < n
            and text[a - 1].isdigit()
            and text[b].isdigit()
            and b - a == 1
            and a - 1 not in becomes_cn
        ):
            continue  # 1,000 · 10:42 · 1:2
        for m in _SAME_RUN.finditer(run.group()):
            mark = m.group(1)
            i, j = a + m.start(), a + m.end()
            # a repeated mark (!!) becomes one full-width mark: official text does not repeat marks
            yield Finding("halfwidth", i, j, m.group(), FULL[mark], f"中文文本中应使用全角标点“{FULL[mark]}”")
    for s, e in parens:
        if not (any(map(is_han, text[s + 1 : e - 1])) or cn(s - 1, -1) or cn(e, 1)) or ctx.protected.overlaps(
            s, e
        ):
            continue
        yield Finding("halfwidth", s, s + 1, "(", "（", "中文文本中应使用全角括号“（”")
        yield Finding("halfwidth", e - 1, e, ")", "）", "中文文本中应使用全角括号“）”")
    for m in stops:
        if m.start() and is_han(text[m.start() - 1]) and not ctx.protected.covers(m.start()):
            yield Finding("halfwidth", m.start(), m.end(), ".", "。", "中文句末应使用句号“。”")
    if quoted_lines:
        for start, end in quoted_lines:
            line = text[start:end]
            if not any(map(is_han, line)):
                continue
            marks = [start + m.start() for m in _STRAIGHT_QUOTE.finditer(line)]
            marks = [i for i in marks if not ctx.protected.covers(i)]
            if len(marks) % 2 or not any(cn(i - 1, -1) or cn(i + 1, 1) for i in marks):
                continue
            for k, i in enumerate(marks):
                right = "“" if k % 2 == 0 else "”"
                yield Finding("halfwidth", i, i + 1, '"', right, f"中文文本中应使用全角引号“{right}”")


# --- Ellipsis and dash forms ----------------------------------------------------------------------
_ELLIPSIS = re.compile("[.。…](?:[.。…]+|(?<=…))")
_DASH_RUN = re.compile(r"[-－—][-－—]+")  # any run of dashes but the right one, ——


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
    dashes = _DASH_RUN.finditer(text) if any(d in text for d in ("--", "－", "———", "—-", "-—")) else ()
    for m in dashes:
        s, e = m.start(), m.end()
        if m.group() == "——":
            continue
        prev = text[s - 1] if s else ""
        nxt = text[e] if e < n else ""
        if not (is_han(prev) or is_han(nxt)) or ctx.protected.overlaps(s, e):
            continue
        yield Finding("punct-form", s, e, m.group(), "——", "破折号应为“——”（两个一字线）")


# --- Repeated marks -------------------------------------------------------------------------------
STRENGTH = "。？！；：，、"  # which mark of a run survives: the strongest
_REPEAT = re.compile("[，。、；：？！,:;?!][，。、；：？！,:;?!]+")


def punct_repeat(ctx: Context) -> Iterator[Finding]:
    """Two or more marks in a row (，， · ，。 · ：！), half-width ones counted as their full-width
    forms; a run of one half-width mark alone (!!) is halfwidth's."""
    text = ctx.text
    n = len(text)
    becomes_han: set[int] | None = None
    deleted: set[int] = set()
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
                # the neighbours as they will be: an earlier fix may make one a character
                # (统1:! → 统一：！) or delete what stands between (一 :! → 一：！)
                if becomes_han is None:
                    becomes_han = {
                        i
                        for f in ctx.earlier
                        if f.suggestion and all(map(is_han, f.suggestion))
                        for i in range(f.start, f.end)
                    }
                    deleted = ctx.after_fixes()[1]
                i, j = m.start() - 1, m.end()
                while i >= 0 and i in deleted:
                    i -= 1
                while j < n and j in deleted:
                    j += 1
                if not (
                    (i >= 0 and (is_cn(text[i]) or i in becomes_han))
                    or (j < n and (is_cn(text[j]) or j in becomes_han))
                ):
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


def _clean_marks(marks: list[str]) -> bool:
    """The common case: the line's few pairing marks, in order, nest and close (“（）” 《》)."""
    stack: list[str] = []
    for ch in marks:
        if ch in PAIRS:
            stack.append(ch)
        elif not stack or PAIRS[stack.pop()] != ch:
            return False
    return not stack


def _reversed_pairs(text: str, marks: list[int], opener: str) -> list[tuple[int, int]]:
    """Quote marks matched as they nest; a closing mark left over that is followed, in the same
    sentence and with nothing between, by an opening mark left over (”清朗“) is one pair written
    the wrong way round. Any other leftover is an orphan (pair-unbalanced): pairing never runs
    across the paragraph by alternation, so a correct opening mark is never turned round."""
    stack: list[int] = []
    orphans: list[int] = []
    for i in marks:
        if text[i] == opener:
            stack.append(i)
        elif stack:
            stack.pop()
        else:
            orphans.append(i)
    orphans = sorted(orphans + stack)
    out: list[tuple[int, int]] = []
    for a, b in pairwise(orphans):
        if (
            text[a] != opener
            and text[b] == opener
            and b - a <= 24
            and not any(ch in "。！？；“”‘’" for ch in text[a + 1 : b])
        ):
            out.append((a, b))
    return out


def _doubled_marks(line: str, start: int, opener: str, closer: str, handled: set[int]) -> Iterator[Finding]:
    """Doubled marks (““, 》》) where taking the extra ones out brings the line nearer balance."""
    opens, closes = line.count(opener), line.count(closer)
    for mark, excess in ((opener, opens - closes), (closer, closes - opens)):
        for m in re.finditer(re.escape(mark) + "{2,}", line) if excess > 0 else ():
            extra = m.end() - m.start() - 1
            if extra > excess:
                continue
            excess -= extra
            s, e = start + m.start(), start + m.end()
            handled.update(range(s + 1, e))
            yield Finding("pair-doubled", s, e, m.group(), mark, f"{NAMES[opener]}重复")


def _unmatched(ctx: Context, start: int, line: str, handled: set[int]) -> Iterator[Finding]:
    """What is left must nest: a mark with no partner in its line is reported for a person to fix."""
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
        ch = ctx.text[i]
        kind = NAMES[ch if ch in PAIRS else CLOSERS[ch]]
        side = "右" if ch in PAIRS else "左"
        yield Finding(
            "pair-unbalanced", i, i + 1, ch, None, f"{kind}不成对：缺少与之配对的{side}半边", WARNING
        )


def pairs(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    if not _PAIR_CHARS.search(text):
        return
    findall = _PAIR_CHARS.findall
    paras = ctx.paragraphs
    for k, (start, end) in enumerate(paras):
        marks = findall(text, start, end)
        if not marks or _clean_marks(marks):
            continue
        line = text[start:end]
        handled: set[int] = set()
        if line.startswith("“") and k + 1 < len(paras) and text.startswith("“", paras[k + 1][0]):
            # a quotation of several paragraphs opens each one and closes only the last (GB/T 15834)
            handled.add(start)
        for opener, closer in PAIRS.items():
            if opener not in line and closer not in line:
                continue
            yield from _doubled_marks(line, start, opener, closer, handled)
            if opener in "“‘" and (opener == "“" or any(map(is_han, line))):
                quotes = [start + i for i, ch in enumerate(line) if ch in (opener, closer)]
                quotes = [i for i in quotes if i not in handled and not ctx.protected.covers(i)]
                for c, o in _reversed_pairs(text, quotes, opener):
                    for i, want in ((c, opener), (o, closer)):
                        yield Finding(
                            "pair-direction",
                            i,
                            i + 1,
                            text[i],
                            want,
                            f"{NAMES[opener]}方向错误，应为“{want}”",
                        )
                    handled.update((c, o))
        yield from _unmatched(ctx, start, line, handled)


# --- Marks used in the wrong place (GB/T 15834) ---------------------------------------------------
# each alternative starts with the mark it looks at; the context is checked in Python
_MISUSE = re.compile(
    f"如下[，,](?=[\\n ]|$)|。）|吗。|、(?=确保|从而|进而|以便|以确保|并且|同时)|、(?=[{HAN}]{{2,6}}，)"
)
_ITEM = re.compile(f"[{HAN}]{{2,6}}")
_AFTER = re.compile(f"[{HAN}][{HAN} ]{{1,6}}?(?=[、和及与；。])")
_CLAUSE_OPENERS = ("确保", "从而", "进而", "以便", "以确", "并且", "同时")


def _list_comma(text: str, a: int) -> int | None:
    """The ， inside a list of parallel items joined by 、 (政治建设、思想建设、组织建设，作风建设和……),
    found from the 、 before it: the items on each side of the ， end alike and so does the one
    before the 、."""
    item = _ITEM.match(text, a + 1)
    if item is None or item.end() >= len(text) or text[item.end()] != "，":
        return None
    i = item.end()
    earlier = text[max(0, a - 6) : a]
    after = _AFTER.match(text, i + 1)
    if after is None:
        return None
    tail = item.group()[-2:]
    if earlier.endswith(tail) and after.group().endswith(tail) and len(set(tail)) == 2:
        return i
    return None


def punct_misuse(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    n = len(text)
    for m in _MISUSE.finditer(text):
        s = m.start()
        run = m.group()
        if ctx.protected.covers(s):
            continue
        if run == "、" and text[s + 1 : s + 3] not in _CLAUSE_OPENERS:
            i = _list_comma(text, s)
            if i is not None:
                yield Finding("punct-misuse", i, i + 1, "，", "、", "并列词语之间应用顿号“、”")
            continue
        if run.startswith("如下"):
            # "报告如下。" ends a sentence and is accepted; "如下，" leads into nothing
            yield Finding("punct-misuse", s + 2, s + 3, run[2], "：", "“如下”引出下文，应用冒号“：”")
            continue
        if run == "吗。":
            yield Finding("punct-misuse", s + 1, s + 2, "。", "？", "疑问句末应用问号“？”")
        elif run == "。）":
            opener = text.rfind("（", max(0, s - 120), s)
            if opener <= 0 or "）" in text[opener:s] or text[opener - 1] in "。！？\n":
                continue  # a bracket that holds a sentence of its own keeps its 。
            after = text[s + 2] if s + 2 < n else ""
            if after and after in "。，；：、！？":
                yield Finding("punct-misuse", s, s + 1, "。", "", "句内括号中不用句号")
            else:
                yield Finding("punct-misuse", s, s + 2, "。）", "）。", "句内括号的句号应放在括号之后")
        else:  # 、 before a clause
            yield Finding("punct-misuse", s, s + 1, "、", "，", "分句之间应用逗号“，”，顿号只用于并列词语")


# --- A list mark that was lost between two items --------------------------------------------------
# the 群团组织 a 公文 lists side by side: two of them with nothing between lost their 顿号
GROUPS = (
    "工会",
    "共青团",
    "团委",
    "妇联",
    "妇委会",
    "科协",
    "侨联",
    "残联",
    "文联",
    "工商联",
    "关工委",
    "红十字会",
)
_GROUP_PAIR = re.compile(f"(?:{'|'.join(GROUPS)})(?={'|'.join(GROUPS)})")
# an item that names what was studied runs straight into the next (……精神习近平总书记……): found by
# the name (rare), the item's last word checked in Python
_NAME = re.compile("习近平")
ITEM_ENDS = frozenset({"精神", "思想", "讲话", "指示", "批示", "论述"})


def lost_list_marks(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    pairs_found = _GROUP_PAIR.finditer(text) if ("工会" in text or "妇联" in text or "共青团" in text) else ()
    for m in pairs_found:
        p = m.end()
        if m.group() == "共青团" and text.startswith("团委", p):
            continue  # 共青团团委: one body
        yield Finding("punct-misuse", p, p + 1, text[p], "、" + text[p], "并列的群团组织名称之间缺顿号“、”")
    for m in _NAME.finditer(text):
        p = m.start()
        if text[p - 2 : p] not in ITEM_ENDS:
            continue
        yield Finding(
            "punct-misuse", p, p + 1, text[p], "、" + text[p], "两个并列的学习内容之间缺顿号“、”", WARNING
        )
