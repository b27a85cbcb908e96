"""What was never filled in (XX局, 某某同志, ××县, ___) and dates written wrong (zero padding,
two-digit years, days that do not exist)."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterator
from datetime import date

from .context import Context
from .finding import WARNING, Finding

UNIT_AFTER = "年月日号时分局县市区乡镇村委部厅处科室股所站队校院人名个次项条份篇同志单位书记主任"
# one scan for any run of placeholder characters; what each run is, is decided in Python
_CANDIDATE = re.compile("[XxＸｘ×某○◯_＿*]+")
_X = set("XxＸｘ×")
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
        if nxt and nxt in UNIT_AFTER and not (prev.isascii() and prev.isalnum()):
            return s, e  # X月X日, ×县 — but X射线, X光 stay
        if prev.isdigit() and nxt in ("年", "月"):
            return s, e  # 202X年
        return None
    if run.startswith("某某"):
        return s, s + 2
    if first in "○◯" and len(run) >= 2 and set(run) <= set("○◯"):
        if prev in CN_NUMERALS or nxt in CN_NUMERALS:
            return None  # 二○○八年 (a year written with circles)
        return s, e
    if (set(run) == {"_"} and len(run) >= 2) or (set(run) == {"＿"} and len(run) >= 2):
        return s, e
    if set(run) == {"*"} and len(run) <= 3 and nxt and nxt in UNIT_AFTER:
        return s, e
    return None


def placeholders(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    for m in _CANDIDATE.finditer(text):
        span = _placeholder(text, m.start(), m.end())
        if span is None or ctx.protected.overlaps(*span):
            continue
        s, e = span
        if text[s] == "*":
            line_end = text.find("\n", e)
            if "**" in text[e : line_end if line_end >= 0 else len(text)]:
                continue  # Markdown bold: **局长**
        found = text[s:e]
        yield Finding("placeholder", s, e, found, None, f"疑似未填写的占位符“{found}”，请填入实际内容")


# dates are found by their digits and 年/月; what comes before is checked in Python
_DATE = re.compile(r"\d{2,4}年\d{1,2}月(?:\d{1,2}日)?")
_MONTH_DAY = re.compile(r"\d{1,2}月\d{1,2}日")
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
