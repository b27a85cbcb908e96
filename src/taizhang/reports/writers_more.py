"""The other documents: next year's key points, the quarter's analysis report, the assessment
self-report, the ledger book as a document, and a superior's roll-up over its subtree."""

from __future__ import annotations

from datetime import date
from typing import Any

from taizhang.ledger import models as lm

from . import document as d
from .facts import (
    QUARTER_NAMES,
    Figure,
    Reader,
    collect,
    missed_rules,
    quarter_period,
    rules_of,
    year_period,
)
from .writer import Headings, Prose, _finish, clip, enumerate_items, listing, md


def keypoints(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """`year`'s key points, written at the end of the year before: the rules to keep, the year's
    own plan items if recorded, and what the year before left open."""
    facts = collect(unit, year_period(year - 1), user=user)
    title = f"{unit.name}{year}年意识形态工作要点"
    doc = d.Document("keypoints", title, unit.name, day or date.today())
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    h.one("指导思想")
    b.block(
        d.BODY,
        "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央关于意识形态工作的决策部署，严格落实意识形态工作责任制，牢牢掌握意识形态工作领导权，为推动本单位各项事业发展提供坚强思想保证。",
    )
    h.one("主要任务")
    plan = list(Reader(unit, user)(lm.WorkPlanItem).filter(year=year).order_by("number"))
    rules = rules_of(unit, year, user=user)
    missed = {c.rule.id for c in missed_rules(unit, year - 1, user=user)}
    sections: dict[str, list[Any]] = {}
    for item in plan:
        sections.setdefault(_section_name(item.section), []).append(item)
    for name, items in sections.items():
        h.two(name or "重点任务")
        enumerate_items(b, [[item.text.strip().rstrip("。；;")] for item in items])
    if rules:
        # the responsibility rules of the year, grouped by what they serve, under one heading
        h.two("严格落实责任制规定动作")
        used: set[str] = set()
        # the last group takes every rule the others did not (None: no words to match, all of them)
        groups: list[tuple[str, tuple[str, ...] | None]] = [
            ("落实主体责任", ("party-group", "special", "report", "debrief", "inspect", "life")),
            ("理论学习", ("study", "central", "lecture")),
            ("阵地管理和舆情研判", ("analysis", "position", "opinion")),
            ("基层组织生活和宣传", None),
        ]
        for heading, words in groups:
            chosen = [
                r for r in rules if r.id not in used and (words is None or any(w in r.id for w in words))
            ]
            if chosen:
                used.update(r.id for r in chosen)
                enumerate_items(b, [[_duty(r, missed)] for r in chosen], lead=f"在{heading}方面，")
    open_items = facts.lists.get("open_rectifications", [])
    if open_items:
        h.two("抓好问题整改")
        examples = listing([t for t in (clip(r.problem, 20) for r in open_items) if t], 2)
        b.block(
            d.BODY,
            f"对上年度尚未完成整改的{len(open_items)}个问题"
            + (f"（{examples}）" if examples else "")
            + "，逐项明确责任人和完成时限，确保按期销号。",
        )
    _finish(b, unit.name, doc.day)
    return doc


def _section_name(section: str) -> str:
    """ "一、强化理论武装" → "强化理论武装": the plan's own numbering gives way to the document's."""
    import re

    return re.sub(
        r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])\s*",
        "",
        section,
    ).strip()


def _duty(rule: Any, missed: set[str]) -> str:
    text = f"{rule.name}，{rule.description.replace(' ', '')}"
    return text + ("（上年度未完全落实，须重点抓好）" if rule.id in missed else "")


def analysis_report(
    unit: Any, year: int, quarter: int, *, user: Any = None, day: date | None = None
) -> d.Document:
    period = quarter_period(year, quarter)
    facts = collect(unit, period, user=user)
    p = Prose(facts, "analysis", user)
    title = f"{unit.name}{year}年{QUARTER_NAMES[quarter]}意识形态领域情况分析研判报告"
    doc = d.Document("analysis", title, unit.name, day or date.today())
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    analyses = facts.lists.get("analyses", [])
    if not analyses and not p.has("opinions"):
        b.block(
            d.BODY,
            f"{period.label}，本单位台账中没有分析研判会议和舆情的记录。请先在“分析研判”台账中记录本季度的研判情况。",
        )
        _finish(b, unit.name, doc.day)
        return doc
    b.block(
        d.BODY,
        f"按照意识形态工作责任制要求，{unit.name}对{period.label}意识形态领域情况进行了分析研判。现将有关情况报告如下。",
    )
    h.one("总体形势")
    if analyses:
        b.block(
            d.BODY,
            f"{period.label}共开展分析研判",
            p.fig("analyses"),
            f"（{'、'.join(md(a.held_on) for a in analyses[:4])}）。"
            + clip(analyses[-1].situation, 80)
            + "。",
        )
    if p.has("opinions"):
        item: list[Any] = ["本季度发现涉及本单位的舆情", p.fig("opinions")]
        item += (
            ["，已处置完毕", p.fig("opinions_closed"), "。"] if p.has("opinions_closed") else ["，正在处置。"]
        )
        b.block(d.BODY, *item)
    risks = list(Reader(unit, user)(lm.Risk).filter(analysis__in=[a.pk for a in analyses]))
    h.one("风险点和问题")
    if risks:
        b.block(d.BODY, "研判排查出风险点", p.fig("risks"), "：")
        for n, r in enumerate(risks[:9], 1):
            b.block(d.BODY, f"{n}.{clip(r.description, 60)}（{r.get_level_display()}风险，{r.field}）。")
    else:
        b.block(d.BODY, "本季度研判未发现需要重点关注的风险点。")
    h.one("防范措施")
    if risks:
        enumerate_items(
            b, [[clip(r.measure, 60) + f"（责任科室：{r.responsible_office}）"] for r in risks[:6]]
        )
    conclusions = [clip(a.conclusion, 60) for a in analyses if a.conclusion.strip()]
    if conclusions:
        b.block(d.BODY, "研判结论：" + "；".join(conclusions[:3]) + "。")
    _finish(b, unit.name, doc.day)
    return doc


def assessment(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    from taizhang.rules.engine import MET, MISSED
    from taizhang.rules.services import evaluate_units

    [result] = evaluate_units([unit], year, user=user)
    title = f"{unit.name}{year}年度意识形态工作责任制落实情况自评报告"
    doc = d.Document("assessment", title, unit.name, day or date.today())
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    met_cells = [c for cells in result.cells.values() for c in cells if c.status == MET]
    missed_cells = [c for cells in result.cells.values() for c in cells if c.status == MISSED]
    decided = len(met_cells) + len(missed_cells)
    met = Figure("rules_met", len(met_cells), "项次", "按期完成的规定动作", [])
    miss = Figure("rules_missed", len(missed_cells), "项次", "未完成的规定动作", [])
    b.block(
        d.BODY,
        f"对照意识形态工作责任制{len(result.rules)}项要求，{year}年截至目前应完成的规定动作共{decided}项次，按期完成",
        met,
        "，未完成",
        miss,
        "。具体情况如下。",
    )
    h.one("各项要求落实情况")
    for rule in result.rules:
        if rule.problem:  # a stored local rule the engine cannot evaluate: say so, do not count it
            b.block(
                d.BODY, f"{rule.name}：无法计算（{rule.problem.rstrip('。')}），请修改本地规则后重新生成。"
            )
            continue
        cells = result.cells[rule.id]
        done = sum(c.status == MET for c in cells)
        due = sum(c.status in (MET, MISSED) for c in cells)
        evidence = sum(c.value for c in cells)
        line = f"{rule.name}（{rule.description.replace(' ', '')}）：应完成{due}期，完成{done}期，台账记录{evidence}{'人次' if rule.measure == 'people' else ('天' if rule.measure == 'days' else '次')}"
        missing = [c.period.label for c in cells if c.status == MISSED]
        b.block(d.BODY, line + (f"，{'、'.join(missing)}未完成。" if missing else "。"))
    h.one("存在的不足和改进措施")
    if missed_cells:
        names = listing(list(dict.fromkeys(c.rule.name for c in missed_cells)), 3)
        b.block(
            d.BODY,
            f"{names}等要求未能按期完成。下一步将逐项分析原因，明确责任人和完成时限，确保规定动作按期落实。",
        )
    else:
        b.block(d.BODY, "各项规定动作均按期完成。")
    _finish(b, unit.name, doc.day)
    return doc


def ledger_book(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    from taizhang.ledger.book import ledger_sheets

    title = f"{unit.name}{year}年度意识形态工作台账汇编"
    doc = d.Document("ledger-book", title, unit.name, day or date.today())
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    for sheet_title, headers, rows in ledger_sheets(unit=unit, year=year, user=user):
        rows = list(rows)
        h.one(f"{sheet_title}（{len(rows)}条）")
        if not rows:
            b.block(d.BODY, "本年度无记录。")
            continue
        for n, row in enumerate(rows, 1):
            cells = [f"{hd}：{_cell(v)}" for hd, v in zip(headers, row, strict=False) if _cell(v)]
            b.block(d.BODY, f"{n}.", "；".join(cells[:8]) + "。")
    _finish(b, unit.name, doc.day)
    return doc


def _cell(value: Any) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year}年{value.month}月{value.day}日"
    return clip(str(value), 40)


def rollup(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    from taizhang.orgs.models import Unit
    from taizhang.rules.services import evaluate_units

    # the units the reader may see, as every figure is counted: restrict() for a person
    units = list(Unit.objects.readable(user).filter(path__startswith=unit.path).order_by("path"))
    results = evaluate_units(units, year, user=user)
    title = f"{unit.name}{year}年度所属单位意识形态工作责任制落实情况汇总报告"
    doc = d.Document("rollup", title, unit.name, day or date.today())
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    rated = [(r.unit, r.overall()) for r in results]
    with_rate = [(u, x) for u, x in rated if x is not None]
    average = sum(x for _, x in with_rate) / len(with_rate) if with_rate else None
    b.block(
        d.BODY,
        f"{unit.name}及所属{len(units) - 1}个单位{year}年度意识形态工作责任制落实情况汇总如下。"
        + (f"规定动作平均完成率{average:.0%}。" if average is not None else ""),
    )
    h.one("各单位完成情况")
    for u, x in sorted(rated, key=lambda ux: (ux[1] is None, -(ux[1] or 0))):
        b.block(
            d.BODY,
            f"{u.name}：" + (f"规定动作完成率{x:.0%}。" if x is not None else "尚无应完成的规定动作。"),
        )
    low = [(u, x) for u, x in with_rate if x < 0.8]
    h.one("需要关注的单位")
    if low:
        enumerate_items(b, [[f"{u.name}完成率{x:.0%}，低于80%"] for u, x in low[:8]])
    else:
        b.block(d.BODY, "各单位规定动作完成率均不低于80%。")
    _finish(b, unit.name, doc.day)
    return doc


def build_other(
    kind: str, unit: Any, year: int, *, user: Any = None, quarter: int | None = None, day: date | None = None
) -> d.Document:
    if kind == "keypoints":
        return keypoints(unit, year, user=user, day=day)
    if kind == "analysis":
        return analysis_report(unit, year, quarter or 1, user=user, day=day)
    if kind == "assessment":
        return assessment(unit, year, user=user, day=day)
    if kind == "ledger-book":
        return ledger_book(unit, year, user=user, day=day)
    if kind == "rollup":
        return rollup(unit, year, user=user, day=day)
    raise ValueError(f"没有“{kind}”这种文书")


__all__ = ["build_other"]
