"""What every rule may read: the text, its protected spans and its paragraphs (computed once)."""

from __future__ import annotations

from functools import cached_property

from .text import Protected, paragraphs


class Context:
    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def protected(self) -> Protected:
        return Protected(self.text)

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        return paragraphs(self.text)
