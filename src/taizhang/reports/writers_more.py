"""The other documents: next year's key points, the quarter's analysis report, the assessment
self-report, the ledger book as a document, and a superior's roll-up over its subtree."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from . import document as d
from .facts import (
    QUARTER_NAMES,
    Facts,
    Figure,
    collect,
    quarter_period,
    year_period,
)
from .writer import Headings, Prose, _finish, clip, cn_date, enumerate_items, int_to_cn, listing, md


def keypoints(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """`year`'s key points: written with the annual summary's phrase bank and problems (writer.py)."""
    from .writer import keypoints as written

    return written(unit, year, user=user, day=day)


def analysis_report(
    unit: Any, year: int, quarter: int, *, user: Any = None, day: date | None = None
) -> d.Document:
    """The quarter's 分析研判报告: the quarter's situation from its own records, each risk with its
    level, cause, measure and owner, the quarter's 舆情 and how each was answered, what changed
    since the last analysis, and the next quarter's measures."""
    from .facts_more import quarter_facts
    from .phrases_more import Rotating, analysis_phrases, issuer

    period = quarter_period(year, quarter)
    q = quarter_facts(unit, year, quarter, user=user)
    if day is None:  # the analysis meeting's date; without one (yet), the quarter's end or today
        day = q.analyses[-1].held_on if q.analyses else min(date.today(), period.end)
    # a quarter not yet over is told as of the day before the document's date (the meeting's own
    # day where the report is dated on it), and counted so
    held = {a.held_on for a in q.analyses}
    as_of = (day if day in held else day - timedelta(days=1)) if period.start < day <= period.end else None
    if as_of is not None:
        q = quarter_facts(unit, year, quarter, user=user, until=as_of)
    facts = collect(unit, period, user=user, as_of=as_of)
    p = Rotating(facts, "analysis", user, step=year * 5 + quarter)  # a year on moves 5 places
    says = analysis_phrases(p)
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
        _finish(b, unit, doc.day)
        return doc
    meetings = [a for a in q.analyses]
    if meetings:
        first = meetings[0]
        body = first.meeting.title if first.meeting_id and first.meeting else ""
        opening = says["opening"].format(
            day=md(first.held_on), org=org, period=period.label,
            meeting=f"召开{body}，" if body else "",
        )  # fmt: skip
    else:
        opening = says["opening_none"].format(org=org, period=period.label)
    b.block(d.BODY, opening + "现将有关情况报告如下。")

    h.one("总体形势")
    conclusions = [a.conclusion.strip().rstrip("。") for a in q.analyses if a.conclusion.strip()]
    situations = list(dict.fromkeys(a.situation.strip() for a in q.analyses if a.situation.strip()))
    judged_text = "".join(x if x.endswith("。") else x + "。" for x in situations)
    if conclusions:
        judged_text += p.pick(*says["conclusion"]).format(text=conclusions[-1])
    if judged_text:
        b.block(d.BODY, judged_text)
    clauses: list[list[Any]] = []
    if p.has("study"):
        clauses.append(
            [p.pick("组织集中学习", "开展集中学习"), p.fig("study"), "、参学", p.fig("study_people")]
        )
    if p.has("inspections"):
        found = (
            ["，发现问题", p.fig("inspection_problems")] if p.has("inspection_problems") else ["，未发现问题"]
        )
        clauses.append(
            [
                p.pick("检查宣传思想阵地", "开展阵地检查", "对各类阵地检查"),
                rounds(p.fig("inspections")),
                *found,
            ]
        )
    if p.has("publicity"):
        clauses.append([p.pick("开展宣传活动", "组织主题宣传", "开展各类宣传"), p.fig("publicity")])
    if clauses:
        lead = p.pick(*says["situation_lead"]).format(period=QUARTER_NAMES[quarter])
        pieces: list[Any] = [f"截至{md(as_of)}，{QUARTER_NAMES[quarter]}" if as_of else lead]
        for n, clause in enumerate(clauses):
            pieces += [*clause, "；" if n < len(clauses) - 1 else "。"]
        b.block(d.BODY, *pieces)
    levels = {lv: [r for r in q.risks if r.level == lv] for lv in ("high", "medium", "low")}
    judged = [
        f"{len(v)}个{name}风险"
        for lv, name, v in ((k, n, levels[k]) for k, n in (("high", "高"), ("medium", "中"), ("low", "低")))
        if v
    ]
    if not q.analyses:
        line = says["not_yet"].format(period=QUARTER_NAMES[quarter]) if as_of else says["none_held"]
    elif len(q.risks) == 1:
        line = says["risk_one"].format(level=LEVELS.get(q.risks[0].level, ""))
    elif q.risks:
        line = p.pick(*says["risks_total"]).format(n=len(q.risks), levels="、".join(judged))
    else:
        line = says["risks_none"]
    b.block(d.BODY, line)

    if q.risks:
        h.one("风险点研判")
        used: set[str] = set()
        for r in q.risks:
            h.two(clip(r.description, 30) or r.field)
            b.block(d.BODY, _risk_paragraph(p, says, r, q.history.get(r.description, []), used, day))

    h.one("舆情及处置情况")
    if q.opinions:
        for o in q.opinions:
            b.block(d.BODY, _opinion_sentence(p, says, o, _actor(org)))
    else:
        b.block(d.BODY, p.pick(*says["opinions_none"]))

    if q.previous and q.analyses:
        h.one("与上次研判相比的变化")
        b.block(d.BODY, _changes(p, says, q))

    h.one("下一步工作措施")
    steps = _analysis_steps(says, q, year, quarter, as_of, day)
    enumerate_items(b, [[x] for x in steps])
    b.block(d.BODY, "特此报告。")
    _finish(b, unit, doc.day)
    return doc


LEVELS = {"high": "高", "medium": "中", "low": "低"}


def _fresh(p: Prose, options: tuple[str, ...], used: set[str]) -> str:
    """A phrasing not yet used in this document where one is left (the order is the Prose's)."""
    order = sorted(options, key=lambda _: p.rng.random())
    chosen = next((o for o in order if o not in used), order[0])
    used.add(chosen)
    return chosen


def _risk_paragraph(
    p: Prose, says: dict[str, Any], r: Any, history: list[Any], used: set[str], day: date | None = None
) -> str:
    level = LEVELS.get(r.level, r.get_level_display())
    text = _fresh(p, says["risk_level"], used).format(field=r.field, level=level)
    if r.cause.strip():
        text += _fresh(p, says["risk_cause"], used).format(cause=r.cause.strip().rstrip("。"))
    if history:
        highs = sum(x.level == "high" for x in history) + (r.level == "high")
        text += _fresh(p, says["risk_recurring"], used).format(
            n=len(history) + 1, first=history[0].analysis.held_on.year, m=md(history[0].analysis.held_on)
        )
        if highs > 1:
            text += f"其间{highs}次研判为高风险。"
        previous = history[-1]
        if previous.level != r.level:
            text += f"与上次研判相比，风险等级由{LEVELS.get(previous.level, '')}{'升为' if _rank(r.level) > _rank(previous.level) else '降为'}{level}。"
    else:
        text += _fresh(p, says["risk_new"], used)

    rect = r.rectification if r.rectification_id else None
    rect_open = _rect_open(r, day)
    role = "risk_measure_done" if r.resolved and not rect_open else "risk_measure"
    text += _fresh(p, says[role], used).format(
        measure=r.measure.strip().rstrip("。"), office=r.responsible_office
    )
    same = [x for x in history if x.measure.strip().rstrip("。") == r.measure.strip().rstrip("。")]
    eased = bool(history) and _rank(r.level) < _rank(history[-1].level)
    if same and not r.resolved and not eased:  # the same measure promised before, the risk not eased
        first = same[0].analysis.held_on
        text += f"这一措施{first.year}年{md(first)}研判时已经提出，风险仍反复出现，前期措施没有取得预期效果，须查明原因、抓好落实。"
    if rect is not None and rect_open:
        deadline = f"，整改时限为{cn_date(rect.deadline)}" if rect.deadline else ""
        text += f"该风险已列入问题整改{deadline}，整改仍在推进。"
    elif rect is not None:
        text += "该风险已列入问题整改，整改已经完成。"
    if r.resolved and not rect_open:
        text += _fresh(p, says["risk_resolved"], used)
    return text


def _rect_open(r: Any, day: date | None) -> bool:
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


def _changes(p: Prose, says: dict[str, Any], q: Any) -> str:
    last = q.previous[0]
    before = {r.description: r for r in q.previous_risks}
    now = {r.description: r for r in q.risks}
    kept = [x for x in now if x in before]
    new = [x for x in now if x not in before]
    gone = [x for x in before if x not in now]
    parts = [says["changes_lead"].format(day=cn_date(last.held_on), n=len(before))]
    if kept:  # each risk's grade change is told in its own paragraph above
        parts.append(f"本季度仍列为风险点的{len(kept)}个（{listing([short_risk(x) for x in kept], 3)}）")
    if gone:
        parts.append(f"不再列为风险点的{len(gone)}个（{listing([clip(x, 20) for x in gone], 3)}）")
    if new:
        parts.append(f"上次未列入、本季度列入的{len(new)}个（{listing([short_risk(x) for x in new], 3)}）")
    if not (kept or gone or new):
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
    pending = [r for r in q.risks if not r.resolved or _rect_open(r, day)]
    for r in sorted(pending, key=lambda r: -_rank(r.level)):
        by_office.setdefault(r.responsible_office, []).append(r)
    for n, (office, risks) in enumerate(by_office.items()):
        names = listing([short_risk(r.description) or r.field for r in risks], 3)
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


def assessment(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The 考核自评报告: against the scheme a superior issued for the year, indicator by indicator
    the stored self-score and the records behind it in plain words, the total against the
    scheme's points, and what was lost and how it will be made good. Dated, unless told, in the
    January after the year (when the superior's assessment is due), or today if sooner."""
    from taizhang.rules.services import assessment_rows, evaluate_units

    from .facts_more import evidence_records, schemes_for
    from .phrases_more import Rotating, assessment_phrases, issuer

    org = issuer(unit)
    title = f"{org}{year}年度落实意识形态工作责任制情况自评报告"
    doc = d.Document("assessment", title, unit.name, day or after_the_year(year))
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    p = Rotating(Facts(unit, year_period(year)), "assessment", user, step=year)
    says = assessment_phrases(p)
    schemes = schemes_for(unit, year, user=user)
    if not schemes:
        b.block(
            d.BODY,
            f"{year}年度上级尚未下发适用于{unit.name}的意识形态工作考核方案，暂不能形成自评报告。请在“考核方案”中查看或录入上级下发的考核细则后重新生成。",
        )
        _finish(b, unit, doc.day)
        return doc
    scheme = schemes[0]
    rows = assessment_rows(scheme, unit, user=user)
    [result] = evaluate_units([unit], year, user=user, with_evidence=True)
    points = sum((r.indicator.points for r in rows), Decimal(0))
    scored = [r for r in rows if r.self_score is not None]
    if not scored:
        b.block(
            d.BODY,
            f"{org}尚未对照{issuer(scheme.unit)}《{scheme.title.strip('《》')}》填写自评得分，暂不能形成自评报告。请在“考核”页面逐项自评后重新生成。",
        )
        _finish(b, unit, doc.day)
        return doc
    total = sum((r.self_score.score for r in scored), Decimal(0))
    superior = issuer(scheme.unit)
    b.block(
        d.BODY,
        says["opening"].format(
            superior=superior, scheme=scheme.title.strip("《》"), org=org, n=len(rows),
            total=_num(total), points=_num(points),
        )
        + ("" if len(scored) == len(rows) else says["unscored"].format(n=len(rows) - len(scored)))
        + "现将自评情况报告如下。",
    )  # fmt: skip
    h.one("自评得分情况")
    table = [
        [
            str(r.indicator.number), r.indicator.name, _num(r.indicator.points),
            _num(r.self_score.score) if r.self_score else "未自评",
            _num(r.indicator.points - r.self_score.score) if r.self_score and r.self_score.score < r.indicator.points else "—",
        ]
        for r in rows
    ]  # fmt: skip
    table.append(["", "合计", _num(points), _num(total), _num(points - total) if total < points else "—"])
    b.table(["序号", "考核指标", "分值", "自评得分", "扣分"], table, [3, 14, 3, 4, 3])
    h.one("逐项自评情况")
    from taizhang.rules.engine import default_rules

    # the unit's rules, and the shipped ones it has not (a 党组 rule a branch's 支委会 answers)
    rules = {**{r.id: r for r in default_rules(year)}, **{r.id: r for r in result.rules}}
    full_year = year_period(year)
    facts = None  # the year's facts, read once if an indicator scored by hand needs them
    lost = []
    for r in rows:
        ind = r.indicator
        score = r.self_score.score if r.self_score else None
        h.two(f"{ind.name}（{_num(ind.points)}分）")
        cells = result.cells.get(ind.rule_id, []) if ind.method == "rule" else []
        rule = rules.get(ind.rule_id) if ind.method == "rule" else None
        why, head = "", []
        if ind.method == "rule":
            text, why = _indicator_evidence(
                p, ind, rule, cells, evidence_records(unit, cells, user=user), unit, full_year, user
            )
        else:
            if facts is None:
                facts = collect(unit, full_year, user=user)
            head, text = _manual_evidence(ind, facts), ""
        note = r.self_score.note.strip().rstrip("。") if r.self_score else ""
        if note and not re.fullmatch(r"缺\s*\d+\s*期", note):
            text += f"{note}。"
        if score is None:
            text += (
                says["no_score"].format(computed=_num(r.computed))
                if r.computed is not None
                else "本项尚未自评。"
            )
        elif score >= ind.points:
            text += p.pick(*says["full"]).format(score=_num(score))
        else:
            text += (
                f"自评{_num(score)}分。"
                if why
                else p.pick(*says["part"]).format(score=_num(score), lost=_num(ind.points - score))
            )
            lost.append((r, why or note or "评分中发现不足", bool(why)))
        if score is not None and r.computed is not None and score != r.computed:
            text += f"按考核细则计算应得{_num(r.computed)}分，自评得分与之不一致，请核对。"
        if r.problem:  # a stored rule nobody can evaluate: scored by hand, never counted as met
            text += f"本项对应的工作要求设置有误（{r.problem.rstrip('。')}），无法计算得分，已按人工评分处理，请修正后核对。"
        b.block(d.BODY, *head, text)
    h.one("存在的不足和改进措施")
    if lost:
        for n, (r, cause, by_rule) in enumerate(lost):
            measure = says["improve"][n % len(says["improve"])] if by_rule else says["improve_manual"]
            lead = f"{int_to_cn(n + 1)}是" if len(lost) > 1 else ""
            b.block(
                d.BODY,
                f"{lead}“{r.indicator.name}”扣{_num(r.indicator.points - r.self_score.score)}分，{cause}。"
                + measure.format(next=year + 1)
                + "。",
            )
    else:
        b.block(d.BODY, says["all_full"])
    b.block(d.BODY, "特此报告。")
    _finish(b, unit, doc.day)
    return doc


def after_the_year(year: int) -> date:
    """A year's self-assessment or roll-up: the middle of the January after it (when the superior
    assesses the year), or today while that has not come."""
    return min(date.today(), date(year + 1, 1, 15))


def _num(value: Any) -> str:
    """12.0 → 12, 4.5 → 4.5."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


EVERY = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}


def _missed_words_of(p: Prose, rule: Any, missed: list[Any], late: dict[int, date]) -> str:
    """8月未召开支委会 / 下半年专题报告12月26日报送，晚于12月20日时限 — what did not happen, when."""
    parts = []
    on_time = [c for c in missed if id(c) not in late]
    for c in missed:
        if id(c) in late:
            parts.append(f"{c.period.label}专题报告{md(late[id(c)])}报送，晚于{md(c.period.deadline)}时限")
    if on_time:
        whole = rule.period == "year"
        parts.append(("" if whole else _missed_periods(on_time, on_time)) + _act(p, rule, False))
    return "，".join(parts)


def _missed_periods(missed: list[Any], cells: list[Any]) -> str:
    """8月 / 第二季度、第四季度 / 1月、2月、3月等7期 / 全年各期."""
    if len(missed) == len(cells) > 1 and len(cells) == len({c.period for c in cells}) and len(cells) > 4:
        return "全年各期均"
    words = "、".join(_period_words(c) for c in missed[:4])
    return words + (f"等{len(missed)}期" if len(missed) > 4 else "")


def _period_words(cell: Any) -> str:
    whole = cell.period.start.month == 1 and cell.period.end.month == 12
    return "全年" if whole else cell.period.label


def rounds(checks: Figure) -> Figure:
    """Inspections counted by round: the platforms checked on one day are one round, not six."""
    days = {x.inspected_on for x in checks.records}
    return Figure(
        "inspection_rounds", len(days), "轮", "阵地检查（同一天检查各阵地计为1轮）",
        records=checks.records, day=checks.day,
    )  # fmt: skip


def _manual_evidence(ind: Any, facts: Facts) -> list[Any]:
    """For an indicator scored by hand, the year's records it is judged on (阵地, 舆情, 审核)."""
    said: list[list[Any]] = []
    name = ind.name + ind.criteria
    fig = {k: v for k, v in facts.figures.items() if v.value}.get
    checks = fig("inspections")
    if "阵地" in name and checks:
        found = fig("inspection_problems")
        said.append(
            ["全年开展阵地检查", rounds(checks), *(["，发现问题", found] if found else ["，未发现问题"])]
        )
    if "阵地" in name and fig("reviews"):
        back = fig("reviews_rejected")
        said.append(["信息发布审核", fig("reviews"), *(["，退回修改", back] if back else ["，均一次通过"])])
    if "舆情" in name:
        said.append(
            ["发生涉及本单位的舆情", fig("opinions")] if fig("opinions") else ["全年未发生涉及本单位的舆情"]
        )
    out: list[Any] = []
    for n, part in enumerate(said):
        out += [*part, "；" if n < len(said) - 1 else "。"]
    return out


def _indicator_evidence(
    p: Prose, ind: Any, rule: Any, cells: list[Any], records: dict[int, list[Any]], unit: Any,
    year: Any, user: Any,
) -> tuple[str, str]:  # fmt: skip
    """What the records show for one indicator, as an inspector reads it: the dated events, what
    did not happen and when, the deduction the scheme sets; and the shortfall in a few words."""
    from .facts_more import rule_records

    if rule is None:
        return "", ""
    action = _act(p, rule, True)
    if not cells:  # the rule is not one of this organisation's (a 党组 rule for a branch)
        done = rule_records(unit, rule, year.start, year.end, user=user)
        if not done:
            return "这项要求不适用于本单位党组织，按考核细则不扣分。", ""
        shown = "、".join(f"{md(when)}{t.removeprefix(p.meet)}" for t, when in done[:4]) + (
            "等" if len(done) > 4 else ""
        )
        enough = (
            f"，达到{EVERY.get(rule.period, '')}不少于{rule.threshold}次的要求"
            if len(done) >= rule.threshold
            else ""
        )
        return f"本年度{p.meet}{len(done)}次专题研究意识形态工作：{shown}{enough}。", ""
    missed = [c for c in cells if c.status == "missed"]
    due = [c for c in cells if c.status == "due"]
    found = sorted(
        {(when, t) for c in cells for t, when in records.get(id(c), []) if when}, key=lambda x: x[0]
    )
    late: dict[int, date] = {}
    for c in missed:  # a record in the period after its due day: late, not missing
        after = [
            w
            for _, w in rule_records(unit, rule, c.period.start, c.period.end, user=user)
            if w > c.period.deadline
        ]
        if after and rule.ledger == "report":
            late[id(c)] = after[0]
    if rule.ledger == "report" and found:
        text = "本年度" + "、".join(f"{md(when)}报送《{t.strip('《》')}》" for when, t in found)
    else:
        every = EVERY.get(rule.period, "")
        days = sorted({when for when, _ in found})
        listed = f"（{'、'.join(md(x) for x in days)}）" if 0 < len(days) <= 4 else ""
        text = f"全年{action}{len(found)}次{listed}" if found else f"全年未{action}"
        if not missed and not due and found:
            text += f"，{every}均按期完成" if every != "每年" else ""
    why = ""
    if missed:
        why = _missed_words_of(p, rule, missed, late)
        if found or late:
            text += f"，{why}"
        else:  # not one record: 全年未召开支委会, said once
            why = text = "全年" + _act(p, rule, False)
        if ind.deduction:
            taken = min(ind.points, ind.deduction * len(missed))
            rule_text = (
                f"“{ind.criteria.strip().rstrip('。')}”"
                if ind.criteria.strip()
                else f"每缺一期扣{_num(ind.deduction)}分"
            )
            text += f"，按考核细则{rule_text}，扣{_num(taken)}分"
    text += "。"
    if due:
        text += f"{'、'.join(c.period.label for c in due[:3])}尚未到期，列为下一步工作。"
    return text, why


def ledger_book(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The printable 台账汇编: a cover, a contents table (written, not a Word field: it reads the
    same in every program and on paper, and lists what each part holds) and one table per ledger."""
    from .facts_more import ledger_tables
    from .phrases_more import issuer

    title = f"{unit.name}{year}年度意识形态工作台账汇编"
    doc = d.Document("ledger-book", title, unit.name, day or date.today())
    b = d.Builder(doc)
    tables = ledger_tables(unit, year, user=user)
    b.block(d.COVER, unit.name)
    b.block(d.COVER, f"{year}年度意识形态工作台账汇编")
    b.block(d.COVER_NOTE, issuer(unit))
    b.block(d.COVER_NOTE, f"{doc.day.year}年{doc.day.month}月")
    b.block(d.TITLE, "目　　录")
    # the parts carry no 一、 numbers: the records' own text in the cells often starts with 一、,
    # and a reader (or the proofreader) would take it for the document's next heading
    contents = [[str(n), t.title, str(len(t.rows))] for n, t in enumerate(tables, 1)]
    b.table(["序号", "台账", "记录条数"], contents, [3, 10, 4])
    total = sum(len(t.rows) for t in tables)
    cut = [t.title for t in tables if t.left_out]
    b.block(
        d.BODY,
        f"本汇编收录{unit.name}{year}年度台账记录{total}条。"
        + (f"{listing(cut, 3)}台账栏目较多，表中列出主要栏目，全部栏目见同期导出的电子表格。" if cut else ""),
    )
    b.block(d.BREAK)
    for t in tables:
        b.block(d.H1, t.title)
        if not t.rows:
            b.block(d.BODY, f"{year}年度无{t.title}记录。")
            continue
        b.table(t.header, t.rows, t.widths)
    return doc


def rollup(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The superior's report on its subordinate units: each unit once, ranked by the share of
    decided periods met (a requirement with no record all year counted as not done); a unit with
    nothing entered is told apart. Then what the issuer itself did: its inspections of the units,
    their self-assessments and the 舆情 across them."""
    from .facts_more import standings
    from .phrases_more import Rotating, issuer, rollup_phrases

    org = issuer(unit)
    day = day or after_the_year(year)
    title = f"{org}关于{year}年度所属单位意识形态工作责任制落实情况的报告"
    doc = d.Document("rollup", title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    p = Rotating(Facts(unit, year_period(year)), "rollup", user, step=year)
    says = rollup_phrases(p)
    rows = standings(unit, year, user=user)
    as_of = f"截至{md(day - timedelta(days=1))}，" if date(year, 1, 1) < day <= date(year, 12, 31) else ""
    if not rows:
        b.block(d.BODY, f"{unit.name}没有所属单位，或您无权查看所属单位的台账，不能形成汇总报告。")
        _finish(b, unit, doc.day)
        return doc
    rated = sorted(
        [s for s in rows if s.rate is not None], key=lambda s: (-(s.rate or 0), len(s.missed), s.unit.path)
    )
    empty = [s for s in rows if s.rate is None]
    average = sum(s.rate or 0 for s in rated) / len(rated) if rated else None
    judged = (
        "" if average is None
        else "总体看，所属单位责任制落实较好" if average >= 0.9
        else "总体看，责任制落实基本到位，个别单位仍有差距" if average >= 0.8
        else "总体看，责任制落实不够平衡，部分单位差距较大"
    )  # fmt: skip
    b.block(
        d.BODY,
        says["opening"].format(org=org, year=year, as_of=as_of, judged=f"{judged}。" if judged else ""),
    )
    h.one("总体情况")
    before, after = says["count"].split("{n}")
    count = Figure("rollup_units", len(rows), "个", "所属单位", [])
    pieces: list[Any] = [before, count, after.removeprefix("个")]
    if rated and average is not None:
        full = [s for s in rated if s.rate == 1]
        low = [s for s in rated if (s.rate or 0) < 0.8]
        pieces.append(
            says["average"].format(n=len(rated), rate=f"{average:.0%}")
            if len(rated) > 1
            else f"{rated[0].unit.name}各项工作要求按期完成率为{average:.0%}。"
        )
        if full:
            pieces.append(says["full"].format(names=listing([s.unit.name for s in full], 4), n=len(full)))
        if low:
            pieces.append(says["low"].format(names=_units(low), n=len(low)))
    if empty:
        pieces.append(says["empty"].format(names=_units(empty)))
    b.block(d.BODY, *pieces)
    for line in _own_work(unit, year, rows, user):
        b.block(d.BODY, *line)
    h.one("各单位落实情况")
    b.block(d.BODY, says["ranking"])
    table = []
    for s in rated:
        place = 1 + sum((x.rate or 0) > (s.rate or 0) for x in rated)  # equal rates share a place
        table.append([
            str(place), s.unit.name, f"{s.rate:.0%}", str(s.met), str(len(s.missed) + len(s.unrecorded)),
            str(len({c.rule.id for c in s.unrecorded})) if s.unrecorded else "—",
        ])  # fmt: skip
    for s in empty:
        table.append(["—", s.unit.name, "—", "0", "0", "尚未录入"])
    b.table(
        ["名次", "单位", "完成率", "按期完成（期）", "未完成（期）", "全年未开展的工作（项）"],
        table,
        [3, 9, 4, 5, 5, 6],
    )
    used: set[str] = set()  # each unit's line in a phrasing of its own while there are some left
    # a line each for the first three, the last three and those below 80% (at most eight): the
    # table names every unit; a roll-up over hundreds reads the rest in one sentence
    ends = [i for i in range(len(rated)) if i < 3 or i >= len(rated) - 3]
    low_ones = [i for i, s in enumerate(rated) if i not in ends and (s.rate or 0) < 0.8]
    told = set(ends + low_ones[: max(0, 8 - len(ends))])
    for n, s in enumerate(rated):
        if n not in told:
            continue
        last = n == len(rated) - 1 and len(rated) > 2 and (s.rate or 0) < (rated[n - 1].rate or 0)
        place = n if len(rated) > 1 else -1  # a single unit rated is first of none
        b.block(d.BODY, _standing_sentence(p, says, s, place, last, used, user))
    rest = [s for i, s in enumerate(rated) if i not in told]
    if rest:
        lo, hi = min(s.rate or 0 for s in rest), max(s.rate or 0 for s in rest)
        span = f"{lo:.0%}" if lo == hi else f"{lo:.0%}至{hi:.0%}"
        b.block(
            d.BODY,
            f"其余{len(rest)}个单位完成率在{span}之间，具体见上表。"
            if lo != hi
            else f"其余{len(rest)}个单位完成率均为{span}，具体见上表。",
        )
    h.one("存在的主要问题")
    problems = _rollup_problems(p, says, rows)
    if problems:
        enumerate_items(b, [[x] for x in problems])
    else:
        b.block(d.BODY, says["no_problems"])
    h.one("下一步工作打算")
    enumerate_items(b, [[x] for x in _rollup_steps(says, rows, rated, year)])
    b.block(d.BODY, "特此报告。")
    _finish(b, unit, doc.day)
    return doc


def _own_work(unit: Any, year: int, rows: list[Any], user: Any) -> list[list[Any]]:
    """What the issuer did over its units in the year, as their records show it: the inspections
    they received from it, their self-assessments against its scheme, the 舆情 across them."""
    from taizhang.rules.services import assessment_rows

    from .facts_more import schemes_of, system_opinions, unit_inspections

    out: list[list[Any]] = []
    units = [s.unit for s in rows]
    seen = unit_inspections(unit, units, year, user=user)
    for when, names in seen:
        out.append([f"{md(when)}，对{listing(names, 4)}开展意识形态工作专项检查。"])
    for scheme in schemes_of(unit, year, user=user):
        done, none = [], []
        for u in units:
            scored = [r for r in assessment_rows(scheme, u, user=user) if r.self_score is not None]
            if scored:
                total = sum((r.self_score.score for r in scored), Decimal(0))
                points = sum((r.indicator.points for r in scored), Decimal(0))
                done.append(f"{u.name}自评{_num(total)}分（满分{_num(points)}分）")
            else:
                none.append(u.name)
        if done or none:
            text = f"按照《{scheme.title.strip('《》')}》，" + ("，".join(done) if done else "")
            if none:
                text += ("，" if done else "") + f"{listing(none, 4)}尚未提交自评"
            out.append([text + "。"])
    opinions = system_opinions(units, year, user=user)
    if opinions:
        by_unit: dict[str, int] = {}
        for o in opinions:
            by_unit[o.unit.name] = by_unit.get(o.unit.name, 0) + 1
        figure = Figure("rollup_opinions", len(opinions), "起", "所属单位涉及本单位的舆情", records=opinions)
        open_ = [o for o in opinions if not o.closed]
        out.append([
            "所属单位全年发生舆情", figure,
            f"（{'、'.join(f'{k}{v}起' for k, v in by_unit.items())}），"
            + (f"{len(open_)}起尚在处置。" if open_ else "均已处置完毕。"),
        ])  # fmt: skip
    return out


def _standing_sentence(
    p: Prose, says: dict[str, Any], s: Any, n: int, last: bool, used: set[str], user: Any = None
) -> str:
    """One unit's line: its place, its rate and what did not happen, by the period it did not."""
    name, rate = s.unit.name, f"{s.rate:.0%}"
    missed = _missed_words(s.unit, s.missed, user)
    if not s.missed and not s.unrecorded:
        return _fresh(p, says["unit_full"], used).format(name=name, met=s.met)
    if not s.missed:
        text = f"{name}完成率{rate}。"
    elif n == 0:
        text = _fresh(p, says["unit_first"], used).format(name=name, rate=rate, missed=missed)
    elif last:
        text = _fresh(p, says["unit_last"], used).format(name=name, rate=rate, missed=missed)
    else:
        text = _fresh(p, says["unit_middle"], used).format(name=name, rate=rate, missed=missed)
    if s.unrecorded:
        text += _fresh(p, says["unit_unrecorded"], used).format(
            rules=_not_done_all_year(s.unit, s.unrecorded)
        )
    return text


def _units(rows: list[Any]) -> str:
    """区气象局、东区气象局 — or the first four and how many in all (……等39个单位)."""
    names = listing([s.unit.name for s in rows], 4)
    return names + (f"{len(rows)}个单位" if len(rows) > 4 else "")


def _act(who: Any, rule: Any, positive: bool) -> str:
    """召开支委会 / 未召开支委会: a rule as the action done or not, in `who`'s words (meet, sec)."""
    from .writer import ACTIONS

    words = ACTIONS.get(rule.id)
    if words is None:
        return rule.name if positive else f"未落实{rule.name}"
    return words[0 if positive else 1].format(meet=who.meet, sec=who.sec)


class _Body:
    """The words a unit's own rules are told in (支委会, 支部书记): what writer._action reads."""

    def __init__(self, unit: Any) -> None:
        from .facts import org_meeting
        from .writer import SECRETARY

        self.meet = org_meeting(unit)
        self.sec = SECRETARY.get(getattr(unit, "org_type", ""), "书记")


def _missed_words(unit: Any, cells: list[Any], user: Any = None) -> str:
    """8月未召开支委会，下半年专题报告12月26日逾期报送 — what did not happen, by the periods."""
    from .facts_more import rule_records

    body = _Body(unit)
    by_rule: dict[str, list[Any]] = {}
    for c in cells:
        by_rule.setdefault(c.rule.id, []).append(c)
    parts = []
    for cs in list(by_rule.values())[:3]:
        rule = cs[0].rule
        plain = []
        for c in cs:
            late = (
                [
                    w
                    for _, w in rule_records(unit, rule, c.period.start, c.period.end, user=user)
                    if w > c.period.deadline
                ]
                if rule.ledger == "report"
                else []
            )
            if late:
                parts.append(f"{c.period.label}专题报告{md(late[0])}逾期报送")
            else:
                plain.append(c)
        if plain:
            whole = rule.period == "year"
            when = (
                ""
                if whole
                else "、".join(x.period.label for x in plain[:3]) + ("等" if len(plain) > 3 else "")
            )
            parts.append(when + _act(body, rule, False))
    return "，".join(parts) + ("，其他工作也有未按期落实的" if len(by_rule) > 3 else "")


def _not_done_all_year(unit: Any, cells: list[Any]) -> str:
    """未召开支委会、党小组会，未开展主题党日活动 — the requirements with no record all year."""
    body = _Body(unit)
    rules = list({c.rule.id: c.rule for c in cells}.values())
    words = [_act(body, r, False) for r in rules]
    held = [w.removeprefix("未召开") for w in words if w.startswith("未召开")]
    done = [w.removeprefix("未开展") for w in words if w.startswith("未开展")]
    other = [w for w in words if not w.startswith(("未召开", "未开展"))]
    parts = ([f"未召开{listing(held, 6)}"] if held else []) + ([f"未开展{listing(done, 6)}"] if done else [])
    return "，".join(parts + other)


def _rollup_problems(p: Prose, says: dict[str, Any], rows: list[Any]) -> list[str]:
    out = []
    by_rule: dict[str, set[str]] = {}
    rule_of: dict[str, Any] = {}
    for s in rows:
        for c in s.missed:
            by_rule.setdefault(c.rule.id, set()).add(s.unit.name)
            rule_of[c.rule.id] = c.rule
    common = sorted(by_rule.items(), key=lambda kv: -len(kv[1]))
    body = _Body(rows[0].unit)
    if common and len(common[0][1]) > 1:
        rid, units = common[0]
        ordered = [s.unit.name for s in rows if s.unit.name in units]
        out.append(
            p.pick(*says["problem_common"]).format(
                action=_act(body, rule_of[rid], False), n=len(units), names=listing(ordered, 4)
            )
        )
    elif common:
        out.append(
            p.pick(*says["problem_single"]).format(
                actions=listing([_act(body, rule_of[k], False) for k, _ in common], 3)
            )
        )
    unrecorded = [s for s in rows if s.unrecorded and s.rate is not None]
    if unrecorded:
        out.append(p.pick(*says["problem_unrecorded"]).format(names=_units(unrecorded)))
    empty = [s for s in rows if s.rate is None]
    if empty:
        out.append(p.pick(*says["problem_empty"]).format(names=_units(empty)))
    return out


def _rollup_steps(says: dict[str, Any], rows: list[Any], rated: list[Any], year: int) -> list[str]:
    out = []
    behind = [s for s in rated if s.missed or s.unrecorded]
    if behind:
        out.append(says["step_behind"].format(names=_units(behind), next=year + 1))
    silent = [s for s in rows if s.unrecorded or s.rate is None]
    if silent:
        out.append(says["step_records"].format(names=_units(silent), next=year + 1))
    out.append(says["step_check"].format(next=year + 1))
    return out


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
