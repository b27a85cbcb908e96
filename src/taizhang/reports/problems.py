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
from .phrases import PHRASES
from .prose import (
    Prose,
    by_limit,
    clip,
    cn_date,
    dated,
    day_of,
    inner,
    listing,
    md,
    merge_actions,
    month_end,
    ourselves,
    own_name,
    person,
    rule_action,
    sibling_turn,
    titled,
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
    # a part with a comma of its own (晚于12月20日的时限) is set off by semicolons, not run on
    sep = "；" if any("，" in x for x in parts[:5]) else "，"
    return sep.join(parts[:5]) + ("等" if len(parts) > 5 else "")


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
    charge (直接责任人) of the leading group, else the secretary. The year's 责任清单 comes first (who
    is in charge of 宣传 is one person in every document of the year, whatever the period's risks)."""
    name = _duty_person(p, field_)
    if name:
        return titled(leading_group(p), name)
    for r in p.facts.lists.get("risks", []):
        if field_ and (field_ in r.field or field_ in r.description) and r.responsible_office:
            return office_person(p, r.responsible_office)
    deputy = next((g for g in leading_group(p) if g.post == "deputy" and person(g)), None)
    if deputy:
        return f"{deputy.title or '分管领导'}{person(deputy)}"
    return p.sec


def office_person(p: Prose, office: str) -> str:
    """办公室主任张晓燕: the person the records put over an office — the leading group member whose
    post names it, else the one whose duties cover its field (业务科: the leader over 业务); the
    office alone where the records know no one."""
    people = [g for g in leading_group(p) if person(g)]
    post = next((g for g in people if g.title and office in g.title), None)
    if post:
        return f"{post.title}{person(post)}"
    name = _duty_person(p, office.removesuffix("科").removesuffix("室"))
    return titled(people, name) if name else office


def _duty_person(p: Prose, field_: str) -> str:
    """Who the year's 责任清单 puts in charge of a field (宣传, 业务), or nothing."""
    duty = next((x for x in _duties(p) if field_ and field_ in (x.field or "") and person(x)), None)
    return person(duty) if duty is not None else ""


def _duties(p: Prose) -> list[Any]:
    """The year's responsibility items (also for a half-year report, whose facts do not list them)."""
    f = p.facts
    if "duties" in f.figures:
        return list(f.figure("duties").records)
    if "year_duties" not in f.lists:
        from taizhang.ledger import models as lm

        from .facts import Reader

        read = Reader(f.unit, p.user)(lm.ResponsibilityItem)
        f.lists["year_duties"] = list(read.filter(year=f.period.year).select_related("person"))
    return list(f.lists["year_duties"])


def find_problems(p: Prose, missed: list[Any]) -> list[Problem]:
    """The period's problems, most pressing first, six at most: each with its evidence and cause."""
    out: list[Problem] = []
    if missed:
        out.append(_missed_problem(p, missed))
    risks = _risk_problems(p)  # in their own order: a 高 risk before a recurring lower one
    out += risks
    for finder in (_opinion_problem, _positions_problem, _reviews_problem, _adoption_problem, _plan_problem):
        found = finder(p)
        if found:
            out.append(found)
    low = _low_attendance(p)
    if low:
        out.append(low)
    for finder in (_overdue_problem, _recur_problem, _workplan_problem):
        found = finder(p)
        if found:
            out.append(found)
    # the weightiest evidence first, so that units with different records differ in order too
    out.sort(key=lambda pr: (-_weight(p, pr, missed), ORDER.index(pr.kind)))
    # one risk problem when there are enough others; six problems at most
    if len(out) > 5 and len(risks) > 1:
        out.remove(risks[1])
    # a couple of drafts returned in review shows the review working: told only when little else is
    f = p.facts
    few = f.value("reviews_rejected") * 10 < f.value("reviews") if "reviews" in f.figures else False
    if any(pr.kind == "reviews" for pr in out) and (len(out) > 4 or (few and len(out) > 2)):
        out = [pr for pr in out if pr.kind != "reviews"]  # one draft in twenty returned is no problem
    return out[:6]


def _weight(p: Prose, pr: Problem, missed: list[Any]) -> int:
    """How heavily the records bear on a problem: many items overdue or months missed, an open high
    risk or a missed adoption target weigh more than a theme of 舆情 or the findings of inspections."""
    f = p.facts
    if pr.kind == "overdue":
        return 2 + len(f.lists.get("overdue", []))
    if pr.kind == "missed":  # missed again after last year's measure: as heavy as a theme of 舆情
        return 1 + len(missed) + (2 if pr.slots.get("again") else 0)
    if pr.kind == "risk":
        return 6 if pr.slots.get("deadline") else 5 if pr.slots.get("recurring") else 3
    if pr.kind == "opinion":
        return 1 + int(f.value("opinions"))
    return {"adoption": 5, "plan": 4, "attendance": 4, "workplan": 3, "positions": 3, "recur": 3}.get(
        pr.kind, 0
    )


ORDER = [
    "missed",
    "overdue",
    "recur",
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
    # the same requirement missed the year before: the last year's measure did not hold, and the
    # measure answering it now is another one (next.missed.again), alike in the key points
    ids = {c.rule.id for c in missed}
    last = f.period.year - 1
    before = [c for c in _missed_where_practised(f.unit, last, p.user) if c.rule.id in ids]
    again = bool(before) and p.kind in ("annual", "half-year")
    if again:  # its cause goes past last year's: the same slip again is a matter of how work is held to
        items += f"，{last}年也出现过{missed_text(p, before[:3])}的情况"
    actions = "、".join(merge_actions(list(dict.fromkeys(rule_action(p, c.rule, True) for c in missed))[:3]))
    text = p.say("prob.missed.again" if again else "prob.missed", items=items)
    return Problem("missed", text, {"items": actions, "again": bool(before)})


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
            -any(r.level == "high" for r in rs),  # a 高 risk is told before a recurring lower one
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
    owner_name = rect_owner(p, rect) if rect and person(rect, "owner") else ""
    # the open rectification is a sentence of its own: inside the cause it would read as part of it
    rect_part: list[Any] = []
    if rect:  # within its time limit it is under way, not a failure; past it, it is late
        who = f"由{owner_name}负责，" if owner_name else ""
        state = "正在推进" if rect.deadline >= p.facts.cutoff else f"截至{p.until}仍未完成"
        rect_part = [f"对应的整改{who}时限为{dated(rect.deadline, p.facts.period.year)}，{state}。"]
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
        "owner": owner_name
        or (office_person(p, r0.responsible_office) if r0.responsible_office else owner_of(p)),
        "measure": clip(r0.measure, 30) or "制定防范措施",
        "recurring": len(rs) > 1,
    }
    if rect:  # the rectification's own deadline is the measure's
        slots["deadline"] = rect.deadline
    elif (set_at := _analysis_due(p, rs[-1])) is not None:  # the last analysis's own date for it
        slots["deadline"], slots["set_on"] = set_at[1], set_at[0]
    slots["since"] = _measure_since(p, r0)
    earlier = _raised_before(p, r0)
    if earlier:  # counted as the analysis report counts it: every time since it was first raised
        before = (
            f"{cn_date(earlier[0])}的研判"
            if len(earlier) == 1
            else f"此前{cn_date(earlier[0])}起的{len(earlier)}次研判"
        )
        text += [f"加上{before}，这一风险点已累计{len(earlier) + len(rs)}次列入研判。"]
    return Problem("risk", text, slots)


def _analysis_due(p: Prose, r: Any) -> tuple[date, date] | None:
    """(the analysis, its date) when the period's last analysis raising risk `r` set its measure a
    date still ahead on the cut-off — the end of the quarter after its own, as that analysis report
    says — so that a later document keeps that date, not a new one."""
    from .facts import quarter_period

    held = r.analysis.held_on
    q = (held.month - 1) // 3 + 1
    due = quarter_period(held.year, q + 1).end if q < 4 else date(held.year + 1, 3, 31)
    return (held, due) if p.facts.open and due > p.facts.cutoff else None


def _raised_before(p: Prose, r0: Any) -> list[date]:
    """The days of the analyses before the period that raised the same risk point."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    return list(
        Reader(p.facts.unit, p.user)(lm.Risk)
        .filter(
            description=r0.description,
            analysis__held_on__lt=p.facts.period.start,
            deleted_at__isnull=True,
        )
        .order_by("analysis__held_on")
        .values_list("analysis__held_on", flat=True)
    )


def _measure_since(p: Prose, r0: Any) -> date | None:
    """When the same measure for the same risk point was first set at an earlier period's analysis:
    the measure is then said to be set again, not written as new (years before, alike in every
    document of the year)."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    if not clip(r0.measure, 30):
        return None
    earlier = (
        Reader(p.facts.unit, p.user)(lm.Risk)
        .filter(
            description=r0.description,
            measure=r0.measure,
            analysis__held_on__lt=date(p.facts.period.start.year, 1, 1),  # alike in H2 and the year
            deleted_at__isnull=True,
        )
        .order_by("analysis__held_on")
        .values_list("analysis__held_on", flat=True)
        .first()
    )
    return earlier


def _opinion_problem(p: Prose) -> Problem | None:
    opinions = p.facts.lists.get("opinions", [])
    theme = _theme_of(opinions)
    if len(opinions) < 2 or not theme:
        return None
    text = p.say("prob.opinion", span=p.span, n=p.fig("opinions"), theme=theme)
    # a 舆情 from the unit's own system or terminal is a fault of its management, and one spread by
    # an old picture a matter of 辟谣, not of 科普: said apart, each with its day
    told = [(o, k) for o in opinions if (k := _opinion_cause(o))]
    if told:
        parts = [f"{md(o.found_on)}一起{OPINION_CAUSES[k][0]}" for o, k in told[:2]]
        # a rumour answered at once (第一时间) was not answered late: its lesson is finding it sooner
        lessons = "、".join(
            dict.fromkeys(
                "对不实信息的监测发现还不够早"
                if k == "rumour" and re.search("第一时间|当即|迅速", o.response)
                else OPINION_CAUSES[k][1]
                for o, k in told[:2]
            )
        )
        text += [f"其中{'，'.join(parts)}，暴露出{lessons}。"]
    return Problem("opinion", text, {"theme": theme})


# what a 舆情 came of, where its record says, and the lesson it teaches
OPINION_CAUSES = {
    "system": ("源于发布系统", "系统运行管理还有漏洞"),
    "device": ("源于发布终端显示未及时更新", "终端运维存在短板"),
    "rumour": ("由网上转发不实信息引发", "辟谣和权威发布还不够及时"),
}


def _opinion_cause(o: Any) -> str:
    said = f"{o.summary}{o.response}"
    if "系统" in said:
        return "system"
    if "终端" in said or "设备" in said:
        return "device"
    if re.search("截图|谣|不实|往年", said):
        return "rumour"
    return ""


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
    worst = [own_name(f.unit, n) for n in _worst_positions(p)] or [where]
    return Problem(
        "positions",
        text,
        {"where": "和".join(["、".join(worst[:-1]), worst[-1]] if len(worst) > 1 else worst)},
    )


def _worst_positions(p: Prose) -> list[str]:
    """The positions a 专项整治 names, alike in the year's summary, its second half's report and the
    next key points: the two with most problems found over the year to the cut-off, then the two
    of its last half-year (three at most)."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    f = p.facts
    end = min(f.period.end, f.cutoff)
    rows = list(
        Reader(f.unit, p.user)(lm.PositionInspection)
        .filter(inspected_on__year=end.year, inspected_on__lte=end)
        .order_by("inspected_on", "pk")
        .values_list("inspected_on", "problems", "position__name")
    )

    def top(since: date) -> list[str]:  # as the problems section counts them (first found first)
        counts: Counter[str] = Counter()
        for day, n, name in rows:
            if day >= since:
                counts[name] += n
        return [n for n, c in counts.most_common(2) if c]

    half = date(end.year, 7, 1) if end.month > 6 else date(end.year, 1, 1)
    return list(dict.fromkeys([*top(date(end.year, 1, 1)), *top(half)]))[:3]


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
    if p.kind == "half-year" and f.period.start.month == 7:  # the year's target, by the year so far
        so_far, target_n = _adoption_so_far(p)
        if target_n and so_far < target_n:
            target = f"年初至今省级以上累计{so_far}篇，距工作要点提出的全年不少于{target_n}篇的目标还差{target_n - so_far}篇，"
    high = p.fig("adopted_high") if int(f.value("adopted_high")) else "0篇"
    text = p.say("prob.adoption", span=p.span, adopted=p.fig("adopted"), high=high, target=target)
    aim = f"力争省级以上媒体采用不少于{target_n}篇。" if target_n else "逐步提高省级以上媒体采用数量。"
    return Problem("adoption", text, {"target": aim})


def _adoption_so_far(p: Prose) -> tuple[int, int]:
    """The year's provincial-level adoptions to the cut-off and its key points' target (a second
    half's report weighs the half against the year's aim)."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    f = p.facts
    read = Reader(f.unit, p.user)
    adopted = read.of_year(lm.Submission, f.period.year).filter(
        status="adopted", level__in=("central", "province"), submitted_on__lte=f.cutoff
    )
    day = f.as_of or date.max
    so_far = sum(1 for s in adopted.only("published_on") if s.published_on is None or s.published_on <= day)
    return so_far, _target_in(read.of_year(lm.WorkPlanItem, f.period.year).values_list("text", flat=True))


def _plan_problem(p: Prose) -> Problem | None:
    missed_items = p.facts.lists.get("plan_items_missed", [])
    if not missed_items:
        return None
    topics = listing([i.topic.removeprefix("学习") for i in missed_items], 2)
    fig = p.count("plan_missed", len(missed_items), "个", "未按计划学习的专题", missed_items)
    return Problem("plan", p.say("prob.plan", items=p.fig("plan_items"), missed=fig, topics=topics), {})


def overdue_named(f: Facts) -> list[Any]:
    """The overdue items a document names, earliest time limit first: every one up to six, else the
    five earliest (the rest counted). The work section's 整改 paragraph and the problems section name
    these same items, in this order."""
    overdue = list(f.lists.get("overdue", []))
    return overdue if len(overdue) <= 6 else overdue[:5]


def rect_label(r: Any, among: list[Any]) -> str:
    """“汛期预报偏差……” — told apart by where and when it was found when another record the document
    names bears the same words (2025年3月12日分析研判中提出的“……”)."""
    text = problem_text(r)
    if not any(x is not r and x.pk != r.pk and problem_text(x) == text for x in among):
        return f"“{text}”"
    source = r.get_source_display().replace("民主生活会", "生活会")
    return f"{cn_date(r.found_on)}{source}中提出的“{text}”"


def rect_pool(f: Facts) -> list[Any]:
    """Every open rectification a document may name: found in the period, or found before it."""
    return (
        [*f.figure("rectifications_open").records, *f.lists.get("open_rectifications", [])]
        if ("rectifications_open" in f.figures)
        else list(f.lists.get("open_rectifications", []))
    )


def promised_before(f: Facts, r: Any) -> bool:
    """Already past its limit when the half-year of the cut-off began: the report or summary written
    then had it late already, and the same limit cannot be promised again (alike in the year's
    summary, its second half's report and the next key points)."""
    last = f.cutoff
    return bool(r.deadline < date(last.year, 7 if last.month > 6 else 1, 1))


def reset_before(f: Facts, r: Any) -> bool:
    """Already past its limit a half-year before the one of the cut-off: the documents of the
    previous half-year set it a new limit under the secretary's 挂牌督办, and that was missed too."""
    last = f.cutoff
    start = date(last.year, 7 if last.month > 6 else 1, 1)
    prev = date(start.year - 1, 7, 1) if start.month == 1 else date(start.year, 1, 1)
    return bool(r.deadline < prev)


def _overdue_problem(p: Prose) -> Problem | None:
    """The rectifications past their time limit, earliest first: each with its owner and the limit it
    missed; those already late before the period are said to be a promise not kept."""
    f = p.facts
    overdue = f.lists.get("overdue", [])
    if not overdue:
        return None
    shown, among = overdue_named(f), rect_pool(f)
    folded = f.lists.get("folded", [])
    limit = f.cutoff

    def again(r: Any) -> str:  # the same problem listed again, its own limit past too
        late = [x for pk, x in folded if pk == r.pk and x.deadline < limit]
        return "".join(f"；{cn_date(x.found_on)}再次列入，时限{cn_date(x.deadline)}，也已超期" for x in late)

    listed = "、".join(
        f"{rect_label(r, among)}（责任人{rect_owner(p, r)}，原定{cn_date(r.deadline)}完成{again(r)}）"
        for r in shown
    )
    many = p.count("overdue_all", len(overdue), "个", "超过整改时限仍未完成的问题", overdue)
    if len(overdue) == 1:
        items: list[Any] = [f"截至{p.until}，{listed}已超过整改时限，仍未完成"]
    elif len(shown) == len(overdue):
        items = [f"截至{p.until}，超过整改时限仍未完成的问题有", many, f"，分别是{listed}"]
    else:
        items = [
            f"截至{p.until}，超过整改时限仍未完成的问题有",
            many,
            f"，其中时限最早的{len(shown)}个是{listed}",
        ]
    text = p.say("prob.overdue", items=items) + _promised_before(p, overdue) + _after_analysis(p, overdue)
    return Problem("overdue", text, {"items": overdue_answer(p, shown)})


def _after_analysis(p: Prose, overdue: list[Any]) -> list[str]:
    """The period's last analysis, a month or more before the cut-off, already had these items
    late: the analysis report asked for them again, and the document says they are still open."""
    f = p.facts
    held = [a.held_on for a in f.lists.get("analyses", []) if (f.cutoff - a.held_on).days >= 30]
    if not held:
        return []
    asked = _asked_by(p, held[-1])
    late = [r for r in overdue if r.deadline < held[-1] and asked(r)]
    if not late:
        return []
    limit = analysis_limit(held[-1])  # what that analysis's report asked for them
    said: dict[str, Any] = {"when": md(held[-1]), "limit": md(limit), "n": len(late)}
    if len(late) == len(overdue):
        said["who"] = "这些问题" if len(late) > 1 else "这一问题"
        role = "prob.after_analysis.all"
    else:
        role = "prob.after_analysis.some"
    if limit <= f.cutoff:  # that limit has passed too
        role += ".passed"
    return ["".join(str(x) for x in p.say(role, **said))]


def _asked_by(p: Prose, day: date) -> Any:
    """Whether the analysis of `day` asked for an overdue item anew (one query, then a test per
    item): it answers one of that analysis's risks, or of the one before (a risk dropped is
    re-assessed with its item), by its link or by its words. An item about nothing the analysis
    weighed was not asked for there."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    risks = list(
        Reader(p.facts.unit, p.user)(lm.Risk)
        .filter(analysis__held_on__lte=day)
        .values_list("analysis__held_on", "description", "rectification_id")
    )
    if not risks:
        return lambda rect: True  # the records hold no risks to tell by: as the analysis's report says
    days = sorted({held for held, *_ in risks})[-2:]
    weighed = {text.strip() for held, text, _ in risks if held in days}
    linked = {pk for _, text, pk in risks if text.strip() in weighed and pk}
    return lambda rect: rect.pk in linked or any(w and w in rect.problem for w in weighed)


# an earlier promise not kept, said in the unit's own turn (sibling units read side by side differ)
PROMISE_TAILS = (
    "就已超过整改时限，当时作出的限期整改承诺没有兑现，原定的整改措施没有落到实处。",
    "就已超过整改时限，此前作出的限期整改承诺至今没有兑现，整改措施停留在纸面上。",
    "就已超过整改时限，限期整改的承诺没有兑现，整改责任没有真正压到责任人身上。",
)


def _promised_before(p: Prose, overdue: list[Any]) -> list[Any]:
    """Items already past their limit before the period began were promised then: the report says
    that the earlier promise was not kept, rather than repeating it as new. They come first (the
    list runs by time limit), so a count of them reads as the first of those named."""
    before = [r for r in overdue if promised_before(p.facts, r)]
    if not before:
        return []
    f = p.facts
    lead = "此前" if f.period.start.month > 1 else "上半年"  # before the half-year of the cut-off
    if all(r.deadline < f.period.start for r in before):
        lead = "上年" if f.period.start.month == 1 else "此前"
    tail = PROMISE_TAILS[family_turn(f.unit, "prob.promised", f.period.year) % len(PROMISE_TAILS)]
    twice = [r for r in before if reset_before(f, r)]
    said: list[Any] = []
    if twice:  # the new limit and the 挂牌督办 of the documents before were missed as well
        shown = overdue_named(f)
        names = "、".join(rect_label(r, rect_pool(f)) for r in twice)
        if len(shown) > 1 and twice == shown[: len(twice)]:  # just listed: not named a second time
            names = "这些问题" if len(twice) == len(shown) else f"前{len(twice)}项"
        # the document of the half-year before set that limit: the first half's report in a second
        # half, last year's summary in a first half
        where = "上半年专题报告" if f.cutoff.month > 6 else "上年总结"
        # re-dated by two documents already, not each under the same 挂牌督办: said as 加强督办
        if max(_halves_since(r.deadline, f.cutoff) for r in twice) >= 3:
            said = [
                f"{names}原定时限过后，{_reset_by(f, 1)}、{_reset_by(f)}先后重新限期，并加强督办，"
                "新的时限也已过去，问题仍未解决，督办没有起到应有的作用。"
            ]
        else:
            said = [
                f"{names}原定时限过后，{where}已重新限期，并由{secretary(p)}挂牌督办，新的时限也已过去，"
                "问题仍未解决，挂牌督办没有起到应有的作用。"
            ]
        before = [r for r in before if r not in twice]
        if not before:
            return said
    if said:  # the judgement is the sentence before's: the others only said to be promised too
        return [
            *said,
            "、".join(rect_label(r, rect_pool(f)) for r in before)
            + lead
            + "就已超过整改时限，当时的整改承诺同样没有兑现。",
        ]
    if len(before) == len(overdue):
        return [("这些问题" + lead + "就均已" if len(before) > 1 else "这一问题" + lead + "就已") + tail[2:]]
    if len(before) == 1:
        return [f"其中{rect_label(before[0], rect_pool(p.facts))}{lead}{tail}"]
    fig = p.count("overdue_before", len(before), "个", "上一阶段已超过时限的整改", before)
    return ["其中前", fig, lead + tail]


# how many days an overdue item is given anew, by where it was found: what a superior, a 巡察 or an
# inspection found is answered sooner than what the unit found itself
SOURCE_DAYS = {"superior": 15, "patrol": 15, "inspection": 20, "analysis": 30, "self": 30, "life_meeting": 30}


def rect_due(p: Prose, r: Any) -> date:
    """The new time limit of an overdue item, from the item itself: the days its source gives, and a
    third of the days it was first given (its size); two thirds of that for one already promised
    once, less again the longer it has stood open; counted from when the measures begin."""
    begin = measures_begin(p.facts)
    text = problem_text(r)
    for x in rect_pool(p.facts):  # raised again since and still open, with a limit still ahead
        if x.pk != r.pk and x.found_on > r.found_on and x.deadline >= begin and problem_text(x) == text:
            return x.deadline
    return _set_at_analysis(p, r) or _due_from(p, r, begin)


def _set_at_analysis(p: Prose, r: Any) -> date | None:
    """Written before its period ends, after the period's analysis that already had the item late: the
    limit that analysis's report set it (the end of the month after the analysis, as its report
    asks), while still ahead — never a later one beside it, as if the analysis had asked for nothing."""
    f = p.facts
    if not f.open:
        return None
    held = [a.held_on for a in f.lists.get("analyses", []) if r.deadline < a.held_on <= f.cutoff]
    due = analysis_limit(held[-1]) if held else None
    return due if due and due >= f.cutoff else None


def analysis_limit(day: date) -> date:
    """The limit an analysis held on `day` sets its overdue items: the last day of the month after it
    (10月10日 → 11月30日), in the analysis report and in the documents written after it."""
    return month_end(month_end(day) + timedelta(days=1))


def _due_from(p: Prose, r: Any, begin: date) -> date:
    days = SOURCE_DAYS.get(r.source, 30) + (r.deadline - r.found_on).days // 3
    if promised_before(p.facts, r):
        days = days * 2 // 3 - min(10, (begin - r.deadline).days // 60)
    # a limit of the document's own is a month's end (2027年1月底前), never a weekend's odd day
    return month_end(begin + timedelta(days=max(days, 10) - 1))


def stated(p: Prose, day: date) -> str:
    """1月20日 / 1月底 inside the period's own year, 2027年1月20日 / 2027年1月底 outside it."""
    return by_limit(day, p.facts.period.year)


def committee(p: Prose) -> str:
    """The body that meets monthly and hears the progress: 支委会 in a branch, else 党组会议."""
    return "支委会" if getattr(p.facts.unit, "org_type", "") in ("branch", "general_branch") else "党组会议"


def overdue_answer(p: Prose, shown: list[Any], lead: bool = True) -> str:
    """What is done about the overdue items named: those promised before escalated (the secretary by
    name 挂牌督办, a report at each meeting of the committee, a date of their own), the others each
    with its owner and its own time limit — never the promise of the document before, repeated."""
    among = rect_pool(p.facts)
    twice = [r for r in shown if reset_before(p.facts, r)]
    if twice:  # the other late ones go with them: 挂牌督办 is not promised again beside its failure
        twice = [r for r in shown if promised_before(p.facts, r)]
    parts: list[str] = _twice_answer(p, twice, lead, alone=len(shown) == 1, total=len(shown))
    rest = len(p.facts.lists.get("overdue", [])) - len(shown)
    shown = [r for r in shown if r not in twice]
    before = [r for r in shown if promised_before(p.facts, r)]
    if before:
        each = "，".join(
            f"{rect_label(r, among)}由{rect_owner(p, r)}{stated(p, rect_due(p, r))}前整改到位" for r in before
        )
        what = (
            (
                "这些问题此前作出的整改承诺都没有兑现"
                if len(before) == len(shown)
                else f"此前作出的整改承诺没有兑现的{len(before)}项"
            )
            if len(before) > 1
            else f"{rect_label(before[0], among)}此前作出的整改承诺没有兑现"
        )
        if len(before) == 1:
            each = f"{rect_owner(p, before[0])}{stated(p, rect_due(p, before[0]))}前整改到位"
        parts.append(f"{what}，改由{secretary(p)}挂牌督办，责任人在每次{committee(p)}上报告进展，{each}")
    for r in shown:
        if r in before:
            continue
        parts.append(f"{rect_label(r, among)}由{rect_owner(p, r)}负责，{stated(p, rect_due(p, r))}前整改到位")
    if rest > 0:
        parts.append(f"其余{rest}项由{owner_of(p)}逐项明确责任人和时限，一并督办")
    if twice:  # after every item: it is said of them all, not of the one it would follow
        parts.append(f"整改进展书面报上级党组织，逾期的由责任人在{committee(p)}上说明原因")
    return "；".join(parts)


def _twice_answer(p: Prose, twice: list[Any], lead: bool, alone: bool, total: int) -> list[str]:
    """Items whose renewed limit under 挂牌督办 was missed too (and the other late ones with them):
    not that promise again, but the secretary supervising them himself, the owners reporting at
    each monthly meeting, each item with its owner and a date of its own."""
    if not twice:
        return []
    among = rect_pool(p.facts)
    each = "；".join(
        f"{rect_label(r, among)}由{rect_owner(p, r)}负责，{stated(p, rect_due(p, r))}前完成" for r in twice
    )
    many = f"逾期未完成的{len(twice)}项整改" if lead else "这些整改"
    if total > len(twice):  # not all the late ones: the count is not read as theirs
        many = (f"逾期未完成的{total}项整改中，" if lead else "其中") + f"已经重新限期的{len(twice)}项"
    which = many if len(twice) > 1 else "这项逾期整改" if alone else "其中1项"
    reset = [r for r in twice if reset_before(p.facts, r)]  # those under 挂牌督办 before
    by = _reset_by(p.facts)

    def aside(history: str) -> str:  # what was tried before: a report says it, key points plan ahead
        return "" if p.kind == "keypoints" else f"（{history}）"

    watch = f"改由{secretary(p)}直接督办，责任人每月在{committee(p)}上报告进展"
    # late through two half-years' documents or more: the secretary's own supervision was that of
    # the document before, and failed too; the next step is the superior's, and the owner answers
    # (the document before answered its items so when one of them was late through two ends already)
    halves = [_halves_since(r.deadline, p.facts.cutoff) for r in twice]
    stale = [r for r, n in zip(twice, halves, strict=True) if n >= 2] if max(halves) >= 3 else []
    if stale:  # the problems section told what was tried: the measure says what is new
        above = _superior_org(p.facts.unit)
        watch = (
            f"报请{above}督办，由{secretary(p)}与责任人逐项商定销号标准和月度节点，"
            f"新的时限到期仍未完成的，由{committee(p)}调整责任人并向{above}书面说明"
        )
        return [f"{which}{watch}：{each}"]
    if 0 < len(reset) < len(twice):  # only these were under 挂牌督办: the others were never
        return [f"{which}{watch}{aside(f'{by}曾对其中{len(reset)}项挂牌督办，未见成效')}：{each}"]
    if p.kind == "keypoints":
        return [f"{which}{watch}：{each}"]
    return [f"{which}在{by}中已挂牌督办，未见成效，{watch}：{each}"]


def _halves_since(deadline: date, cutoff: date) -> int:
    """How many half-year ends (30 June, 31 December) passed between a limit and the cut-off: how
    many half-yearly documents have already told the item late and set a measure for it."""
    ends = [date(y, m, d) for y in range(deadline.year, cutoff.year + 1) for m, d in ((6, 30), (12, 31))]
    return sum(deadline <= end < cutoff for end in ends)


def _superior_org(unit: Any) -> str:
    """市局党组: the parent's party organisation as the unit names it; 上级党组织 without one."""
    parent = getattr(unit, "parent", None)
    return ourselves(parent) if parent is not None else "上级党组织"


def _reset_by(f: Facts, back: int = 0) -> str:
    """The document of the half-year before the cut-off's, which put the items under 挂牌督办: the
    same year's first-half report, or the year before's summary; `back` half-years further."""
    half = f.cutoff.year * 2 + (f.cutoff.month > 6) - 1 - back  # the half-year that document closed
    year, second = divmod(half, 2)
    return f"{year}年度总结" if second else f"{year}年上半年专题报告"


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


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def alike(a: str, b: str) -> bool:
    """Two problems worded alike (中心组研讨发言记录简单, 学习研讨发言记录简单): at least 0.6 of
    their neighbouring-character pairs shared (the Dice coefficient)."""
    x, y = _bigrams(a), _bigrams(b)
    return bool(x and y) and 2 * len(x & y) >= 0.6 * (len(x) + len(y))


def _recur_problem(p: Prose) -> Problem | None:
    """A problem a superior's inspection fed back this period that its inspection of last year fed
    back too (the same wording, nearly): closed last year, found again — the rectification held
    no longer than the records it added."""
    f = p.facts
    now = [
        r
        for r in f.lists.get("rectifications", [])
        if r.source == "inspection" and f.period.start <= r.found_on <= f.cutoff
    ]
    if not now or p.kind not in ("annual", "half-year"):
        return None
    from taizhang.ledger import models as lm

    from .facts import Reader

    before = list(
        Reader(f.unit, p.user)(lm.Rectification)
        .filter(source="inspection", found_on__year=f.period.year - 1)
        .order_by("found_on", "pk")
    )
    pair = next(((r, q) for r in now for q in before if alike(problem_text(r), problem_text(q))), None)
    if pair is None:
        return None
    r, q = pair
    text = p.say(
        "prob.recur",
        when=md(r.found_on),
        now=f"“{problem_text(r)}”",
        before_when=cn_date(q.found_on),
        before=f"“{problem_text(q)}”",
    )
    return Problem(
        "recur", text, {"owner": rect_owner(p, r), "committee": committee(p), "last": f.period.year - 1}
    )


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
    return _target_in([item.text for item in f.figure("workplan").records] if "workplan" in f.figures else [])


def _target_in(texts: Any) -> int:
    """The first adoption target the plan texts set (省级以上……不少于8篇), or 0."""
    found = (re.search(r"省级以上[^，。；]*?不少于(\d+)篇", t) for t in texts)
    return next((int(m.group(1)) for m in found if m), 0)


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
    others = [r for r in rows if r.kind != kind]  # the rest of the study, not an average holding it
    if rate >= 0.9 or not others:
        return None
    other = sum(r.present for r in others) / sum(r.expected for r in others)
    if other - rate < 0.03 or total - rate < 0.02:
        return None
    label = MeetingKind(kind).label
    mine = by_kind[kind]
    pct = lambda x: Decimal(round(x * 100))  # noqa: E731
    r_fig = p.count("attendance", pct(rate), "%", f"{label}到会率", mine)
    a_fig = p.count("attendance", pct(other), "%", "其他集中学习的到会率", others)
    expected = p.count("attendance_expected", sum(r.expected for r in mine), "人次", f"{label}应到", mine)
    present = p.count("attendance_present", sum(r.present for r in mine), "人次", f"{label}实到", mine)
    text = p.say("prob.attendance", kind=label, rate=r_fig, avg=a_fig, expected=expected, present=present)
    return Problem("attendance", text, {"kind": label})


# how long each kind of measure is given, in months from when the measures begin: the same in the
# summary or report that finds a problem and in the key points that answer it
WITHIN = {
    "missed": 1, "overdue": 1, "open": 3, "plan": 1, "opinion": 3, "attendance": 3, "workplan": 3, "risk": 3,
    "positions": 6, "reviews": 6, "adoption": 3, "recur": 6,
}  # fmt: skip


def family_turn(unit: Any, role: str, year: int) -> int:
    """A unit's turn for a line of a role, apart from its siblings' and from its parent's and
    children's (a 区局 and its 东区/西区 read side by side): the sibling turn moved on by the depth."""
    depth, parent, seen = 0, getattr(unit, "parent", None), set()
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        depth, parent = depth + 1, getattr(parent, "parent", None)
    return sibling_turn(unit, role, year) + depth


def measures_begin(f: Facts) -> date:
    """When the measures answering a period's problems begin: the day after the period (the new
    year, or July after the first half), or the document's own day when that is later."""
    return max(f.period.end + timedelta(days=1), f.as_of or f.cutoff)


def time_limit(p: Prose, kind: str, deadline: date | None = None) -> str:
    """The time limit of the measure answering a problem of `kind` (a rectification's own deadline
    where the problem has one): the end of the month its months run out in, counted from the
    month the measures begin in, at least ten days ahead and within that year. 2027年3月底 — the year left out inside the
    period's own year."""
    begin = measures_begin(p.facts)
    # set before, still due — but a date of the old year is no task of the key points' year
    ahead = deadline is not None and p.facts.open and deadline > p.facts.cutoff and p.kind != "keypoints"
    if deadline is not None and (deadline >= begin or ahead):
        stated, year = md(deadline), deadline.year
    else:
        start = begin.replace(day=1)  # counted in whole months: 1月底, 3月底, 6月底
        # measures beginning in July (after the first half) have half a year: half the months
        months = max(1, round(WITHIN.get(kind, 3) * (13 - start.month) / 12))
        end = min(start + timedelta(days=30 * months - 1), date(begin.year, 12, 31))
        due = month_end(end)
        if (due - begin).days < 10:
            due = month_end(due + timedelta(days=1))
        stated, year = f"{due.month}月底", due.year
    # the key points are read in the year after their records': a date of either year says its year
    return stated if year == p.facts.period.year and p.kind != "keypoints" else f"{year}年{stated}"


def rect_owner(p: Prose, r: Any) -> str:
    """副局长李明华: who answers for a rectification, with the title the leading group gives them."""
    name = person(r, "owner")
    if not name:
        return owner_of(p)
    # the title the group gives them, also to a member recorded by name only (another unit's leader)
    titles = {person(g): g.title.split("、")[0] for g in leading_group(p) if person(g) and g.title}
    return f"{titles.get(name, '')}{name}"


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
    slots = {k: v for k, v in pr.slots.items() if k not in ("owner", "cells", "deadline", "since", "set_on")}
    slots["owner"] = measure_owner(p, pr)
    slots["time"] = time_limit(p, pr.kind, pr.slots.get("deadline"))
    # the unit's turn for the year the measures begin in: siblings' measures differ, and each of a
    # unit's documents that promises this measure words it alike
    role = "next.missed.again" if pr.kind == "missed" and pr.slots.get("again") else f"next.{pr.kind}"
    year = measures_begin(p.facts).year
    turn = family_turn(p.facts.unit, role, year)
    n = len(PHRASES[role])
    if turn % n == family_turn(p.facts.unit, role, year - 1) % n:  # never last year's sentence again
        turn += 1
    said = p.say(role, head=False, turn=turn, **slots)
    since = pr.slots.get("since")
    if since and p.kind != "keypoints":  # the same measure set before and not carried out: said so,
        # and this time a person (a plan's task says what is to be done, not the story behind it)
        set_on = pr.slots.get("set_on")
        now = f"{md(set_on)}的研判已明确到人、到时限" if set_on else "这次明确到人、到时限"
        said += [f"这项措施在{cn_date(since)}的分析研判中就已提出，至今没有落到实处，{now}。"]
    return said
