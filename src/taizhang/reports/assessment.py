"""The 考核自评报告: against the scheme a superior issued for the year, indicator by indicator the
stored self-score and the records behind it in plain words, the total against the scheme's points,
and what was lost and how it will be made good."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from taizhang.proofread.text import int_to_cn

from . import document as d
from .facts import Facts, Figure, collect, year_period
from .phrases_upward import ASSESSMENT_EACH, ASSESSMENT_ONCE
from .prose import (
    EVERY,
    Headings,
    Prose,
    Rotating,
    after_the_year,
    finish,
    issuer,
    md,
    merge_actions,
    month_spans,
    plain_number,
    rule_action,
)


def assessment(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The 考核自评报告: against the scheme a superior issued for the year, indicator by indicator
    the stored self-score and the records behind it in plain words, the total against the
    scheme's points, and what was lost and how it will be made good. Dated, unless told, in the
    January after the year (when the superior's assessment is due), or today if sooner."""
    from taizhang.rules.services import assessment_rows, evaluate_units

    from .facts_more import schemes_for

    org = issuer(unit)
    title = f"{org}{year}年度落实意识形态工作责任制情况自评报告"
    doc = d.Document("assessment", title, unit.name, day or after_the_year(year))
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    p = Rotating(Facts(unit, year_period(year)), "assessment", user, step=year)
    says = {k: p.pick(*v) for k, v in ASSESSMENT_ONCE.items()} | ASSESSMENT_EACH
    schemes = schemes_for(unit, year, user=user)
    if not schemes:
        b.block(
            d.BODY,
            f"{year}年度上级尚未下发适用于{unit.name}的意识形态工作考核方案，暂不能形成自评报告。请在“考核方案”中查看或录入上级下发的考核细则后重新生成。",
        )
        finish(b, unit, doc.day)
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
        finish(b, unit, doc.day)
        return doc
    total = sum((r.self_score.score for r in scored), Decimal(0))
    b.block(d.BODY, _opening(says, scheme, org, rows, len(scored), total, points))
    scoring = _Scoring(unit, year, user, result)
    scoring.facts = collect(unit, year_period(year), user=user)
    b.block(d.BODY, *_overall(scoring.facts, rows))
    h.one("自评得分情况")
    _score_table(b, rows, points, total)
    h.one("逐项自评情况")
    lost = []
    for r in rows:
        h.two(f"{r.indicator.name}（{plain_number(r.indicator.points)}分）")
        head, text, shortfall = scoring.indicator(p, says, r)
        if shortfall:
            lost.append(shortfall)
        b.block(d.BODY, *head, text)
    h.one("存在的不足和改进措施")
    from .problems import secretary

    answers = _summary_answers(unit, year, user, doc.day) if lost else {}
    _shortfalls(b, says | {"sec": secretary(p), "p": p}, lost, year, answers)  # 支部书记王建国, by name
    b.block(d.BODY, "特此报告。")
    finish(b, unit, doc.day)
    return doc


def _opening(
    says: dict[str, Any], scheme: Any, org: str, rows: list[Any], scored: int, total: Decimal, points: Decimal
) -> str:
    text = str(says["opening"]).format(
        superior=issuer(scheme.unit), scheme=scheme.title.strip("《》"), org=org, n=len(rows),
        total=plain_number(total), points=plain_number(points),
    )  # fmt: skip
    if scored < len(rows):
        text += str(says["unscored"]).format(n=len(rows) - scored)
    return text + "现将自评情况报告如下。"


def _overall(facts: Facts, rows: list[Any]) -> list[Any]:
    """全年，…召开支委会11次、…；对照考核细则，5项指标中2项得满分，扣分集中在……: what the
    year held in brief, and where the points were lost."""
    said: list[Any] = []
    names = "".join(r.indicator.name + (r.indicator.criteria or "") for r in rows)
    for key, label, words in (
        ("branch_committee", "召开支委会", "支委会"), ("central_study", "理论学习中心组集中学习", "中心组|理论学习"),
        ("analyses", "开展形势分析研判", "研判"), ("inspections", "检查阵地", "阵地"),
        ("adopted_high", "省级以上媒体采用稿件", "采用|稿件|宣传"),
    ):  # fmt: skip
        fig = facts.figure(key)
        if fig.value and re.search(words, names):  # only what the scheme's indicators score
            said += ["，" if said else "全年", label, rounds(fig) if key == "inspections" else fig]
    text = "。" if said else ""
    full = [r for r in rows if r.self_score and r.self_score.score >= r.indicator.points]
    short = [r for r in rows if r.self_score and r.self_score.score < r.indicator.points]
    if short and len(short) <= 3:
        where = "".join(f"“{r.indicator.name}”" for r in short)
        text += f"对照考核细则，{len(rows)}项指标中{len(full)}项得满分，扣分集中在{where}{len(short)}项。"
    elif short:  # lost across many: not 集中; the heaviest named
        heavy = sorted(short, key=lambda r: r.self_score.score - r.indicator.points)[:2]
        where = "".join(f"“{r.indicator.name}”" for r in heavy)
        text += f"对照考核细则，{len(rows)}项指标中{len(full)}项得满分，其余{len(short)}项有扣分，扣分较多的是{where}。"
    elif full:
        text += f"对照考核细则，{len(rows)}项指标均得满分。"
    return [*said, text] if said or text else []


def _score_table(b: d.Builder, rows: list[Any], points: Decimal, total: Decimal) -> None:
    def lost(r: Any) -> str:
        score = r.self_score.score if r.self_score else None
        return (
            plain_number(r.indicator.points - score)
            if score is not None and score < r.indicator.points
            else "—"
        )

    table = [
        [
            str(r.indicator.number), r.indicator.name, plain_number(r.indicator.points),
            plain_number(r.self_score.score) if r.self_score else "未自评", lost(r),
        ]
        for r in rows
    ]  # fmt: skip
    table.append(
        [
            "",
            "合计",
            plain_number(points),
            plain_number(total),
            plain_number(points - total) if total < points else "—",
        ]
    )
    b.table(["序号", "考核指标", "分值", "自评得分", "扣分"], table, [3, 14, 3, 4, 3])


class _Scoring:
    """What one indicator's paragraph reads: the unit's rules (and the shipped ones it has not: a
    党组 rule a branch's 支委会 answers), the rule cells, the year's facts when scored by hand."""

    def __init__(self, unit: Any, year: int, user: Any, result: Any) -> None:
        from taizhang.rules.engine import default_rules

        self.unit, self.year, self.user, self.result = unit, year, user, result
        self.rules = {**{r.id: r for r in default_rules(year)}, **{r.id: r for r in result.rules}}
        self.full_year = year_period(year)
        self.facts: Facts | None = None  # read once if an indicator scored by hand needs them

    def indicator(
        self, p: Prose, says: dict[str, Any], r: Any
    ) -> tuple[list[Any], str, tuple[Any, str, Any] | None]:
        """The evidence, the score and, where points were lost, (row, why, lost by a rule)."""
        from .facts_more import evidence_records

        ind = r.indicator
        score = r.self_score.score if r.self_score else None
        why, head = "", []
        if ind.method == "rule":
            cells = self.result.cells.get(ind.rule_id, [])
            records = evidence_records(self.unit, cells, user=self.user)
            text, why = _indicator_evidence(
                p, ind, self.rules.get(ind.rule_id), cells, records, self.unit, self.full_year, self.user
            )
        else:
            if self.facts is None:
                self.facts = collect(self.unit, self.full_year, user=self.user)
            head, text = _manual_evidence(ind, self.facts), ""
        note = r.self_score.note.strip().rstrip("。") if r.self_score else ""
        if note and not re.fullmatch(r"缺\s*\d+\s*期", note):
            text += f"{note}。"
        shortfall = None
        if score is None:
            computed = r.computed
            text += (
                says["no_score"].format(computed=plain_number(computed))
                if computed is not None
                else "本项尚未自评。"
            )
        elif score >= ind.points:
            text += p.pick(*says["full"]).format(score=plain_number(score))
        else:
            lost = plain_number(ind.points - score)
            criteria = ind.criteria.strip().rstrip("。")
            text += (
                f"自评{plain_number(score)}分。"
                if why
                else f"考核细则规定本项“{criteria}”，据此扣{lost}分，自评{plain_number(score)}分。"
                if criteria and ind.method != "rule"
                else p.pick(*says["part"]).format(score=plain_number(score), lost=lost)
            )
            shortfall = (r, why or note or "评分中发现不足", self.rules.get(ind.rule_id) if why else None)
        if score is not None and r.computed is not None and score != r.computed:
            text += f"按考核细则计算应得{plain_number(r.computed)}分，自评得分与之不一致，请核对。"
        if r.problem:  # a stored rule nobody can evaluate: scored by hand, never counted as met
            text += f"本项对应的工作要求设置有误（{r.problem.rstrip('。')}），无法计算得分，已按人工评分处理，请修正后核对。"
        return head, text, shortfall


def _shortfalls(
    b: d.Builder, says: dict[str, Any], lost: list[tuple[Any, str, Any]], year: int, answers: dict[str, str]
) -> None:
    """Each indicator that lost points: what was lost and why, and the measure that answers it — the
    measure the year's summary gives for the same problem where it gives one (the two documents go
    up within days of each other), else for a report its due day, for 阵地 the rounds. The rule
    indicators lost together are one item with one measure."""
    if not lost:
        b.block(d.BODY, says["all_full"])
        return
    rules = [x for x in lost if x[2] is not None]
    items: list[tuple[list[tuple[Any, str, Any]], str]] = []
    for x in lost:
        r, _cause, rule = x
        if rule is not None:
            if x is rules[0]:  # every rule lost: one item, the summary's measure for missed work
                items.append((rules, answers.get("missed") or _own(says, _rule_measure(says, rules), year)))
            continue
        kind = next((k for word, k in MANUAL_KINDS if word in r.indicator.name), "")
        fallback = _own(says, str(says.get(f"improve_{kind}", says["improve_manual"])), year)
        items.append(([x], answers.get(MANUAL_ANSWER.get(kind, ""), "") or fallback))
    for n, (group, measure) in enumerate(items):
        lead = f"{int_to_cn(n + 1)}是" if len(items) > 1 else ""
        named = "".join(f"“{r.indicator.name}”" for r, _, _ in group)
        taken = {plain_number(r.indicator.points - r.self_score.score) for r, _, _ in group}
        each = "各" if len(group) > 1 and len(taken) == 1 else ""
        lost_words = (
            f"{each}扣{taken.pop()}分"
            if len(taken) == 1
            else "共扣"
            + plain_number(sum((r.indicator.points - r.self_score.score for r, _, _ in group), Decimal(0)))
            + "分"
        )
        # the dates the indicator's own section gave are not told again: 下半年专题报告未按时报送
        causes = "，".join(LATE_REPORT.sub(r"\1专题报告未按时报送", c) for _, c, _ in group)
        b.block(d.BODY, f"{lead}{named}{lost_words}，{causes}。{measure.rstrip('。')}。")


def _own(says: dict[str, Any], measure: str, year: int) -> str:
    """A measure of the report's own phrase bank, its year and secretary filled in."""
    return measure.format(next=year + 1, sec=says["sec"])


# the hand-scored indicators by their words: the measure of theirs, and the summary's problem it answers
MANUAL_KINDS = (("阵地", "positions"), ("整改", "rectify"), ("宣传", "publicity"))
MANUAL_ANSWER = {"positions": "positions", "rectify": "overdue", "publicity": "adoption"}


def _rule_measure(says: dict[str, Any], rules: list[tuple[Any, str, Any]]) -> str:
    """Without the summary's: a report has a due day (draft before it), monthly work a calendar."""
    monthly = [rule for _, _, rule in rules if rule.period == "month"]
    if monthly:
        actions = merge_actions(list(dict.fromkeys(rule_action(says["p"], rule, True) for rule in monthly)))
        return str(says["improve_month"]).replace("{action}", "、".join(actions))
    if any(rule.ledger == "report" for _, _, rule in rules):
        return str(says["improve_report"])
    return str(says["improve"][0])


def _summary_answers(unit: Any, year: int, user: Any, day: date) -> dict[str, str]:
    """The measures the year's summary gives, by the kind of problem they answer (the same measure,
    owner and time limit in every document that answers the problem for the year)."""
    from .facts import rule_cells
    from .problems import drop_held, find_problems, measure
    from .prose import settle_overdue

    facts = collect(unit, year_period(year), user=user, as_of=day)
    settle_overdue(facts)
    q = Prose(facts, "annual", user)
    missed, _due = rule_cells(unit, year, user=user, until=facts.cutoff)
    out = {}
    for pr in find_problems(q, drop_held(unit, missed, user)):
        out[pr.kind] = "".join(str(x) for x in measure(q, pr)).strip()
    return out


LATE_REPORT = re.compile(r"(\S{2,4}?)专题报告\d+月\d+日报送，晚于\d+月\d+日时限")


def _missed_words_of(p: Prose, rule: Any, missed: list[Any], late: dict[int, date], cells: list[Any]) -> str:
    """8月未召开支委会 / 下半年专题报告12月26日报送，晚于12月20日时限 — what did not happen, when."""
    parts = []
    on_time = [c for c in missed if id(c) not in late]
    for c in missed:
        if id(c) in late:
            parts.append(f"{c.period.label}专题报告{md(late[id(c)])}报送，晚于{md(c.period.deadline)}时限")
    if on_time:
        whole = rule.period == "year"
        parts.append(("" if whole else _missed_periods(on_time, cells)) + rule_action(p, rule, False))
    return "，".join(parts)


def _missed_periods(missed: list[Any], cells: list[Any]) -> str:
    """The periods missed, as they were: 8月 / 第二季度、第四季度 / 3月至5月、8月 / 除5月外，其余各月均
    (most of a year missed, the rest held) / 全年各月均 (every period) — `cells` are all the rule's
    periods of the year, so that a period held is never written as missed."""
    kind = missed[0].rule.period if missed else ""
    missed_at = {c.period.index for c in missed}
    others = [c for c in cells if c.period.index not in missed_at]
    if not others and len(missed) > 1:
        return {"month": "全年各月均", "quarter": "全年各季度均", "half": "上、下半年均"}.get(kind, "")
    if kind == "month" and len(others) <= 3 < len(missed) and all(c.status == "met" for c in others):
        return f"除{month_spans([c.period for c in others])}外，其余各月均"
    if kind == "month":
        return month_spans([c.period for c in missed])
    return "、".join(_period_words(c) for c in missed)


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


POSITION_WORDS = (
    "阵地",
    "宣传栏",
    "网站",
    "公众号",
    "显示屏",
    "栏目",
    "终端",
)  # a rectification of a position


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
    late = [r for r in facts.lists.get("overdue", []) if any(w in r.problem for w in POSITION_WORDS)]
    if "阵地" in name and late:  # what a deduction for 阵地管理 has to answer for
        from .problems import problem_text

        said.append(
            [f"阵地问题整改逾期未完成{len(late)}项（{'、'.join(f'“{problem_text(r)}”' for r in late[:2])}）"]
        )
    if "舆情" in name:
        said.append(
            ["发生涉及本单位的舆情", fig("opinions"), _opinion_levels(facts)]
            if fig("opinions")
            else ["全年未发生涉及本单位的舆情"]
        )
    out: list[Any] = []
    for n, part in enumerate(said):
        out += [*part, "；" if n < len(said) - 1 else "。"]
    return out


def _opinion_levels(facts: Facts) -> str:
    """，均为一般舆情，均已处置完毕 — how grave the 舆情 were and whether they were closed, so that a
    reader sees what the score of a 无负面舆情 indicator rests on."""
    rows = facts.figure("opinions").records
    levels: dict[str, int] = {}
    for o in rows:
        levels[o.get_level_display()] = levels.get(o.get_level_display(), 0) + 1
    graded = (
        f"，均为{next(iter(levels))}舆情"
        if len(levels) == 1
        else "，其中" + "、".join(f"{k}舆情{v}起" for k, v in levels.items())
    )
    closed = sum(1 for o in rows if o.closed)
    return graded + ("，已全部处置完毕" if closed == len(rows) else f"，已处置{closed}起")


def _not_ours(p: Prose, rule: Any, done: list[Any]) -> str:
    """A rule that is not the organisation's own, told by what its body did about it anyway."""
    if not done:
        return "这项要求不适用于本单位党组织，按考核细则不扣分。"
    shown = "、".join(f"{md(when)}{t.removeprefix(p.meet)}" for t, when in done[:4]) + (
        "等" if len(done) > 4 else ""
    )
    enough = (
        f"，达到{EVERY.get(rule.period, '')}不少于{rule.threshold}次的要求"
        if len(done) >= rule.threshold
        else ""
    )
    return f"本年度{p.meet}{len(done)}次专题研究意识形态工作：{shown}{enough}。"


def _indicator_evidence(
    p: Prose, ind: Any, rule: Any, cells: list[Any], records: dict[int, list[Any]], unit: Any,
    year: Any, user: Any,
) -> tuple[str, str]:  # fmt: skip
    """What the records show for one indicator, as an inspector reads it: the dated events, what
    did not happen and when, the deduction the scheme sets; and the shortfall in a few words."""
    from .facts_more import rule_records

    if rule is None:
        return "", ""
    action = rule_action(p, rule, True)
    if not cells:  # the rule is not one of this organisation's (a 党组 rule for a branch)
        return _not_ours(p, rule, rule_records(unit, rule, year.start, year.end, user=user)), ""
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
        why = _missed_words_of(p, rule, missed, late, cells)
        if found or late:
            text += f"，{why}"
        else:  # not one record: 全年未召开支委会, said once
            why = text = "全年" + rule_action(p, rule, False)
        if ind.deduction:
            taken = min(ind.points, ind.deduction * len(missed))
            rule_text = (
                f"“{ind.criteria.strip().rstrip('。')}”"
                if ind.criteria.strip()
                else f"每缺一期扣{plain_number(ind.deduction)}分"
            )
            text += f"，按考核细则{rule_text}，扣{plain_number(taken)}分"
    text += "。"
    if due:
        text += f"{'、'.join(c.period.label for c in due[:3])}尚未到期，列为下一步工作。"
    return text, why
