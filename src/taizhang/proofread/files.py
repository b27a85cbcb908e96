"""Reading .txt, .md and .docx for the proofreader, writing a fixed copy, and the reports.

A .docx is read paragraph by paragraph (body and table cells, in document order) and checked as
one text with a newline between paragraphs, so every finding has a paragraph and an offset. The
fixed .docx changes only the runs a fix touches; every other run keeps its formatting.
"""

from __future__ import annotations

import io
import json
import zipfile
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taizhang.core import safezip

from . import RULES, Finding, apply

SOFT_BREAK = "\u2028"  # a line break inside a .docx paragraph: one character, not a paragraph end


class Unreadable(Exception):
    """The input cannot be read as text or as a Word document; the message says why, in Chinese."""


@dataclass
class Source:
    """The text as checked, and how to write a fixed copy in the input's own format."""

    name: str
    kind: str  # txt, md, docx
    text: str
    docx: Any = None  # the python-docx Document of a .docx input
    runs: list[list[Any]] = field(default_factory=list)  # per paragraph: its w:r runs

    def locate(self, index: int) -> tuple[int, int]:
        """(paragraph number from 1, offset in it from 1) of a text index."""
        starts = self._starts
        k = bisect_right(starts, index) - 1
        return k + 1, index - starts[k] + 1

    @property
    def _starts(self) -> list[int]:
        cached = getattr(self, "_starts_cache", None)
        if cached is None:
            cached = [0]
            pos = self.text.find("\n")
            while pos >= 0:
                cached.append(pos + 1)
                pos = self.text.find("\n", pos + 1)
            self._starts_cache = cached
        return cached


def decode(data: bytes) -> str:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unreadable("文件不是文本（含有二进制内容），无法校对。")
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise Unreadable("无法识别文件的文字编码，请另存为 UTF-8 后再试。")


def _paragraphs(doc: Any) -> Iterator[Any]:
    from docx.table import Table

    def walk(container: Any) -> Iterator[Any]:
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                for row in item.rows:
                    for cell in row.cells:
                        yield from walk(cell)
            else:
                yield item

    yield from walk(doc)


def _runs(paragraph: Any) -> list[Any]:
    from docx.text.run import Run

    return [Run(r, paragraph) for r in paragraph._p.xpath("./w:r | ./w:hyperlink/w:r | ./w:ins/w:r")]


def _run_text(run: Any) -> str:
    return str(run.text).replace("\n", SOFT_BREAK)


def read(name: str, data: bytes) -> Source:
    """The checkable text of a .txt, .md or .docx file; Unreadable with a clear message otherwise."""
    ext = Path(name).suffix.lower()
    if ext == ".docx":
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise Unreadable("文件扩展名是 .docx，但内容不是 Word 文档。")
        # every part inflated and counted before python-docx keeps them all in memory
        try:
            safezip.check(data, safezip.DOCX, "Word 文档")
        except safezip.ArchiveRefused as exc:
            raise Unreadable(str(exc)) from exc
        try:
            from docx import Document

            doc = Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises many kinds on a damaged package
            raise Unreadable(f"Word 文档已损坏，无法读取（{type(exc).__name__}）。") from exc
        runs = [_runs(p) for p in _paragraphs(doc)]
        text = "\n".join("".join(_run_text(r) for r in paragraph) for paragraph in runs)
        return Source(name, "docx", text, doc, runs)
    if ext in (".txt", ".md", ".markdown", ".text", ""):
        return Source(name, "md" if ext in (".md", ".markdown") else "txt", decode(data))
    raise Unreadable(f"不支持的文件类型“{ext}”：只能校对 .txt、.md 和 .docx 文件。")


def fixed_bytes(source: Source, findings: list[Finding]) -> bytes:
    """The input with every fix applied, in its own format."""
    if source.kind != "docx":
        return apply(source.text, findings).encode("utf-8")
    by_paragraph: dict[int, list[Finding]] = {}
    for f in findings:
        if f.suggestion is None:
            continue
        para, offset = source.locate(f.start)
        if f.end - f.start > len(source.text):
            continue
        by_paragraph.setdefault(para - 1, []).append(
            Finding(
                f.rule,
                offset - 1,
                offset - 1 + (f.end - f.start),
                f.text,
                f.suggestion,
                f.message,
                f.severity,
            )
        )
    for k, fixes in by_paragraph.items():
        _fix_runs(source.runs[k], fixes)
    out = io.BytesIO()
    source.docx.save(out)
    return out.getvalue()


def _fix_runs(runs: list[Any], fixes: list[Finding]) -> None:
    """Apply paragraph-relative fixes to its runs: a fix inside one run edits that run; a fix
    across runs puts its text in the first and removes the covered characters from the others."""
    texts = [_run_text(r) for r in runs]
    bounds = []
    pos = 0
    for t in texts:
        bounds.append((pos, pos + len(t)))
        pos += len(t)
    new = list(texts)
    # right to left, so earlier offsets stay valid
    for f in sorted(fixes, key=lambda f: f.start, reverse=True):
        first = True
        for i, (s, e) in enumerate(bounds):
            lo, hi = max(f.start, s), min(f.end, e)
            if f.start == f.end == s and first and s < e:
                lo = hi = s  # an insertion at the start of this run
            elif lo >= hi:
                continue
            replacement = (f.suggestion or "") if first else ""
            new[i] = new[i][: lo - s] + replacement + new[i][hi - s :]
            first = False
    for run, old, text in zip(runs, texts, new, strict=True):
        if text != old:
            run.text = text.replace(SOFT_BREAK, "\n")


def report_json(findings: list[Finding]) -> str:
    keys = ("rule", "start", "end", "text", "suggestion", "message", "severity")
    return json.dumps(
        {"findings": [{k: getattr(f, k) for k in keys} for f in findings]}, ensure_ascii=False, indent=2
    )


def report_text(source: Source, findings: list[Finding]) -> str:
    """The Chinese report: where (paragraph, character), what, the fix, why."""
    if not findings:
        return f"{source.name}：未发现问题。"
    lines = [f"{source.name}：发现 {len(findings)} 处问题。"]
    for f in findings:
        para, offset = source.locate(f.start)
        fix = (
            "（需人工处理）" if f.suggestion is None else (f"→“{f.suggestion}”" if f.suggestion else "→ 删除")
        )
        level = "错误" if f.severity == "error" else "提示"
        label = RULES[f.rule].label if f.rule in RULES else f.rule
        lines.append(f"第 {para} 段第 {offset} 字 [{level}·{label}] “{f.text}”{fix}：{f.message}")
    return "\n".join(lines)
