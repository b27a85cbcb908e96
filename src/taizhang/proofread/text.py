"""Character classes and the spans no rule may touch (URLs, e-mail, standard numbers, Latin text)."""

from __future__ import annotations

import re
from bisect import bisect_right

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation a half-width mark may sit beside and still be in Chinese text
CN_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】「」『』…—"


def is_han(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff") or ("\u3400" <= ch <= "\u4dbf") or ("\uf900" <= ch <= "\ufaff")


def is_cn(ch: str) -> bool:
    """A Han character or Chinese punctuation: the context that makes a mark "Chinese text"."""
    return is_han(ch) or ch in CN_PUNCT


_PROTECTED = re.compile(
    # the look-ahead lets the scan skip Chinese text at C speed: every span starts with a letter/digit
    "(?=[A-Za-z0-9])(?:"
    + "|".join(
        [
            r"(?:https?|ftp)://[^\s\u3000" + HAN + r"，。；、！？（）【】《》“”'\"<>]+",  # URLs
            r"\bwww\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?:/[^\s\u3000" + HAN + r"，。；、！？（）《》“”]*)?",
            r"[A-Za-z0-9][A-Za-z0-9.+\-_]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+",  # e-mail
            # standard numbers: GB/T 9704—2012, GB 15834-2011, ISO 9001:2015, DB41/T 1234-2020
            r"\b(?:GB|GB/T|GB/Z|GBZ|DB\d{0,2}/T|DB\d{0,2}|JGJ|ISO|IEC|YY/T|HJ|QB/T|JB/T|WS/T|GA/T|GA)"
            r"\s?[\d.]+(?:[—–\-:：]\d{2,4})?",
            # Latin text of two or more words: "Ministry of Finance", "Hello, world!"
            r"[A-Za-z][A-Za-z0-9'’]*(?:[ ,.:;?!&/\-]{1,2}[A-Za-z0-9][A-Za-z0-9'’]*)+[.!?]?",
            r"\b[A-Za-z]:\\[^\s" + HAN + r"]*",  # Windows paths
        ]
    )
    + ")"
)


class Protected:
    """Sorted spans of the text that no rule changes; `covers(i)` is a binary search."""

    __slots__ = ("ends", "starts")

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for m in _PROTECTED.finditer(text):
            self.starts.append(m.start())
            self.ends.append(m.end())

    def covers(self, index: int) -> bool:
        i = bisect_right(self.starts, index) - 1
        return i >= 0 and index < self.ends[i]

    def span_at(self, index: int) -> tuple[int, int] | None:
        """The protected span that covers index, if any."""
        i = bisect_right(self.starts, index) - 1
        return (self.starts[i], self.ends[i]) if i >= 0 and index < self.ends[i] else None

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.ends[i] > start


_NEWLINE = re.compile("\n")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line; a paragraph of an official text is one line."""
    ends = [m.start() for m in _NEWLINE.finditer(text)]
    ends.append(len(text))
    return list(zip([0, *(e + 1 for e in ends[:-1])], ends, strict=True))


CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def cn_to_int(s: str) -> int | None:
    """一 … 九十九 as a number; None for anything else."""
    if not s or any(c not in CN_NUM for c in s):
        return None
    if len(s) == 1:
        return CN_NUM[s]
    if len(s) == 2 and s[0] == "十":
        return 10 + CN_NUM[s[1]] if s[1] != "十" else None
    if len(s) == 2 and s[1] == "十" and s[0] != "十":
        return CN_NUM[s[0]] * 10
    if len(s) == 3 and s[1] == "十" and s[0] != "十" and s[2] != "十":
        return CN_NUM[s[0]] * 10 + CN_NUM[s[2]]
    return None


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 0 or n >= 100:
        return str(n)
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
