"""The superior's roll-up over its subordinate units (汇总报告): each unit once, ranked, a unit with
nothing entered told apart from one that missed requirements, then what the issuer itself did over
them, the problems common to several units and the measures."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from . import document as d
from .facts import Facts, Figure, year_period
from .phrases_upward import ROLLUP_EACH, ROLLUP_ONCE
from .prose import (
    Headings,
    OrgWords,
    Prose,
    Rotating,
    after_the_year,
    finish,
    fresh,
    issuer,
    listing,
    md,
    numbered,
    ourselves,
    plain_number,
    rule_action,
    settle_overdue,
)  # fmt: skip

GAP = 0.05  # a unit is called behind the others only this far below the first (1 point is noise)


def rollup(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The superior's report on its subordinate units: first what the issuer itself did (its
    meetings, study, scheme, inspections and reports upward), then each unit once, ranked by the
    issuer's own 考核 score where it scored them all (else by the share of decided periods met), a
    unit with nothing entered told apart; the problems, the issuer's own first, and the measures."""
    from .facts_more import standings

    org = issuer(unit)
    day = day or after_the_year(year)
    title = f"{org}关于{year}年度系统意识形态工作责任制落实情况的报告"
    doc = d.Document("rollup", title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    p = Rotating(Facts(unit, year_period(year)), "rollup", user, step=year)
    says = {k: p.pick(*v) for k, v in ROLLUP_ONCE.items()} | ROLLUP_EACH
    rows = standings(unit, year, user=user)
    # a roll-up dated on the year's last day is the whole year's (not 截至12月30日)
    as_of = f"截至{md(day - timedelta(days=1))}，" if date(year, 1, 1) < day < date(year, 12, 31) else ""
    if not rows:
        b.block(d.BODY, f"{unit.name}没有所属单位，或您无权查看所属单位的台账，不能形成汇总报告。")
        finish(b, unit, doc.day)
        return doc
    # ranked by the issuer's own 考核 where it scored every unit: a self-score is no ground to rank on
    scores, marks = _scores(unit, year, rows, user)
    by_score = bool(marks) and all(s.unit.pk in marks for s in rows if s.rate is not None)
    rated = sorted(
        [s for s in rows if s.rate is not None],
        key=lambda s: (-marks[s.unit.pk][0] if by_score else 0, -(s.rate or 0), len(s.missed), s.unit.path),
    )
    details = _unit_facts(rows, year, user, day)  # read once: the judgement and the problems use them
    late = any(f.lists.get("overdue") for _u, f in details)
    seen, fed = _inspections_line(unit, [s.unit for s in rows], year, user, day)
    own, last = _own_all(
        unit, [s.unit for s in rows], fed, details, year, user, day
    )  # the judgement weighs the issuer's own
    judged = _judged(rated, marks if by_score else scores, late, ourselves(unit) if own else "")
    b.block(d.BODY, str(says["opening"]).format(org=org, year=year, as_of=as_of, judged=judged))
    h.one(f"{ourselves(unit)}履行意识形态工作责任制情况")
    for line in _issuer_meetings(unit, year, user) + seen + _guidance(unit, year, user):
        b.block(d.BODY, *line)
    if as_of:  # what the issuer itself still has due this year, as planned work
        b.block(d.BODY, *_issuer_ahead(unit, year, user, day, bool(fed)))
    h.one("所属单位落实情况")
    b.block(d.BODY, *_overview(says, rows, rated))
    for line in _units_year(unit, year, rows, user, scores, as_of, marks if by_score else {}):
        b.block(d.BODY, *line)
    unrecorded = str(says["ranking_unrecorded"]) if any(x.unrecorded for x in rows) else ""
    beside = "表中自评得分为各单位自评结果，未作排名依据。" if scores and not by_score else ""
    b.block(d.BODY, str(says["by_score" if by_score else "ranking"]) + unrecorded + beside)
    overdue = {u.pk: len(f.lists.get("overdue", [])) for u, f in details}
    _ranking(b, rows, rated, marks if by_score else {}, overdue, scores)
    lines = _unit_lines(p, says, rated, user, by_score) + _first_overdue(rated, overdue)
    if lines:  # the units' lines in one paragraph: the table has them one by one
        b.block(d.BODY, "".join(lines))
    _problems_and_steps(b, h, p, says, rows, rated, own, last, year, day, details)
    b.block(d.BODY, "特此报告。")
    finish(b, unit, doc.day)
    return doc


def _own_all(
    unit: Any,
    units: list[Any],
    fed: list[Any],
    details: list[tuple[Any, Facts]],
    year: int,
    user: Any,
    day: date,
) -> tuple[list[tuple[str, str]], dict[int, Facts] | None]:
    """The issuer's own problems with their measures, and last year's facts of the issuer and each
    unit (None when the ledgers do not hold last year), read once for the follow-ups."""
    from .facts import collect
    from .facts_more import inspection_feedback

    ours = int(collect(unit, year_period(year), user=user).value("central_study"))
    # last year's inspections, when the ledgers hold last year at all (else no roll-up was written)
    kept = _held_year([unit, *units], year - 1, user)
    before = inspection_feedback(unit, units, year - 1, user=user) if kept else None
    last = (
        {
            u.pk: collect(u, year_period(year - 1), user=user, meetings_only=True)
            for u in [unit, *(u for u, _ in details)]
        }
        if before is not None
        else None
    )
    own = _own_problems(
        unit, fed, details, ours, day - timedelta(days=1), year, before, user, last
    ) + _own_rules(unit, year, user, day)
    return own, last


def _problems_and_steps(
    b: d.Builder, h: Headings, p: Prose, says: dict[str, Any], rows: list[Any], rated: list[Any],
    own: list[tuple[str, str]], last: dict[int, Facts] | None, year: int, day: date,
    details: list[tuple[Any, Facts]],
) -> None:  # fmt: skip
    """存在的主要问题, the issuer's own first, then the units'; 下一步工作打算 in the same order."""
    h.one("存在的主要问题")
    again = _adoption_short_before(details, last)
    problems = (
        [x for x, _ in own]
        + _rollup_problems(p, says, rows)
        + _record_problems(details, again, day - timedelta(days=1) if day < date(year, 12, 31) else None)
    )
    if problems:
        numbered(b, [[_stop(x)] for x in problems])  # one paragraph each: the superior reads them apart
    else:
        b.block(d.BODY, says["no_problems"])
    h.one("下一步工作打算")
    steps = [x.format(next=year + 1) for _, x in own]
    checked = any("专项检查" in x for x in steps)
    steps += _rollup_steps(says, rows, rated, year) + _record_steps(details, year, again is not None)
    steps += [] if checked else [says["step_check"].format(next=year + 1)]
    numbered(b, [[_stop(x)] for x in steps])


def _stop(text: str) -> str:
    """An item of its own paragraph ends in a full stop."""
    return text if text.endswith("。") else text.rstrip("；，") + "。"


def _judged(
    rated: list[Any], scores: dict[int, tuple[Decimal, Decimal]], late: bool = False, we: str = ""
) -> str:
    """总体看…: by each unit's weaker showing, its completion rate or its self-score's share of the
    scheme's points (a unit that met its periods but lost a tenth of its points is not 较好, nor a
    system whose units have rectifications past their limit); and, where the issuer's own records
    show shortcomings (`we` names it), those too: the issuer answers for its own part first."""
    said = _units_judged(rated, scores, late)
    if not said or not we:
        return said
    return said.removesuffix("。") + f"，{we}自身在督促指导和履职尽责上也存在不足。"


def _units_judged(rated: list[Any], scores: dict[int, tuple[Decimal, Decimal]], late: bool) -> str:
    if not rated:
        return ""
    levels = [
        min(s.rate or 0, float(scores[s.unit.pk][0] / scores[s.unit.pk][1]))
        if s.unit.pk in scores and scores[s.unit.pk][1]
        else s.rate or 0
        for s in rated
    ]
    average = sum(levels) / len(levels)
    if average >= 0.9 and min(levels) >= 0.9:
        if late:  # the periods met, the rectifications not
            return "总体看，所属单位规定动作完成较好，但问题整改还有明显差距。"
        return "总体看，系统责任制落实较好。"
    if average >= 0.8 and len(rated) > 1 and all(s.missed or s.unrecorded for s in rated):
        return "总体看，系统责任制落实基本到位，但各单位均不同程度存在差距。"
    if average >= 0.8:
        return "总体看，系统责任制落实基本到位，个别单位仍有差距。"
    return "总体看，责任制落实不够平衡，部分单位差距较大。"


Scores = dict[int, tuple[Decimal, Decimal]]


def _scores(unit: Any, year: int, rows: list[Any], user: Any) -> tuple[Scores, Scores]:
    """Each unit's stored self-score against the first scheme the issuer set for the year, and the
    issuer's own 考核 score where it scored every indicator the unit did: (total, the points of the
    indicators scored), read in one pass over each unit's rows."""
    from taizhang.rules.services import assessment_rows

    from .facts_more import schemes_of

    schemes = schemes_of(unit, year, user=user)
    own: Scores = {}
    marks: Scores = {}
    for s in rows if schemes else []:
        scored = [r for r in assessment_rows(schemes[0], s.unit, user=user) if r.self_score is not None]
        if not scored:
            continue
        points = sum((r.indicator.points for r in scored), Decimal(0))
        own[s.unit.pk] = (sum((r.self_score.score for r in scored), Decimal(0)), points)
        if all(r.superior_score is not None for r in scored):
            marks[s.unit.pk] = (sum((r.superior_score.score for r in scored), Decimal(0)), points)
    return own, marks


def _overview(says: dict[str, Any], rows: list[Any], rated: list[Any]) -> list[Any]:
    """How many units, and how they stand when their rates lie apart (rates a point or two apart
    say little: the units' line says so), those with nothing entered apart."""
    names = listing([s.unit.name for s in rows], 4) if len(rows) <= 4 else ""
    before, after = str(says["count"]).replace("{names}", names).split("{n}")
    count = Figure("rollup_units", len(rows), "个", "所属单位", [])
    pieces: list[Any] = [before, count, after.removeprefix("个")]
    spread = bool(rated) and (
        rated and max(s.rate or 0 for s in rated) - min(s.rate or 0 for s in rated) >= GAP
    )
    if len(rated) == 1:
        pieces.append(f"{rated[0].unit.name}各项工作要求按期完成率为{rated[0].rate:.0%}。")
    elif spread:
        full = [s for s in rated if s.rate == 1]
        high = [s for s in rated if 0.9 <= (s.rate or 0) < 1]
        mid = [s for s in rated if 0.8 <= (s.rate or 0) < 0.9]
        low = [s for s in rated if (s.rate or 0) < 0.8]
        if full:
            pieces.append(
                str(says["full"]).format(names=listing([s.unit.name for s in full], 4), n=len(full))
            )
        bands = [
            f"{_units(xs, rows)}{'均' if len(xs) > 1 else ''}在{words}"
            for xs, words in ((high, "90%以上"), (mid, "80%至90%之间"))
            if xs
        ]
        if bands:
            pieces.append(str(says["bands"]).format(bands="，".join(bands)))
        if low:
            shown = [f"{s.rate:.0%}" for s in low[:4]]
            rates = f"均为{shown[0]}" if len(set(shown)) == 1 < len(low) else "分别为" + "、".join(shown)
            rates = f"为{shown[0]}" if len(low) == 1 else rates
            pieces.append(str(says["low"]).format(names=_units(low, rows), n=len(low), rates=rates))
    empty = [s for s in rows if s.rate is None]
    if empty:
        pieces.append(str(says["empty"]).format(names=_units(empty)))
    return pieces


def _issuer_ahead(unit: Any, year: int, user: Any, day: date, inspected: bool) -> list[Any]:
    """What the issuer itself still has due before the year ends, as planned work (12月20日前向上级
    党组织报送专题报告；12月底前召开民主生活会…): its own requirements not yet decided. The yearly
    inspection is not among them when its inspections of the units are told above."""
    from .annual import _ahead
    from .facts import collect, rule_cells

    _missed, due = rule_cells(unit, year, user=user, until=day - timedelta(days=1))
    if inspected:
        due = [c for c in due if c.rule.id != "special-inspection"]
    facts = collect(unit, year_period(year), user=user, as_of=day, meetings_only=True)
    said = _ahead(Prose(facts, "rollup", user), due)
    we = ourselves(unit)
    return [f"{we}还有{x}" if str(x).startswith("以下") else f"{we}{x}" for x in said[:1]] + said[1:]


def _first_overdue(rated: list[Any], overdue: dict[int, int]) -> list[str]:
    """The unit ranked first that has the most rectifications past their limit, said so: its
    place is its routine work's, not its rectification's."""
    if len(rated) < 2:
        return []
    top, most = rated[0], max(overdue.get(s.unit.pk, 0) for s in rated)
    n = overdue.get(top.unit.pk, 0)
    if not n or n < most or sum(overdue.get(s.unit.pk, 0) == most for s in rated) > 1:
        return []
    return [
        f"{top.unit.name}规定动作完成率排在首位，但逾期未完成的整改有{n}个，在各单位中最多，整改是其突出短板。"
    ]


def _ranking(
    b: d.Builder, rows: list[Any], rated: list[Any], marks: dict[int, Any], overdue: dict[int, int],
    scores: dict[int, Any] | None = None,
) -> None:  # fmt: skip
    """The table: by the issuer's 考核 score where it scored every unit rated (the completion rate
    beside it), else by completion rate; equal scores or rates share a place; the units'
    self-scores beside where they gave them. The rectifications past their limit beside them, where
    any unit has one (not in the rate: the table says so)."""
    scores = scores or {}

    def key(s: Any) -> Any:
        return marks[s.unit.pk][0] if marks else s.rate or 0

    def given(s: Any, of: dict[int, Any]) -> str:
        return plain_number(of[s.unit.pk][0]) if s.unit.pk in of else "—"

    table = []
    for s in rated:
        place = 1 + sum(key(x) > key(s) for x in rated)
        score = [given(s, marks)] * bool(marks) + [given(s, scores)] * bool(scores)
        table.append([
            str(place), s.unit.name, *score, f"{s.rate:.0%}", str(s.met),
            str(len(s.missed) + len(s.unrecorded)), str(s.decided), str(overdue.get(s.unit.pk, 0)),
            str(len({c.rule.id for c in s.unrecorded})) if s.unrecorded else "—",
        ])  # fmt: skip
    for s in rows:
        if s.rate is None:
            blank = ["—"] * (bool(marks) + bool(scores))
            table.append(["—", s.unit.name, *blank, "—", "0", "0", "0", "—", "尚未录入"])
    heads = [
        "名次",
        "单位",
        "完成率",
        "按期完成（项）",
        "未按期完成（项）",
        "合计（项）",
        "逾期未完成整改（个）",
        "全年未开展的工作（项）",
    ]
    widths = [3, 9, 4, 5, 5, 5, 5, 6]
    if not any(overdue.get(s.unit.pk) for s in rated):  # no rectification past its limit anywhere
        heads, widths = heads[:-2] + heads[-1:], widths[:-2] + widths[-1:]
        table = [row[:-2] + row[-1:] for row in table]
    for of, label in ((scores, "自评得分"), (marks, "考核得分")):  # 考核 first, then 自评
        if of:
            points = {plain_number(v[1]) for v in of.values()}
            heads.insert(2, f"{label}（满分{points.pop()}分）" if len(points) == 1 else label)
            widths.insert(2, 5)
    if all(row[-1] == "—" for row in table):  # a column of dashes says nothing
        heads, widths, table = heads[:-1], widths[:-1], [row[:-1] for row in table]
    b.table(heads, table, widths)


def _unit_lines(p: Prose, says: dict[str, Any], rated: list[Any], user: Any, by_score: bool) -> list[str]:
    """A line each for the first three, the last three and those below 80% (at most eight): the
    table names every unit; a roll-up over hundreds reads the rest in one sentence."""
    used: set[str] = set()  # each unit's line in a phrasing of its own while there are some left
    close = _close_together(rated, user)
    if close:
        return [close]
    ends = [i for i in range(len(rated)) if i < 3 or i >= len(rated) - 3]
    low_ones = [i for i, s in enumerate(rated) if i not in ends and (s.rate or 0) < 0.8]
    told = set(ends + low_ones[: max(0, 8 - len(ends))])
    out = []
    for n, s in enumerate(rated):
        if n not in told:
            continue
        gap = (rated[0].rate or 0) - (s.rate or 0) if rated else 0
        last = n == len(rated) - 1 and len(rated) > 2 and gap >= GAP and not by_score
        place = n if len(rated) > 1 and not by_score else -1  # first of none: one unit, or ranked by score
        second = rated[1] if len(rated) > 1 else None
        out.append(_standing_sentence(p, says, s, place, last, used, user, second))
    rest = [s for i, s in enumerate(rated) if i not in told]
    if rest:
        lo, hi = min(s.rate or 0 for s in rest), max(s.rate or 0 for s in rest)
        out.append(
            f"其余{len(rest)}个单位完成率在{lo:.0%}至{hi:.0%}之间，具体见上表。"
            if lo != hi
            else f"其余{len(rest)}个单位完成率均为{lo:.0%}，具体见上表。"
        )
    return out


def _close_together(rated: list[Any], user: Any) -> str:
    """A few units within a point or two of each other, each with something missed, in one
    sentence: their rates say little apart, what each did not do says more."""
    if not 1 < len(rated) <= 4 or not all(s.missed and not s.unrecorded for s in rated):
        return ""
    lo, hi = min(s.rate or 0 for s in rated), max(s.rate or 0 for s in rated)
    if hi - lo >= GAP:
        return ""
    rates = f"均为{lo:.0%}" if f"{lo:.0%}" == f"{hi:.0%}" else f"在{lo:.0%}至{hi:.0%}之间"
    each = "；".join(f"{s.unit.name}{_missed_words(s.unit, s.missed, user)}" for s in rated)
    return f"{len(rated)}个单位完成率{rates}，相差不大。未按期完成的工作：{each}。"


def _units_year(
    unit: Any, year: int, rows: list[Any], user: Any, scores: dict[int, tuple[Decimal, Decimal]], as_of: str,
    marks: dict[int, tuple[Decimal, Decimal]] | None = None,
) -> list[list[Any]]:  # fmt: skip
    """The units' self-assessments against the issuer's scheme (and the issuer's 考核 of them where
    it has scored them) and the 舆情 across them."""
    from .facts_more import schemes_of, system_opinions

    units = [s.unit for s in rows]
    out: list[list[Any]] = []
    schemes = schemes_of(unit, year, user=user)
    if schemes:
        ranked = marks or scores

        def said(u: Any) -> str:
            if marks and u.pk in marks:
                own = f"（自评{plain_number(scores[u.pk][0])}分）" if u.pk in scores else ""
                return f"{u.name}{plain_number(marks[u.pk][0])}分{own}"
            return f"{u.name}自评{plain_number(scores[u.pk][0])}分"

        done = [said(u) for u in sorted(units, key=lambda u: -ranked.get(u.pk, (0,))[0]) if u.pk in scores]
        none = [u.name for u in units if u.pk not in scores]
        points = {plain_number(v[1]) for v in scores.values()}
        full = f"（满分{points.pop()}分）" if len(points) == 1 else ""
        judged = f"经{ourselves(unit)}考核{full}，" if marks else ""
        text = f"按照《{schemes[0].title.strip('《》')}》，{judged}" + "、".join(done)
        text += "" if marks else full  # after the self-scores, or in the 考核's words: not twice in brackets
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
            f"{as_of}所属单位共发生舆情" if as_of else "所属单位全年发生舆情", figure,
            f"（{'、'.join(f'{k}{v}起' for k, v in by_unit.items())}），"
            + (f"{len(open_)}起尚在处置。" if open_ else "均已处置完毕。") + _opinion_theme(opinions),
        ])  # fmt: skip
    return out


def _guidance(unit: Any, year: int, user: Any) -> list[list[Any]]:
    """The scheme the issuer set for its units' year: its indicators and points."""
    from taizhang.rules.models import Indicator

    from .facts_more import schemes_of

    out = []
    for scheme in schemes_of(unit, year, user=user)[:1]:
        indicators = list(Indicator.objects.readable(user).filter(scheme=scheme))
        points = sum((i.points for i in indicators), Decimal(0))
        sized = f"，设{len(indicators)}项考核指标、满分{plain_number(points)}分" if indicators else ""
        out.append([
            f"制定《{scheme.title.strip('《》')}》{sized}，对所属单位落实意识形态工作责任制情况进行年度考核。"
        ])  # fmt: skip
    return out


def _opinion_theme(opinions: list[Any]) -> str:
    """The theme the units' 舆情 share, when most concern forecasts and warnings."""
    about = [o for o in opinions if any(w in (o.summary or "") for w in ("预报", "预警", "台风"))]
    if len(opinions) < 3 or len(about) * 2 <= len(opinions):
        return ""
    share = "全部" if len(about) == len(opinions) else f"其中{len(about)}起"
    return (
        f"从内容看，{share}涉及天气预报和预警信息，反映出公众对预报预警的关注度高，"
        "预报预警信息的解读和科普需要在全系统加强。"
    )


def _standing_sentence(
    p: Prose,
    says: dict[str, Any],
    s: Any,
    n: int,
    last: bool,
    used: set[str],
    user: Any = None,
    second: Any = None,
) -> str:
    """One unit's line: its place, its rate and what did not happen, by the period it did not."""
    name, rate = s.unit.name, f"{s.rate:.0%}"
    # a tie, or a lead of a point or two, has no first
    rest_below = n == 0 and (second is None or (s.rate or 0) - (second.rate or 0) >= GAP)
    missed = _missed_words(s.unit, s.missed, user)
    if not s.missed and not s.unrecorded:
        return fresh(p, says["unit_full"], used).format(name=name, met=s.met)
    if not s.missed:
        text = f"{name}完成率{rate}。"
    elif n == 0 and rest_below:
        text = fresh(p, says["unit_first"], used).format(name=name, rate=rate, missed=missed)
    elif last:
        text = fresh(p, says["unit_last"], used).format(name=name, rate=rate, missed=missed)
    else:
        text = fresh(p, says["unit_middle"], used).format(name=name, rate=rate, missed=missed)
    if s.unrecorded:
        text += fresh(p, says["unit_unrecorded"], used).format(rules=_not_done_all_year(s.unit, s.unrecorded))
    return text


def _units(rows: list[Any], among: list[Any] | None = None) -> str:
    """区气象局、东区气象局 — or the first four and how many in all (……等39个单位); 各所属单位
    when they are all the units of the roll-up (`among`)."""
    if among is not None and len(rows) == len(among) > 1:
        return "各所属单位"
    names = listing([s.unit.name for s in rows], 4)
    return names + (f"{len(rows)}个单位" if len(rows) > 4 else "")


def _missed_words(unit: Any, cells: list[Any], user: Any = None) -> str:
    """8月未召开支委会，下半年专题报告12月26日逾期报送 — what did not happen, by the periods."""
    from .facts_more import rule_records

    body = OrgWords(unit)
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
            parts.append(when + rule_action(body, rule, False))
    return "，".join(parts) + ("，其他工作也有未按期落实的" if len(by_rule) > 3 else "")


def _not_done_all_year(unit: Any, cells: list[Any]) -> str:
    """未召开支委会、党小组会，未开展主题党日活动 — the requirements with no record all year."""
    body = OrgWords(unit)
    rules = _by_kind(list({c.rule.id: c.rule for c in cells}.values()), body)
    words = [rule_action(body, r, False) for r in rules]
    held = [w.removeprefix("未召开") for w in words if w.startswith("未召开")]
    done = [w.removeprefix("未开展") for w in words if w.startswith("未开展")]
    other = [w for w in words if not w.startswith(("未召开", "未开展"))]
    parts = ([f"未召开{listing(held, 6)}"] if held else []) + ([f"未开展{listing(done, 6)}"] if done else [])
    return "，".join(parts + other)


def _by_kind(rules: list[Any], who: Any) -> list[Any]:
    """The meetings first (召开……), then the activities (开展……), then the rest."""
    rank = {"召开": 0, "开展": 1}
    return sorted(rules, key=lambda r: rank.get(rule_action(who, r, True)[:2], 2))


def _rollup_problems(p: Prose, says: dict[str, Any], rows: list[Any]) -> list[str]:
    out = []
    by_rule: dict[str, set[str]] = {}
    rule_of: dict[str, Any] = {}
    for s in rows:
        for c in s.missed:
            by_rule.setdefault(c.rule.id, set()).add(s.unit.name)
            rule_of[c.rule.id] = c.rule
    common = sorted(by_rule.items(), key=lambda kv: -len(kv[1]))
    body = OrgWords(rows[0].unit)
    if common and len(common[0][1]) > 1:
        units = common[0][1]
        ordered = [s for s in rows if s.unit.name in units]
        names = "所属" if len(ordered) == len(rows) else listing([s.unit.name for s in ordered], 4)
        alike = [rid for rid, us in common if us == units][:3]  # every rule missed at the same units
        action = "、".join(rule_action(body, rule_of[rid], False) for rid in alike)
        out.append(p.pick(*says["problem_common"]).format(action=action, n=len(units), names=names))
    elif common:
        actions = listing([rule_action(body, rule_of[k], False) for k, _ in common], 3)
        out.append(p.pick(*says["problem_single"]).format(actions=actions))
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
        out.append(says["step_behind"].format(names=_units(behind, rows), next=year + 1))
    silent = [s for s in rows if s.unrecorded or s.rate is None]
    if silent:
        out.append(says["step_records"].format(names=_units(silent), next=year + 1))
    return out


def _issuer_meetings(unit: Any, year: int, user: Any) -> list[list[Any]]:
    """What the issuer's own records hold for the year: its 党组 meetings on ideology work (each
    with its day, topic and what it decided), its 中心组 study (topics, days, the titles read), its
    analyses and its reports upward (each only when there are some)."""
    from .facts import collect, org_meeting
    from .facts_more import ideology_studies

    f = collect(unit, year_period(year), user=user)
    out: list[list[Any]] = []
    studied = ideology_studies(f)
    if studied.value:
        each = "；".join(_meeting_words(r, org_meeting(unit)) for r in studied.records[:4])
        out.append([f"{ourselves(unit)}召开{org_meeting(unit)}专题研究意识形态工作", studied, f"：{each}。"])
    said: list[Any] = []
    if f.value("central_study"):
        rs = f.figure("central_study").records
        topics = [r.title.split("：", 1)[1] for r in rs if "：" in r.title]
        days = "、".join(md(r.held_at.date()) for r in rs[:6])
        about = (
            f"，围绕{listing(topics, 4)}{f'{len(topics)}个' if len(topics) > 4 else ''}专题开展研讨（{days}）"
            if topics
            else ""
        )
        read = list(dict.fromkeys(re.findall(r"《[^》]+》", "".join(r.content or "" for r in rs))))
        about += f"，研读{''.join(read[:3])}" if read else ""
        said += ["理论学习中心组集中学习", f.figure("central_study"), f"{about}。"]
    if f.value("analyses"):
        said += ["开展意识形态领域形势分析研判", f.figure("analyses"), "。"]
    if f.value("reports_up"):
        rs = f.figure("reports_up").records
        sent = "、".join(f"{md(r.held_on)}报送《{r.title.strip('《》')}》" for r in rs[:4])
        said += ["向上级党组织报告意识形态工作", f.figure("reports_up"), f"，{sent}。"]
    return out + ([said] if said else []) + _own_life(unit, f)


def _own_life(unit: Any, f: Facts) -> list[list[Any]]:
    """The issuer's 述职述责 and 民主生活会 of the year, as its report records hold them."""
    told = []
    for r in f.lists.get("reports", []):
        summary = (r.summary or "").strip().rstrip("。")
        if r.kind == "debrief":
            told.append(
                f"{md(r.held_on)}，{summary}" if summary else f"{md(r.held_on)}述职述责，专门报告意识形态工作"
            )
        elif r.kind == "life_meeting":
            meeting = (
                "民主生活会"
                if getattr(unit, "org_type", "") in ("party_group", "party_committee")
                else "组织生活会"
            )
            told.append(f"{md(r.held_on)}召开年度{meeting}" + (f"，{summary}" if summary else ""))
    return [["；".join(told[:3]) + "。"]] if told else []


def _meeting_words(r: Any, meeting: str) -> str:
    """1月23日专题研究部署全年意识形态工作，审议……"""
    topic = r.title.strip().removeprefix(meeting).removeprefix("专题") or "研究意识形态工作"
    content = (r.content or "").strip().rstrip("。")
    if topic.startswith("听取") and content.startswith("听取"):  # one 听取 for the two reports heard
        first, _, content = content.partition("，")
        topic = f"{topic}和{first.removeprefix('听取')}"
    return f"{md(r.held_at.date())}{topic}" + (f"，{content}" if content else "")


def _inspections_line(
    unit: Any, units: list[Any], year: int, user: Any, day: date
) -> tuple[list[list[Any]], list[Any]]:
    """9月10日至24日，对3个所属单位开展专项检查，共反馈问题10个（……），已整改销号……。"""
    from .facts_more import inspection_feedback

    seen = inspection_feedback(unit, units, year, user=user)
    if not seen:
        return [], []
    days = sorted({x.day for x in seen})
    span = md(days[0]) if len(days) == 1 else f"{md(days[0])}至{md(days[-1])}"
    if days[0].month == days[-1].month and len(days) > 1:
        span = f"{md(days[0])}至{days[-1].day}日"
    names = list(dict.fromkeys(x.unit.name for x in seen))
    whom = f"{len(names)}个所属单位" if len(names) == len(units) > 1 else listing(names, 4)
    text = f"{span}，{ourselves(unit)}{'先后' if len(names) > 1 else ''}对{whom}开展意识形态工作专项检查"
    counted = [x for x in seen if x.count is not None]
    if counted:
        total = sum(x.count or 0 for x in counted)
        text += f"，共反馈问题{total}个，其中" + "；".join(_unit_findings(x) for x in counted)
    else:
        fields = list(dict.fromkeys(f for x in seen for f in x.fields))
        if fields:
            text += f"，主要涉及{listing(fields, 4)}等方面"
    items = [r for x in seen for r in x.items]
    if not items:
        return [[text + "，均已督促列入整改清单。"]], seen
    closed = [r for r in items if r.completed_on and r.completed_on <= day]
    if len(closed) == len(items):
        last = max(r.completed_on for r in closed)
        text += f"。反馈的问题均已列入各单位整改台账，至{last.year}年{md(last)}已全部整改销号。"
    else:
        text += f"。反馈的问题均已列入各单位整改台账，已整改销号{len(closed)}个，其余正在整改。"
    return [[text]], seen


def _unit_findings(x: Any) -> str:
    """区气象局4个，主要是……；东区气象局3个，分别是……"""
    items = [r.problem.strip().rstrip("。") for r in x.items]
    if not items:
        return f"{x.unit.name}{x.count}个"
    lead = "即" if x.count == len(items) == 1 else "分别是" if x.count == len(items) <= 3 else "主要是"
    return f"{x.unit.name}{x.count}个，{lead}{listing(items, 3)}"


def _unit_facts(rows: list[Any], year: int, user: Any, day: date) -> list[tuple[Any, Facts]]:
    """Each rated unit's records of the year as of the report's date, for the problems drawn from
    them (a roll-up over many units reads only the first thirty: the table names the rest)."""
    from .facts import collect

    rated = [s.unit for s in rows if s.rate is not None][:30]
    out = [(u, collect(u, year_period(year), user=user, as_of=day)) for u in rated]
    for _u, f in out:  # overdue as the unit's own documents count it: a problem raised twice is one
        settle_overdue(f)
    return out


def _own_problems(
    unit: Any, fed: list[Any], details: list[tuple[Any, Facts]], studied: int, until: date, year: int,
    before: list[Any] | None, user: Any, last: dict[int, Facts] | None,
) -> list[tuple[str, str]]:  # fmt: skip
    """The issuer's own shortcomings as the records show them, each with its measure ({next} the
    year after): its inspections came once (or late, or not at all), the units' rectifications
    went overdue under its supervision, the same risk at several units met unit by unit. A
    shortcoming last year's roll-up named too (`before`: last year's inspections) is said to be a
    promise not kept, and its measure goes further than last year's."""
    we, out = ourselves(unit), []
    whole = "今年以来" if until < date(year, 12, 30) else "全年"  # a roll-up written before the year ends
    months = sorted({x.day.month for x in fed})
    check = (
        "强化督促检查。{next}年起由"
        + we
        + "成员带队、办公室配合，每半年到所属单位开展一次专项检查，上半年的检查6月底前完成，"
        "检查结果纳入年度考核评分"
    )
    again = ""
    if before is not None and len({x.day.month for x in before}) <= 1 and len(months) <= 1:  # not kept
        again = f"，{year - 1}年度报告提出{year}年起每半年到所属单位开展一次专项检查，这一打算没有落实"
        check = (
            "把专项检查列入年度工作计划。{next}年每半年到所属单位开展一次专项检查，上半年由" + we +
            "书记带队、5月底前完成，下半年10月底前完成，未按计划开展的在" + we + "会议上说明原因"
        )  # fmt: skip
    if not fed:
        out.append(
            (
                f"督导检查缺位。{we}{whole}没有到所属单位开展意识形态工作专项检查，对所属单位的督导主要停留在听取汇报{again}",
                check,
            )
        )
    elif len(months) == 1:
        late = "，上半年没有到所属单位检查" if months[0] >= 7 else ""
        out.append(
            (
                f"督导检查的经常性不够。{we}{whole}只在{months[0]}月集中开展了1次专项检查{late}，对所属单位的日常督导偏少{again}",
                check,
            )
        )
    out += _own_study(we, studied, details, whole, _study_short_before(unit, details, last))
    out += _own_overdue(we, details, until, year)
    out += _own_shared(we, details, year, user)
    return out


def _held_year(units: list[Any], year: int, user: Any) -> bool:
    """Whether the ledgers hold any meeting of these units in `year` (a year before the system was
    used has no roll-up whose promises could be followed up)."""
    from taizhang.ledger import models as lm

    return bool(lm.Meeting.objects.readable(user).filter(unit__in=units, held_at__year=year).exists())


def _own_shared(we: str, details: list[tuple[Any, Facts]], year: int, user: Any) -> list[tuple[str, str]]:
    """Risk points raised at several units: one measure for the whole system; one that several
    units raised last year too was in last year's roll-up, whose measure has not reached them."""
    from taizhang.ledger import models as lm

    shared = _shared_risks(details)[:3]
    if not shared:
        return []
    told = "；".join(_shared_words(text, names, high, len(details)) for text, names, high in shared)
    last: dict[str, set[int]] = {}
    rated: dict[str, set[int]] = {}
    for u, _f in details:  # last year's risk points, unit by unit, through restrict()
        rows = lm.Risk.objects.readable(user).filter(unit=u, analysis__held_on__year=year - 1)
        for text, level in rows.values_list("description", "level"):
            last.setdefault(text.strip(), set()).add(u.pk)
            if str(level) == "high":
                rated.setdefault(text.strip(), set()).add(u.pk)
    # those last year's roll-up named (its first three, in _shared_risks' order): only for them
    # was a measure for the whole system set
    named = sorted(
        (t for t, pks in last.items() if len(pks) > 1), key=lambda t: (-len(rated.get(t, ())), -len(last[t]))
    )
    again = [text for text, _names, _high in shared if text in named[:3]]
    text = (
        f"统筹防范共性风险不够。有的风险点在几个单位的分析研判中同时出现：{told}。这类风险带有普遍性，"
        f"{we}还没有在全系统统一部署防范措施，各单位分头应对"
    )
    step = (
        "统一防范共性风险。由办公室牵头，{next}年3月底前将共性风险点列为系统研判重点，制定统一防范措施，"
        "各单位每季度研判时报告落实进展"
    )
    if again:
        text += f"；{listing(['“' + t + '”' for t in again], 3)}{year - 1}年就已在多个单位出现，上年提出的统一防范措施没有落地"
        step = (
            "统一防范共性风险。{next}年第一季度由"
            + we
            + "召开专题会议，对连续两年在多个单位出现的风险点逐项制定"
            "统一防范措施、明确牵头的党组成员，3月底前印发所属单位，各单位每季度研判时报告落实进展"
        )
    return [(text, step)]


def _own_overdue(we: str, details: list[tuple[Any, Facts]], until: date, year: int) -> list[tuple[str, str]]:
    """The units' rectifications past their limit: counted by unit, the oldest named; those already
    late when last year ended were in last year's roll-up, whose 挂账督办 has not worked, so the
    measure is the 约谈 it held in reserve."""
    from .problems import problem_text

    late_ones = [(u, f.lists.get("overdue", [])) for u, f in details if f.lists.get("overdue")]
    if not late_ones:
        return []
    each = "、".join(f"{u.name}{len(rs)}个" for u, rs in late_ones)
    first = min((rs[0] for _, rs in late_ones), key=lambda r: r.deadline)
    where = next(u for u, rs in late_ones if first in rs)
    old = [r for _, rs in late_ones for r in rs if r.deadline < date(year, 1, 1)]
    text = (
        f"督促整改不够有力。{'到年底' if date(year, 12, 30) <= until <= date(year, 12, 31) else f'截至{until.year}年{md(until)}'}，所属单位仍有整改事项逾期未完成（{each}），如{where.name}“{problem_text(first)}”"
        f"的整改时限为{first.deadline.year}年{md(first.deadline)}，至今仍未销号，{we}跟踪督办没有做到一抓到底"
    )
    step = (
        "狠抓整改销号。对逾期未完成的整改事项逐项挂账督办，各单位重新明确的整改时限报" + we + "备案，"
        "由办公室每月逐项核对进度，到期仍未完成的由" + we + "约谈单位主要负责人"
    )
    if old:
        text += f"；其中{len(old)}个在{year - 1}年底就已逾期，上年提出的逐项挂账督办没有见效"
        step = (
            f"狠抓整改销号。对{year - 1}年底就已逾期的{len(old)}项整改，{{next}}年1月底前由{we}约谈有关单位主要负责人，"
            "逐项明确销号时限并报备案；其余逾期事项由办公室每月逐项核对，到期仍未完成的同样约谈"
        )
    return [(text, step)]


def _own_rules(unit: Any, year: int, user: Any, day: date) -> list[tuple[str, str]]:
    """The issuer's own requirements its records show missed: a report upward sent after its time
    limit (上半年专题报告7月10日才报送，晚于6月20日时限), and no 分析研判 at all in the year."""
    from taizhang.rules.engine import MISSED
    from taizhang.rules.services import evaluate_units

    from .facts_more import rule_records

    we, out = ourselves(unit), []
    [res] = evaluate_units([unit], year, user=user)
    late = []
    for rule in (r for r in res.rules if r.ledger == "report"):
        # every cell, met ones too: the first half's report sent late in July is dated in the second
        # half, and the rules count it there, so the second half's own late report reads as met
        cells = [
            c for c in res.cells.get(rule.id, []) if c.status == MISSED or rule.period in ("half", "quarter")
        ]
        for c in cells:
            found = rule_records(unit, rule, c.period.start, c.period.end + timedelta(days=62), user=user)
            sent = [w for name, w in found if c.period.label in name]  # the period's report, sent late
            if sent and min(sent) > c.period.deadline:
                late.append(f"{c.period.label}专题报告{md(min(sent))}才报送，晚于{md(c.period.deadline)}时限")
    if late:
        out.append((
            f"向上级报告不够及时。{we}" + "；".join(late[:2]) + "，对所属单位按时报送的要求自身没有做到",
            "按时向上级报告工作。{next}年起，" + we + "半年专题报告按报送时限倒排，时限前10日形成初稿，"
            "经党组会议审定后按时报送",
        ))  # fmt: skip
    analyses = [r for r in res.rules if "分析研判" in r.name]
    due = [c for r in analyses for c in res.cells.get(r.id, []) if c.period.deadline < day]  # decided by now
    if due and all(c.status == MISSED for c in due):
        whole = "今年以来" if day < date(year, 12, 31) else "全年"
        text = f"本级分析研判缺位。{we}{whole}没有开展意识形态领域形势分析研判，对系统风险的掌握主要依靠所属单位上报"
        step = (
            "坚持按季度分析研判。{next}年起" + we + "每季度召开一次党组会议分析研判意识形态领域形势，"
            "汇总所属单位研判情况，第一次研判3月底前完成"
        )
        [past] = evaluate_units([unit], year - 1, user=user)
        if _held_year([unit], year - 1, user) and all(
            c.status == MISSED for r in past.rules if "分析研判" in r.name for c in past.cells.get(r.id, [])
        ):
            text += f"，{year - 1}年度报告提出{year}年起每季度开展一次分析研判，这一打算没有落实"
            step = (
                "把分析研判列入" + we + "会议固定议题。{next}年每季度最后一个月的" + we + "会议专题分析研判"
                "意识形态领域形势，由" + we + "书记主持，第一次3月底前召开，会后将研判情况通报所属单位"
            )
        out.append((text, step))
    return out


def _study_short_before(unit: Any, details: list[tuple[Any, Facts]], last: dict[int, Facts] | None) -> bool:
    """Whether last year's roll-up found the issuer's 中心组 short too (fewer than every unit's) —
    `last` holds last year's facts by unit, None when the ledgers do not hold last year."""
    if last is None or len(details) < 2:
        return False
    ours = int(last[unit.pk].value("central_study"))
    return bool(ours) and ours < min(int(last[u.pk].value("central_study")) for u, _f in details)


def _own_study(
    we: str, studied: int, details: list[tuple[Any, Facts]], whole: str = "全年", again: bool = False
) -> list[tuple[str, str]]:
    """The issuer's 中心组 met fewer times than every unit's: its example falls short; short last
    year too, the plan promised then has not been kept, and the measure goes further."""
    theirs = [(u.name, int(f.value("central_study"))) for u, f in details]
    if not studied or len(theirs) < 2 or studied >= min(n for _, n in theirs):
        return []
    each = "、".join(f"{name}{n}次" for name, n in theirs)
    text = (
        f"本级理论学习抓得不够紧。{we}理论学习中心组{whole}集中学习{studied}次，少于各所属单位（{each}），"
        "以上率下的作用发挥不够"
    )
    step = (
        "抓好本级理论学习。{next}年1月底前制定" + we + "理论学习中心组年度学习计划，每月集中学习一次，"
        "党组书记带头领学、带头发言"
    )
    if again:
        text += "；上年报告提出制定年度学习计划、每月集中学习一次，这一打算没有落实"
        step = (
            "把中心组学习排到月。{next}年1月底前由党组书记审定全年学习计划，逐月明确领学人和研讨题目，"
            "当月未学习的在下月" + we + "会议上说明原因，学习情况每季度向所属单位通报"
        )
    return [(text, step)]


def _adoption_short_before(details: list[tuple[Any, Facts]], last: dict[int, Facts] | None) -> int | None:
    """Last year's provincial-level adoptions of the units short this year, when last year's
    roll-up found every one of them short too (None otherwise); `last` as for _study_short_before."""
    from .problems import adoption_target

    if last is None:
        return None
    short = [
        (u, adoption_target(f))
        for u, f in details
        if adoption_target(f) and int(f.value("adopted_high")) < adoption_target(f)
    ]
    if not short or not all(int(last[u.pk].value("adopted_high")) < aim for u, aim in short):
        return None
    return sum(int(last[u.pk].value("adopted_high")) for u, _ in short)


def _record_problems(
    details: list[tuple[Any, Facts]], again: int | None = None, until: date | None = None
) -> list[str]:
    """Problems across the units from their records: adoption below the target of their key points."""
    from .problems import adoption_target

    out = []
    short = [(u, int(f.value("adopted_high")), adoption_target(f)) for u, f in details]
    short = [(u, high, aim) for u, high, aim in short if aim and high < aim]
    if short:
        aims = {aim for *_, aim in short}
        aim = f"不少于{short[0][2]}篇的目标" if len(aims) == 1 else "各自工作要点提出的目标"
        each = "、".join(f"{u.name}{high}篇" for u, high, _ in short)
        who = "所属单位均" if len(short) == len(details) > 1 else f"{listing([u.name for u, *_ in short], 4)}"
        tail = ""
        if again is not None:  # last year short too: whether this year's measure moved the figure
            now = sum(high for _, high, _ in short)
            tail = "；上年报告提出组织系统宣传业务培训、集中推送选题，" + (
                f"省级以上合计采用由上年的{again}篇增至{now}篇，增幅有限"
                if now > again
                else "今年仍未见明显改观"
            )
        what = f"{who}未完成省级以上媒体采用{aim}（{each}）"
        if until is not None:  # the year not over: the distance to the year's target, not a failure yet
            what = (
                f"截至{md(until)}，省级以上媒体采用{each}，距全年{aim.removesuffix('的目标')}的目标差距较大"
            )
        out.append(f"对外宣传层次不高。{what}，有分量的稿件还不多{tail}")
    return out


def _shared_words(text: str, names: list[str], high: list[str], units: int) -> str:
    """“……”在3个单位的研判中均被列为风险点，其中区气象局、东区气象局评为高风险."""
    where = (
        f"{'三' if units == 3 else units}个单位均有"
        if len(names) == units > 2
        else f"{listing(names, 4)}都有"
    )
    said = f"“{text}”{where}"
    if high:
        said += f"，{'均' if len(high) == len(names) > 1 else '其中' + listing(high, 4)}评为高风险"
    return said


def _shared_risks(details: list[tuple[Any, Facts]]) -> list[tuple[str, list[str], list[str]]]:
    """Risk points raised at two units or more: the units, and those that rated it 高 at some
    analysis; the most widely shared and the most often rated 高 first."""
    where: dict[str, list[str]] = {}
    high: dict[str, list[str]] = {}
    for u, f in details:
        for group in f.lists.get("risk_groups", []):
            key = group[-1].description.strip()
            where.setdefault(key, []).append(u.name)
            if any(str(r.level) == "high" for r in group):
                high.setdefault(key, []).append(u.name)
    shared = [(k, v, high.get(k, [])) for k, v in where.items() if len(v) > 1]
    return sorted(shared, key=lambda kv: (-len(kv[2]), -len(kv[1])))  # rated 高 at most units first


def _record_steps(details: list[tuple[Any, Facts]], year: int, again: bool = False) -> list[str]:
    """The measures answering the problems drawn from the units' records, in the same order (a
    problem of last year too: a measure that goes further than last year's training)."""
    from .problems import adoption_target

    if any(adoption_target(f) and int(f.value("adopted_high")) < adoption_target(f) for _, f in details):
        if again:
            return [
                f"把对外宣传纳入考核。{year + 1}年起由办公室按季度通报各单位省级以上媒体采用情况，"
                "对重大天气过程和重要节点由市局统一策划选题、统一对接省级以上媒体，全年采用情况纳入年度考核评分"
            ]
        return [
            f"提升宣传质量。由办公室牵头，{year + 1}年上半年组织一次系统宣传业务培训，统筹重大天气过程和重要节点选题，集中向省级以上媒体推送"
        ]
    return []
