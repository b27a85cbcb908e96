"""Characters that have no place in a ledger or an official document, refused with a message
that says which and where: control characters (NUL and the like), invisible marks that copying
from web pages and chat tools leaves behind (zero-width spaces and joiners, the byte-order mark,
right-to-left overrides, which can make text read differently from what it holds), and emoji."""

from __future__ import annotations

import re
from typing import Any

INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
EMOJI = re.compile("[\U0001f000-\U0001faff\ufe0f]")
UNWANTED = re.compile(f"{INVISIBLE.pattern}|{EMOJI.pattern}")  # either, in one scan


def text_problem(value: str) -> str | None:
    """A Chinese message about the first unwanted character, or None when the text is clean."""
    found = INVISIBLE.search(value)
    if found:
        return (
            f"含有不可见的控制字符（第 {found.start() + 1} 个字符，U+{ord(found.group()):04X}），"
            "多由复制粘贴带入，请删除后再保存。"
        )
    found = EMOJI.search(value)
    if found:
        return f"含有表情符号“{found.group()}”（第 {found.start() + 1} 个字符），台账和公文中请勿使用。"
    return None


def clean_form_text(form: Any) -> None:
    """In a form's clean(): every text value checked, each problem put on its field."""
    for name, value in list(form.cleaned_data.items()):
        if isinstance(value, str) and (problem := text_problem(value)):
            form.add_error(name, problem)
