"""公文校对: find what copying and extraction leave in official text, with its exact place and fix.

Pure Python, no Django: `check(text)` lists `Finding`s (rule, start, end, text, suggestion, message,
severity) and `apply(text, findings)` makes the fixes. Each rule is a function over a shared
`Context` (the text, its protected spans — URLs, e-mail, standard numbers, Latin text — and its
paragraphs), scanning with compiled regular expressions and doing Python work only where they hit,
so a check costs a few passes over the text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import rules_chars, rules_content, rules_layout, rules_punct, rules_structure
from .context import Context
from .finding import ERROR, WARNING, Finding


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    label: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule("page-junk", "junk", "页码、阅读器分块编号、网站水印等残留"),
        Rule("space-break", "break", "丢失的换行、分段（标题、主送机关与正文连在一起）"),
        Rule("line-break", "break", "句子中间断行"),
        Rule("yi-dash", "yi-dash", "“一”被误作连字符或破折号"),
        Rule("yi-digit", "yi-digit", "“一”被误作数字“1”"),
        Rule("missing-text", "stray", "删去文字后留下的点号（此处缺字）"),
        Rule("space", "stray", "多余的空格"),
        Rule("pair-doubled", "pair", "引号、括号、书名号重复"),
        Rule("pair-direction", "pair", "引号方向错误"),
        Rule("pair-unbalanced", "pair", "引号、括号、书名号不成对"),
        Rule("halfwidth", "punct", "中文中的半角标点"),
        Rule("punct-form", "punct", "省略号、破折号形式错误"),
        Rule("punct-repeat", "punct", "标点重复"),
        Rule("punct-misuse", "punct", "标点用错位置（顿号、句号、冒号、问号、括号）"),
        Rule("enum", "enum", "列举序号（一是、第一、首先）错乱"),
        Rule("heading-order", "heading", "标题序号跳号、重号"),
        Rule("heading-level", "heading", "标题层级跳跃"),
        Rule("heading-format", "heading", "序号后的标点（1、一.）"),
        Rule("placeholder", "placeholder", "未填写的占位符"),
        Rule("date-padding", "date", "日期补零"),
        Rule("date-year", "date", "年份缩写"),
        Rule("date-invalid", "date", "不存在的日期"),
        Rule("count", "count", "所称项数与列出的不符"),
        Rule("confusion", "confusion", "常见错别字"),
        Rule("collocation", "confusion", "搭配不当（增加……性、加强……水平）"),
        Rule("doubled", "doubled", "字词重复"),
    ]
}
FAMILIES = sorted({r.family for r in RULES.values()})

# each checker yields findings of one or more rule ids; order is the priority when spans overlap
CHECKERS: list[tuple[frozenset[str], Callable[[Context], Iterable[Finding]]]] = [
    (frozenset({"page-junk"}), rules_layout.page_junk),
    (frozenset({"placeholder"}), rules_content.placeholders),
    (frozenset({"space-break", "line-break"}), rules_layout.breaks),
    (frozenset({"date-padding", "date-year", "date-invalid"}), rules_content.dates),
    (
        frozenset({"heading-order", "heading-level", "heading-format", "yi-digit"}),
        rules_structure.heading_rules,
    ),
    (frozenset({"yi-digit"}), rules_chars.yi_digit),
    (frozenset({"enum"}), rules_structure.enumerations),
    (frozenset({"count"}), rules_structure.counts),
    (frozenset({"yi-dash"}), rules_chars.yi_dash),
    (frozenset({"missing-text", "halfwidth"}), rules_chars.stray_stop),
    (frozenset({"space"}), rules_chars.spaces),
    (frozenset({"confusion"}), rules_chars.confusion),
    (frozenset({"collocation"}), rules_chars.collocations),
    (frozenset({"doubled"}), rules_chars.doubled),
    (frozenset({"punct-form"}), rules_punct.punct_form),
    (frozenset({"punct-repeat"}), rules_punct.punct_repeat),
    (frozenset({"punct-misuse"}), rules_punct.punct_misuse),
    (frozenset({"punct-misuse"}), rules_punct.lost_list_marks),
    (frozenset({"pair-doubled", "pair-direction", "pair-unbalanced"}), rules_punct.pairs),
    (frozenset({"halfwidth"}), rules_punct.halfwidth),
]


def _selected(rules: Iterable[str] | None, ignore: Iterable[str] | None) -> set[str]:
    """Rule ids to run; a family name stands for all its rules."""

    def expand(names: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for name in names:
            if name in RULES:
                out.add(name)
            elif name in FAMILIES:
                out.update(r.id for r in RULES.values() if r.family == name)
            else:
                raise ValueError(f"没有名为“{name}”的校对规则")
        return out

    chosen = expand(rules) if rules else set(RULES)
    return chosen - expand(ignore or ())


def check(
    text: str, *, rules: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[Finding]:
    """Every finding in the text, in order of position. Where two findings overlap, the one from
    the earlier checker in CHECKERS is kept, so the fixes never fight over the same characters."""
    wanted = _selected(rules, ignore)
    ctx = Context(text)
    found: list[tuple[int, Finding]] = []
    for priority, (ids, checker) in enumerate(CHECKERS):
        if ids & wanted:
            ctx.earlier = [f for _, f in found]
            found.extend((priority, f) for f in checker(ctx) if f.rule in wanted)
    return [_needs_person(f) for f in _without_overlaps(found)]


def _needs_person(f: Finding) -> Finding:
    """A finding with no certain fix says so, in the words an office proofreader uses."""
    if f.suggestion is not None or "需人工确认" in f.message:
        return f
    return Finding(f.rule, f.start, f.end, f.text, None, f.message + "（需人工确认）", f.severity)


def _without_overlaps(found: list[tuple[int, Finding]]) -> list[Finding]:
    """Sweep in text order; findings that overlap form a cluster, and within it the earlier
    checker wins. Linear in the number of findings (clusters are a few findings long)."""
    found.sort(key=lambda pf: (pf[1].start, pf[1].end))
    out: list[Finding] = []
    cluster: list[tuple[int, Finding]] = []
    cluster_end = -1
    for pf in found:
        if cluster and pf[1].start >= cluster_end:
            out.extend(_resolve(cluster))
            cluster = []
        cluster.append(pf)
        cluster_end = max(cluster_end, pf[1].end)
    out.extend(_resolve(cluster))
    return out


def _resolve(cluster: list[tuple[int, Finding]]) -> list[Finding]:
    if len(cluster) == 1:
        return [cluster[0][1]]
    kept: list[Finding] = []
    for _, f in sorted(cluster, key=lambda pf: (pf[0], pf[1].start)):
        if not any(f.start < k.end and k.start < f.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.rule))


def apply(text: str, findings: Iterable[Finding]) -> str:
    """The text with every finding that has a suggestion fixed; others left as they are."""
    out: list[str] = []
    pos = 0
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if f.suggestion is None or f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f.suggestion)
        pos = f.end
    out.append(text[pos:])
    return "".join(out)


__all__ = ["ERROR", "FAMILIES", "RULES", "WARNING", "Finding", "Rule", "apply", "check"]
