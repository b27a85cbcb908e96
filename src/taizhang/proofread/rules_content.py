"""What was never filled in (XX局, 某某同志, ××县, ___) and dates written wrong (zero padding,
two-digit years, days that do not exist)."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from datetime import date

from .context import Context
from .finding import WARNING, Finding
from .text import is_cn

UNIT_AFTER = (
    "年月日号时分局县市区乡镇村委部厅处科室股所站队校院人名个次项条份篇同志单位书记主任组余场期批户家万元"
)
# one scan for any run of placeholder characters; what each run is, is decided in Python
_CANDIDATE = re.compile("[XxＸｘ×某○◯〇_＿*][XxＸｘ×某○◯〇_＿*]*")  # a leading class: the engine skips ahead
_X = set("XxＸｘ×")
# a single X that is a real name or symbol: X光, X射线, X线, X型, X轴, X染色体
X_WORDS = "光射线型轴片染"
# 某 before the kind of a place or body: 某镇, 某局 were never filled in (某些, 某种, 张某 are words)
SOME_UNIT = "省市县区镇乡村街社局委厅处科股校公司单位年月日同"
# 张某, 李某: a person named without a given name is how a 通报 writes it, not a placeholder
SURNAMES = set(
    "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)


def _cn_side(ch: str) -> bool:
    """A neighbour that leaves a lone X standing in Chinese text (not in a Latin word or formula)."""
    return not ch or ch in " \u3000\n" or is_cn(ch)


CN_NUMERALS = "〇零一二三四五六七八九十○"


def _placeholder(text: str, s: int, e: int) -> tuple[int, int] | None:
    """The placeholder inside the run text[s:e], if there is one."""
    run = text[s:e]
    prev = text[s - 1] if s else ""
    nxt = text[e] if e < len(text) else ""
    first = run[0]
    if first in _X and set(run) <= _X:
        if (prev.isascii() and prev.isalpha()) or (nxt.isascii() and nxt.isalpha()):
            return None  # Latin text: XXL, Xbox
        if len(run) >= 2:
            return s, e  # XX局, ××县, xxx
        if nxt and (nxt in UNIT_AFTER or nxt in "%％") and not (prev.isascii() and prev.isalnum()):
            return s, e  # X月X日, ×县, X% — but X射线, X光 stay
        if prev.isdigit() and nxt in ("年", "月"):
            return s, e  # 202X年
        if nxt and nxt in X_WORDS:
            return None
        far_prev = text[:s].rstrip(" \u3000")[-1:]
        far_nxt = text[e:].lstrip(" \u3000")[:1]
        if _cn_side(prev) and _cn_side(nxt) and (is_cn(far_prev) or is_cn(far_nxt)):
            return s, e  # 与 X 业务, 执政X而言, ，X余篇
        return None
    if run.startswith("某某"):
        if prev and prev in SURNAMES:
            return None  # 张某某: a person named in a 通报 without the given name
        return s, s + 2
    if run == "某" and nxt and nxt in SOME_UNIT and not (prev and (prev in "某" or prev in SURNAMES)):
        return s, e
    if first in "○◯〇" and len(run) >= 2 and set(run) <= set("○◯〇"):
        if (prev and prev in CN_NUMERALS) or (nxt and nxt in CN_NUMERALS):
            return None  # 二○○八年 (a year written with circles)
        return s, e
    if (set(run) == {"_"} and len(run) >= 2) or (set(run) == {"＿"} and len(run) >= 2):
        return s, e
    if (
        run in ("_", "＿")
        and (is_cn(prev) or is_cn(nxt) or prev.isdigit())
        and not (prev.isalpha() and prev.isascii())
        and not (nxt.isascii() and nxt.isalnum())
    ):
        return s, e  # 202_年, 第_次
    if set(run) == {"*"} and len(run) <= 3:
        if prev.isalnum() and prev.isascii() and nxt.isalnum() and nxt.isascii():
            return None  # 3*4, a*b
        if (
            (nxt and nxt in UNIT_AFTER)
            or (is_cn(prev) and (is_cn(nxt) or not nxt))
            or (is_cn(nxt) and prev in "，、（“ ")
        ):
            return s, e  # **会, ，*多校区
        return None
    return None


def _BOLD_BEFORE(text: str, s: int) -> bool:
    line_start = text.rfind("\n", 0, s) + 1
    open_ = text.rfind("**", line_start, s)
    return open_ >= 0 and not any(c in text[open_ + 2 : s] for c in "，。、；：") and s - open_ <= 22


# a run of mixed placeholder characters (二〇XX年) is judged piece by piece
_PIECES = re.compile("[XxＸｘ×]+|某+|[○◯〇]+|[_＿]+|[*]+|[□△]+")
# a template's fill-in label in brackets: （单位名称）, 【姓名】, [日期]
FILL_INS = (
    "单位名称",
    "单位全称",
    "部门名称",
    "姓名",
    "日期",
    "年份",
    "数字",
    "金额",
    "会议名称",
    "镇名",
    "乡镇名称",
    "县名",
    "村名",
    "文号",
    "填写内容",
    "具体内容",
)  # fmt: skip  (个人（单位） is a word)
_FILL_IN = re.compile("[（(【\\[［](?:" + "|".join(FILL_INS) + ")[）)】\\]］]")


def _is_protected(ctx: Context, s: int, e: int) -> bool:
    """Protected, unless the protected text is only placeholder letters and spaces (X X同志)."""
    if not ctx.protected.overlaps(s, e):
        return False
    span = ctx.protected.span_at(s)
    return span is None or bool(set(ctx.text[span[0] : span[1]]) - set("Xx "))


def _spans(ctx: Context) -> Iterator[tuple[int, int]]:
    text = ctx.text
    for m in _CANDIDATE.finditer(text):
        pieces = [m] if m.end() - m.start() == 1 else list(_PIECES.finditer(text, m.start(), m.end()))
        if len(pieces) > 1 and any(p.group()[0] in "XxＸｘ×" for p in pieces):
            pieces = [p for p in pieces if p.group()[0] in "XxＸｘ×"]  # 二〇XX年: the letters
        else:
            pieces = [m]
        for piece in pieces:
            span = _placeholder(text, piece.start(), piece.end())
            if span is not None and not _is_protected(ctx, *span):
                yield span
    if "□" in text or "△" in text:
        for m in re.finditer("[□△]{2,}", text):
            yield m.start(), m.end()
    for m in _FILL_IN.finditer(text):
        yield m.start(), m.end()


def placeholders(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    for s, e in sorted(_spans(ctx)):
        if text[s:e] == "**":
            line_end = text.find("\n", e)
            close = text.find("**", e, line_end if line_end >= 0 else len(text))
            if close > e and not any(c in text[e:close] for c in "，。、；：") and close - e <= 20:
                continue  # Markdown bold: **局长**
            if s >= 2 and text[s - 2 : s] != "**" and _BOLD_BEFORE(text, s):
                continue  # the closing half of a bold pair
        found = text[s:e]
        yield Finding(
            "placeholder", s, e, found, None, f"疑似未填写的占位符“{found}”，需人工确认并填入实际内容"
        )


# dates are found by their digits and 年/月; what comes before is checked in Python
_DATE = re.compile(r"\d\d{1,3}年\d\d?月(?:\d\d?日)?")
_MONTH_DAY = re.compile(r"\d\d?月\d\d?日")
_DATE_PARTS = re.compile(r"(\d+)年(\d+)月(?:(\d+)日)?")


def _full_year(two: str) -> str:
    this = date.today().year
    century = 2000 if int(two) <= (this % 100) + 5 else 1900
    return str(century + int(two))


def dates(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    taken: set[int] = set()
    for m in _DATE.finditer(text):
        s, e = m.start(), m.end()
        y, mo, d = _DATE_PARTS.match(m.group()).groups()  # type: ignore[union-attr]
        prev = text[s - 1] if s else ""
        if len(y) == 3 or prev.isdigit() or prev == "." or ctx.protected.overlaps(s, e):
            continue
        if len(y) == 2 and prev and prev in "近约共第前后满历" + CN_NUMERALS:
            continue  # 近15年3月? a duration or a numeral, not a year
        taken.add(s + len(y) + 1)
        year = int(y) if len(y) == 4 else int(_full_year(y))
        month, day = int(mo), int(d) if d else None
        if not 1 <= month <= 12 or (day is not None and not 1 <= day <= monthrange(year, month)[1]):
            yield Finding("date-invalid", s, e, m.group(), None, f"日期“{m.group()}”不存在，请核对", WARNING)
            continue
        right = f"{year}年{month}月" + (f"{day}日" if day is not None else "")
        if len(y) == 2:
            yield Finding("date-year", s, e, m.group(), right, f"年份应写全：“{right}”")
        elif right != m.group():
            yield Finding("date-padding", s, e, m.group(), right, f"日期中的月、日不加“0”：应为“{right}”")
    for m in _MONTH_DAY.finditer(text):
        s = m.start()
        if s in taken or (s and (text[s - 1].isdigit() or text[s - 1] in "年.")):
            continue
        if ctx.protected.overlaps(s, m.end()):
            continue
        mo, d = m.group()[:-1].split("月")
        month, day = int(mo), int(d)
        if not 1 <= month <= 12 or not 1 <= day <= monthrange(2024, month)[1]:
            yield Finding(
                "date-invalid", s, m.end(), m.group(), None, f"日期“{m.group()}”不存在，请核对", WARNING
            )
        elif mo.startswith("0") or d.startswith("0"):
            right = f"{month}月{day}日"
            yield Finding(
                "date-padding", s, m.end(), m.group(), right, f"日期中的月、日不加“0”：应为“{right}”"
            )
