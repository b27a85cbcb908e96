"""Templates name their links through the URLconf and keep lines a reader can take in."""

from __future__ import annotations

import re
from pathlib import Path

import taizhang

TEMPLATES = Path(taizhang.__file__).parent / "templates"
# 400 and 500 render when the request or the URLconf itself may be broken: they take no {% url %}.
STANDALONE = {"400.html", "500.html"}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_links_come_from_the_urlconf() -> None:
    built = re.compile(r'href="/|(?:href|action)="\{\{[^}]*\}\}/|\{%\s*url[^%]*\|add:')
    found = [
        f"{p.relative_to(TEMPLATES)}:{n}"
        for p in _templates()
        if p.name not in STANDALONE
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if built.search(line)
    ]
    assert found == []


def test_no_template_line_over_160_characters() -> None:
    long = [
        f"{p.relative_to(TEMPLATES)}:{n}"
        for p in _templates()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > 160
    ]
    assert long == []
