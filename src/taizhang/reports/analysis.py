"""The quarter's 分析研判报告: the quarter's situation from its own records, each risk with its
level, cause, measure and owner, the quarter's 舆情 and how each was answered, what changed since
the last analysis, and the next quarter's measures."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from . import document as d
from .assessment import rounds
from .facts import QUARTER_NAMES, collect, quarter_period
from .phrases_upward import ANALYSIS_EACH, ANALYSIS_ONCE
from .prose import (
    Headings,
    Prose,
    Rotating,
    clip,
    cn_date,
    enumerate_items,
    finish,
    fresh,
    issuer,
    listing,
    md,
)


def analysis_report(
    unit: Any, year: int, quarter: int, *, user: Any = None, day: date | None = None
) -> d.Document:
    """The quarter's 分析研判报告: the quarter's situation from its own records, each risk with its
    level, cause, measure and owner, the quarter's 舆情 and how each was answered, what changed
    since the last analysis, and the next quarter's measures."""
    period = quarter_period(year, quarter)
    q, day, as_of = _quarter(unit, year, quarter, user, day)
    facts = collect(unit, period, user=user, as_of=as_of)
    p = Rotating(facts, "analysis", user, step=year * 5 + quarter)  # a year on moves 5 places
    says = {k: p.pick(*v) for k, v in ANALYSIS_ONCE.items()} | ANALYSIS_EACH
    org = issuer(unit)
    title = f"{org}关于{year}年{QUARTER_NAMES[quarter]}意识形态领域情况的分析研判报告"
    doc = d.Document("analysis", title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    if not q.analyses and not q.opinions:
        b.block(
            d.BODY,
            f"截至{md(as_of)}，{period.label}的分析研判会议尚未召开，台账中也没有本季度的舆情记录。研判会议召开并记入“分析研判”台账后，可重新生成本报告。"
            if as_of
            else f"{period.label}，本单位台账中没有分析研判和舆情的记录，暂不能形成分析研判报告。请先在“分析研判”台账中记录本季度的研判情况，再重新生成。",
        )
        finish(b, unit, doc.day)
        return doc
    b.block(d.BODY, _opening(says, q, org, period.label) + "现将有关情况报告如下。")
    h.one("总体形势")
    for block in _situation(p, says, q, QUARTER_NAMES[quarter], as_of, day):
        b.block(d.BODY, *block)
    current, settled = _current(q.risks, day)
    if q.risks:
        h.one("风险点研判")
        used: set[str] = set()
        last = q.previous[0].held_on if q.previous else None
        for r in current:
            h.two(clip(r.description, 30) or r.field)
            b.block(d.BODY, _risk_paragraph(p, says, r, q.history.get(r.description, []), used, day, last))
        if settled:
            b.block(d.BODY, _settled_paragraph(settled, bool(current)))

    h.one("舆情及处置情况")
    if q.opinions:
        for o in q.opinions:
            b.block(d.BODY, _opinion_sentence(p, says, o, _actor(org)))
    else:
        b.block(d.BODY, p.pick(*says["opinions_none"]))

    if q.previous and q.analyses:
        h.one("与上次研判相比的变化")
        b.block(d.BODY, _changes(p, says, q, day))

    h.one("下一步工作措施")
    steps = _analysis_steps(says, q, year, quarter, as_of, day)
    enumerate_items(b, [[x] for x in steps])
    b.block(d.BODY, "特此报告。")
    finish(b, unit, doc.day)
    return doc


def _quarter(
    unit: Any, year: int, quarter: int, user: Any, day: date | None
) -> tuple[Any, date, date | None]:
    """The quarter's records, the document's date (the analysis meeting's; without one yet, the
    quarter's end or today) and, for a quarter not yet over, the day it is told as of: the day
    before the document's date (the meeting's own day where the report is dated on it)."""
    from .facts_more import quarter_facts

    period = quarter_period(year, quarter)
    q = quarter_facts(unit, year, quarter, user=user)
    if day is None:
        day = q.analyses[-1].held_on if q.analyses else min(date.today(), period.end)
    held = {a.held_on for a in q.analyses}
    as_of = (day if day in held else day - timedelta(days=1)) if period.start < day <= period.end else None
    if as_of is not None:
        q = quarter_facts(unit, year, quarter, user=user, until=as_of)
    return q, day, as_of


def _opening(says: dict[str, Any], q: Any, org: str, label: str) -> str:
    if not q.analyses:
        return str(says["opening_none"]).format(org=org, period=label)
    first = q.analyses[0]
    body = first.meeting.title if first.meeting_id and first.meeting else ""
    meeting = f"召开{body}，" if body else ""
    return str(says["opening"]).format(day=md(first.held_on), org=org, period=label, meeting=meeting)


def _situation(
    p: Prose, says: dict[str, Any], q: Any, quarter: str, as_of: date | None, day: date | None = None
) -> list[list[Any]]:
    """总体形势: the analyses' own judgement, the quarter's work in figures, the risks by level."""
    out: list[list[Any]] = []
    conclusions = [a.conclusion.strip().rstrip("。") for a in q.analyses if a.conclusion.strip()]
    situations = list(dict.fromkeys(a.situation.strip() for a in q.analyses if a.situation.strip()))
    judged_text = "".join(x if x.endswith("。") else x + "。" for x in situations)
    if conclusions:
        judged_text += p.pick(*says["conclusion"]).format(text=conclusions[-1])
    if judged_text:
        out.append([judged_text])
    clauses: list[list[Any]] = []
    if p.has("study"):
        clauses.append(
            [p.pick("组织集中学习", "开展集中学习"), p.fig("study"), "、参学", p.fig("study_people")]
        )
    if p.has("inspections"):
        found = (
            ["，发现问题", p.fig("inspection_problems")] if p.has("inspection_problems") else ["，未发现问题"]
        )
        what = p.pick("检查宣传思想阵地", "开展阵地检查", "对各类阵地检查")
        clauses.append([what, rounds(p.fig("inspections")), *found])
    if p.has("publicity"):
        clauses.append([p.pick("开展宣传活动", "组织主题宣传", "开展各类宣传"), p.fig("publicity")])
    if clauses:
        lead = p.pick(*says["situation_lead"]).format(period=quarter)
        pieces: list[Any] = [f"截至{md(as_of)}，{quarter}" if as_of else lead]
        for n, clause in enumerate(clauses):
            pieces += [*clause, "；" if n < len(clauses) - 1 else "。"]
        out.append(pieces)
    out.append([_risk_count(p, says, q, quarter, as_of, day)])
    return out


def _current(risks: list[Any], day: date | None) -> tuple[list[Any], list[Any]]:
    """The risks still to be guarded against, and those the analysis found already resolved (told
    apart: a resolved risk is not a current risk point)."""
    settled = [r for r in risks if r.resolved and not rect_open(r, day)]
    return [r for r in risks if r not in settled], settled


def _settled_paragraph(settled: list[Any], others: bool) -> str:
    """此外，本次研判复核了1个前期风险点：“汛期预报偏差……”研判为低风险，起因是……，由业务科……，
    已经化解，不再列为当前风险点。"""
    parts = []
    for r in settled:
        level = LEVELS.get(r.level, r.get_level_display())
        text = f"“{r.description.strip().rstrip('。')}”研判为{level}风险"
        if r.cause.strip():
            text += f"，起因是{r.cause.strip().rstrip('。')}"
        if r.measure.strip():
            office = r.responsible_office.strip()
            text += f"，{'由' + office if office else '经'}{r.measure.strip().rstrip('。')}"
        if r.rectification_id:
            text += "，列入问题整改，整改已经完成"
        parts.append(text + "，风险已经化解")
    lead = (
        "此外，本次研判还复核了前期风险点的防范情况。" if others else "本次研判复核了前期风险点的防范情况。"
    )
    close = "以上风险点" if len(settled) > 1 else "该风险点"
    return lead + "。".join(parts) + f"。{close}不再列为当前风险点，继续跟踪观察。"


def _risk_count(
    p: Prose, says: dict[str, Any], q: Any, quarter: str, as_of: date | None, day: date | None = None
) -> str:
    if not q.analyses:
        return str(says["not_yet"]).format(period=quarter) if as_of else str(says["none_held"])
    current, settled = _current(q.risks, day)
    done = f"另有{len(settled)}个前期风险点经复核已经化解。" if settled else ""
    if len(current) == 1:
        return str(says["risk_one"]).format(level=LEVELS.get(current[0].level, "")) + done
    if not current:
        return str(says["risks_none"]) + done
    judged = [
        f"{n}个{name}风险"
        for level, name in (("high", "高"), ("medium", "中"), ("low", "低"))
        if (n := sum(r.level == level for r in current))
    ]
    levels = f"均为{judged[0].split('个', 1)[1]}" if len(judged) == 1 else "其中" + "、".join(judged)
    return p.pick(*says["risks_total"]).format(n=len(current), levels=levels) + done


LEVELS = {"high": "高", "medium": "中", "low": "低"}


def _risk_paragraph(
    p: Prose,
    says: dict[str, Any],
    r: Any,
    history: list[Any],
    used: set[str],
    day: date | None = None,
    last: date | None = None,
) -> str:
    level = LEVELS.get(r.level, r.get_level_display())
    text = fresh(p, says["risk_level"], used).format(field=r.field, level=level)
    if r.cause.strip():
        text += fresh(p, says["risk_cause"], used).format(cause=r.cause.strip().rstrip("。"))
    if history:
        highs = sum(x.level == "high" for x in history) + (r.level == "high")
        text += fresh(p, says["risk_recurring"], used).format(
            n=len(history) + 1, first=history[0].analysis.held_on.year, m=md(history[0].analysis.held_on)
        )
        if highs > 1:
            text += f"其间{highs}次研判为高风险。"
        previous = history[-1]
        held = previous.analysis.held_on
        than = "与上次研判相比" if last is None or held == last else f"与{md(held)}研判相比"
        if held != last and last is not None:
            text += f"{md(last)}研判时未列入。"
        if previous.level != r.level:
            text += f"{than}，风险等级由{LEVELS.get(previous.level, '')}{'升为' if _rank(r.level) > _rank(previous.level) else '降为'}{level}。"
    else:
        text += fresh(p, says["risk_new"], used)

    rect = r.rectification if r.rectification_id else None
    still_open = rect_open(r, day)
    role = "risk_measure_done" if r.resolved and not still_open else "risk_measure"
    text += fresh(p, says[role], used).format(
        measure=r.measure.strip().rstrip("。"), office=r.responsible_office
    )
    same = [x for x in history if x.measure.strip().rstrip("。") == r.measure.strip().rstrip("。")]
    eased = bool(history) and _rank(r.level) < _rank(history[-1].level)
    if same and not r.resolved and not eased:  # the same measure promised before, the risk not eased
        first = same[0].analysis.held_on
        text += f"这一措施{first.year}年{md(first)}研判时已经提出，风险仍反复出现，前期措施没有取得预期效果，须查明原因、抓好落实。"
    if rect is not None and still_open:
        deadline = f"，整改时限为{cn_date(rect.deadline)}" if rect.deadline else ""
        text += f"该风险已列入问题整改{deadline}，整改仍在推进。"
    elif rect is not None:
        text += "该风险已列入问题整改，整改已经完成。"
    if r.resolved and not still_open:
        text += fresh(p, says["risk_resolved"], used)
    return text


def rect_open(r: Any, day: date | None) -> bool:
    """The risk's rectification open on the document's day (one completed later was under way)."""
    from taizhang.ledger.models.rectification import OPEN_STATES

    rect = r.rectification if r.rectification_id else None
    return rect is not None and (
        rect.state in OPEN_STATES or bool(day and rect.completed_on and rect.completed_on > day)
    )


def _rank(level: str) -> int:
    return {"low": 1, "medium": 2, "high": 3}.get(level, 0)


def _actor(org: str) -> str:
    """How the report names its own organisation as the one acting: 支部, 党组, 党委."""
    for full, short in (("党支部", "支部"), ("党总支", "总支"), ("党组", "党组"), ("党委", "党委")):
        if org.endswith(full):
            return short
    return "本单位"


def short_risk(text: str) -> str:
    """A risk point's short form after its first mention: 汛期预报偏差可能引发网民质疑 → 汛期预报偏差."""
    text = text.strip().rstrip("。")
    cut = min(
        (i for m in ("可能", "偶有", "存在", "审核把关", "不够", "不足") if (i := text.find(m)) >= 4),
        default=-1,
    )
    return text[:cut] if cut > 0 else clip(text, 20)


def _opinion_sentence(p: Prose, says: dict[str, Any], o: Any, actor: str = "本单位") -> str:
    summary = o.summary.strip().rstrip("。")
    source = o.source.strip()
    text = (
        f"{md(o.found_on)}，{summary}"
        if not source or source in summary
        else f"{md(o.found_on)}，经{source}发现{summary}"
    )
    text += f"（{o.get_level_display()}舆情）。"
    if o.response.strip():
        response = o.response.strip().rstrip("。")
        # the response names who acted (业务科及时发布……) or the unit did
        who = "" if re.match(r"^.{1,6}?(科|室|办|局|中心|组)", response) else actor
        text += p.pick(*says["opinion_response"]).format(response=who + response).rstrip("。")
        text += f"，{md(o.closed_on)}处置完毕。" if o.closed and o.closed_on else "。"
    if o.closed and not (o.response.strip() and o.closed_on):
        text += f"{md(o.closed_on)}处置完毕。" if o.closed_on else "已处置完毕。"
    if not o.closed:
        text += "目前仍在处置中。"
    return text


def _changes(p: Prose, says: dict[str, Any], q: Any, day: date | None = None) -> str:
    last = q.previous[0]
    before = {r.description: r for r in q.previous_risks}
    current, settled = _current(q.risks, day)
    now = {r.description: r for r in current}
    kept = [x for x in now if x in before]
    new = [x for x in now if x not in before]
    gone = [x for x in before if x not in now and x not in {r.description for r in settled}]
    parts = [says["changes_lead"].format(day=cn_date(last.held_on), n=len(before))]
    if kept:  # each risk's grade change is told in its own paragraph above
        parts.append(f"本季度仍列为风险点的{len(kept)}个（{listing([short_risk(x) for x in kept], 3)}）")
    if gone:
        parts.append(f"不再列为风险点的{len(gone)}个（{listing([clip(x, 20) for x in gone], 3)}）")
    if new:
        parts.append(f"上次未列入、本季度列入的{len(new)}个（{listing([short_risk(x) for x in new], 3)}）")
    if settled:
        parts.append(
            f"本季度复核后化解的{len(settled)}个（{listing([short_risk(r.description) for r in settled], 3)}）"
        )
    if not (kept or gone or new or settled):
        parts.append("两次研判均未排查出风险点")
    text = "，".join(parts) + "。"
    for x in gone:  # what took a risk off the list: its measure, where the last analysis closed it
        r = before[x]
        if r.resolved and r.measure.strip():
            text += f"{clip(x, 20)}经{r.measure.strip().rstrip('。')}，上次研判时已经化解。"
    down = [x for x in kept if _rank(now[x].level) < _rank(before[x].level)]
    if down and not [x for x in kept if _rank(now[x].level) > _rank(before[x].level)]:
        text += p.pick(*says["changes_down"])
    return text


def _analysis_steps(
    says: dict[str, Any], q: Any, year: int, quarter: int, as_of: date | None, day: date | None = None
) -> list[str]:
    nxt = f"{year}年{QUARTER_NAMES[quarter + 1]}" if quarter < 4 else f"{year + 1}年第一季度"
    out = []
    by_office: dict[str, list[Any]] = {}
    pending = [r for r in q.risks if not r.resolved or rect_open(r, day)]
    for r in sorted(pending, key=lambda r: -_rank(r.level)):
        by_office.setdefault(r.responsible_office, []).append(r)
    for n, (office, risks) in enumerate(by_office.items()):
        names = listing([short_risk(r.description) or r.field for r in risks], 3)
        due = sorted(
            {r.rectification.deadline for r in risks if rect_open(r, day) and r.rectification.deadline}
        )
        if due and len(due) == len(risks):  # the deadlines stated above, not a vaguer quarter
            out.append(
                f"由{office}负责，按{'、'.join(md(x) for x in due)}的整改时限落实{names}风险的防范措施，完成后报支部销号"
            )
            continue
        template = says["step_risk"][n % len(says["step_risk"])]
        out.append(template.format(office=office, risks=names, next=nxt))
    unclosed = [o for o in q.opinions if not o.closed]
    if unclosed:
        out.append(says["step_opinion"].format(n=len(unclosed)))
    if not q.analyses and as_of is not None:
        watch = (
            f"，重点研判{cn_date(q.previous[0].held_on)}研判排查的{len(q.previous_risks)}个风险点的变化"
            if q.previous_risks
            else ""
        )
        out.append(f"{QUARTER_NAMES[quarter]}末前召开分析研判会议{watch}")
    else:
        out.append(says["step_next"].format(next=nxt))
    return out
