"""The documents' prose, written from Facts: every sentence rests on records, every number is a
Figure. A section with nothing recorded is left out, or says so in one line; nothing is invented.

Wording varies by a random generator seeded with the unit, year and kind — a document reads the
same each time it is generated, and two units' documents do not read alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from taizhang.proofread.text import int_to_cn

from . import document as d
from .facts import (
    Facts,
    Figure,
    collect,
    half_period,
    missed_rules,
    quarter_period,
    ref,
    rules_of,
    year_period,
)


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def listing(items: Sequence[str], limit: int = 3) -> str:
    """A、B、C — or A、B、C等 when there were more."""
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= limit:
        return "、".join(items)
    return "、".join(items[:limit]) + "等"


def clip(text: str, length: int = 24) -> str:
    """The first sentence of a free-text field, for citing it; "" when even its first phrase is
    longer than `length` (a sentence is never cut in the middle of a word)."""
    first = text.strip().replace("\n", "，")
    for mark in "。；;！？":
        first = first.split(mark)[0]
    first = first.rstrip("，,、 ")
    if len(first) <= length:
        return first
    phrase = first.split("，")[0].split(",")[0]
    return phrase if len(phrase) <= length else ""


class Prose:
    def __init__(self, facts: Facts, kind: str, user: Any = None) -> None:
        self.facts = facts
        self.rng = random.Random(f"{facts.unit.code}/{facts.period.label}/{kind}")  # noqa: S311 (wording, not secrets)
        self.user = user

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def fig(self, key: str) -> Figure:
        return self.facts.figure(key)

    def has(self, key: str) -> bool:
        return key in self.facts.figures and bool(self.facts.figures[key].value)


def enumerate_items(builder: d.Builder, items: list[list[Any]], style: str = d.BODY, lead: str = "") -> None:
    """一是……；二是……；三是……。 in one paragraph (a single item is written without a number),
    after an optional lead (在理论学习方面，)."""
    if not items:
        return
    pieces: list[Any] = [lead]
    for n, item in enumerate(items):
        if len(items) > 1:
            pieces.append(f"{int_to_cn(n + 1)}是")
        pieces.extend(item)
        pieces.append("。" if n == len(items) - 1 else "；")
    builder.block(style, *pieces)


class Headings:
    """一、 （一） numbering that never skips: a heading is numbered when it is written."""

    def __init__(self, builder: d.Builder) -> None:
        self.b = builder
        self.h1 = 0
        self.h2 = 0

    def one(self, text: str) -> None:
        self.h1 += 1
        self.h2 = 0
        self.b.block(d.H1, f"{int_to_cn(self.h1)}、{text}")

    def two(self, text: str) -> None:
        self.h2 += 1
        self.b.block(d.H2, f"（{int_to_cn(self.h2)}）{text}")


# --- The year's work, section by section (annual summary, half-year report) ------------------------
def _leadership(p: Prose) -> list[list[Any]]:
    items: list[list[Any]] = []
    f = p.facts
    if p.has("group"):
        leaders = [g for g in f.lists.get("group", []) if g.post == "leader"]
        who = (
            (leaders[0].person.display_name if leaders and leaders[0].person else leaders[0].person_text)
            if leaders
            else ""
        )
        lead = f"由{who}任组长，" if who else ""
        items.append(
            [p.pick("健全领导机构。", "完善组织体系。"), f"意识形态工作领导小组{lead}成员", p.fig("group")]
        )
    if p.has("duties"):
        item: list[Any] = [
            p.pick("压实责任链条。", "细化责任分工。"),
            "制定意识形态工作责任清单",
            p.fig("duties"),
        ]
        if p.has("duties_signed"):
            item += ["，签订责任书", p.fig("duties_signed")]
        items.append(item)
    if p.has("party_group"):
        days = [r.day for r in p.fig("party_group").refs if r.day]
        item = [
            p.pick("定期研究部署。", "把意识形态工作摆上重要议事日程。"),
            "党组（党委）会议专题研究意识形态工作",
            p.fig("party_group"),
        ]
        if 1 <= len(days) <= 4:
            item.append(f"（{'、'.join(md(x) for x in days)}）")
        if p.has("special"):
            item += ["，另召开意识形态工作专题会议", p.fig("special")]
        items.append(item)
    elif p.has("special"):
        items.append(
            [p.pick("定期研究部署。", "及时研究部署。"), "召开意识形态工作专题会议", p.fig("special")]
        )
    return items


def _study(p: Prose) -> list[list[Any]]:
    items: list[list[Any]] = []
    f = p.facts
    if p.has("central_study"):
        items.append(
            [
                p.pick("抓好中心组学习。", "发挥中心组示范带动作用。"),
                "组织理论学习中心组集中学习",
                p.fig("central_study"),
            ]
        )
    if p.has("study"):
        item: list[Any] = [
            p.pick("抓实集中学习。", "坚持经常性学习。"),
            "全年组织集中学习" if f.period.start.month == 1 and f.period.end.month == 12 else "组织集中学习",
            p.fig("study"),
            "，参学",
            p.fig("study_people"),
        ]
        if p.has("study_hours"):
            item += ["，累计", p.fig("study_hours")]
        topics = [t for t in (clip(x.content, 20) for x in f.lists.get("study_topics", [])) if t]
        if topics:
            item.append(f"，{p.pick('重点学习了', '先后学习了')}{listing(topics)}")
        items.append(item)
    if p.has("plan_items"):
        item = ["落实学习计划。年度学习计划安排学习专题", p.fig("plan_items")]
        item += ["，已组织学习", p.fig("plan_items_done")] if p.has("plan_items_done") else ["，尚未组织学习"]
        items.append(item)
    if p.has("branch") or p.has("theme_day"):
        item = [p.pick("夯实支部学习。", "抓好基层组织生活。"), "各支部"]
        if p.has("branch"):
            item += ["开展“三会一课”", p.fig("branch")]
        if p.has("theme_day"):
            item += ["，开展主题党日活动" if p.has("branch") else "开展主题党日活动", p.fig("theme_day")]
        items.append(item)
    return items


def _publicity(p: Prose) -> list[list[Any]]:
    items: list[list[Any]] = []
    f = p.facts
    if p.has("publicity"):
        themes = listing([x.theme for x in f.lists.get("publicity", [])])
        item: list[Any] = [
            p.pick("开展主题宣传。", "加强正面宣传。"),
            f"围绕{themes}开展宣传活动" if themes else "开展宣传活动",
            p.fig("publicity"),
        ]
        if p.has("publicity_reach"):
            item += ["，覆盖", p.fig("publicity_reach")]
        items.append(item)
    if p.has("submissions"):
        item = [p.pick("加强对外宣传。", "做好信息报送。"), "投稿", p.fig("submissions")]
        if p.has("adopted"):
            item += ["，被媒体采用", p.fig("adopted")]
            by_level = [
                key
                for key in (
                    "adopted_central",
                    "adopted_province",
                    "adopted_city",
                    "adopted_county",
                    "adopted_industry",
                )
                if p.has(key)
            ]
            if by_level:
                item.append("，其中")
                for n, key in enumerate(by_level):
                    fig = p.fig(key)
                    item += ["、" if n else "", fig.label.removeprefix("被"), fig]
        items.append(item)
    if p.has("subscriptions"):
        items.append(
            ["抓好党报党刊征订。征订党报党刊", p.fig("subscriptions"), "，共", p.fig("subscription_copies")]
        )
    return items


def _positions(p: Prose) -> list[list[Any]]:
    items: list[list[Any]] = []
    f = p.facts
    if p.has("positions"):
        kinds = listing([k for k, _ in f.lists.get("position_kinds", [])])
        items.append(
            [
                p.pick("摸清阵地底数。", "建立阵地台账。"),
                f"对{kinds}意识形态阵地实行台账管理，现有阵地" if kinds else "现有意识形态阵地",
                p.fig("positions"),
            ]
        )
    if p.has("inspections"):
        item: list[Any] = [p.pick("加强阵地检查。", "开展常态化检查。"), "开展阵地检查", p.fig("inspections")]
        item += (
            ["，发现问题", p.fig("inspection_problems"), "并督促整改"]
            if p.has("inspection_problems")
            else ["，未发现问题"]
        )
        items.append(item)
    if p.has("reviews"):
        item = ["严格信息发布审核。落实初审、复审、终审制度，审核拟发布信息", p.fig("reviews")]
        if p.has("reviews_passed"):
            item += ["，经“三审”通过发布", p.fig("reviews_passed")]
        items.append(item)
    if p.has("opinions"):
        item = ["做好舆情应对。发现涉及本单位的舆情", p.fig("opinions")]
        item += ["，已处置完毕", p.fig("opinions_closed")] if p.has("opinions_closed") else ["，正在处置"]
        items.append(item)
    return items


def _analysis(p: Prose) -> list[list[Any]]:
    items: list[list[Any]] = []
    if p.has("analyses"):
        item: list[Any] = [
            p.pick("坚持定期研判。", "加强形势分析研判。"),
            "开展意识形态领域形势分析研判",
            p.fig("analyses"),
        ]
        if p.has("risks"):
            item += ["，排查风险点", p.fig("risks")]
            item += ["，已化解", p.fig("risks_resolved")] if p.has("risks_resolved") else []
        items.append(item)
    if p.has("reports_up"):
        items.append(["主动报告工作。向上级报告意识形态工作", p.fig("reports_up")])
    if p.has("inspected") or p.has("inspecting"):
        item = ["加强监督检查。"]
        if p.has("inspected"):
            item += ["接受上级督查检查", p.fig("inspected")]
        if p.has("inspecting"):
            item += ["，开展督查检查" if p.has("inspected") else "开展督查检查", p.fig("inspecting")]
        items.append(item)
    return items


def _rectification(p: Prose) -> list[list[Any]]:
    if not p.has("rectifications"):
        return []
    item: list[Any] = [
        p.pick("对照问题清单逐项整改。", "坚持问题导向抓整改。"),
        "梳理问题",
        p.fig("rectifications"),
    ]
    if p.has("rectifications_closed"):
        item += ["，已整改完成", p.fig("rectifications_closed")]
    if p.has("rectifications_open"):
        item += ["，正在整改", p.fig("rectifications_open")]
    return [item]


WORK_SECTIONS: list[tuple[str, tuple[str, ...], Callable[[Prose], list[list[Any]]]]] = [
    ("leadership", ("加强组织领导，压紧压实工作责任", "坚持高位推动，落实主体责任"), _leadership),
    ("study", ("强化理论武装，筑牢思想根基", "深化理论学习，提升政治能力"), _study),
    ("publicity", ("加强宣传引导，唱响主旋律", "做好舆论引导，凝聚思想共识"), _publicity),
    ("positions", ("严格阵地管理，守好责任田", "加强阵地建设，筑牢安全防线"), _positions),
    ("analysis", ("开展分析研判，加强监督检查", "强化研判预警，防范化解风险"), _analysis),
    ("rectification", ("抓好问题整改，推动工作落实", "狠抓整改落实，巩固工作成效"), _rectification),
]


def _work(p: Prose, b: d.Builder, h: Headings, heading: str) -> bool:
    sections = [(titles, fn(p)) for _, titles, fn in WORK_SECTIONS]
    sections = [(t, items) for t, items in sections if items]
    if not sections:
        return False
    h.one(heading)
    for titles, items in sections:
        h.two(p.pick(*titles))
        enumerate_items(b, items)
    return True


def _problems(p: Prose, missed: list[Any]) -> list[list[Any]]:
    items: list[list[Any]] = []
    f = p.facts
    by_rule: dict[str, list[Any]] = {}
    for cell in missed:
        by_rule.setdefault(cell.rule.name, []).append(cell)
    if by_rule:
        parts = [
            f"“{name}”在{'、'.join(c.period.label for c in cells[:4])}"
            for name, cells in list(by_rule.items())[:4]
        ]
        more = "等规定动作" if len(by_rule) > 4 else ""
        items.append([f"责任制规定动作落实不够到位，{'，'.join(parts)}{more}未按要求完成"])
    if p.has("rectifications_overdue"):
        examples = listing([t for t in (clip(r.problem, 20) for r in f.lists.get("overdue", [])) if t], 2)
        items.append(
            [
                "整改推进不够有力，有",
                p.fig("rectifications_overdue"),
                "问题逾期未完成整改" + (f"（{examples}）" if examples else ""),
            ]
        )
    if f.lists.get("risks_open"):
        unresolved = Figure(
            "risks_open",
            len(f.lists["risks_open"]),
            "个",
            "尚未化解的风险点",
            [ref(r) for r in f.lists["risks_open"]],
        )
        items.append(["风险防范仍有短板，研判中排查出的风险点尚有", unresolved, "未化解"])
    if f.lists.get("workplan_open"):
        open_plan = Figure(
            "workplan_open",
            len(f.lists["workplan_open"]),
            "项",
            "未完成的工作要点任务",
            [ref(x) for x in f.lists["workplan_open"]],
        )
        items.append(["年度目标任务完成不够全面，工作要点中尚有", open_plan, "任务未完成"])
    return items


def _next_steps(p: Prose, missed: list[Any], next_plan: list[Any], rules: list[Any]) -> list[list[Any]]:
    items: list[list[Any]] = []
    if next_plan:
        for x in next_plan[:6]:
            items.append([clip(x.text, 60)])
        return items
    if p.has("rectifications_open") or p.facts.lists.get("open_rectifications"):
        n = len(p.facts.lists.get("open_rectifications", []))
        if n:
            items.append([f"紧盯尚未完成的{n}个问题，逐项明确时限和责任人，确保按期整改销号"])
    names = list(dict.fromkeys(c.rule.name for c in missed))
    if names:
        items.append([f"把{listing(names, 2)}未落实到位的规定动作作为重点，按期按要求完成"])
    if rules:
        duties = listing([f"{r.name}{r.description.replace(' ', '')}" for r in rules[:3]], 3)
        items.append([f"严格对照意识形态工作责任制要求，做到{duties}"])
    return items


def _finish(b: d.Builder, unit_name: str, day: date) -> None:
    b.block(d.SIGNATURE, unit_name)
    b.block(d.DATE, cn_date(day))


def annual(
    unit: Any, year: int, *, user: Any = None, day: date | None = None, half: int | None = None
) -> d.Document:
    """年度意识形态工作总结 (or, with `half`, the 半年专题报告)."""
    period = half_period(year, half) if half else year_period(year)
    facts = collect(unit, period, user=user)
    kind = "half-year" if half else "annual"
    p = Prose(facts, kind, user)
    title = (
        f"{unit.name}{period.label}意识形态工作专题报告" if half else f"{unit.name}{year}年度意识形态工作总结"
    )
    doc = d.Document(kind, title, unit.name, day or date.today())
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    opening = p.pick(
        "坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实党中央关于意识形态工作的决策部署和上级有关要求，",
        "坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实上级关于意识形态工作的部署要求，",
    )
    manner = p.pick(
        "严格落实意识形态工作责任制，把意识形态工作与业务工作同部署、同落实、同检查。",
        "压紧压实意识形态工作责任，推动各项任务落地落实。",
    )
    closing = "现将有关情况报告如下。" if half else "现将全年工作情况总结如下。"
    until = period.end if period.end < date.today() else date.today()
    missed = missed_rules(unit, year, user=user, until=until)
    if half:
        missed = [c for c in missed if c.period.start >= period.start and c.period.end <= period.end]
    wrote = False
    b.block(d.BODY, f"{period.label}，{unit.name}{opening}{manner}{closing}")
    # positions stand whatever the year; the period's own records decide whether there is a year to tell
    recorded = any(fig.refs for key, fig in facts.figures.items() if key != "positions")
    wrote = recorded and _work(
        p, b, h, p.pick("主要工作开展情况", "工作开展情况") if not half else "工作开展情况"
    )
    if not wrote:
        # nothing recorded: say so, and write no problems or plans the records cannot support
        b.block(
            d.BODY,
            f"{period.label}，本单位台账中尚无意识形态工作的记录，暂不能形成{'报告' if half else '总结'}。请先在台账中记录{period.label}开展的各项工作，再重新生成。",
        )
        _finish(b, unit.name, doc.day)
        return doc
    problems = _problems(p, missed)
    h.one("存在的主要问题" if not half else "存在的问题")
    if problems:
        enumerate_items(b, problems)
    else:
        b.block(
            d.BODY,
            "对照意识形态工作责任制要求，"
            + ("本期" if half else "全年")
            + "各项规定动作均按期完成，台账中没有逾期未整改的问题。",
        )
    next_plan = facts.lists.get("next_plan", []) if not half else []
    rules = rules_of(unit, year + (0 if half else 1), user=user)
    steps = _next_steps(p, missed, next_plan, rules)
    if steps:
        h.one("下一步工作打算" if not half else "下一步工作安排")
        if next_plan:
            b.block(d.BODY, f"{year + 1}年，我们将重点抓好以下{len(steps)}个方面的工作：")
            for n, step in enumerate(steps, 1):
                b.block(
                    d.BODY, f"（{int_to_cn(n)}）", *step, "。" if not str(step[-1]).endswith("。") else ""
                )
        else:
            enumerate_items(b, steps)
    _finish(b, unit.name, doc.day)
    return doc


def build(
    kind: str,
    unit: Any,
    year: int,
    *,
    user: Any = None,
    half: int | None = None,
    quarter: int | None = None,
    day: date | None = None,
) -> d.Document:
    from . import writers_more

    if kind == "annual":
        return annual(unit, year, user=user, day=day)
    if kind == "half-year":
        return annual(unit, year, user=user, day=day, half=half or 1)
    return writers_more.build_other(kind, unit, year, user=user, quarter=quarter, day=day)


__all__ = ["annual", "build", "quarter_period"]
