"""年度意识形态工作总结 and the 半年专题报告: the opening, the year's work (year_work.py), the
problems (problems.py) and the measures answering them, then what is still due while the period is
open."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from . import document as d
from .facts import Period, collect, half_period, rule_cells, year_period
from .phrases import PHRASES
from .problems import COVERS, Problem, drop_held, family_turn, find_problems, measure, problem_text
from .prose import Headings, Prose, clip, finish, md, merge_actions, numbered, rule_action, settle_overdue
from .year_work import section_heading, unit_turn, write_work


def _next_steps(
    p: Prose, problems: list[Problem], plan: list[Any], next_year: int
) -> tuple[list[list[Any]], list[Any]]:
    """The measures answering the problems, in their order (each the measure next year's key points
    give for the same problem); then the plan items none of them covers."""
    steps: list[list[Any]] = []
    covered: set[str] = set()
    for pr in problems:
        role = f"next.{pr.kind}"
        if role not in PHRASES:
            continue
        steps.append(p.say(f"nh.{pr.kind}", turn=unit_turn(p, f"nh.{pr.kind}"), **pr.slots) + measure(p, pr))
        covered.update(COVERS.get(pr.kind, ()))
    rest = [x for x in plan if not any(w in x.text for w in covered)]
    if not rest:
        return steps, []
    texts = [x.text.strip().rstrip("。；;") for x in rest[:2]]
    return steps, p.say(
        "next.plan_items",
        plan=f"{next_year}年工作要点",
        items="，".join(texts),
        turn=unit_turn(p, "next.plan_items"),
    )


def _ahead(p: Prose, due: list[Any]) -> list[Any]:
    """What is still due before the period ends, as planned work (never a shortfall): by due day,
    12月20日前报送专题报告，12月底前召开组织生活会、开展第四季度形势分析研判. A monthly rule due in
    two or more of the months left is said once, at its last day (11月、12月各开展一次主题党日活动)."""
    f = p.facts
    days_of: dict[str, list[date]] = {}
    for c in sorted(due, key=lambda c: c.period.deadline):
        if f.cutoff < c.period.deadline <= f.period.end and _reachable(c, f.cutoff):
            days = days_of.setdefault(rule_action(p, c.rule, True), [])
            if c.period.deadline not in days:
                days.append(c.period.deadline)
    by_day: dict[date, list[str]] = {}
    each = [_each(action, days) for action, days in days_of.items() if len(days) > 1]
    for action, days in days_of.items():
        if len(days) == 1:
            by_day.setdefault(days[0], []).append(action)
    for x in f.lists.get("workplan_ahead", [])[:3]:
        when = x.due_on if x.due_on and x.due_on <= f.period.end else f.period.end
        by_day.setdefault(when, []).append(f"完成“{clip(x.text, 30) or x.text[:30]}”")
    rects: dict[date, list[str]] = {}  # the open rectifications due before the period ends
    for r in f.lists.get("open_rectifications", []):
        if f.cutoff < r.deadline <= f.period.end:
            rects.setdefault(r.deadline, []).append(f"“{problem_text(r)}”")
    for when, names in rects.items():
        by_day.setdefault(when, []).append(f"完成{''.join(names)}的整改")
    # due on the counted day itself and still open: not late as counted, but due by the document's day
    today = [f"“{problem_text(r)}”" for r in f.lists.get("due_now", [])] if f.open else []
    if not by_day and not each and not today:
        return []
    parts = [f"抓紧完成已到时限的{''.join(today)}的整改"] if today else []
    for when, actions in sorted(by_day.items()):
        last = when.month != (when + timedelta(days=1)).month
        parts.append(f"{when.month}月底前" if last else f"{md(when)}前")
        parts[-1] += "，".join(merge_actions(actions[:6]))
    return p.say("ahead.items", items="；".join([*parts, *each]))


def _reachable(cell: Any, cutoff: date) -> bool:
    """Whether what a period still lacks can be done in the days it has left, at up to twice the
    pace so far: 12 days of 中心组 study with 4 held by December is not work that "will be done".
    A requirement of one (a meeting, a lecture) always can."""
    need = cell.rule.threshold - cell.value
    if cell.rule.threshold <= 1 or need <= 0:
        return True
    p = cell.period
    done, left = (cutoff - p.start).days + 1, (p.deadline - cutoff).days
    return done <= 0 or 2 * cell.value * left >= need * done


def _each(action: str, days: list[date]) -> str:
    """开展主题党日活动 due at the end of November and of December → 11月、12月各开展一次主题党日活动."""
    months = "、".join(f"{x.month}月" for x in days)
    return f"{months}各{action[:2]}一次{action[2:]}"


def annual(
    unit: Any, year: int, *, user: Any = None, day: date | None = None, half: int | None = None
) -> d.Document:
    """年度意识形态工作总结 (or, with `half`, the 半年专题报告), written as of `day`."""
    period = half_period(year, half) if half else year_period(year)
    day = day or date.today()
    facts = collect(unit, period, user=user, as_of=day)
    settle_overdue(facts)
    kind = "half-year" if half else "annual"
    p = Prose(facts, kind, user)
    org = getattr(unit, "org_name", unit.name)
    title = f"{org}关于{period.label}意识形态工作情况的报告" if half else f"{org}{year}年度意识形态工作总结"
    doc = d.Document(kind, title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    prev = None
    if not facts.open:  # the comparison with last year: the whole period, or the same span of it
        prev_period = half_period(year - 1, half) if half else year_period(year - 1)
    else:
        cut = facts.cutoff
        prev_period = Period(
            period.start.replace(year=year - 1), cut.replace(year=year - 1, day=min(cut.day, 28)), ""
        )
    earlier = collect(unit, prev_period, user=user, meetings_only=True)
    prev = earlier if earlier.value("study") or earlier.value("adopted") else None
    missed, due = rule_cells(unit, year, user=user, until=facts.cutoff)
    missed = [c for c in missed if c.period.start >= period.start and c.period.end <= period.end]
    missed = drop_held(unit, missed, user)
    # a half-year report sent after its time limit is said so where the reports are listed
    facts.lists["reports_late"] = [c for c in missed if c.rule.id == "half-year-report"]
    recorded = any(fig.refs for key, fig in facts.figures.items() if key != "positions")
    if recorded:  # with nothing recorded, no judgement of the year either: the records decide
        b.block(d.BODY, *_opening(p, org, half))
    wrote = recorded and write_work(
        p, b, h, "工作开展情况" if half else p.pick("主要工作开展情况", "工作开展情况"), prev
    )
    if not wrote:
        b.block(
            d.BODY,
            f"{period.label}，本单位台账中尚无意识形态工作的记录，暂不能形成{'报告' if half else '总结'}。请先在台账中记录{period.label}开展的各项工作，再重新生成。",
        )
        finish(b, unit, doc.day)
        return doc
    problems = find_problems(p, missed)
    if not half and prev is not None:  # last year's ledgers hold study or adoption: its summary exists
        _followed(p, problems, unit, year, user)
    h.one("存在的主要问题" if not half else "存在的问题")
    if problems:
        numbered(b, [pr.text for pr in problems])
    else:
        b.block(
            d.BODY,
            f"对照意识形态工作责任制要求，{p.span}到期的各项规定动作均已完成，台账中没有逾期未整改的问题。",
        )
    _steps_section(p, b, h, problems, due, half)
    if half:
        b.block(d.BODY, "特此报告。")
    finish(b, unit, doc.day)
    return doc


def _opening(p: Prose, org: str, half: int | None) -> list[Any]:
    f = p.facts
    label = f.period.label
    span = p.span if f.open else ("全年" if not half else label.removeprefix(str(f.period.year) + "年"))
    opening = [
        *p.say("open.guide", period=label, name=org, turn=unit_turn(p, "open.guide")),
        *p.say("open.manner", turn=unit_turn(p, "open.manner")),
        *p.say("open.judge", span=span, turn=unit_turn(p, "open.judge")),
    ]
    closing = "现将有关情况报告如下。" if half else section_heading(p, "open.close")
    if f.open:
        closing = f"现将截至{p.until}的工作情况" + ("报告如下。" if half else "总结如下。")
    return [*opening, closing]


def _steps_section(
    p: Prose, b: d.Builder, h: Headings, problems: list[Problem], due: list[Any], half: int | None
) -> None:
    """下一步: what is still due in an open period, then the measures and the plan items left."""
    f = p.facts
    ahead = _ahead(p, due) if f.open else []
    next_year = f.period.year if half else f.period.year + 1
    plan = f.lists.get("next_plan", []) if not half else list(f.lists.get("workplan_ahead", []))
    steps, rest = _next_steps(p, problems, plan, next_year)
    h.one("下一步工作打算" if not half else "下一步工作安排")
    if ahead:
        b.block(d.BODY, *ahead)
    when = {1: "下半年", 2: f"{next_year + 1}年"}.get(half or 0, f"{next_year}年")
    if steps or rest:
        b.block(d.BODY, *p.say("next.intro", when=when, turn=unit_turn(p, "next.intro")))
        numbered(b, steps)
        if rest:
            b.block(d.BODY, *rest)
    elif not ahead:
        b.block(d.BODY, *p.say("next.none", when=when))


FOLLOWED = ("adoption", "opinion", "positions", "attendance", "reviews", "plan", "workplan")


def _followed(p: Prose, problems: list[Problem], unit: Any, year: int, user: Any) -> None:
    """A problem last year's summary named too (the same kind, from last year's records as that
    summary read them) is said to be one whose measure has not yet worked: the measure's time
    clause quoted (2026年3月底前由副局长孙立新组建通讯员队伍). Overdue items, missed rules and
    risks carry their own account of the promise before."""
    if not any(pr.kind in FOLLOWED for pr in problems):
        return
    before = collect(unit, year_period(year - 1), user=user)
    if not before.figures or not any(fig.refs for fig in before.figures.values()):
        return
    settle_overdue(before)
    q = Prose(before, "annual", user)
    missed, _due = rule_cells(unit, year - 1, user=user, until=before.cutoff)
    last = {pr.kind: pr for pr in find_problems(q, drop_held(unit, missed, user))}
    turn = family_turn(unit, "annual.followed", year)  # siblings and the problems of one summary differ
    for pr in problems:
        if pr.kind not in FOLLOWED or pr.kind not in last:
            continue
        said = "".join(str(x) for x in measure(q, last[pr.kind]))
        clause = next((c for c in re.split("[，。；]", said) if "前" in c and len(c) <= 40), "")
        if clause:
            line = FOLLOWED_LINES[turn % len(FOLLOWED_LINES)]
            was, now = int(before.value("adopted_high")), int(p.facts.value("adopted_high"))
            if pr.kind == "adoption" and now > was:  # the figure moved, short of the aim: not 仍未见改观
                line = FOLLOWED_RISEN[turn % len(FOLLOWED_RISEN)]
            pr.text = [*pr.text, line.format(year=year - 1, measure=clause, was=was)]
            turn += 1


FOLLOWED_LINES = (
    "{year}年总结针对这一问题提出“{measure}”，从今年的情况看，成效还不明显。",
    "对此，{year}年总结曾提出“{measure}”，但问题没有得到根本解决。",
    "{year}年总结已就此提出“{measure}”，今年仍未见明显改观。",
)
FOLLOWED_RISEN = (
    "{year}年总结针对这一问题提出“{measure}”，省级以上采用虽比上年全年的{was}篇有所增加，但增幅有限。",
    "对此，{year}年总结曾提出“{measure}”，今年省级以上采用虽多于上年全年的{was}篇，但提升幅度不大。",
)
