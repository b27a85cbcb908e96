"""The year's work, section by section, for the annual summary and the half-year report: each
paragraph follows WRITING.md's sentence roles — 总述, 做法 (events by name and date), 数据 (with last
year where it has records), 成效 — phrased from the phrase bank. A section with nothing recorded is
left out."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from . import document as d
from .facts import Facts, Figure
from .facts_more import ideology_studies
from .phrases import PHRASES
from .problems import overdue_named, problem_text, rect_label, rect_owner, rect_pool
from .prose import (
    Headings,
    Prose,
    after_prefix,
    books_in,
    clip,
    cn_date,
    dated,
    day_of,
    inner,
    joined,
    listing,
    md,
    own_name,
    person,
    quoted,
    sentence,
    topic_of,
    unsettled,
)  # fmt: skip

# --- The year's work, section by section (annual summary, half-year report) --------------------------
Paragraphs = list[list[Any]]


# roles said more than once in a document keep the document's own choice (never twice the same)
_REPEATED = {
    "study.named", "study.named.tail", "study.lecture", "study.lecture.plain", "pub.event", "pub.event.tail",
    "pos.opinion", "pos.opinion.tail", "ana.inspected",
}  # fmt: skip


def _say(p: Prose, role: str, **slots: Any) -> list[Any]:
    """A sentence said once in a document is phrased by the unit's turn: sibling summaries differ."""
    if role in _REPEATED:
        return p.say(role, **slots)
    return p.say(role, turn=unit_turn(p, role), **slots)


def _leadership(p: Prose) -> Paragraphs:
    f = p.facts
    out: list[Any] = []
    group = f.lists.get("group", [])
    if p.has("group"):
        leader = next((g for g in group if g.post == "leader"), None)
        deputy = next((g for g in group if g.post == "deputy"), None)
        liaisons = [g for g in group if g.post == "liaison"]
        who = f"{p.sec}{person(leader)}" if leader and person(leader) else ""
        if who:
            when = next((g.appointed_on for g in group if g.appointed_on), None)
            no = next((g.document_no.strip() for g in group if g.document_no.strip()), "")
            out += _say(
                p,
                "lead.group",
                when=md(when) if when else "年初",
                doc=f"以{no}文件" if no else "",  # the number the record holds, no title of ours
                who=who,
                deputy=f"、{deputy.title or '分管领导'}{person(deputy)}任副组长"
                if deputy and person(deputy)
                else "",
                n=p.fig("group"),
                liaison=["，明确联络员", p.count("liaison", len(liaisons), "名", "联络员", liaisons)]
                if liaisons
                else "",
            )
    if p.has("duties"):
        signed: list[Any] = (
            ["班子成员签订责任书", p.fig("duties_signed")] if p.has("duties_signed") else ["责任书尚未签订"]
        )
        out += _say(p, "lead.duties", duties=p.fig("duties"), signed=signed)
    studies = ideology_studies(f)
    rows = studies.records
    if rows:
        strip = (p.meet, "党组会议", "党委会议", "支委会", "总支委员会会议")
        dates = "，".join(
            f"{md(day_of(r))}{after_prefix(r.title, *strip).removeprefix('专题')}" for r in rows[:4]
        )
        role = "lead.meetings" if len(rows) > 1 else "lead.meetings.one"
        what = after_prefix(rows[0].title, *strip).removeprefix("专题")
        out += _say(p, role, span=p.span, n=studies, dates=dates, date=md(day_of(rows[0])), what=what)
    special = [r for r in f.lists.get("meetings", []) if r.kind == "special"]
    if special:
        out += _say(p, "lead.special", when="、".join(md(day_of(r)) for r in special[:3]))
    accounts = [
        f"{md(r.held_on)}{'述职述责' if r.kind == 'debrief' else '组织生活会'}"
        for r in f.lists.get("reports", [])
        if r.kind in ("debrief", "life_meeting")
    ]
    if accounts:
        out += _say(p, "lead.accounts" if len(accounts) > 1 else "lead.accounts.one", items=joined(accounts))
    out += _branch_life(p)  # the branch's organisational life is how it carries its duties
    if not out:
        return []
    return [_say(p, _intro(p, "lead.intro")) + out]


def _intro(p: Prose, role: str) -> str:
    """A section's first sentence: a half year that does not open the year says no 年初."""
    return f"{role}.half" if p.kind == "half-year" and p.facts.period.start.month > 1 else role


def _study(p: Prose, prev: Facts | None) -> Paragraphs:
    """理论学习: the plan, the 中心组, the staff's sessions (against last year), the materials by
    title; then the named events in the order held."""
    meetings = p.facts.lists.get("meetings", [])
    first = _study_plan(p) + _central_study(p, meetings) + _staff_study(p, prev)
    if p.has("study"):
        books = books_in([r for r in meetings if r.content])
        if books:
            first += _say(p, "study.materials", titles="".join(books))
    second = _named_study(p, meetings)
    if not first and not second:
        return []
    paragraphs = [_say(p, _intro(p, "study.intro")) + first] if first else []
    if second:
        paragraphs.append(second)
    return paragraphs


def _high_items(p: Prose, f: Facts) -> list[Any]:
    """The articles the higher outlets ran, by outlet (中央媒体 first): 《澜江日报》刊发《…》《…》 — a
    newspaper in 书名号, a website or station as it is named."""
    high = sorted(_high_adopted(f), key=lambda s: s.level != "central")[:3]
    if not high:
        return []
    by_outlet: dict[str, list[str]] = {}
    for s in high:
        by_outlet.setdefault(s.outlet, []).append(f"《{inner(s.title)}》")
    items = "，".join(
        f"{f'《{o}》' if o.endswith('报') else o}刊发{''.join(t)}" for o, t in by_outlet.items()
    )
    return _say(p, "pub.high", items=items)


def _study_plan(p: Prose) -> list[Any]:
    f = p.facts
    if not p.has("plan_items"):
        return []
    missed = f.lists.get("plan_items_missed", [])
    ahead = f.lists.get("plan_items_ahead", [])
    done: list[Any] = (
        ["已组织学习", p.fig("plan_items_done")] if p.has("plan_items_done") else ["尚未组织学习"]
    )
    if ahead:
        done += [
            "，其余",
            p.count("plan_ahead", len(ahead), "个", "尚未到期的计划专题", ahead),
            "按计划在年内完成",
        ]
    elif not missed:
        done += ["，计划全部完成"]
    return _say(p, "study.plan", items=p.fig("plan_items"), done=done, span=p.span)


def _central_study(p: Prose, meetings: list[Any]) -> list[Any]:
    central = [r for r in meetings if r.kind == "central_study"]
    if not central:
        return []
    names = [x for x in dict.fromkeys(topic_of(r.title) for r in central) if x]
    topics: Any = listing(names, 3)
    if len(names) > 3:  # 等12个专题: how many there were, not three cut at 等
        with_topic = [r for r in central if topic_of(r.title)]
        topics = [topics, p.count("central_topics", len(names), "个", "中心组学习专题", with_topic), "专题"]
        extra = len(names) - int(p.facts.value("plan_items")) if p.has("plan_items") else 0
        if extra > 0:  # more topics than the plan had: the added ones are said to be added
            topics.append(f"（其中根据上级部署增加{extra}个）")
    hours = sum((r.hours or Decimal(0)) for r in central)
    days = ["，累计", p.count("central_hours", hours, "学时", "中心组学习学时", central)]
    return _say(
        p,
        "study.central",
        span=p.span,
        n=p.fig("central_study"),
        days=days if any(r.hours for r in central) else "",
        topics=topics or "上级有关文件和会议精神",
    )


def _staff_study(p: Prose, prev: Facts | None) -> list[Any]:
    """干部职工集中学习 alone (the 中心组 sessions, 读书会 and 党课 are told in their own sentences),
    and the change from last year where last year has records."""
    f = p.facts
    if not p.has("staff_study"):
        return []
    hours = ["，累计", p.fig("staff_study_hours")] if p.has("staff_study_hours") else ""
    out = _say(
        p,
        "study.sessions",
        span=p.span,
        n=p.fig("staff_study"),
        people=p.fig("staff_study_people"),
        hours=hours,
    )
    if prev is None or not prev.value("staff_study"):
        return out
    delta = int(f.value("staff_study")) - int(prev.value("staff_study"))
    before = prev.figure("staff_study_people")
    prev_people = Figure(
        "study_people_prev", prev.value("staff_study_people"), "人次", "上年干部职工集中学习参学人次", None,
        before.records, before.day,
    )  # fmt: skip
    records = prev.figure("staff_study").records
    change = p.count("study_change", abs(delta), "次", "干部职工集中学习较上年的变化", records)
    role = "study.up" if delta > 0 else "study.down" if delta < 0 else "study.same"
    said = _say(p, role, delta=change, prev_people=prev_people, people=p.fig("staff_study_people"))
    if f.open:  # the year not over: against the same span of last year (prev is that span)
        said = [x.replace("上年", "上年同期") if isinstance(x, str) else x for x in said]
    return out + said


def _named_study(p: Prose, meetings: list[Any]) -> list[Any]:
    """The 读书活动 and 党课 by name and date, told in the order they were held."""
    named: list[tuple[Any, list[Any]]] = []
    for r in [r for r in meetings if r.kind in ("reading", "theme_education")][:2]:
        present = p.count("present", r.present, "人", f"{r.title}参加人数", [r])
        title = quoted(after_prefix(r.title, "读书活动："))
        said = _say(p, "study.named", when=md(day_of(r)), title=title) + _say(
            p, "study.named.tail", present=present
        )
        named.append((r.at, said))
    for r in [r for r in meetings if r.kind == "party_lecture"][:2]:
        present = p.count("present", r.present, "人", f"{r.title}参学人数", [r])
        who = f"{p.sec}{r.host}" if r.host else p.sec
        topic = topic_of(r.title)
        if topic:
            said = _say(
                p, "study.lecture", when=md(day_of(r)), who=who, topic=topic.strip("“”"), present=present
            )
        else:
            said = _say(p, "study.lecture.plain", when=md(day_of(r)), who=who, present=present)
        named.append((r.at, said))
    return [x for _at, said in sorted(named, key=lambda t: t[0]) for x in said]


def _branch_life(p: Prose) -> list[Any]:
    """A branch's organisational life: 支委会 (a 支委会 that studied ideology work is a 支委会 too:
    支委会13次（其中专题研究意识形态工作2次）), 党小组会, 党员大会, 主题党日."""
    if getattr(p.facts.unit, "org_type", "") not in ("branch", "general_branch") or not p.has(
        "branch_committee"
    ):
        return []

    def zero(key: str) -> Any:
        return p.fig(key) if p.has(key) else "0次"

    committee: Any = zero("branch_committee")
    studies = ideology_studies(p.facts)
    if studies.value:  # the 支委会 that studied ideology work, and any recorded as a 专题研究 meeting
        rows = p.fig("branch_committee").records + [
            r for r in studies.records if r.kind != "branch_committee"
        ]
        committee = [
            p.count("committee_all", len(rows), "次", "支委会（含专题研究意识形态工作）", rows),
            "（其中专题研究意识形态工作",
            studies,
            "）",
        ]
    return _say(
        p,
        "study.branch",
        span=p.span,
        committee=committee,
        group=zero("group_meeting"),
        assembly=zero("members_assembly"),
        theme=zero("theme_day"),
    )


def _event(p: Prose, x: Any) -> list[Any]:
    theme = re.sub(r"^\d{4}年", "", x.theme.strip())
    partners = x.partners.strip()
    channel = x.channel.strip()
    reach = ["，覆盖", p.count("reach", x.reach, "人次", f"{theme}覆盖人次", [x])] if x.reach else ""
    occasion = x.occasion.strip()
    head = _say(
        p,
        "pub.event",
        when=md(x.held_on),
        lead=f"结合{occasion}，" if occasion and occasion not in theme else "",
        partners=f"联合{partners}" if partners else "",
        partners_with=f"（联合{partners}）" if partners else "",
        theme=quoted(theme),
    )
    return head + _say(p, "pub.event.tail", channel=channel or "本单位宣传阵地", reach=reach)


def _adoption_change(p: Prose, prev: Facts | None) -> list[Any]:
    """采用稿件较上年减少9篇，省级以上由9篇降至6篇 — against last year, or the same span of it in a
    period not yet over."""
    f = p.facts
    if prev is None or not prev.value("adopted"):
        return []
    now, before = int(f.value("adopted")), int(prev.value("adopted"))
    than = "较上年同期" if f.open else "较上年"
    if now == before:
        said: list[Any] = [f"采用数与上年{'同期' if f.open else ''}持平"]
    else:
        delta = p.count(
            "adopted_change", abs(now - before), "篇", f"采用稿件{than}的变化", prev.lists["adopted"]
        )
        said = [f"采用稿件{than}{'增加' if now > before else '减少'}", delta]
    high_now, high_before = int(f.value("adopted_high")), int(prev.value("adopted_high"))
    if high_now != high_before:
        was = p.count(
            "adopted_high_prev",
            high_before,
            "篇",
            "上年省级以上媒体采用",
            prev.figure("adopted_high").records,
        )
        now_fig = p.fig("adopted_high") if p.has("adopted_high") else "0篇"
        # the span of last year compared is said when it is not the whole year (由上年同期的9篇)
        said += ["，省级以上由上年同期的" if f.open else "，省级以上由", was]
        said += ["增至" if high_now > high_before else "降至", now_fig]
    return [*said, "。"]


def _publicity(p: Prose, prev: Facts | None = None) -> Paragraphs:
    f = p.facts
    out: list[Any] = []
    events = f.lists.get("publicity", [])
    if events:
        reach = ["，覆盖", p.fig("publicity_reach")] if p.has("publicity_reach") else ""
        out += _say(p, "pub.intro", span=p.span, n=p.fig("publicity"), reach=reach)
        chosen = sorted(events, key=lambda x: (not x.partners, -(x.reach or 0)))[:3]
        for x in sorted(chosen, key=lambda x: x.held_on):
            out += _event(p, x)
    second: list[Any] = []
    if p.has("submissions"):
        if p.has("adopted"):
            levels: list[Any] = []
            for key in (
                "adopted_central",
                "adopted_province",
                "adopted_city",
                "adopted_county",
                "adopted_industry",
            ):
                if p.has(key):
                    fig = p.fig(key)
                    levels += ["、" if levels else "", fig.label.removeprefix("被").removesuffix("采用"), fig]
            gone = [
                w for key, w in (("adopted_province", "省级"), ("adopted_city", "市级")) if not p.has(key)
            ]
            if gone and levels:  # a level with none adopted is said, not left for the reader to notice
                levels += [f"，{'、'.join(gone)}媒体{'均' if len(gone) > 1 else ''}没有采用"]
            second += _say(p,
                "pub.submit", span=p.span, n=p.fig("submissions"), adopted=p.fig("adopted"), levels=levels,
                adopted_word="被采用",
            )  # fmt: skip
            second += _high_items(p, f)
            second += _adoption_change(p, prev)
        else:
            second += _say(p, "pub.submit.none", span=p.span, n=p.fig("submissions"))
    if p.has("subscriptions"):
        # the titles named are the titles counted: 4种 beside four titles, 等 only when some are left out
        recs = f.figure("subscriptions").records
        kinds = list(dict.fromkeys(s.publication.strip() for s in recs if s.publication.strip()))
        titles = "".join(f"《{t}》" for t in kinds[:6]) + ("等" if len(kinds) > 6 else "")
        n: Any = p.fig("subscriptions")
        if len(kinds) != len(recs):
            n = p.count("subs_kinds", len(kinds), "种", "征订党报党刊（按刊名计）", recs)
        second += _say(
            p,
            "pub.subs",
            span=p.span,
            n=n,
            copies=p.fig("subscription_copies"),
            titles=titles,
        )
    return [x for x in (out, second) if x]


def _positions(p: Prose) -> Paragraphs:
    f = p.facts
    out: list[Any] = []
    if p.has("positions"):
        all_kinds = [k for k, _ in f.lists.get("position_kinds", [])]
        # every kind when they are few (no 等 after a complete list)
        kinds = "、".join(all_kinds[:6]) + ("等" if len(all_kinds) > 6 else "")
        # the year's end needs no date in a closed year; 截至11月30日 while it is open
        cutoff = f"截至{p.until}，" if f.open else ""
        out += _say(p, "pos.stock", n=p.fig("positions"), kinds=kinds, cutoff=cutoff)
    inspections = f.lists.get("inspections", [])
    if inspections:
        if p.has("inspection_problems"):
            by_position: Counter[str] = Counter()
            for i in inspections:
                by_position[i.position.name] += i.problems
            name, top = by_position.most_common(1)[0]
            where: Any = ""
            if top and top < f.value("inspection_problems"):
                where = [
                    f"，其中{own_name(f.unit, name)}",
                    p.count(
                        "position_problems",
                        top,
                        "个",
                        f"{name}检查发现问题",
                        [i for i in inspections if i.position.name == name and i.problems],
                    ),
                ]
            out += _say(
                p,
                "pos.inspect",
                span=p.span,
                n=_rounds(p, inspections),
                problems=p.fig("inspection_problems"),
                where=where,
            )
        else:
            out += _say(p, "pos.inspect.clean", span=p.span, n=_rounds(p, inspections))
    if p.has("reviews"):
        rejected = ["，退回修改", p.fig("reviews_rejected")] if p.has("reviews_rejected") else ""
        passed = p.fig("reviews_passed") if p.has("reviews_passed") else "0篇"
        out += _say(p, "pos.review", span=p.span, n=p.fig("reviews"), passed=passed, rejected=rejected)
    return [x for x in (out, _opinions(p)) if x]


def _opinions(p: Prose) -> list[Any]:
    second: list[Any] = []
    opinions = p.facts.lists.get("opinions", [])
    if len(opinions) > 3:  # the total is said below: the cases told are some of them
        second.append("涉及本单位的舆情中，以下3起较为典型。")
    for o in opinions[:3]:
        response = sentence(o.response) if o.response.strip() else "正在研究处置。"
        second += _say(p, "pos.opinion", when=md(o.found_on), summary=clip(o.summary, 30) or o.summary[:30])
        short = clip(o.response, 40) or "及时核实情况"
        second += _say(p, "pos.opinion.tail", response=response, response_short=short)
    if opinions:
        closed = p.fig("opinions_closed") if p.has("opinions_closed") else "0起"
        if p.has("opinions_closed") and p.facts.value("opinions_closed") == p.facts.value("opinions"):
            role = "pos.opinion.total.one" if p.facts.value("opinions") == 1 else "pos.opinion.total.all"
            second += _say(p, role, span=p.span, n=p.fig("opinions"))
        else:
            second += _say(p, "pos.opinion.total", span=p.span, n=p.fig("opinions"), closed=closed)
    return second


def _rounds(p: Prose, inspections: list[Any]) -> list[Any]:
    """阵地检查4轮（检查23个次）: the positions inspected on one day are one round, not many checks."""
    days = sorted({i.inspected_on for i in inspections})
    if len(days) >= len(inspections):
        return [p.fig("inspections")]
    firsts = [next(i for i in inspections if i.inspected_on == day) for day in days]
    rounds = p.count("inspection_rounds", len(days), "轮", "阵地检查轮次", firsts)
    return [rounds, "（共检查阵地", p.fig("inspections"), "）"]


def _analysis(p: Prose) -> Paragraphs:
    """分析研判与监督检查: the analyses with their risks, the reports sent up, the inspections."""
    f = p.facts
    out = _analyses(p, f.lists.get("analyses", []))
    reports = f.lists.get("reports", [])
    up = [r for r in reports if r.kind in ("half_year", "annual", "special")]
    if p.kind == "half-year":  # the report of this very half year is this document, not its content
        up = [r for r in up if not (r.kind == "half_year" and f.period.start <= r.held_on <= f.period.end)]
    if up:
        items = "，".join(
            f"{md(r.held_on)}向{r.recipient or '上级党组织'}报送《{r.title.strip('《》')}》" for r in up[:3]
        )
        out += _say(p, "ana.reports", items=items + _late_reports(f, up[:3]))
    second: list[Any] = []
    for r in [r for r in reports if r.kind == "inspected"][:2]:
        feedback = sentence(r.summary) or "检查组对各项工作给予肯定。"
        second += _say(p, "ana.inspected", when=md(r.held_on), title=r.title.strip("。"), feedback=feedback)
        if not re.search("整改完成|整改完毕|销号", r.summary):  # the record already says so
            second += _found_state(p, r.held_on, "inspection", "检查反馈")
    for r in [r for r in reports if r.kind == "inspecting"][:1]:
        second += _say(
            p, "ana.inspecting", when=md(r.held_on), title=r.title.strip("。"), summary=sentence(r.summary)
        )
        if not re.search("整改完成|整改完毕|销号", r.summary):  # the record already says so
            second += _found_state(p, r.held_on, "self", "自查发现")
    return [x for x in (out, second) if x]


def _found_state(p: Prose, day: Any, source: str, what: str) -> list[Any]:
    """截至10月10日，检查反馈的4个问题已全部整改完毕: where the problems an inspection or a self-check
    found stand on the cut-off, from their rectification records (none recorded: nothing said)."""
    f = p.facts
    rows = [r for r in f.lists.get("rectifications", []) if r.source == source and r.found_on == day]
    if not rows:
        return []
    done = [
        r for r in rows if r.completed_on and r.completed_on <= f.cutoff and r.state in ("done", "closed")
    ]
    fig = p.count(f"found-{source}", len(rows), "个", f"{what}的问题", rows)
    if len(done) == len(rows):
        last = max(r.completed_on for r in done)
        return _say(p, "ana.found.all", when=md(last), what=what, n=fig)
    rest = [r for r in rows if r not in done]
    part: list[Any] = [f"{what}的", fig, "问题中，"]
    if done:
        part += [
            "已整改完毕",
            p.count(f"found-{source}-done", len(done), "个", f"{what}问题已整改", done),
            "，",
        ]
    names = "、".join(f"“{inner(clip(r.problem, 30) or r.problem[:30])}”" for r in rest[:3])
    if not done and len(rest) <= 3:  # every one still open: named once, not "N个问题中" all N
        limits = "、".join(dict.fromkeys(md(r.deadline) for r in rest))
        many = len(rest) > 1
        return [
            f"{what}的",
            fig,
            f"问题{'即' if many else ''}{names}，{'均' if many else ''}在整改中，时限为{limits}。",
        ]
    return [*part, f"{names}仍在整改中。"]


def _late_reports(f: Facts, up: list[Any]) -> str:
    """，其中下半年专题报告晚于12月20日的时限: a report listed is never passed off as on time."""
    late = []
    for c in f.lists.get("reports_late", []):
        sent = [r for r in up if r.kind == "half_year" and c.period.start <= r.held_on <= c.period.end]
        if sent and sent[0].held_on > c.period.deadline:
            late.append(f"{c.period.label}专题报告晚于{md(c.period.deadline)}的时限")
    return f"，其中{'，'.join(late)}" if late else ""


def _analyses(p: Prose, analyses: list[Any]) -> list[Any]:
    """The analyses held and the risk points they raised (a risk raised at several analyses is one
    risk point: 风险点6个，各次研判累计提出12次), the high ones by name, what was resolved."""
    f = p.facts
    if not analyses:
        return []
    risks = f.lists.get("risks", [])
    groups = f.lists.get("risk_groups", [])
    count: list[Any] = [p.fig("risk_kinds")] if groups else ["0个"]
    if len(risks) > len(groups):
        count += [
            "，各次研判累计提出",
            p.count("risk_times", len(risks), "次", "各次研判提出风险点", risks),
        ]
    open_ = [rs[-1] for rs in unsettled(f)]
    high = [rs[-1] for rs in groups if any(r.level == "high" for r in rs)]
    # a half year's few risk points are told one by one (a year's four analyses name the high ones)
    detail = _risk_detail(p, groups, open_) if len(groups) <= 4 and p.kind == "half-year" else []
    high_part: list[Any] = []
    if high and detail:  # each risk is told by name below: the count alone here
        high_part = ["，其中高风险", p.count("risks_high", len(high), "个", "评为高风险的风险点", high)]
    elif high:
        # every one counted is named: the count and the list are the same set
        names = "、".join(f"“{inner(clip(r.description, 30) or r.description[:30])}”" for r in high)
        state = "，整改尚未完成" if all(r in open_ for r in high) else ""
        high_part = [
            "，其中高风险",
            p.count("risks_high", len(high), "个", "评为高风险的风险点", high),
            f"（{names}{state}）",
        ]
    dates = "、".join(md(a.held_on) for a in analyses[:4])
    role = "ana.sessions" if len(analyses) > 1 else "ana.sessions.one"
    out = _say(p, role, span=p.span, n=p.fig("analyses"), dates=dates, risks=count, high=high_part)
    if len(analyses) == 1 and analyses[0].situation.strip():
        a = analyses[0]
        situation = sentence(a.situation).rstrip("。")
        conclusion = sentence(a.conclusion) or "形势总体平稳。"
        head, _, after = conclusion.partition("，")
        core = re.sub("^(意识形态领域|形势)+", "", head)
        if after and len(head) <= 8 and core and core in situation:  # 总体平稳 said already
            conclusion = after
        out += _say(p, "ana.situation", situation=situation, conclusion=conclusion)
    out += detail
    settled = [rs[-1] for rs in groups if rs[-1] not in open_]
    if settled:
        rest: Any = ""
        if open_:
            rest = [
                "，",
                p.count("risks_open", len(open_), "个", "尚未化解的风险点", open_),
                "仍在防范化解中",
            ]
        role = "ana.resolved.all" if not open_ else "ana.resolved" if f.open else "ana.resolved.closed"
        resolved = p.count("risks_settled", len(settled), "个", "已化解的风险点（按风险点计）", settled)
        out += _say(p, role, resolved=resolved, rest=rest)
    return out


LEVEL_WORD = {"high": "高风险", "medium": "中风险", "low": "低风险"}


def _risk_detail(p: Prose, groups: list[list[Any]], open_: list[Any]) -> list[Any]:
    """Few risk points are told one by one: by name, with their level, cause and measure, the office
    taking it and whether it is still open."""
    items: list[str] = []
    every = all(rs[-1] in open_ for rs in groups)
    rank = {"high": 0, "medium": 1, "low": 2}
    for rs in sorted(groups, key=lambda rs: min(rank.get(x.level, 3) for x in rs)):  # the higher first
        r = rs[-1]
        level = "高风险" if any(x.level == "high" for x in rs) else LEVEL_WORD.get(r.level, "")
        part = f"“{inner(clip(r.description, 30) or r.description[:30])}”为{level}"
        if r.cause.strip():
            part += f"，主要原因是{r.cause.strip().rstrip('。')}"
        if r.measure.strip():
            who = f"由{r.responsible_office.strip()}" if r.responsible_office.strip() else ""
            part += f"，{who}{r.measure.strip().rstrip('。')}"
        part += "，目前仍在防范化解中" if r in open_ and not every else ""
        items.append(part)
    if not items:
        return []
    tail = _say(p, "ana.risks.open") if every and len(groups) > 1 else []
    return _say(p, "ana.risks", items="；".join(items)) + tail


def _rectification(p: Prose) -> Paragraphs:
    f = p.facts
    found = f.lists.get("rectifications", [])
    if not found:
        return []
    sources = "、".join(list(dict.fromkeys(r.get_source_display() for r in found))[:4])
    if getattr(f.unit, "org_type", "") in ("branch", "general_branch"):  # a 支部 holds a 组织生活会
        sources = sources.replace("民主生活会", "组织生活会")
    open_part: Any = ["，正在整改", p.fig("rectifications_open")] if p.has("rectifications_open") else ""
    # a problem raised again is a second item in the ledger: the count says so, not two problems
    open_recs = f.figure("rectifications_open").records
    first = {r.pk for r in open_recs}
    again = sum(1 for pk, r in f.lists.get("folded", []) if r.pk in first and pk in first)
    if open_part and again:
        open_part += [f"（其中{again}个为同一问题再次列入）"]
    closed = p.fig("rectifications_closed") if p.has("rectifications_closed") else "0个"
    out = p.say(
        "rect.total", span=p.span, n=p.fig("rectifications"), sources=sources, closed=closed, open=open_part
    )
    still = [r for r in found if r in f.figure("rectifications_open").records]
    overdue = f.lists.get("overdue", [])  # past the time limit on the period's last day, as 存在问题 reads it
    out += _still(p, still, overdue)
    out += _carried(p, overdue)
    done = [r for r in f.figure("rectifications_closed").records if r.completed_on and clip(r.problem, 30)]
    if done:
        r = done[-1]
        # closed after the period (before the document's date): the year is written
        when = md(r.completed_on) if r.completed_on <= f.period.end else cn_date(r.completed_on)
        out += p.say("rect.named", problem=problem_text(r), when=when)
    return [out]


def _still(p: Prose, still: list[Any], overdue: list[Any]) -> list[Any]:
    """The period's items still open: the late ones counted, and named as the problems section names
    them (the same list, the same order); then those still within their time limit, with owner and
    limit (an item due on the cut-off day is not late). Two records of the same words are told
    apart by where and when they were found."""
    if not still:
        return []
    among = rect_pool(p.facts)

    def who(r: Any) -> str:  # with the title, as 存在问题 names the owner
        return f"由{rect_owner(p, r)}负责，" if person(r, "owner") else ""

    def name(r: Any) -> str:
        # due on the cut-off day itself (a closed period's last day): not closed yet
        today = "，截至当日尚未销号" if r.deadline <= p.facts.cutoff else ""
        return f"{rect_label(r, among)}（{who(r)}时限为{dated(r.deadline, p.facts.period.year)}{today}）"

    late = [r for r in overdue if r in still]  # the problems section's order
    due = [r for r in still if r not in overdue]
    # a late problem raised again is one item: said with the late one, not listed as a second
    again = [r for r in due if any(problem_text(x) == problem_text(r) for x in late)]
    due = [r for r in due if r not in again]
    parts: list[Any] = []
    if late:
        parts += _late_named(p, late, "rect_late", "超过时限仍在整改的问题")
    for r in again:  # named as one of those still open, with the owner and limit it was given anew
        source = r.get_source_display().replace("民主生活会", "生活会")
        parts += [
            f"；“{problem_text(r)}”在{md(r.found_on)}{source}中再次提出，另列一项整改（{who(r)}时限为{dated(r.deadline, p.facts.period.year)}）"
        ]
    # due on the counted day itself: not late as counted, but no longer "within its limit" either
    now = p.facts.lists.get("due_now", [])
    ending = [r for r in due if r in now] if p.facts.open else []
    due = [r for r in due if r not in ending]
    if due:
        named = [name(r) for r in due[:4]]  # every one up to four, so that 即 names them all
        shown = "、".join(named[:-1]) + "和" + named[-1] if len(named) > 1 else named[0]
        if parts:
            parts += ["；"]
        if len(due) > 2:
            fig = p.count("rect_due", len(due), "个", "尚在整改时限内的问题", due)
            parts += [fig, f"仍在整改时限内，{'即' if len(named) == len(due) else '如'}{shown}"]
        else:
            parts += [f"{shown}正在推进"]
    for r in ending:
        parts += [
            "；" if parts else "",
            f"{rect_label(r, among)}（{who(r)}时限为{md(r.deadline)}）已到时限，尚未销号",
        ]
    return ["尚在整改的问题中，" if len(still) > 1 else "尚在整改的", *parts, "。"]


def _late_named(p: Prose, late: list[Any], key: str, label: str) -> list[Any]:
    """N个已超过整改时限，即“A”“B” — those of `late` the problems section names (如 when it names
    only some of them)."""
    among = rect_pool(p.facts)
    named = [r for r in overdue_named(p.facts) if r in late]
    shown = "、".join(rect_label(r, among) for r in named)
    if len(late) == 1 and named:
        return [f"{shown}已超过整改时限"]
    fig = p.count(key, len(late), "个", label, late)
    if not named:
        return [fig, "已超过整改时限"]
    return [fig, f"已超过整改时限，{'即' if len(named) == len(late) else '如'}{shown}"]


def _carried(p: Prose, overdue: list[Any]) -> list[Any]:
    """The problems found before the period and still open: counted apart, so that the period's
    正在整改 does not read as all that is left; the late ones named as the problems section names
    them."""
    f = p.facts
    carried = [r for r in f.lists.get("open_rectifications", []) if r.found_on < f.period.start]
    if not carried:
        return []
    late = [r for r in overdue if r in carried]
    fig = p.count("rect_carried", len(carried), "个", "此前发现、仍在整改的问题", carried)
    tail: list[Any] = []
    if late and len(late) < len(carried):
        tail = ["，其中", *_late_named(p, late, "carried_late", "已逾期")]
    elif late:
        named = [r for r in overdue_named(f) if r in late]
        shown = "、".join(rect_label(r, rect_pool(f)) for r in named)
        tail = ["，均已超过整改时限" if len(late) > 1 else "，已超过整改时限"]
        if named:
            tail.append(f"，{'即' if len(named) == len(late) else '如'}{shown}")
    return ["此前发现的问题中，还有", fig, "仍在整改", *tail, "。"]


WORK_SECTIONS: list[tuple[str, str]] = [
    ("leadership", "h.leadership"),
    ("study", "h.study"),
    ("publicity", "h.publicity"),
    ("positions", "h.positions"),
    ("analysis", "h.analysis"),
    ("rectification", "h.rectification"),
]


def write_work(p: Prose, b: d.Builder, h: Headings, heading: str, prev: Facts | None) -> bool:
    writers: dict[str, Callable[[], Paragraphs]] = {
        "leadership": lambda: _leadership(p),
        "study": lambda: _study(p, prev),
        "publicity": lambda: _publicity(p, prev),
        "positions": lambda: _positions(p),
        "analysis": lambda: _analysis(p),
        "rectification": lambda: _rectification(p),
    }
    sections = [(role, writers[name]()) for name, role in WORK_SECTIONS]
    sections = [(role, paras) for role, paras in sections if paras]
    if not sections:
        return False
    h.one(heading)
    for role, paragraphs in sections:
        h.two(section_heading(p, role + _condition(p, role, paragraphs)))
        for para in paragraphs:
            b.block(d.BODY, *para)
    return True


def section_heading(p: Prose, role: str) -> str:
    """A heading (or a fixed line of the opening and closing) by the unit's turn among its siblings,
    offset by document kind and year: sibling units' summaries never share one, and the next year's
    or the other document's reads differently."""
    options = PHRASES[role] if role in PHRASES else PHRASES[role.rsplit(".", 1)[0]]
    return options[unit_turn(p, role) % len(options)]


_FAMILY: WeakKeyDictionary[Prose, tuple[int, int]] = WeakKeyDictionary()


def unit_turn(p: Prose, role: str) -> int:
    """The phrasing of a once-said role (a heading, a fixed line) for this document: the unit's
    place among its siblings (read once per document) decides it, avoiding what the earlier
    siblings' same document, the same year's half-year report and last year's summaries chose."""
    if p not in _FAMILY:
        unit = p.facts.unit
        pks = list(
            type(unit).objects.filter(parent_id=unit.parent_id).order_by("pk").values_list("pk", flat=True)
        )
        _FAMILY[p] = (pks.index(unit.pk) if unit.pk in pks else 0, max(len(pks), 1))
    place, n = _FAMILY[p]
    f = p.facts
    tag = "annual" if p.kind != "half-year" else ("h1" if f.period.start.month == 1 else "h2")
    options = PHRASES.get(role) or PHRASES.get(role.rsplit(".", 1)[0]) or ("",)
    return _choice(role, len(options), n, place, f.period.year, tag)


EARLIER = {"annual": ("h2", "h1"), "h2": ("h1",), "h1": ()}  # the same year's documents written before


@lru_cache(maxsize=8192)
def _choice(role: str, size: int, n: int, place: int, year: int, tag: str) -> int:
    """Sibling units' same document never share a phrasing while the role has enough of them; the
    unit's and its siblings' earlier documents (this year's, last year's summary) are avoided where
    the phrasings left allow it."""
    start = _offset(f"{tag}/{role}", year) + place
    siblings = {_choice(role, size, n, q, year, tag) for q in range(place)}
    own: set[int] = set()  # the unit's own earlier documents, then its siblings'
    others: set[int] = set()
    last: set[int] = set()  # the siblings' summaries of last year: the upper body files them all
    if year > 2020:  # far enough back for the documents a reader sets side by side
        for y, other in [(year, t) for t in EARLIER[tag]] + [(year - 1, "annual")]:
            own.add(_choice(role, size, n, place, y, other))
            others |= {_choice(role, size, n, q, y, other) for q in range(n)}
        last = {_choice(role, size, n, q, year - 1, "annual") for q in range(n)}
    for taken in (siblings | own | others, siblings | own | last, siblings | own, siblings):
        free = [(start + i) % size for i in range(size) if (start + i) % size not in taken]
        if free:
            return free[0]
    return start % size


def _offset(role: str, year: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{year}/{role}".encode()).digest()[:4], "big")


def _condition(p: Prose, role: str, paragraphs: Paragraphs) -> str:
    """The data condition a heading is chosen by: a section the records make thin reads modest, one
    with problems left open or past their time limit never claims 成效明显."""
    f = p.facts
    if role == "h.rectification":
        if f.lists.get("overdue"):
            return ".late"
        return ".open" if p.has("rectifications_open") or f.lists.get("open_rectifications") else ""
    if role == "h.analysis":
        return ".open" if unsettled(f) else ""
    if role == "h.study":
        return ".gap" if f.lists.get("plan_items_missed") else ""
    if role == "h.publicity":
        events, high = f.lists.get("publicity", []), _high_adopted(f)
        return "" if len(events) >= 3 and len(high) >= 12 else ".modest"  # the key points' usual target
    if role == "h.positions":
        return ".found" if p.has("inspection_problems") or f.lists.get("opinions") else ""
    if role == "h.leadership":
        said = "".join(str(x) for para in paragraphs for x in para if isinstance(x, str))
        return "" if said.count("。") > 2 else ".modest"  # the intro and one more sentence: modest
    return ""


def _high_adopted(f: Facts) -> list[Any]:
    return [s for s in f.lists.get("adopted", []) if s.level in ("central", "province")]
