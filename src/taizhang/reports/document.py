"""A document as the builders write it and the renderers lay it out: blocks of styled text in
which some spans state a figure. Plain data (JSON round trip) so that drafts can store it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .facts import Figure

# block styles, in GB/T 9704 terms
TITLE, LEAD, H1, H2, H3, H4, BODY, SIGNATURE, DATE, NOTE = (
    "title", "lead", "h1", "h2", "h3", "h4", "body", "signature", "date", "note",
)  # fmt: skip
# the printable 台账汇编: a cover page, and tables (the first row is the header, repeated on each page)
TABLE, COVER, COVER_NOTE, BREAK = "table", "cover", "cover-note", "break"


@dataclass
class Span:
    text: str
    figure: str | None = None  # the key of the Figure this span states


@dataclass
class Block:
    style: str
    spans: list[Span]
    rows: list[list[str]] | None = None  # a TABLE's cells, header row first
    widths: list[int] | None = None  # a TABLE's relative column widths

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass
class Mention:
    """Where a figure stands in the text: the words before it and its unit, so that an edited
    draft can still be searched for it (召开专题会议 4 次)."""

    figure: str
    before: str
    unit: str

    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.before) + r"\s*(\d+(?:\.\d+)?)\s*" + re.escape(self.unit))


HEADER_FIELDS = ("issuer", "addressee", "number", "signer")


@dataclass
class Document:
    kind: str
    title: str
    unit_name: str
    day: date
    blocks: list[Block] = field(default_factory=list)
    figures: dict[str, Figure] = field(default_factory=dict)
    # the 公文 fields (GB/T 9704 7.2–7.3) beside the text: the issuer who signs (署名, the party
    # organisation: 中共区气象局党支部), and for a report sent up its 主送机关, 发文字号 and 签发人
    issuer: str = ""
    addressee: str = ""
    number: str = ""
    signer: str = ""

    def mentions(self) -> list[Mention]:
        found = []
        for block in self.blocks:
            for i, span in enumerate(block.spans):
                if span.figure is None:
                    continue
                before = "".join(s.text for s in block.spans[:i])[-8:]
                after = block.spans[i + 1].text if i + 1 < len(block.spans) else ""
                unit = self.figures[span.figure].unit
                if after.startswith(unit):
                    found.append(Mention(span.figure, before, unit))
        return found

    def plain(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "unit_name": self.unit_name,
            "day": self.day.isoformat(),
            "blocks": [_block_json(b) for b in self.blocks],
            **{key: getattr(self, key) for key in HEADER_FIELDS if getattr(self, key)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], figures: dict[str, Figure] | None = None) -> Document:
        return cls(
            kind=data["kind"],
            title=data["title"],
            unit_name=data["unit_name"],
            day=date.fromisoformat(data["day"]),
            blocks=[
                Block(b["style"], [Span(**s) for s in b["spans"]], b.get("rows"), b.get("widths"))
                for b in data["blocks"]
            ],
            figures=figures or {},
            **{key: str(data.get(key) or "") for key in HEADER_FIELDS},
        )


def _block_json(block: Block) -> dict[str, Any]:
    data: dict[str, Any] = {"style": block.style, "spans": [asdict(s) for s in block.spans]}
    if block.rows is not None:
        data["rows"], data["widths"] = block.rows, block.widths
    return data


class Builder:
    """Appends blocks; a paragraph is written from pieces, where a Figure piece becomes its value
    followed by its unit (召开专题会议 + 4 + 次)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def block(self, style: str, *pieces: Any) -> Block:
        spans: list[Span] = []
        for piece in pieces:
            if isinstance(piece, Figure):
                self.doc.figures[piece.key] = piece
                spans.append(Span(piece.text, piece.key))
                spans.append(Span(piece.unit))
            elif piece:
                spans.append(Span(str(piece)))
        merged: list[Span] = []
        for span in spans:
            if merged and span.figure is None and merged[-1].figure is None:
                merged[-1] = Span(merged[-1].text + span.text)
            else:
                merged.append(span)
        block = Block(style, merged)
        self.doc.blocks.append(block)
        return block

    def table(self, header: list[str], rows: list[list[str]], widths: list[int] | None = None) -> Block:
        """A table: the header row, then one row per record; `widths` weigh the columns."""
        block = Block(TABLE, [], [list(header), *[list(r) for r in rows]], widths)
        self.doc.blocks.append(block)
        return block
