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
_PLACEHOLDER = re.compile(
    "|".join(
        [
            r"(?<![A-Za-z])[XxＸｘ×]{2,}(?![A-Za-z])",  # XX局, ××县, xxx
            rf"(?<![A-Za-z0-9])[XＸ×](?=[{UNIT_AFTER}])",  # X月X日, ×县 (X射线, X光 stay)
            r"(?<=\d)[XxＸ×](?=年|月)",  # 202X年
            r"某某",
            r"(?<![〇零一二三四五六七八九十○])[○◯]{2,}(?![〇零一二三四五六七八九十○])",
            r"_{2,}|＿{2,}",
            rf"(?<!\*)\*{{1,3}}(?=[{UNIT_AFTER}])",
        ]
    )
)


def placeholders(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    for m in _PLACEHOLDER.finditer(text):
        s, e = m.start(), m.end()
        if ctx.protected.overlaps(s, e):
            continue
        if m.group().startswith("*"):
            line_end = text.find("\n", e)
            if "**" in text[e : line_end if line_end >= 0 else len(text)]:
                continue  # Markdown bold: **局长**
        yield Finding(
            "placeholder", s, e, m.group(), None, f"疑似未填写的占位符“{m.group()}”，请填入实际内容"
        )


_DATE = re.compile(r"(?<![\d.])(\d{2}|\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")
_MONTH_DAY = re.compile(r"(?<![\d年.])(\d{1,2})月(\d{1,2})日")


def _full_year(two: str) -> str:
    this = date.today().year
    century = 2000 if int(two) <= (this % 100) + 5 else 1900
    return str(century + int(two))


def dates(ctx: Context) -> Iterator[Finding]:
    text = ctx.text
    taken: set[int] = set()
    for m in _DATE.finditer(text):
        s, e = m.start(), m.end()
        if ctx.protected.overlaps(s, e):
            continue
        y, mo, d = m.group(1), m.group(2), m.group(3)
        prev = text[s - 1] if s else ""
        if len(y) == 2 and prev and prev in "近约共第前后满历" + "〇零一二三四五六七八九十":
            continue  # 近15年3月? a duration or a numeral, not a year
        taken.add(m.start(2))
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
        if m.start(1) in taken or ctx.protected.overlaps(m.start(), m.end()):
            continue
        month, day = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12 or not 1 <= day <= monthrange(2024, month)[1]:
            yield Finding(
                "date-invalid",
                m.start(),
                m.end(),
                m.group(),
                None,
                f"日期“{m.group()}”不存在，请核对",
                WARNING,
            )
        elif m.group(1).startswith("0") or m.group(2).startswith("0"):
            right = f"{month}月{day}日"
            yield Finding(
                "date-padding", m.start(), m.end(), m.group(), right, f"日期中的月、日不加“0”：应为“{right}”"
            )
