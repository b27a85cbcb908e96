"""存在的主要问题 from every signal in the records (missed rules, recurring risks, 舆情 on one theme,
positions with repeated problems, drafts sent back, adoption at low levels, plan items not held, low
attendance, overdue rectifications), and what the measures answering them need: their owner and
their time limit, one source for every document that answers the same problems (the summary or
report that finds them and next year's key points)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .facts import Facts
from .prose import (
    Prose,
    clip,
    cn_date,
    day_of,
    inner,
    listing,
    md,
    merge_actions,
    own_name,
    person,
    rule_action,
    sibling_turn,
    unsettled,
)


def missed_text(p: Prose, cells: list[Any]) -> str:
    """8月未召开支委会；下半年专题报告12月26日才报送，晚于12月20日时限 — per rule, what did not happen."""
    by_rule: dict[str, list[Any]] = {}
    for c in cells:
        by_rule.setdefault(c.rule.id, []).append(c)
    parts = []
    reports = [r for r in p.facts.lists.get("reports", []) if r.kind == "half_year"]
    for cells_of in by_rule.values():
        rule = cells_of[0].rule
        if rule.id == "half-year-report":
            for c in cells_of:
                late = next((r for r in reports if c.period.start <= r.held_on <= c.period.end), None)
                if late and late.held_on > c.period.deadline:
                    parts.append(
                        f"{c.period.label}专题报告{md(late.held_on)}才报送，晚于{md(c.period.deadline)}的时限"
                    )
                else:
                    parts.append(f"{c.period.label}{rule_action(p, rule, False)}")
            continue
        if rule.period == "year":
            parts.append(rule_action(p, rule, False))
            continue
        total = {"month": 12, "quarter": 4}.get(rule.period, 0)
        if total and not p.facts.open and len(cells_of) >= total * 2 // 3 and len(cells_of) < total:
            # 全年仅1个月召开支委会: a near-total failure said as what little was done
            held = total - len(cells_of)
            unit = "个月" if rule.period == "month" else "个季度"
            parts.append(f"全年仅{held}{unit}{rule_action(p, rule, True)}")
        elif len(cells_of) <= 3:
            parts.append("、".join(c.period.label for c in cells_of) + rule_action(p, rule, False))
        else:
            unit = "个月" if rule.period == "month" else "个季度"
            parts.append(f"有{len(cells_of)}{unit}{rule_action(p, rule, False)}")
    # 全年仅1个月召开支委会、1个月召开党小组会: the shared words said once
    only = [x for x in parts if x.startswith("全年仅")]
    if len(only) > 1:
        merged = "全年仅" + "、".join(x.removeprefix("全年仅") for x in only)
        parts = [merged if x == only[0] else x for x in parts if x == only[0] or x not in only]
    return "，".join(parts[:5]) + ("等" if len(parts) > 5 else "")


@dataclass
class Problem:
    """A problem the records show, and what the measure that answers it needs."""

    kind: str
    text: list[Any]
    slots: dict[str, Any] = field(default_factory=dict)


def _theme_of(opinions: list[Any]) -> str:
    """What most of the 舆情 were about, each counted once (a 预警 item is not a 预报 one)."""
    themes: Counter[str] = Counter()
    for o in opinions:
        for words, theme in (
            (("预警",), "预警信息"),
            (("预报",), "天气预报"),
            (("服务", "热线"), "气象服务"),
        ):
            if any(w in o.summary for w in words):
                themes[theme] += 1
                break
    if not themes:
        return ""
    if (
        themes["预警信息"]
        and themes["天气预报"]
        and (themes["预警信息"] + themes["天气预报"]) * 2 > len(opinions)
    ):
        return "预报预警信息"
    theme, n = themes.most_common(1)[0]
    return theme if n * 2 > len(opinions) else ""


def owner_of(p: Prose, field_: str = "") -> str:
    """Who answers for a measure: the office the records name for that field, else the leader in
    charge (直接责任人) of the leading group, else the secretary."""
    for r in p.facts.lists.get("risks", []):
        if field_ and (field_ in r.field or field_ in r.description) and r.responsible_office:
            return r.responsible_office
    deputy = next((g for g in leading_group(p) if g.post == "deputy" and person(g)), None)
    if deputy:
        return f"{deputy.title or '分管领导'}{person(deputy)}"
    return p.sec


def find_problems(p: Prose, missed: list[Any]) -> list[Problem]:
    """The period's problems, most pressing first, six at most: each with its evidence and cause."""
    out: list[Problem] = []
    if missed:
        out.append(_missed_problem(p, missed))
    out += _risk_problems(p)
    for finder in (_opinion_problem, _positions_problem, _reviews_problem, _adoption_problem, _plan_problem):
        found = finder(p)
        if found:
            out.append(found)
    low = _low_attendance(p)
    if low:
        out.append(low)
    for finder in (_overdue_problem, _workplan_problem):
        found = finder(p)
        if found:
            out.append(found)
    # the weightiest evidence first, so that units with different records differ in order too
    out.sort(key=lambda pr: (-_weight(p, pr, missed), ORDER.index(pr.kind)))
    # one risk problem when there are enough others; six problems at most
    risky = [pr for pr in out if pr.kind == "risk"]
    if len(out) > 5 and len(risky) > 1:
        out.remove(risky[1])
    # a couple of drafts returned in review shows the review working: told only when little else is
    if len(out) > 4 and any(pr.kind == "reviews" for pr in out):
        out = [pr for pr in out if pr.kind != "reviews"]
    return out[:6]


def _weight(p: Prose, pr: Problem, missed: list[Any]) -> int:
    """How heavily the records bear on a problem: many items overdue or months missed, an open high
    risk or a missed adoption target weigh more than a theme of 舆情 or the findings of inspections."""
    f = p.facts
    if pr.kind == "overdue":
        return 2 + len(f.lists.get("overdue", []))
    if pr.kind == "missed":
        return 1 + len(missed)
    if pr.kind == "risk":
        return 6 if pr.slots.get("deadline") else 5 if pr.slots.get("recurring") else 3
    if pr.kind == "opinion":
        return 1 + int(f.value("opinions"))
    return {"adoption": 5, "plan": 4, "attendance": 4, "workplan": 3, "positions": 3}.get(pr.kind, 0)


ORDER = [
    "missed",
    "overdue",
    "risk",
    "opinion",
    "positions",
    "reviews",
    "adoption",
    "plan",
    "attendance",
    "workplan",
]


def _missed_problem(p: Prose, missed: list[Any]) -> Problem:
    f = p.facts
    items = missed_text(p, missed)
    if p.kind in ("annual", "half-year"):
        # the same requirement missed the year before: the last year's measure did not hold
        ids = {c.rule.id for c in missed}
        last = f.period.year - 1
        before = [c for c in _missed_where_practised(f.unit, last, p.user) if c.rule.id in ids]
        if before:
            items += f"，{last}年也出现过{missed_text(p, before[:3])}的情况，上年的整改措施没有落实到位"
    actions = "、".join(merge_actions(list(dict.fromkeys(rule_action(p, c.rule, True) for c in missed))[:3]))
    return Problem("missed", p.say("prob.missed", items=items), {"items": actions})


def _risk_problems(p: Prose) -> list[Problem]:
    """A risk point that recurs or was rated high; a high risk still being rectified comes first (it
    is what the superior asks about); a risk already answered as an overdue rectification is not
    told twice."""
    f = p.facts
    by_desc: dict[str, list[Any]] = {}
    for r in f.lists.get("risks", []):
        by_desc.setdefault(r.description.strip(), []).append(r)
    overdue_text = "".join(r.problem for r in f.lists.get("overdue", []))
    standing = {r.pk: r for r in f.lists.get("open_rectifications", [])}

    def open_rect(rs: list[Any]) -> Any:
        return next((standing[r.rectification_id] for r in rs if r.rectification_id in standing), None)

    # a risk point already 化解 on the cut-off comes after the open ones, and is told as 化解
    still = {rs[-1].pk for rs in unsettled(f)}
    recurring = sorted(
        (rs for desc, rs in by_desc.items() if desc not in overdue_text),
        key=lambda rs: (
            -(rs[-1].pk in still),  # one still open before one already 化解
            -(open_rect(rs) is not None and any(r.level == "high" for r in rs)),
            -(rs[-1].level == "high"),  # rated 高 the last time it was raised: rising, not fading
            -len(rs),
            -sum(r.level == "high" for r in rs),
        ),
    )
    out: list[Problem] = []
    for rs in recurring[:2]:
        highs = [r for r in rs if r.level == "high"]
        if len(rs) < 2 and not highs:
            continue
        if len(rs) < 2 and out:
            continue
        found = _risk_problem(p, rs, highs, open_rect(rs))
        if rs[-1].pk not in still:  # the work section counts it 化解: the problem says so too
            role = "prob.risk.settled" if len(rs) > 1 else "prob.risk.settled.one"
            found.text += p.say(role, head=False)
        out.append(found)
    return out


def _risk_problem(p: Prose, rs: list[Any], highs: list[Any], rect: Any) -> Problem:
    r0 = rs[0]
    cause = clip(r0.cause, 30) or "相关工作机制还不健全"
    rect_owner = (person(rect, "owner") or "") if rect else ""
    # the open rectification is a sentence of its own: inside the cause it would read as part of it
    rect_part = (
        [
            f"对应的整改{('由' + rect_owner + '负责，') if rect_owner else ''}时限为{cn_date(rect.deadline)}，目前尚未完成。"
        ]
        if rect
        else []
    )
    risk = inner(clip(r0.description, 30) or r0.description[:30])
    if len(rs) == 1:  # raised once, rated high: a high risk, not a recurring one
        when = md(r0.analysis.held_on)
        text = p.say("prob.risk.one", field=r0.field, risk=risk, when=when, cause=cause) + rect_part
    else:
        high: Any = ""
        if highs:
            high = ["，其中", p.count("risk_high", len(highs), "次", "评为高风险", highs), "被评为高风险"]
        times = p.count("risk_times", len(rs), "次", f"研判中提出“{r0.description}”", rs)
        text = p.say(
            "prob.risk",
            field=r0.field,
            risk=risk,
            span=p.span,
            times=times,
            high=high,
            cause=cause,
        )
        text += rect_part
    slots: dict[str, Any] = {
        "risk": inner(clip(r0.description, 30)),
        "field": r0.field,
        "owner": rect_owner or r0.responsible_office or owner_of(p),
        "measure": clip(r0.measure, 30) or "制定防范措施",
        "recurring": len(rs) > 1,
    }
    if rect:  # the rectification's own deadline is the measure's
        slots["deadline"] = rect.deadline
    return Problem("risk", text, slots)


def _opinion_problem(p: Prose) -> Problem | None:
    opinions = p.facts.lists.get("opinions", [])
    theme = _theme_of(opinions)
    if len(opinions) < 2 or not theme:
        return None
    text = p.say("prob.opinion", span=p.span, n=p.fig("opinions"), theme=theme)
    # a 舆情 that came from the unit's own system is a fault of its management, not of 科普
    faults = [o for o in opinions if "系统" in o.response or "系统" in o.summary]
    if faults:
        o = faults[0]
        text += [
            f"其中{md(o.found_on)}“{inner(clip(o.summary, 30) or o.summary[:30])}”源于发布系统，暴露出系统运行管理还有漏洞。"
        ]
    return Problem("opinion", text, {"theme": theme})


def _positions_problem(p: Prose) -> Problem | None:
    """Positions with repeated content problems."""
    f = p.facts
    if f.value("inspection_problems") < 3:
        return None
    inspections = f.lists.get("inspections", [])
    by_position: Counter[str] = Counter()
    for i in inspections:
        by_position[i.position.name] += i.problems
    names = [n for n, c in by_position.most_common(2) if c]
    top_records = [i for i in inspections if i.position.name in names and i.problems]
    top = p.count(
        "position_problems",
        sum(by_position[n] for n in names),
        "个",
        "问题较多的阵地检查发现问题",
        top_records,
    )
    where = "和".join(own_name(f.unit, n) for n in names)
    # the positions named hold all the problems found: said so, not as a part equal to the whole
    role = "prob.positions.all" if top.value == f.value("inspection_problems") else "prob.positions"
    text = p.say(role, span=p.span, problems=p.fig("inspection_problems"), top=top, where=where)
    return Problem("positions", text, {"where": where})


def _reviews_problem(p: Prose) -> Problem | None:
    if not p.has("reviews_rejected"):
        return None
    text = p.say("prob.reviews", span=p.span, n=p.fig("reviews"), rejected=p.fig("reviews_rejected"))
    return Problem("reviews", text, {})


def _adoption_problem(p: Prose) -> Problem | None:
    f = p.facts
    if not (p.has("adopted") and _adoption_weak(f)):
        return None
    target_n = adoption_target(f)
    target = f"距离工作要点提出的省级以上采用不少于{target_n}篇的目标还有差距，" if target_n else ""
    high = p.fig("adopted_high") if int(f.value("adopted_high")) else "0篇"
    text = p.say("prob.adoption", span=p.span, adopted=p.fig("adopted"), high=high, target=target)
    aim = f"力争省级以上媒体采用不少于{target_n}篇。" if target_n else "逐步提高省级以上媒体采用数量。"
    return Problem("adoption", text, {"target": aim})


def _plan_problem(p: Prose) -> Problem | None:
    missed_items = p.facts.lists.get("plan_items_missed", [])
    if not missed_items:
        return None
    topics = listing([i.topic.removeprefix("学习") for i in missed_items], 2)
    fig = p.count("plan_missed", len(missed_items), "个", "未按计划学习的专题", missed_items)
    return Problem("plan", p.say("prob.plan", items=p.fig("plan_items"), missed=fig, topics=topics), {})


def _overdue_problem(p: Prose) -> Problem | None:
    """The rectifications past their time limit: two by name (one owner said once), and how many
    there are when there are more."""
    overdue = p.facts.lists.get("overdue", [])
    if not overdue:
        return None
    shown = overdue[:2]
    owners = {rect_owner(p, r) for r in shown}
    time = time_limit(p, "overdue")
    texts = [f"“{problem_text(r)}”" for r in shown]
    if len(shown) > 1 and len(owners) == 1:  # one owner for both: said once
        [owner] = owners
        deadlines = "、".join(cn_date(r.deadline) for r in shown)
        items: list[Any] = [
            p.pick(
                "{texts}两项分别应在{deadlines}前整改到位，由{owner}负责，截至{until}仍未完成",
                "{owner}负责的{texts}两项整改，时限分别是{deadlines}，到{until}还没有完成",
            ).format(texts="和".join(texts), deadlines=deadlines, owner=owner, until=p.until)
        ]
        answer = f"{'和'.join(texts)}两项由{owner}负责，{time}前整改到位"
    else:
        items = [_overdue_item(p, r) for r in shown]
        items = ["；".join(items)]
        answer = "；".join(
            p.pick(
                "{text}由{owner}负责，{time}前整改到位",
                "{owner}对{text}的问题抓紧整改，{time}前完成",
                "{time}前，{owner}完成{text}的整改",
            ).format(text=text, owner=rect_owner(p, r), time=time)
            for r, text in zip(shown, texts, strict=True)
        )
    if len(overdue) > len(shown):
        many = p.count("overdue_all", len(overdue), "个", "超过整改时限仍未完成的问题", overdue)
        items = ["超过整改时限仍未完成的问题有", many, "，其中", *items]  # 截至12月31日 in the items
    text = p.say("prob.overdue", items=items) + _promised_before(p, overdue)
    return Problem("overdue", text, {"items": answer})


def _promised_before(p: Prose, overdue: list[Any]) -> list[Any]:
    """Items already past their limit before the period began were promised again then: the report
    says that the earlier promise was not kept, rather than repeating it as new."""
    before = [r for r in overdue if r.deadline < p.facts.period.start]
    if not before:
        return []
    lead = "上年" if p.facts.period.start.month == 1 else "此前"
    tail = "已超过整改时限，当时提出的限期整改至今没有兑现，说明原定的整改措施没有落到实处。"
    if len(before) == len(overdue):
        return [("这些问题" + lead + "均" if len(before) > 1 else "这一问题" + lead) + tail]
    fig = p.count("overdue_before", len(before), "个", "上一阶段已超过时限的整改", before)
    return ["其中", fig, lead + tail]


def _overdue_item(p: Prose, r: Any) -> str:
    return p.pick(
        "“{text}”的问题整改时限为{deadline}，由{owner}负责，截至{until}仍未完成",
        "{owner}负责整改的“{text}”问题，时限是{deadline}，到{until}还没有完成",
        "“{text}”一项应在{deadline}前整改到位，责任人{owner}截至{until}仍在整改中",
    ).format(text=problem_text(r), deadline=cn_date(r.deadline), until=p.until, owner=rect_owner(p, r))


def _workplan_problem(p: Prose) -> Problem | None:
    open_plan = p.facts.lists.get("workplan_open", [])
    if not open_plan:
        return None
    items = "；".join(
        f"“{clip(x.text, 30) or x.text[:30]}”"
        + (f"应于{md(x.due_on)}前完成，尚未完成" if x.due_on else "尚未完成")
        for x in open_plan[:2]
    )
    return Problem("workplan", p.say("prob.workplan", items=items), {})


def drop_held(unit: Any, cells: list[Any], user: Any = None) -> list[Any]:
    """The missed periods, without the 支委会 months in which a branch's committee met to study
    ideology work (recorded as a 专题研究 meeting): that meeting is a 支委会 too, and the document
    that tells of it does not also say that no 支委会 met that month."""
    if getattr(unit, "org_type", "") not in ("branch", "general_branch"):
        return cells
    from taizhang.ledger import models as lm

    from .facts import Reader

    committee = [c for c in cells if c.rule.id == "branch-committee"]
    if not committee:
        return cells
    days = {day_of(r) for r in Reader(unit, user)(lm.Meeting).filter(kind="party_group")}
    held = [c for c in committee if any(c.period.start <= x <= c.period.end for x in days)]
    return [c for c in cells if c not in held]


def _missed_where_practised(unit: Any, year: int, user: Any) -> list[Any]:
    """A year's missed periods of the rules the unit did keep in other periods of it: a rule with
    no period met at all says more about what was recorded that year than about a recurring gap."""
    from taizhang.rules.engine import MET, MISSED
    from taizhang.rules.services import evaluate_units

    [result] = evaluate_units([unit], year, user=user, today=date(year, 12, 31))
    out: list[Any] = []
    for cells in result.cells.values():
        if any(c.status == MET for c in cells):
            out += [c for c in cells if c.status == MISSED]
    return drop_held(unit, out, user)


def problem_text(r: Any) -> str:
    """A rectification's problem as the text cites it: without a field label (网络舆论：……)."""
    text = re.sub(r"^[^：:，。]{2,8}[：:]", "", inner(r.problem.strip()))
    return clip(text, 30) or text[:30]


def _adoption_weak(f: Facts) -> bool:
    """Adoption below the key points' target, or (without one) mostly at low levels."""
    adopted, high, target = int(f.value("adopted")), int(f.value("adopted_high")), adoption_target(f)
    if target:
        return high < target
    return adopted >= 4 and high * 3 < adopted


def adoption_target(f: Facts) -> int:
    """省级以上采用不少于8篇: the target the year's key points set for adoption, if they set one."""
    for item in f.figure("workplan").records if "workplan" in f.figures else []:
        m = re.search(r"省级以上[^，。；]*?不少于(\d+)篇", item.text)
        if m:
            return int(m.group(1))
    return 0


def _low_attendance(p: Prose) -> Problem | None:
    """A kind of study session whose attendance falls clearly below the average of all of them."""
    from taizhang.ledger.models.meetings import STUDY_KINDS, MeetingKind

    rows = [r for r in p.facts.lists.get("meetings", []) if r.kind in STUDY_KINDS and r.expected]
    if len(rows) < 6:
        return None
    total = sum(r.present for r in rows) / sum(r.expected for r in rows)
    by_kind: dict[str, list[Any]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    rates = {
        k: sum(r.present for r in v) / sum(r.expected for r in v) for k, v in by_kind.items() if len(v) >= 3
    }
    if not rates:
        return None
    kind, rate = min(rates.items(), key=lambda kv: kv[1])
    if rate >= 0.9 or total - rate < 0.03:
        return None
    label = MeetingKind(kind).label
    pct = lambda x: Decimal(round(x * 100))  # noqa: E731
    r_fig = p.count("attendance", pct(rate), "%", f"{label}到会率", by_kind[kind])
    a_fig = p.count("attendance", pct(total), "%", "集中学习平均到会率", rows)
    return Problem("attendance", p.say("prob.attendance", kind=label, rate=r_fig, avg=a_fig), {"kind": label})


# how long each kind of measure is given, in months from when the measures begin: the same in the
# summary or report that finds a problem and in the key points that answer it
WITHIN = {
    "missed": 1, "overdue": 1, "open": 3, "plan": 1, "opinion": 3, "attendance": 3, "workplan": 3, "risk": 6,
    "positions": 6, "reviews": 6, "adoption": 12,
}  # fmt: skip


def measures_begin(f: Facts) -> date:
    """When the measures answering a period's problems begin: the day after the period (the new
    year, or July after the first half), or the document's own day when that is later."""
    return max(f.period.end + timedelta(days=1), f.as_of or f.cutoff)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def time_limit(p: Prose, kind: str, deadline: date | None = None) -> str:
    """The time limit of the measure answering a problem of `kind` (a rectification's own deadline
    where the problem has one): the end of the month its months run out in, counted from the
    month the measures begin in, at least ten days ahead and within that year. 2027年3月底 — the year left out inside the
    period's own year."""
    begin = measures_begin(p.facts)
    if deadline is not None and deadline >= begin:
        stated, year = md(deadline), deadline.year
    else:
        start = begin.replace(day=1)  # counted in whole months: 1月底, 3月底, 6月底
        # measures beginning in July (after the first half) have half a year: half the months
        months = max(1, round(WITHIN.get(kind, 3) * (13 - start.month) / 12))
        end = min(start + timedelta(days=30 * months - 1), date(begin.year, 12, 31))
        due = _month_end(end)
        if (due - begin).days < 10:
            due = _month_end(due + timedelta(days=1))
        stated, year = f"{due.month}月底", due.year
    return stated if year == p.facts.period.year else f"{year}年{stated}"


def rect_owner(p: Prose, r: Any) -> str:
    """副局长李明华: who answers for a rectification, with the title the leading group gives them."""
    name = person(r, "owner")
    if not name:
        return owner_of(p)
    titles = {g.person_id: g.title for g in leading_group(p) if getattr(g, "person_id", None) and g.title}
    return f"{titles.get(r.owner_id, '')}{name}"


COVERS = {  # which plan items a problem's measure already answers (so they are not listed twice)
    "missed": ("支委会", "党小组", "主题党日", "党员大会", "专题研究"),
    "risk": ("研判",),
    "positions": ("阵地",),
    "reviews": ("审",),
    "adoption": ("投稿", "采用"),
    "plan": ("学习计划",),
    "attendance": ("集中学习",),
}


def leading_group(p: Prose) -> list[Any]:
    """The year's leading group, also for a half-year report (whose facts do not list it): who
    answers for a measure is named alike in every document."""
    f = p.facts
    if "group" in f.lists:
        return list(f.lists["group"])
    if "year_group" not in f.lists:
        from taizhang.ledger import models as lm

        from .facts import Reader

        read = Reader(f.unit, p.user)(lm.LeadingGroupMember)
        f.lists["year_group"] = list(read.filter(year=f.period.year).select_related("person"))
    return list(f.lists["year_group"])


def secretary(p: Prose) -> str:
    """支部书记王建国: the secretary by name where the leading group records one."""
    leader = next((g for g in leading_group(p) if g.post == "leader" and person(g)), None)
    return f"{p.sec}{person(leader)}" if leader else p.sec


def measure_owner(p: Prose, pr: Problem) -> str:
    """Who answers for the measure of a problem: the same office in the report and in the key points."""
    if pr.slots.get("owner"):
        return str(pr.slots["owner"])
    if pr.kind in ("plan", "attendance", "missed"):
        return secretary(p)
    fields = {"positions": "阵地", "reviews": "信息发布", "adoption": "宣传", "opinion": "网络舆论"}
    return owner_of(p, fields.get(pr.kind, ""))


def measure(p: Prose, pr: Problem) -> list[Any]:
    """The measure answering a problem, without its headline: the same measure, owner and time limit
    in every document that answers the problem for the same year (the phrasing is chosen for the
    unit, the year the measures begin in and the problem, not for the document)."""
    slots = {k: v for k, v in pr.slots.items() if k not in ("owner", "cells", "deadline")}
    slots["owner"] = measure_owner(p, pr)
    slots["time"] = time_limit(p, pr.kind, pr.slots.get("deadline"))
    # the unit's turn for the year the measures begin in: siblings' measures differ, and each of a
    # unit's documents that promises this measure words it alike
    turn = sibling_turn(p.facts.unit, f"next.{pr.kind}", measures_begin(p.facts).year)
    return p.say(f"next.{pr.kind}", head=False, turn=turn, **slots)
