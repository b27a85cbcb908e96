"""The quarter's 分析研判报告: the quarter's situation from its own records, each risk with its
level, cause, measure and owner, the quarter's 舆情 and how each was answered, what changed since
the last analysis, and the next quarter's measures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import document as d
from .assessment import rounds
from .facts import QUARTER_NAMES, collect, quarter_period
from .phrases_upward import ANALYSIS_EACH, ANALYSIS_ONCE
from .problems import analysis_limit
from .prose import (
    Headings,
    Prose,
    Rotating,
    by_limit,
    clip,
    cn_date,
    finish,
    fresh,
    issuer,
    joined,
    listing,
    md,
    numbered,
    person,
    title_of,
    titled,
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
    ctx = _context(unit, user, period, q, day, as_of)
    b.block(d.BODY, _opening(p, q, org, period.label, ctx) + "现将有关情况报告如下。")
    h.one("总体形势")
    for block in _situation(p, says, q, QUARTER_NAMES[quarter], as_of, day, ctx):
        b.block(d.BODY, *block)
    thinking = _thinking(q, ctx)
    if thinking:
        h.one("干部职工思想动态")
        b.block(d.BODY, thinking)
    _risk_section(b, h, p, says, q, day, ctx)
    h.one("舆情及处置情况")
    if q.opinions:
        for o in q.opinions:
            b.block(d.BODY, _opinion_sentence(p, says, o, _actor(org)) + _opinion_risk(o, q, ctx))
    else:
        b.block(d.BODY, p.pick(*says["opinions_none"]))
    if q.previous and q.analyses:
        h.one("与上次研判相比的变化")
        b.block(d.BODY, _changes(p, says, q, day, ctx))
    h.one("下一步工作措施")
    steps = _analysis_steps(says, q, year, quarter, as_of, day, ctx)
    numbered(b, [[x if x.endswith("。") else x + "。"] for x in steps])  # each measure its own paragraph
    b.block(d.BODY, "特此报告。")
    finish(b, unit, doc.day)
    return doc


def _risk_section(
    b: d.Builder, h: Headings, p: Prose, says: dict[str, Any], q: Any, day: date, ctx: Context
) -> None:
    """风险点研判: the current risks from the highest level down, then those found resolved."""
    current, settled = _current(q.risks, day, ctx)
    if not q.risks:
        return
    h.one("风险点研判")
    used: set[str] = set()
    last = q.previous[0].held_on if q.previous else None
    for r in sorted(current, key=lambda r: -_rank(r.level)):
        h.two(clip(r.description, 30) or r.field)
        b.block(d.BODY, _risk_paragraph(p, says, r, q.history.get(r.description, []), used, day, last, ctx))
    if settled:
        b.block(d.BODY, _settled_paragraph(settled, bool(current)))


@dataclass
class Context:
    """The records beside the analyses that the report reads: the rectifications open on its day,
    the quarter's inspections received and their feedback, its study sessions and organisational
    life, and the year's earlier risks rated 高."""

    day: date
    open_rects: list[Any] = field(default_factory=list)
    earlier_rects: list[Any] = field(default_factory=list)
    inspections: list[tuple[Any, list[Any]]] = field(default_factory=list)
    study: list[Any] = field(default_factory=list)
    life: list[Any] = field(default_factory=list)
    publicity: list[Any] = field(default_factory=list)
    year_highs: list[Any] = field(default_factory=list)
    opinions: list[Any] = field(default_factory=list)
    group: list[Any] = field(default_factory=list)
    office_people: dict[str, str] = field(default_factory=dict)


CONCERN = re.compile(
    "干部职工对([^，。；]{2,24}?)(?:有所议论|关注较多|有所反映)"
)  # a concern the analysis names
STAFF = re.compile("干部|职工|思想")  # the analysis's words on staff thinking, told in their own section
LIFE_KINDS = ("theme_day", "group", "members_assembly", "life_meeting")


def _head(ctx: Context, owner: str, office: str) -> str:
    """办公室主任张晓燕 where the owner heads the office that carries the measure out (not
    张晓燕牵头、办公室落实, which names them twice); else nothing."""
    title = title_of(ctx.group, owner)
    return f"{title.split('、')[0]}{owner}" if office and office in title else ""


def _led(ctx: Context, owner: str, office: str) -> str:
    """Who carries a step out: 张晓燕牵头、办公室落实, 办公室主任张晓燕负责, or the office alone."""
    if not owner:
        return f"{office}负责"
    head = _head(ctx, owner, office)
    return f"{head}负责" if head else f"{titled(ctx.group, owner)}牵头、{office}落实"


def _context(unit: Any, user: Any, period: Any, q: Any, day: date, as_of: date | None) -> Context:
    from taizhang.ledger import models as lm
    from taizhang.ledger.models.meetings import STUDY_KINDS

    from .facts import Reader

    read = Reader(unit, user)
    until = min(as_of or period.end, day)
    seen = type(period)(period.start, until, period.label)
    rects = list(
        read(lm.Rectification).filter(found_on__lte=day).select_related("owner").order_by("found_on", "pk")
    )
    ctx = Context(day, opinions=list(q.opinions))
    ctx.open_rects = [r for r in rects if _open_on(r, day)]
    ctx.earlier_rects = [r for r in rects if r.found_on < period.start]
    for rec in read.dated(lm.ReportRecord, seen).filter(kind="inspected").order_by("held_on", "pk"):
        found = [r for r in rects if r.source == "inspection" and r.found_on == rec.held_on]
        ctx.inspections.append((rec, found))
    meetings = list(read.dated(lm.Meeting, seen).select_related("host").order_by("held_at", "pk"))
    ctx.study = [m for m in meetings if m.kind in STUDY_KINDS]
    ctx.life = [m for m in meetings if m.kind in LIFE_KINDS]
    ctx.publicity = list(read.dated(lm.Publicity, seen))
    ctx.group = list(read(lm.LeadingGroupMember).filter(year=period.start.year).select_related("person"))
    ctx.office_people = _office_people(read, lm, day, ctx.group)
    listed = {r.description for r in [*q.risks, *q.previous_risks]}
    before = q.previous[0].held_on if q.previous else period.start
    year_start = date(period.start.year, 1, 1)
    ctx.year_highs = [
        r
        for r in read(lm.Risk)
        .filter(level="high", analysis__held_on__gte=year_start, analysis__held_on__lt=before)
        .select_related("analysis", "rectification")
        .order_by("analysis__held_on", "pk")
        if r.description not in listed
    ]
    return ctx


def _office_people(read: Any, lm: Any, day: date, group: list[Any]) -> dict[str, str]:
    """The person the records name for an office: the owner of the latest rectification of a risk
    the office answers for, else the leading group's 办公室主任 for 办公室."""
    out: dict[str, str] = {}
    risks = (
        read(lm.Risk)
        .filter(rectification__isnull=False, analysis__held_on__lte=day)
        .select_related("rectification__owner")
        .order_by("-analysis__held_on", "-pk")
    )
    for r in risks:
        name = _owner(r.rectification)
        if name and r.responsible_office.strip():
            out.setdefault(r.responsible_office.strip(), name)
    office = next((person(g) for g in group if g.post == "office" and person(g)), "")
    if office:
        out.setdefault("办公室", office)
    return out


def _titled(name: str, ctx: Context) -> str:
    """李明华 → 副局长李明华: a person with the post the year's leading group records."""
    title = title_of(ctx.group, name)
    return f"{title}{name}" if title else name


def _secretary(ctx: Context) -> str:
    """支部书记王建国 where the leading group names its 组长, else 支部书记."""
    leader = next((g for g in ctx.group if g.post == "leader" and person(g)), None)
    return f"支部书记{person(leader)}" if leader else "支部书记"


def _open_on(rect: Any, day: date) -> bool:
    from taizhang.ledger.models.rectification import OPEN_STATES

    return rect.state in OPEN_STATES or bool(rect.completed_on and rect.completed_on > day)


def _common(a: str, b: str) -> int:
    """The length of the longest stretch of text two records share (预警信息发布终端)."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def _bare(problem: str) -> str:
    """网络舆论：汛期预报偏差可能引发网民质疑 → 汛期预报偏差可能引发网民质疑 (no field label)."""
    return problem.split("：", 1)[-1].strip().rstrip("。")


def _about(text: str, risk: Any) -> bool:
    """A record about the risk point: it shares five characters running with its wording."""
    return _common(_bare(text), f"{risk.description}|{risk.measure}") >= 5


def _rects_for(r: Any, history: list[Any], ctx: Context) -> list[Any]:
    """The rectifications open on the report's day that answer the risk: its own, an earlier
    appearance's, or an open item about the same thing (新媒体账号转载信息未严格执行三审制度)."""
    own = {x.rectification_id for x in [*history, r] if x.rectification_id}
    found = [x for x in ctx.open_rects if x.pk in own or _about(x.problem, r)]
    return sorted(found, key=lambda x: (x.deadline, x.pk))


def _months(since: date, day: date) -> int:
    return max((day.year - since.year) * 12 + day.month - since.month - (day.day < since.day), 0)


def _rect_name(x: Any, r: Any) -> str:
    """How the report names a rectification beside its risk: by its own wording where that differs,
    else by the day it was opened (2025年12月26日列入的同名整改)."""
    if _bare(x.problem) == r.description.strip().rstrip("。"):
        return f"{cn_date(x.found_on)}就这一问题列入台账的整改"
    return f"与此相关的“{_bare(x.problem)}”整改"


def _owner(rect: Any) -> str:
    return person(rect, "owner")


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


OPENINGS = (
    "{day}，{org}召开{body}，对{period}意识形态领域情况进行分析研判。",
    "按照意识形态工作责任制要求，{org}于{day}召开{body}，专题分析{period}意识形态领域情况。",
    "{day}，{org}召开{body}，分析{period}意识形态领域动态，排查风险隐患。",
)


def _opening(p: Prose, q: Any, org: str, label: str, ctx: Context | None = None) -> str:
    """9月28日，中共区气象局党支部召开意识形态领域形势分析研判会议，对……进行分析研判。会议由
    李明华主持，应到6人、实到5人。会议议定：……"""
    if not q.analyses:
        return f"{org}梳理了{label}意识形态领域情况。"
    first = q.analyses[0]
    m = first.meeting if first.meeting_id else None
    body = re.sub(r"^(\d{4}年)?第[一二三四]季度", "", m.title if m else "").replace(
        "意识形态形势", "意识形态领域形势"
    )
    text = p.pick(*OPENINGS).format(day=md(first.held_on), org=org, period=label, body=body or "分析研判会议")
    if m is None:
        return text
    host = person(m, "host")
    if host:
        text += f"会议由{_titled(host, ctx) if ctx else host}主持，应到{m.expected}人、实到{m.present}人。"
    decided = m.decisions.strip().rstrip("。")
    if decided and re.search(r"\d|责任人|前完成", decided):  # a general line adds nothing to section 六
        text += f"会议议定：{decided}。"
    return text


# a claim of the analysis's own text that needs a record of the quarter behind it
CLAIMS = (
    (re.compile("谣言|辟谣|澄清"), re.compile("谣|不实|误传")),
    (re.compile("反响"), re.compile("反响")),
)


def _supported(clause: str, q: Any, ctx: Context) -> bool:
    """个别涉气象谣言得到及时澄清 only where a 舆情 of the quarter was a rumour answered; 宣传反响良好
    only where an activity of the quarter records its response."""
    texts = [f"{o.summary}{o.response}" for o in q.opinions] + [f"{x.summary}" for x in ctx.publicity]
    for claim, evidence in CLAIMS:
        if claim.search(clause) and not any(evidence.search(t) for t in texts):
            return False
    return True


def _judged(p: Prose, says: dict[str, Any], q: Any, ctx: Context) -> str:
    """The analyses' own judgement, each clause once and only what the quarter's records bear."""
    clauses: list[str] = []
    for a in q.analyses:
        for sentence in re.split("[。；]", a.situation):
            kept = [
                c for c in sentence.split("，") if c.strip() and _supported(c, q, ctx) and not STAFF.search(c)
            ]
            kept = [c for c in kept if not any(c in x for x in clauses)]
            if kept and STAFF.search(sentence) and not re.search("季度|期间|以来|入冬|汛期", kept[0]):
                kept[0] = "本季度" + kept[0]  # the sentence's lead went with its words on staff
            if kept:
                clauses.append("，".join(kept))
    text = "".join(c + "。" for c in clauses)
    conclusions = [a.conclusion.strip().rstrip("。") for a in q.analyses if a.conclusion.strip()]
    if conclusions:
        rest = [c for c in conclusions[-1].split("，") if c and c not in text and _supported(c, q, ctx)]
        if rest:
            text += p.pick(*says["conclusion"]).format(text="，".join(rest))
    return text


def _situation(
    p: Prose, says: dict[str, Any], q: Any, quarter: str, as_of: date | None, day: date, ctx: Context
) -> list[list[Any]]:
    """总体形势: the analyses' own judgement, the quarter's work in figures, the inspection received
    and its feedback, the risks by level."""
    out: list[list[Any]] = []
    judged_text = _judged(p, says, q, ctx)
    if judged_text:
        out.append([judged_text])
    clauses: list[list[Any]] = []
    if p.has("study"):
        clauses.append(
            [
                p.pick("组织集中学习", "开展集中学习"),
                p.fig("study"),
                _study_kinds(ctx),
                "、参学",
                p.fig("study_people"),
            ]
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
    for rec, found in ctx.inspections:
        out.append([_inspection(rec, found, ctx)])
    out.append([_risk_count(p, says, q, quarter, as_of, day, ctx)])
    return out


# a study session's kind in a sentence: the model's labels, but 专题党课 for 党课
STUDY_NAMES = {
    "central_study": "理论学习中心组学习",
    "staff_study": "干部职工集中学习",
    "party_lecture": "专题党课",
    "reading": "读书活动",
}


def _study_kinds(ctx: Context) -> str:
    """（其中理论学习中心组学习3次、干部职工集中学习3次、专题党课1次）: what the count holds."""
    counts = {name: sum(m.kind == k for m in ctx.study) for k, name in STUDY_NAMES.items()}
    kinds = [f"{name}{n}次" for name, n in counts.items() if n]
    return f"（其中{'、'.join(kinds)}）" if len(kinds) > 1 else ""


def _inspection(rec: Any, found: list[Any], ctx: Context) -> str:
    """9月16日，本单位接受市气象局意识形态工作专项检查，反馈问题2个：……"""
    what = rec.title.strip().rstrip("。")
    text = f"{md(rec.held_on)}，{'本单位' + what if what.startswith('接受') else what}"
    if not found:
        return text + "。"
    text += f"，反馈问题{len(found)}个：{'；'.join(_bare(r.problem) for r in found)}。"
    for r in found:
        near = [(_common(_bare(x.problem), _bare(r.problem)), x.found_on, x) for x in ctx.earlier_rects]
        best = max((t for t in near if t[0] >= 6), key=lambda t: (t[0], t[1]), default=None)
        again = best[2] if best else None
        if again is not None:
            # said as the earlier item was found: a 督查检查 found it, a superior fed it back
            how = {"superior": "上级反馈", "patrol": "巡察反馈"}.get(
                again.source, f"{again.get_source_display()}发现"
            )
            text += (
                f"其中“{_bare(r.problem)}”与{cn_date(again.found_on)}{how}的“{_bare(again.problem)}”"
                "是同一类问题，再次被指出。"
            )
            break
    owners = listing([_owner(r) for r in found], 3)
    done = [r for r in found if not _open_on(r, ctx.day)]
    if len(done) == len(found):
        return text + f"反馈问题已由{owners}负责整改完成。" if owners else text + "反馈问题已整改完成。"
    due = "、".join(dict.fromkeys(md(r.deadline) for r in found if _open_on(r, ctx.day)))
    return text + f"{'由' + owners + '负责' if owners else ''}整改，时限为{due}，正在推进。"


def _thinking(q: Any, ctx: Context) -> str:
    """干部职工思想动态: what the analysis said of staff thinking, then what the quarter's study and
    organisational life show (attendance, the sessions least attended); nothing beyond them."""
    said = [
        "，".join(c for c in sentence.split("，") if STAFF.search(c))
        for a in q.analyses
        for sentence in re.split("[。；]", a.situation)
        if "思想" in sentence
    ]
    text = f"从研判情况看，{said[0]}。" if said else ""
    if ctx.study:
        expected = sum(m.expected for m in ctx.study)
        present = sum(m.present for m in ctx.study)
        rate = f"{present * 100 / expected:.1f}".rstrip("0").rstrip(".") if expected else ""
        # the analysis said nothing of it: the section's last sentence says how little is known
        text += (
            "" if said else "从本季度学习和组织生活情况看，"
        ) + f"集中学习应到{expected}人次、实到{present}人次，到课率{rate}%"
        low = [m for m in ctx.study if m.expected and m.present * 4 < m.expected * 3]
        if low:
            names = "、".join(
                f"{md(m.held_at.date())}{_session(m)}（应到{m.expected}人、实到{m.present}人）"
                for m in low[:2]
            )
            text += f"；{names}到课人数偏少，个别同志参学不够经常"
        text += "。"
    if ctx.life:
        counts: dict[str, int] = {}
        for m in ctx.life:
            label = m.get_kind_display().split("/")[0]
            counts[label] = counts.get(label, 0) + 1
        text += "、".join(f"{k}{n}次" for k, n in counts.items()) + "按计划开展。"
    if text and not said:
        # the ledgers keep no 谈心谈话: what is known of staff thinking comes from study and meetings
        text += "对干部职工思想动态的掌握还主要依靠学习和组织生活，了解还不够深入。"
    return text


def _session(m: Any) -> str:
    """书记讲专题党课：牢记初心使命…… → 专题党课 (a session named by its kind, not its long title)."""
    return STUDY_NAMES.get(m.kind) or m.get_kind_display()


def _current(risks: list[Any], day: date | None, ctx: Context) -> tuple[list[Any], list[Any]]:
    """The risks still to be guarded against, and those the analysis found already resolved (told
    apart: a resolved risk is not a current risk point); a risk that came back in a 舆情 of the
    quarter, or with a rectification about it still open, is not resolved."""
    settled = [
        r
        for r in risks
        if r.resolved
        and not rect_open(r, day)
        and not _rects_for(r, [], ctx)
        and not any(_about(o.summary, r) for o in ctx.opinions)
    ]
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
    p: Prose, says: dict[str, Any], q: Any, quarter: str, as_of: date | None, day: date, ctx: Context
) -> str:
    if not q.analyses:
        return str(says["not_yet"]).format(period=quarter) if as_of else str(says["none_held"])
    current, settled = _current(q.risks, day, ctx)
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
    day: date,
    last: date | None,
    ctx: Context,
) -> str:
    level = LEVELS.get(r.level, r.get_level_display())
    text = fresh(p, says["risk_level"], used).format(field=r.field, level=level)
    if r.cause.strip():
        text += fresh(p, CAUSES, used).format(cause=r.cause.strip().rstrip("。"))
    text += _risk_history(p, says, r, history, used, last)
    rects = _rects_for(r, history, ctx)
    owners = listing([x for x in dict.fromkeys(_owner(x) for x in rects) if x], 2)
    role = "risk_measure_done" if r.resolved and not rects else "risk_measure"
    text += fresh(p, says[role], used).format(
        measure=r.measure.strip().rstrip("。"),
        office=_head(ctx, owners, r.responsible_office)
        or (f"{owners}牵头、" if owners else "") + r.responsible_office,
    )
    text += _effect(p, r, history, rects, used, day, last)
    own = r.rectification if r.rectification_id else None
    if own is not None and not rects:
        text += "该风险已列入问题整改，整改已经完成。"
    if r.resolved and not rects:
        text += fresh(p, says["risk_resolved"], used)
    return text


CAUSES = ("主要原因是{cause}。", "从成因看，{cause}。", "分析其成因，主要是{cause}。")


def _risk_history(
    p: Prose, says: dict[str, Any], r: Any, history: list[Any], used: set[str], last: date | None
) -> str:
    """How often the risk was listed before, how often rated 高, and its level against the last
    analysis, said only where the last analysis listed it."""
    if not history:
        return fresh(p, says["risk_new"], used)
    highs = sum(x.level == "high" for x in history) + (r.level == "high")
    first = history[0].analysis.held_on
    text = fresh(p, says["risk_recurring"], used).format(n=len(history) + 1, first=first.year, m=md(first))
    if highs > 1:
        text += f"其间{highs}次研判为高风险。"
    previous = history[-1]
    if last is not None and previous.analysis.held_on != last:
        text += f"{cn_date(last)}的上次研判未列入，本次重新列入。"
    elif previous.level != r.level:
        change = "升为" if _rank(r.level) > _rank(previous.level) else "降为"
        text += (
            f"与上次研判相比，风险等级由{LEVELS.get(previous.level, '')}{change}{LEVELS.get(r.level, '')}。"
        )
    else:
        text += "风险等级与上次研判持平。"
    return text


def _effect(
    p: Prose, r: Any, history: list[Any], rects: list[Any], used: set[str], day: date, last: date | None
) -> str:
    """Whether the measure worked: the rectification behind the risk and how long it is overdue, or
    a measure promised before and never given an owner or a date; a lower grade than last time is
    some effect."""
    measure = r.measure.strip().rstrip("。")
    same = [x for x in history if x.measure.strip().rstrip("。") == measure]
    eased = (
        bool(history) and history[-1].analysis.held_on == last and _rank(r.level) < _rank(history[-1].level)
    )
    late = [x for x in rects if x.deadline < day]
    if late:
        x = late[0]
        owner = _owner(x)
        text = (
            f"{_rect_name(x, r)}{'（责任人' + owner + '）' if owner else ''}原定{cn_date(x.deadline)}完成，"
            f"至今已逾期{_months(x.deadline, day)}个月仍未完成"
        )
        later = [y for y in late[1:] if y.deadline != x.deadline]
        if later:
            again = "、".join(
                f"{cn_date(y.found_on)}再次列入整改、时限为{cn_date(y.deadline)}" for y in later
            )
            text += f"；{again}，也已超期"
        if eased:
            return text + "。风险等级虽有下降，但整改不到位，风险随时可能反弹。"
        return text + fresh(
            p, ("。整改迟迟不到位，是这一风险反复出现的重要原因。", "。整改不落地，风险就难以根除。"), used
        )
    if rects:
        x = rects[0]
        return f"该风险已列入问题整改，整改时限为{cn_date(x.deadline)}，整改仍在推进。"
    if eased:
        return "等级较上次下降，说明这一措施有一定成效。"
    if same and not r.resolved:
        first = same[0].analysis.held_on
        months = _months(first, day)
        return fresh(
            p,
            (
                f"这一措施{cn_date(first)}研判时即已提出，{months}个月来一直由{r.responsible_office}笼统负责，没有明确责任人和完成时限，措施没有落到实处，风险因此反复出现。",
                f"早在{cn_date(first)}研判时就提出了这一措施，但{months}个月来既没有明确到人，也没有完成时限，落实不到位是风险屡次出现的根源。",
            ),
            used,
        )
    return ""


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


def _opinion_risk(o: Any, q: Any, ctx: Context) -> str:
    """A 舆情 that bears on a risk point: named beside it, so the analysis re-assesses that risk."""
    risks = {r.description: r for r in [*q.risks, *q.previous_risks, *ctx.year_highs]}
    hit = next((r for r in risks.values() if _about(o.summary, r)), None)
    return f"这起舆情与“{hit.description.strip().rstrip('。')}”风险点直接相关。" if hit else ""


def _changes(p: Prose, says: dict[str, Any], q: Any, day: date, ctx: Context) -> str:
    """与上次研判相比: each risk's grade against the last analysis in plain words, the risks no
    longer listed and why (re-assessed where a 舆情 of the quarter touched them), the year's
    earlier high risks, and what the changes say of the measures, risk by risk."""
    last = q.previous[0]
    before = {r.description: r for r in q.previous_risks}
    current, settled = _current(q.risks, day, ctx)
    moves = []
    for r in sorted(current, key=lambda r: -_rank(r.level)):
        name, was = short_risk(r.description), before.get(r.description)
        if was is None:
            moves.append(f"{name}为本次{'重新' if q.history.get(r.description) else '新'}列入")
        elif was.level != r.level:
            moves.append(
                f"{name}由{LEVELS[was.level]}风险{'升为' if _rank(r.level) > _rank(was.level) else '降为'}{LEVELS[r.level]}风险"
            )
        else:
            moves.append(f"{name}仍为{LEVELS[r.level]}风险")
    moves += [f"{short_risk(r.description)}经复核已经化解" for r in settled]
    lead = f"与{cn_date(last.held_on)}的上次研判相比，"
    text = lead + ("；".join(moves) if moves else "两次研判均未排查出风险点") + "。"
    now = {r.description for r in q.risks}
    for x, r in before.items():
        if x not in now:
            text += _dropped(r, ctx)
    text += _year_highs(ctx)
    down = [r for r in current if (w := before.get(r.description)) and _rank(r.level) < _rank(w.level)]
    flat = [r for r in current if (w := before.get(r.description)) and _rank(r.level) >= _rank(w.level)]
    # a lower grade beside an overdue rectification is not the measure working (a season may be over)
    late = [
        r for r in down if any(x.deadline < day for x in _rects_for(r, q.history.get(r.description, []), ctx))
    ]
    down = [r for r in down if r not in late]
    if late:
        text += f"{listing([short_risk(r.description) for r in late], 3)}等级虽有下降，但对应整改逾期未完成，还不能视为措施见效。"
    # a grade that rose is said so: 不降反升, not 没有下降
    rose = [short_risk(r.description) for r in flat if _rank(r.level) > _rank(before[r.description].level)]
    same = [short_risk(r.description) for r in flat if short_risk(r.description) not in rose]
    moved = [f"{listing(xs, 3)}等级{how}" for xs, how in ((rose, "不降反升"), (same, "没有下降")) if xs]
    still = f"{'、'.join(moved)}，前期措施的效果还不明显。"
    if down and flat:
        text += (
            f"{listing([short_risk(r.description) for r in down], 3)}等级下降，相关措施有一定成效；{still}"
        )
    elif down:
        text += p.pick(*says["changes_down"])
    elif flat and late:
        text += still
    return text


def _dropped(r: Any, ctx: Context) -> str:
    """A risk the last analysis listed and this one did not: what took it off, a rectification of
    it still open (then it is not 化解), and a 舆情 of the quarter that shows it is not gone."""
    name = r.description.strip().rstrip("。")
    rect = r.rectification if r.rectification_id else None
    text = f"上次列入的“{name}”本次未再列入"
    if r.resolved and r.measure.strip():
        text += f"。上次研判认为经{r.measure.strip().rstrip('。').replace('，', '、')}，这一风险已经化解"
    if rect is not None and rect.completed_on and not _open_on(rect, ctx.day):
        # closed after the analysis that judged it: told as what followed, not as what it judged
        after = rect.completed_on > r.analysis.held_on
        text += f"，{'此后' if after else ''}对应的整改于{cn_date(rect.completed_on)}完成"
    still = _rects_for(r, [], ctx)
    if still:
        x, owner = still[0], _owner(still[0])
        but = "但" if r.resolved or text.endswith("完成") else ""
        text += (
            f"；{but}{cn_date(x.found_on)}就同一问题列入的{'另一项' if text.endswith('完成') else ''}整改（{'责任人' + owner + '，' if owner else ''}"
            f"原定{cn_date(x.deadline)}完成）至今没有验收销号，还不能视为化解"
        )
    hit = next((o for o in ctx.opinions if _about(o.summary, r)), None)
    if hit is not None:
        text += f"；{md(hit.found_on)}{hit.summary.strip().rstrip('。')}，说明这一风险并未根除，需重新评估"
    return text + "。"


def _year_highs(ctx: Context) -> str:
    """The year's earlier risks rated 高 that neither of the last two analyses listed, and whether
    their rectifications closed them."""
    seen: dict[str, Any] = {}
    for r in ctx.year_highs:
        seen.setdefault(r.description, r)
    if not seen:
        return ""
    held = {r.analysis.held_on for r in seen.values()}
    when = "、".join(md(x) for x in sorted(held))
    names = joined([f"“{x.strip().rstrip('。')}”" for x in seen])
    text = f"年内{when}研判为高风险的{names}，上次和本次研判均未列入"
    for name, r in seen.items():
        rect = r.rectification if r.rectification_id else None
        still = _rects_for(r, [], ctx)
        short = short_risk(name)
        if still:
            x, owner = still[0], _owner(still[0])
            late = f"，已逾期{_months(x.deadline, ctx.day)}个月" if x.deadline < ctx.day else ""
            text += f"；{short}的整改（{'责任人' + owner + '，' if owner else ''}原定{cn_date(x.deadline)}完成{late}）至今未完成"
        elif rect is not None and rect.completed_on:
            text += f"；{short}的整改已于{cn_date(rect.completed_on)}完成"
    return text + "。"


def _risk_steps(q: Any, day: date, ctx: Context, following: date, quarter: int) -> list[str]:
    """The current risks' steps: overdue rectifications first, by owner, then the open ones by
    their deadlines, then the risks without a rectification by office."""
    current, _ = _current(q.risks, day, ctx)
    out: list[str] = []
    plain: dict[str, list[Any]] = {}
    late: dict[str, list[tuple[str, Any]]] = {}
    known = dict(ctx.office_people)  # the person the records name for an office's rectifications
    for r in current:
        for x in _rects_for(r, q.history.get(r.description, []), ctx):
            if _owner(x):
                known[r.responsible_office] = _owner(x)
    for r in sorted(current, key=lambda r: -_rank(r.level)):
        rects = _rects_for(r, q.history.get(r.description, []), ctx)
        named = _owner(rects[0]) if rects else ""
        who = _led(ctx, named, r.responsible_office)
        overdue = [x for x in rects if x.deadline < day]
        if overdue:
            late.setdefault(named or r.responsible_office, []).append((who, overdue[0]))
        elif rects:
            out.append(
                f"由{who}，按{md(rects[0].deadline)}的整改时限落实{short_risk(r.description)}风险的防范措施，完成后报支部销号"
            )
        else:
            plain.setdefault(r.responsible_office, []).append(r)
    for n, (key, pairs) in enumerate(late.items()):
        items = joined([f"“{_bare(x.problem)}”" for x in dict.fromkeys(x for _, x in pairs)])
        whos = set(w for w, _ in pairs)
        who = whos.pop() if len(whos) == 1 else f"{key}负责"
        out.insert(
            n,
            f"由{who}，{by_limit(analysis_limit(day), day.year)}前完成{items}的整改，向支部书面说明逾期原因，完成后销号",
        )
    for n, (office, risks) in enumerate(plain.items()):
        names = listing([short_risk(r.description) or r.field for r in risks], 3)
        steps = STEP_NAMED if office in known else STEP_PLAIN
        out.append(
            steps[n % len(steps)].format(
                office=office,
                who=known.get(office, ""),
                risks=names,
                due=md(following) if quarter < 4 else cn_date(following),
            )
        )
    return out


def _analysis_steps(
    says: dict[str, Any], q: Any, year: int, quarter: int, as_of: date | None, day: date, ctx: Context
) -> list[str]:
    """下一步: each current risk with its owner (the person where a rectification names one) and a
    date — an overdue rectification by the end of the month after the report, an open one by its
    own deadline, the others by the end of the next quarter — then the risks to re-assess, the
    inspection's feedback, unclosed 舆情 and the next analysis."""
    nxt = f"{year}年{QUARTER_NAMES[quarter + 1]}" if quarter < 4 else f"{year + 1}年第一季度"
    following = quarter_period(year, quarter + 1).end if quarter < 4 else date(year + 1, 3, 31)
    out = _risk_steps(q, day, ctx, following, quarter)
    now = {r.description for r in q.risks}
    for r in q.previous_risks:
        if r.description in now or not (
            any(_about(o.summary, r) for o in ctx.opinions) or _rects_for(r, [], ctx)
        ):
            continue
        still = _rects_for(r, [], ctx)
        owner = _owner(still[0]) if still else ""
        close = (
            f"，{owner or r.responsible_office}负责的整改{by_limit(analysis_limit(day), day.year)}前完成"
            if still
            else ""
        )
        out.append(
            f"由{r.responsible_office}对“{r.description.strip().rstrip('。')}”重新排查{close}，在{nxt}研判中重新评估风险等级"
        )
    out += _high_steps(ctx, day, nxt)
    if q.analyses and ctx.study and not any("思想" in a.situation for a in q.analyses):
        out.append(
            f"由{_secretary(ctx)}牵头，在{nxt}研判前通过谈心谈话了解班子成员和干部职工的思想状况，"
            "研判时作专门分析"
        )
    # what the analysis found staff concerned about is answered: heard out, and the policy explained
    concerns = [m.group(1) for a in q.analyses for m in CONCERN.finditer(a.situation)]
    if concerns:
        out.append(
            f"针对干部职工对{concerns[0]}的关切，由{_secretary(ctx)}牵头开展谈心谈话、听取意见，"
            f"做好政策解读，在{nxt}研判时作专门分析"
        )
    for rec, found in ctx.inspections:
        open_ = [x for x in found if _open_on(x, day)]
        if open_:
            owners = listing([titled(ctx.group, x) for x in dict.fromkeys(_owner(x) for x in open_) if x], 2)
            due = "、".join(dict.fromkeys(md(x.deadline) for x in open_))
            out.append(
                f"{md(rec.held_on)}检查反馈的{len(open_)}个问题{'由' + owners + '负责' if owners else ''}，{due}前整改到位"
            )
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


def _high_steps(ctx: Context, day: date, nxt: str) -> list[str]:
    """The year's earlier high risks neither of the last two analyses listed, whose rectification
    is still open: the owner finishes it and the next analysis rates the risk again."""
    out: list[str] = []
    seen: dict[str, Any] = {}
    for r in ctx.year_highs:
        seen.setdefault(r.description, r)
    for name, r in seen.items():
        still = _rects_for(r, [], ctx)
        if not still:
            continue
        x, owner = still[0], _owner(still[0])
        who = "由" + _led(ctx, owner, r.responsible_office)
        # how long it is late the section of changes has said (原定……完成，已逾期14个月)
        risk = name.strip().rstrip("。")
        what = f"“{risk}”风险对应" if _bare(x.problem) == risk else f"“{_bare(x.problem)}”"
        out.append(
            f"{who}，{by_limit(analysis_limit(day), day.year)}前完成{what}的整改，{nxt}研判时重新评估这一风险"
        )
    return out


STEP_NAMED = (
    "由{who}牵头、{office}落实，{due}前落实{risks}风险的防范措施，下次研判时报告进展",
    "{risks}风险由{who}负责、{office}具体防范，{due}前拿出具体办法，将落实情况报支部",
)
STEP_PLAIN = (
    "由{office}负责，{due}前落实{risks}风险的防范措施，明确到人，下次研判时报告进展",
    "{risks}风险由{office}牵头防范，{due}前拿出具体办法并明确责任人，将落实情况报支部",
)
