"""The superior's roll-up over its subordinate units (汇总报告): each unit once, ranked, a unit with
nothing entered told apart from one that missed requirements, then what the issuer itself did over
them, the problems common to several units and the measures."""

from __future__ import annotations

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
    enumerate_items,
    finish,
    fresh,
    issuer,
    listing,
    md,
    plain_number,
    rule_action,
)  # fmt: skip

GAP = 0.05  # a unit is called behind the others only this far below the first (1 point is noise)


def rollup(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """The superior's report on its subordinate units: each unit once, ranked by the share of
    decided periods met (a requirement with no record all year counted as not done, and said to be
    unrecorded, not proved undone); a unit with nothing entered is told apart. Then what the issuer
    itself did: its inspections of the units, their self-assessments and the 舆情 across them."""
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
    as_of = f"截至{md(day - timedelta(days=1))}，" if date(year, 1, 1) < day <= date(year, 12, 31) else ""
    if not rows:
        b.block(d.BODY, f"{unit.name}没有所属单位，或您无权查看所属单位的台账，不能形成汇总报告。")
        finish(b, unit, doc.day)
        return doc
    rated = sorted(
        [s for s in rows if s.rate is not None], key=lambda s: (-(s.rate or 0), len(s.missed), s.unit.path)
    )
    average = sum(s.rate or 0 for s in rated) / len(rated) if rated else None
    judged = (
        "" if average is None
        else "总体看，所属单位责任制落实较好。" if average >= 0.9
        else "总体看，责任制落实基本到位，个别单位仍有差距。" if average >= 0.8
        else "总体看，责任制落实不够平衡，部分单位差距较大。"
    )  # fmt: skip
    b.block(d.BODY, str(says["opening"]).format(org=ourselves(unit), year=year, as_of=as_of, judged=judged))
    h.one("总体情况")
    b.block(d.BODY, *_overview(says, rows, rated))
    for line in _own_work(unit, year, rows, user):
        b.block(d.BODY, *line)
    h.one("各单位落实情况")
    unrecorded = str(says["ranking_unrecorded"]) if any(x.unrecorded for x in rows) else ""
    b.block(d.BODY, str(says["ranking"]) + _basis(rated) + unrecorded)
    _ranking(b, rows, rated)
    lines = _unit_lines(p, says, rated, user)
    if lines:  # the units' lines in one paragraph: the table has them one by one
        b.block(d.BODY, "".join(lines))
    h.one("存在的主要问题")
    details = _unit_facts(rows, year, user, day)
    problems = _rollup_problems(p, says, rows) + _record_problems(details)
    if problems:
        enumerate_items(b, [[x] for x in problems])
    else:
        b.block(d.BODY, says["no_problems"])
    h.one("下一步工作打算")
    steps = _rollup_steps(says, rows, rated, year)
    enumerate_items(b, [[x] for x in steps[:-1] + _record_steps(details, year) + steps[-1:]])
    b.block(d.BODY, "特此报告。")
    finish(b, unit, doc.day)
    return doc


def _overview(says: dict[str, Any], rows: list[Any], rated: list[Any]) -> list[Any]:
    """How many units, and how they stand: the units by band of completion (an average over a few
    units says little), those with nothing entered apart."""
    names = listing([s.unit.name for s in rows], 4) if len(rows) <= 4 else ""
    before, after = str(says["count"]).replace("{names}", names).split("{n}")
    count = Figure("rollup_units", len(rows), "个", "所属单位", [])
    pieces: list[Any] = [before, count, after.removeprefix("个")]
    if len(rated) == 1:
        pieces.append(f"{rated[0].unit.name}各项工作要求按期完成率为{rated[0].rate:.0%}。")
    elif rated:
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


def _basis(rated: list[Any]) -> str:
    """What the table counts: each requirement once for each of its periods."""
    if not rated:
        return ""
    text = (
        "表中“应完成”按各单位适用的工作要求逐期计算，每月一次的要求计12项、每季度一次的计4项、"
        "每半年一次的计2项，完成率为按期完成的项数占应完成项数的比例。"
    )
    if len({s.decided for s in rated}) > 1:
        text += "各单位增设的要求一并计入，因此应完成项数不尽相同。"
    return text


def _ranking(b: d.Builder, rows: list[Any], rated: list[Any]) -> None:
    table = []
    for s in rated:
        place = 1 + sum((x.rate or 0) > (s.rate or 0) for x in rated)  # equal rates share a place
        table.append([
            str(place), s.unit.name, f"{s.rate:.0%}", str(s.met), str(len(s.missed) + len(s.unrecorded)),
            str(s.decided), str(len({c.rule.id for c in s.unrecorded})) if s.unrecorded else "—",
        ])  # fmt: skip
    for s in rows:
        if s.rate is None:
            table.append(["—", s.unit.name, "—", "0", "0", "0", "尚未录入"])
    heads, widths = (
        [
            "名次",
            "单位",
            "完成率",
            "按期完成（项）",
            "未按期完成（项）",
            "应完成（项）",
            "全年未开展的工作（项）",
        ],
        [3, 9, 4, 5, 5, 5, 6],
    )
    if all(row[-1] == "—" for row in table):  # a column of dashes says nothing
        heads, widths, table = heads[:-1], widths[:-1], [row[:-1] for row in table]
    b.table(heads, table, widths)


def _unit_lines(p: Prose, says: dict[str, Any], rated: list[Any], user: Any) -> list[str]:
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
        last = n == len(rated) - 1 and len(rated) > 2 and gap >= GAP
        place = n if len(rated) > 1 else -1  # a single unit rated is first of none
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
    return f"{len(rated)}个单位完成率{rates}，相差不大，未按期完成的工作各有不同：{each}。"


def _own_work(unit: Any, year: int, rows: list[Any], user: Any) -> list[list[Any]]:
    """What the issuer did over its units in the year, as their records show it: the inspections
    they received from it, their self-assessments against its scheme, the 舆情 across them."""
    from taizhang.rules.services import assessment_rows

    from .facts_more import schemes_of, system_opinions

    units = [s.unit for s in rows]
    out: list[list[Any]] = _issuer_meetings(unit, year, user)
    seen = _inspections_line(unit, units, year, user)
    if seen:
        out.append([seen])
    for scheme in schemes_of(unit, year, user=user):
        done, none = [], []
        for u in units:
            scored = [r for r in assessment_rows(scheme, u, user=user) if r.self_score is not None]
            if scored:
                total = sum((r.self_score.score for r in scored), Decimal(0))
                points = sum((r.indicator.points for r in scored), Decimal(0))
                done.append(f"{u.name}自评{plain_number(total)}分（满分{plain_number(points)}分）")
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
            + (f"{len(open_)}起尚在处置。" if open_ else "均已处置完毕。") + _opinion_theme(opinions),
        ])  # fmt: skip
    return out


def _opinion_theme(opinions: list[Any]) -> str:
    """The theme the units' 舆情 share, when most concern forecasts and warnings."""
    about = [o for o in opinions if any(w in (o.summary or "") for w in ("预报", "预警"))]
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
        rid, units = common[0]
        ordered = [s for s in rows if s.unit.name in units]
        names = "所属" if len(ordered) == len(rows) else listing([s.unit.name for s in ordered], 4)
        action = rule_action(body, rule_of[rid], False)
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
    out.append(says["step_check"].format(next=year + 1))
    return out


def _issuer_meetings(unit: Any, year: int, user: Any) -> list[list[Any]]:
    """What the issuer's own records hold for the year: its 党组 meetings on ideology work, its
    中心组 study, its analyses and its reports upward (each only when there are some)."""
    from .facts import collect, org_meeting
    from .facts_more import ideology_studies

    f = collect(unit, year_period(year), user=user)
    said: list[Any] = []
    studied = ideology_studies(f)
    if studied.value:
        days = "、".join(md(r.held_at.date()) for r in studied.records[:4])
        said += [f"{ourselves(unit)}召开{org_meeting(unit)}专题研究意识形态工作", studied, f"（{days}）。"]
    if f.value("central_study"):
        topics = [r.title.split("：", 1)[1] for r in f.figure("central_study").records if "：" in r.title]
        about = f"，围绕{listing(topics, 3)}{'专题' if len(topics) > 3 else ''}开展研讨" if topics else ""
        said += ["理论学习中心组集中学习", f.figure("central_study"), f"{about}。"]
    if f.value("analyses"):
        said += ["开展意识形态领域形势分析研判", f.figure("analyses"), "。"]
    if f.value("reports_up"):
        said += ["向上级党组织报告意识形态工作", f.figure("reports_up"), "。"]
    return [said] if said else []


def _inspections_line(unit: Any, units: list[Any], year: int, user: Any) -> str:
    """9月10日至24日，对3个所属单位开展专项检查，共反馈问题10个（……），主要涉及……。"""
    from .facts_more import inspection_feedback

    seen = inspection_feedback(unit, units, year, user=user)
    if not seen:
        return ""
    days = sorted({w for w, *_ in seen})
    span = md(days[0]) if len(days) == 1 else f"{md(days[0])}至{md(days[-1])}"
    if days[0].month == days[-1].month and len(days) > 1:
        span = f"{md(days[0])}至{days[-1].day}日"
    names = list(dict.fromkeys(n for _, n, *_ in seen))
    whom = f"{len(names)}个所属单位" if len(names) == len(units) > 1 else listing(names, 4)
    text = f"{span}，{ourselves(unit)}{'先后' if len(names) > 1 else ''}对{whom}开展意识形态工作专项检查"
    found = _inspection_findings(units, seen, user)
    counted = [(n, c) for _, n, c, _ in seen if c is not None]
    if counted:
        total = sum(c for _, c in counted)
        each = "；".join(_unit_findings(n, c, found.get(n, [])) for n, c in counted)
        text += f"，共反馈问题{total}个：{each}"
    else:
        fields = list(dict.fromkeys(x for *_, fs in seen for x in fs))
        if fields:
            text += f"，主要涉及{listing(fields, 4)}等方面"
    listed = all(found.get(n) for _, n, c, _ in seen if c)
    return text + ("。反馈的问题均已列入各单位整改台账。" if listed else "，均已督促列入整改清单。")


def _unit_findings(name: str, count: int, items: list[str]) -> str:
    """区气象局4个，主要是……；东区气象局3个，分别是……"""
    if not items:
        return f"{name}{count}个"
    lead = "即" if count == len(items) == 1 else "分别是" if count == len(items) <= 3 else "主要是"
    return f"{name}{count}个，{lead}{listing(items, 3)}"


def _inspection_findings(units: list[Any], seen: list[Any], user: Any) -> dict[str, list[str]]:
    """Each inspected unit's own findings, as its 整改台账 holds them (entered the inspection's day)."""
    from taizhang.ledger.models import Rectification

    by_name = {u.name: u for u in units}
    out: dict[str, list[str]] = {}
    for day, name, *_ in seen:
        rows = (
            Rectification.objects.readable(user)
            .filter(unit=by_name[name], source="inspection", found_on=day)
            .order_by("pk")
        )
        out[name] = [r.problem.strip().rstrip("。") for r in rows]
    return out


def ourselves(unit: Any) -> str:
    """How the issuer names itself in its own text: 市局党组, not 中共市气象局党组 (the title and the
    signature carry the full name)."""
    org = issuer(unit).removeprefix("中共")
    kind = next((k for k in ("党组", "党委", "党总支", "党支部") if org.endswith(k)), "")
    short = (getattr(unit, "short_name", "") or unit.name).strip()
    if not kind or not org.startswith(short):
        return org
    if short.endswith("气象局") and len(short) > 3:
        short = short[:-3] + "局"
    return short + kind


def _unit_facts(rows: list[Any], year: int, user: Any, day: date) -> list[tuple[Any, Facts]]:
    """Each rated unit's records of the year as of the report's date, for the problems drawn from
    them (a roll-up over many units reads only the first thirty: the table names the rest)."""
    from .facts import collect

    rated = [s.unit for s in rows if s.rate is not None][:30]
    return [(u, collect(u, year_period(year), user=user, as_of=day)) for u in rated]


def _record_problems(details: list[tuple[Any, Facts]]) -> list[str]:
    """Problems across the units from their records: rectifications overdue, adoption below the
    target of their key points, the same risk point at several units."""
    from .problems import adoption_target, problem_text

    out = []
    late = [(u, f.lists.get("overdue", [])) for u, f in details if f.lists.get("overdue")]
    if late:
        each = "、".join(f"{u.name}{len(rs)}个" for u, rs in late)
        first = late[0][1][0]
        out.append(
            f"整改落实跟踪不够。截至年底，仍有整改事项逾期未完成（{each}），如{late[0][0].name}“{problem_text(first)}”"
            f"的整改时限为{first.deadline.year}年{md(first.deadline)}，到年底仍未销号，督办没有做到一抓到底"
        )
    short = [(u, int(f.value("adopted_high")), adoption_target(f)) for u, f in details]
    short = [(u, high, aim) for u, high, aim in short if aim and high < aim]
    if short:
        aims = {aim for *_, aim in short}
        aim = f"不少于{short[0][2]}篇的目标" if len(aims) == 1 else "各自工作要点提出的目标"
        each = "、".join(f"{u.name}{high}篇" for u, high, _ in short)
        who = "所属单位均" if len(short) == len(details) > 1 else f"{listing([u.name for u, *_ in short], 4)}"
        out.append(f"对外宣传层次不高。{who}未完成省级以上媒体采用{aim}（{each}），有分量的稿件还不多")
    shared = _shared_risks(details)[:2]
    if shared:
        told = "；".join(_shared_words(text, names, high, len(details)) for text, names, high in shared)
        out.append(
            f"共性风险防范还不到位。有的风险点在几个单位的分析研判中同时出现：{told}，说明这类风险带有普遍性，需要在全系统统一防范"
        )
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
    return sorted(shared, key=lambda kv: (-len(kv[1]), -len(kv[2])))


def _record_steps(details: list[tuple[Any, Facts]], year: int) -> list[str]:
    """The measures answering the problems drawn from the units' records, in the same order."""
    out = []
    if any(f.lists.get("overdue") for _, f in details):
        out.append(
            f"狠抓整改销号。对逾期未完成的整改事项逐项挂账督办，{year + 1}年3月底前全部整改到位，"
            "每月听取一次进展，逾期未改的约谈单位主要负责人"
        )
    from .problems import adoption_target

    if any(adoption_target(f) and int(f.value("adopted_high")) < adoption_target(f) for _, f in details):
        out.append(
            f"提升宣传质量。由办公室牵头，{year + 1}年上半年组织一次系统宣传业务培训，统筹重大天气过程和重要节点选题，集中向省级以上媒体推送"
        )
    if _shared_risks(details):
        out.append(
            f"统一防范共性风险。{year + 1}年一季度研判时将共性风险点列为系统重点，制定统一防范措施，由各单位分别落实并报送进展"
        )
    return out
