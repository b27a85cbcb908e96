"""What every rule may read: the text, its protected spans and its paragraphs (computed once)."""

from __future__ import annotations

import re
from functools import cached_property

from .finding import Finding
from .text import Protected, is_cn, paragraphs


class Context:
    def __init__(self, text: str) -> None:
        self.text = text
        # findings of the checkers that ran before; a rule that decides by its neighbours (is a
        # mark in Chinese text?) looks at what those neighbours will be once fixed
        self.earlier: list[Finding] = []

    def after_fixes(self) -> tuple[set[int], set[int]]:
        """(positions that become Chinese, positions that are deleted) by the earlier fixes."""
        becomes_cn: set[int] = set()
        deleted: set[int] = set()
        for f in self.earlier:
            if f.suggestion is None:
                continue
            if f.suggestion == "":
                deleted.update(range(f.start, f.end))
            elif all(map(is_cn, f.suggestion)):
                becomes_cn.update(range(f.start, f.end))
        return becomes_cn, deleted

    @cached_property
    def protected(self) -> Protected:
        return Protected(self.text)

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        return paragraphs(self.text)

    def line_matches(self, pattern: re.Pattern[str], first: str) -> list[re.Match[str]]:
        """A line-anchored pattern matched at each line start whose first character is in `first`:
        a pattern that opens with ^ gets no help from the engine to skip ahead, so it is tried only
        where it can match."""
        text = self.text
        match = pattern.match
        out = []
        for s, e in self.paragraphs:
            if s < e and text[s] in first:
                m = match(text, s)
                if m is not None:
                    out.append(m)
        return out
