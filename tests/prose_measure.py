"""How alike two generated documents read once figures and names are masked (issue 15): the share
of running-text sentences they have in common."""

from __future__ import annotations

import re
from typing import Any

from taizhang.reports import document as d

RUNNING = {d.BODY, d.LEAD}


def names_of() -> list[str]:
    """Every name the demo's records write: people, units, partners, outlets, positions, offices."""
    from taizhang.ledger import models as m
    from taizhang.orgs.models import Unit, User

    found: set[str] = set()
    found.update(u.full_name for u in User.objects.all())
    for u in Unit.objects.all():
        found.update({u.name, u.short_name, u.party_org_name, u.org_name})
    found.update(m.LeadingGroupMember.objects.values_list("person_text", flat=True))
    found.update(m.LeadingGroupMember.objects.values_list("title", flat=True))
    for partners in m.Publicity.objects.values_list("partners", flat=True):
        found.update(re.split(r"[、，,]", partners))
    found.update(m.Publicity.objects.values_list("channel", flat=True))
    found.update(m.Publicity.objects.values_list("occasion", flat=True))
    found.update(m.Submission.objects.values_list("outlet", flat=True))
    found.update(m.Position.objects.values_list("name", flat=True))
    found.update(m.Risk.objects.values_list("responsible_office", flat=True))
    found.update(m.Risk.objects.values_list("field", flat=True))
    found.update(m.ReportRecord.objects.values_list("recipient", flat=True))
    found.update(m.ReportRecord.objects.values_list("title", flat=True))
    found.update(m.Rectification.objects.values_list("owner_text", flat=True))
    return sorted((n for n in found if n and len(n) >= 2), key=len, reverse=True)


def mask(text: str, names: list[str]) -> str:
    text = re.sub(r"“[^“”]*”", "“X”", text)
    text = re.sub(r"《[^《》]*》", "《X》", text)
    for name in names:
        text = text.replace(name, "X")
    text = re.sub(r"\d+(?:\.\d+)?", "N", text)
    return text


def masked_sentences(doc: Any, names: list[str]) -> list[str]:
    """The running text's sentences (headings, title and signature aside), masked."""
    out = []
    for block in doc.blocks:
        if block.style not in RUNNING:
            continue
        text = re.sub(r"^(?:[一二三四五六七八九十]+是|\d+\.|（[一二三四五六七八九十]+）)", "", block.text)
        for sentence in re.split(r"[。！？；]", mask(text, names)):
            sentence = sentence.strip("，、 ")
            if len(sentence) >= 6:
                out.append(sentence)
    return out


def overlap(a: list[str], b: list[str]) -> float:
    """Sentences the two share, as a share of the shorter document's sentences."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))
