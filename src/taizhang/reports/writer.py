"""The documents' prose, written from Facts: every sentence rests on records, every number is a
Figure. A section with nothing recorded is left out, or says so in one line; nothing is invented.

A work paragraph follows WRITING.md's sentence roles — 总述, 做法 (events by name and date), 数据
(with last year where it has records), 成效 — and each sentence is phrased from the phrase bank
(phrases.py), chosen by a generator seeded with the unit, period and document kind: a document
reads the same each time it is generated, and two units' documents do not read alike.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from taizhang.proofread.text import int_to_cn

from . import document as d
from .facts import (
    Facts,
    Figure,
    collect,
    half_period,
    missed_rules,
    org_meeting,
    quarter_period,
    ref,
    rule_cells,
    rules_of,
    year_period,
)
from .phrases import KEYPOINT_HEADINGS, PHRASES


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def listing(items: Sequence[str], limit: int = 3) -> str:
    """A、B、C — or A、B、C等 when there were more."""
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= limit:
        return "、".join(items)
    return "、".join(items[:limit]) + "等"


def joined(items: Sequence[str]) -> str:
    """A和B, A、B和C: every item, none dropped (for a list the reader counts)."""
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= 1:
        return "".join(items)
    return "、".join(items[:-1]) + "和" + items[-1]


def clip(text: str, length: int = 24) -> str:
    """The first sentence of a free-text field, for citing it; "" when even its first phrase is
    longer than `length` (a sentence is never cut in the middle of a word)."""
    first = text.strip().replace("\n", "，")
    for mark in "。；;！？":
        first = first.split(mark)[0]
    first = first.rstrip("，,、 ")
    if len(first) <= length:
        return first
    phrase = first.split("，")[0].split(",")[0]
    return phrase if len(phrase) <= length else ""


def sentence(text: str) -> str:
    """A free-text field as a whole sentence of ours: trimmed, ending in 。."""
    text = text.strip().replace("\n", "，").rstrip("，,、；; ")
    return text if not text or text[-1] in "。！？" else text + "。"


ORG_WORD = {"party_group": "党组", "party_committee": "党委", "general_branch": "党总支", "branch": "支部"}
SECRETARY = {
    "party_group": "党组书记",
    "party_committee": "党委书记",
    "general_branch": "总支书记",
    "branch": "支部书记",
}
_SLOT = re.compile(r"\{(\w+)\}")


class Prose:
    """Wording for one document: the phrase bank's choices, seeded per unit, period and kind."""

    def __init__(self, facts: Facts, kind: str, user: Any = None) -> None:
        self.facts = facts
        self.rng = random.Random(f"{facts.unit.code}/{facts.period.label}/{kind}")  # noqa: S311 (wording, not secrets)
        self.user = user
        self.used: dict[str, set[int]] = {}
        org_type = getattr(facts.unit, "org_type", "")
        self.org = ORG_WORD.get(org_type, "党组织")
        self.sec = SECRETARY.get(org_type, "书记")
        self.meet = org_meeting(facts.unit)
        self.serial = 0
        self.kind = kind
        self.spans = 0

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def fig(self, key: str) -> Figure:
        return self.facts.figure(key)

    def has(self, key: str) -> bool:
        return key in self.facts.figures and bool(self.facts.figures[key].value)

    def say(self, role: str, *, head: bool = True, **slots: Any) -> list[Any]:
        """One sentence of `role` from the phrase bank, its {slots} filled with words, Figures or
        lists of pieces. A phrasing is not used twice in one document while another is left. A
        problem (prob.*) or a measure (next.*) opens with its own headline (ph.*, nh.*), chosen
        apart from the body so that the two vary independently."""
        kind, _, rest = role.partition(".")
        headline = {"prob": "ph", "next": "nh"}.get(kind, "") + "." + rest
        if head and headline in PHRASES:
            return self.say(headline, **slots) + self.say(role, head=False, **slots)
        options = PHRASES[role]
        used = self.used.setdefault(role, set())
        free = [i for i in range(len(options)) if i not in used] or list(range(len(options)))
        choice = self.rng.choice(free)
        used.add(choice)
        template = options[choice]
        values = {"org": self.org, "sec": self.sec, "meet": self.meet, **slots}
        pieces: list[Any] = []
        pos = 0
        for m in _SLOT.finditer(template):
            pieces.append(template[pos : m.start()])
            value = values.get(m.group(1), "")
            pieces.extend(value if isinstance(value, list) else [value])
            pos = m.end()
        pieces.append(template[pos:])
        out = [x for x in pieces if x != ""]
        # a sentence whose period word was left out (7月以来 is said once) does not open with a comma
        if template.startswith("{span}，") and not values.get("span") and out and isinstance(out[0], str):
            out[0] = out[0][1:]
            if not out[0]:
                out.pop(0)
        return out

    def count(self, key: str, value: int | Decimal, unit: str, label: str, records: list[Any]) -> Figure:
        """A figure the text states that the Facts do not hold as such (a part of a list): it keeps
        the records it counts, so its trace is there like any other."""
        self.serial += 1
        return Figure(f"{key}-{self.serial}", value, unit, label, [ref(r) for r in records])

    @property
    def until(self) -> str:
        """截至11月30日: the last full day before a document written inside its period."""
        f = self.facts
        if f.open and f.as_of and f.as_of > f.period.start:
            return md(f.as_of - timedelta(days=1))
        return md(f.cutoff)

    @property
    def span(self) -> str:
        """The period in running text: 全年, 上半年 — or 今年以来 while it is not over."""
        f = self.facts
        whole = f.period.start.month == 1 and f.period.end.month == 12
        if f.open:
            # said once, in the opening (7月以来); the sentences after it need not repeat it
            self.spans += 1
            if self.spans > 1:
                return ""
            return "今年以来" if whole or f.period.start.month == 1 else f"{f.period.start.month}月以来"
        if whole:
            return "全年"
        return "上半年" if f.period.start.month == 1 else "下半年"


def numbered(builder: d.Builder, items: list[list[Any]]) -> None:
    """一是……。 one paragraph per item, each item whole sentences (a problem with its evidence and
    cause; a measure with its owner and time limit); a single item is written without a number."""
    for n, item in enumerate(items):
        builder.block(d.BODY, f"{int_to_cn(n + 1)}是" if len(items) > 1 else "", *item)


def enumerate_items(builder: d.Builder, items: list[list[Any]], style: str = d.BODY, lead: str = "") -> None:
    """一是……；二是……；三是……。 in one paragraph (a single item is written without a number),
    after an optional lead (在理论学习方面，)."""
    if not items:
        return
    pieces: list[Any] = [lead]
    for n, item in enumerate(items):
        if len(items) > 1:
            pieces.append(f"{int_to_cn(n + 1)}是")
        pieces.extend(item)
        pieces.append("。" if n == len(items) - 1 else "；")
    builder.block(style, *pieces)


class Headings:
    """一、 （一） numbering that never skips: a heading is numbered when it is written."""

    def __init__(self, builder: d.Builder) -> None:
        self.b = builder
        self.h1 = 0
        self.h2 = 0

    def one(self, text: str) -> None:
        self.h1 += 1
        self.h2 = 0
        self.b.block(d.H1, f"{int_to_cn(self.h1)}、{text}")

    def two(self, text: str) -> None:
        self.h2 += 1
        self.b.block(d.H2, f"（{int_to_cn(self.h2)}）{text}")


# --- small readers of records -----------------------------------------------------------------------
def _day_of(row: Any) -> date:
    from .facts import _day

    return _day(row.held_at)  # type: ignore[no-any-return]


def _tail(title: str) -> str:
    """理论学习中心组集中学习：学习贯彻…… → 贯彻……: the topic a session's name carries."""
    if "：" not in title:
        return ""
    topic = title.split("：", 1)[1].strip()
    return topic.removeprefix("学习") if len(topic) > 4 else topic


def _books(rows: list[Any], limit: int = 3) -> list[str]:
    """The most studied titles in 《》 written in the sessions' records."""
    found: Counter[str] = Counter()
    for row in rows:
        for title in re.findall(r"《[^《》]{2,40}》", row.content):
            found[title] += 1
    return [t for t, _ in found.most_common(limit)]


def _person(obj: Any, attr: str = "person") -> str:
    person = getattr(obj, attr, None)
    return (person.display_name if person else "") or getattr(obj, f"{attr}_text", "")


def _after(title: str, *prefixes: str) -> str:
    for prefix in prefixes:
        if title.startswith(prefix):
            return title[len(prefix) :]
    return title


def inner(text: str) -> str:
    """A record's text set inside our quotation marks: its own “” become ‘’."""
    return text.replace("“", "‘").replace("”", "’")


def _quoted(text: str) -> str:
    text = text.strip()
    if not text or "“" in text:  # a name already marked in the record (“书香气象”读书分享会)
        return text
    return f"“{inner(text)}”"


# --- The year's work, section by section (annual summary, half-year report) --------------------------
Paragraphs = list[list[Any]]


def _leadership(p: Prose) -> Paragraphs:
    f = p.facts
    out: list[Any] = []
    group = f.lists.get("group", [])
    if p.has("group"):
        leader = next((g for g in group if g.post == "leader"), None)
        deputy = next((g for g in group if g.post == "deputy"), None)
        liaisons = [g for g in group if g.post == "liaison"]
        who = f"{p.sec}{_person(leader)}" if leader and _person(leader) else ""
        if who:
            when = next((g.appointed_on for g in group if g.appointed_on), None)
            out += p.say(
                "lead.group",
                when=md(when) if when else "年初",
                who=who,
                deputy=f"、{deputy.title or '分管领导'}{_person(deputy)}任副组长"
                if deputy and _person(deputy)
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
        out += p.say("lead.duties", duties=p.fig("duties"), signed=signed)
    rows = [r for r in f.lists.get("meetings", []) if r.kind == "party_group"]
    if rows:
        strip = (p.meet, "党组会议", "党委会议", "支委会", "总支委员会会议")
        dates = "，".join(f"{md(_day_of(r))}{_after(r.title, *strip).removeprefix('专题')}" for r in rows[:4])
        role = "lead.meetings" if len(rows) > 1 else "lead.meetings.one"
        what = _after(rows[0].title, *strip).removeprefix("专题")
        out += p.say(
            role, span=p.span, n=p.fig("party_group"), dates=dates, date=md(_day_of(rows[0])), what=what
        )
    special = [r for r in f.lists.get("meetings", []) if r.kind == "special"]
    if special:
        out += p.say("lead.special", when="、".join(md(_day_of(r)) for r in special[:3]))
    accounts = [
        f"{md(r.held_on)}{'述职述责' if r.kind == 'debrief' else '组织生活会'}"
        for r in f.lists.get("reports", [])
        if r.kind in ("debrief", "life_meeting")
    ]
    if accounts:
        out += p.say("lead.accounts" if len(accounts) > 1 else "lead.accounts.one", items=joined(accounts))
    if not out:
        return []
    return [p.say("lead.intro") + out]


def _study(p: Prose, prev: Facts | None) -> Paragraphs:
    f = p.facts
    meetings = f.lists.get("meetings", [])
    first: list[Any] = []
    if p.has("plan_items"):
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
        first += p.say("study.plan", items=p.fig("plan_items"), done=done, span=p.span)
    central = [r for r in meetings if r.kind == "central_study"]
    if central:
        names = [x for x in dict.fromkeys(_tail(r.title) for r in central) if x]
        topics: Any = listing(names, 3)
        if len(names) > 3:  # 等12个专题: how many there were, not three cut at 等
            with_topic = [r for r in central if _tail(r.title)]
            topics = [
                topics,
                p.count("central_topics", len(names), "个", "中心组学习专题", with_topic),
                "专题",
            ]
        days = [
            "，累计",
            p.count(
                "central_hours",
                sum((r.hours or Decimal(0)) for r in central),
                "学时",
                "中心组学习学时",
                central,
            ),
        ]
        first += p.say(
            "study.central",
            span=p.span,
            n=p.fig("central_study"),
            days=days if any(r.hours for r in central) else "",
            topics=topics or "上级有关文件和会议精神",
        )
    if p.has("staff_study"):
        # 干部职工集中学习 alone: the 中心组 sessions, 读书会 and 党课 are told in their own sentences
        hours = ["，累计", p.fig("staff_study_hours")] if p.has("staff_study_hours") else ""
        first += p.say(
            "study.sessions",
            span=p.span,
            n=p.fig("staff_study"),
            people=p.fig("staff_study_people"),
            hours=hours,
        )
        if prev is not None and prev.value("staff_study") and not f.open:
            delta = int(f.value("staff_study")) - int(prev.value("staff_study"))
            prev_people = Figure(
                "study_people_prev",
                prev.value("staff_study_people"),
                "人次",
                "上年干部职工集中学习参学人次",
                None,
                prev.figure("staff_study_people").records,
                prev.figure("staff_study_people").day,
            )
            change = p.count(
                "study_change",
                abs(delta),
                "次",
                "干部职工集中学习较上年的变化",
                prev.figure("staff_study").records,
            )
            role = "study.up" if delta > 0 else "study.down" if delta < 0 else "study.same"
            first += p.say(role, delta=change, prev_people=prev_people, people=p.fig("staff_study_people"))
    if p.has("study"):
        books = _books([r for r in meetings if r.content])
        if books:
            first += p.say("study.materials", titles="".join(books))
    named: list[tuple[Any, list[Any]]] = []  # told in the order they were held
    for r in [r for r in meetings if r.kind in ("reading", "theme_education")][:2]:
        present = p.count("present", r.present, "人", f"{r.title}参加人数", [r])
        named.append(
            (
                r.at,
                p.say("study.named", when=md(_day_of(r)), title=_quoted(_after(r.title, "读书活动：")))
                + p.say("study.named.tail", present=present),
            )
        )
    for r in [r for r in meetings if r.kind == "party_lecture"][:2]:
        present = p.count("present", r.present, "人", f"{r.title}参学人数", [r])
        who = f"{p.sec}{r.host}" if r.host else p.sec
        topic = _tail(r.title)
        if topic:
            said = p.say(
                "study.lecture", when=md(_day_of(r)), who=who, topic=topic.strip("“”"), present=present
            )
        else:
            said = p.say("study.lecture.plain", when=md(_day_of(r)), who=who, present=present)
        named.append((r.at, said))
    second: list[Any] = [x for _at, said in sorted(named, key=lambda t: t[0]) for x in said]
    if getattr(f.unit, "org_type", "") in ("branch", "general_branch") and p.has("branch_committee"):
        zero = lambda key: p.fig(key) if p.has(key) else "0次"  # noqa: E731
        # a 支委会 that studied ideology work is a 支委会 too: 支委会13次（其中专题研究意识形态工作2次）
        committee: Any = zero("branch_committee")
        if p.has("party_group"):
            rows = p.fig("branch_committee").records + p.fig("party_group").records
            committee = [
                p.count("committee_all", len(rows), "次", "支委会（含专题研究意识形态工作）", rows),
                "（其中专题研究意识形态工作",
                p.fig("party_group"),
                "）",
            ]
        second += p.say(
            "study.branch",
            span=p.span,
            committee=committee,
            group=zero("group_meeting"),
            assembly=zero("members_assembly"),
            theme=zero("theme_day"),
        )
    if not first and not second:
        return []
    paragraphs = [p.say("study.intro") + first] if first else []
    if second:
        paragraphs.append(second)
    return paragraphs


def _event(p: Prose, x: Any) -> list[Any]:
    theme = re.sub(r"^\d{4}年", "", x.theme.strip())
    partners = x.partners.strip()
    channel = x.channel.strip()
    reach = ["，覆盖", p.count("reach", x.reach, "人次", f"{theme}覆盖人次", [x])] if x.reach else ""
    occasion = x.occasion.strip()
    head = p.say(
        "pub.event",
        when=md(x.held_on),
        lead=f"结合{occasion}，" if occasion and occasion not in theme else "",
        partners=f"联合{partners}" if partners else "",
        partners_with=f"（联合{partners}）" if partners else "",
        theme=_quoted(theme),
    )
    return head + p.say("pub.event.tail", channel=channel or "本单位宣传阵地", reach=reach)


def _publicity(p: Prose) -> Paragraphs:
    f = p.facts
    out: list[Any] = []
    events = f.lists.get("publicity", [])
    if events:
        reach = ["，覆盖", p.fig("publicity_reach")] if p.has("publicity_reach") else ""
        out += p.say("pub.intro", span=p.span, n=p.fig("publicity"), reach=reach)
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
            second += p.say(
                "pub.submit", span=p.span, n=p.fig("submissions"), adopted=p.fig("adopted"), levels=levels,
                adopted_word="被采用",
            )  # fmt: skip
            high = [s for s in f.lists.get("adopted", []) if s.level in ("central", "province")][:3]
            if high:
                by_outlet: dict[str, list[str]] = {}
                for s in high:
                    by_outlet.setdefault(s.outlet, []).append(f"《{inner(s.title)}》")
                items = "，".join(f"{outlet}刊发{''.join(titles)}" for outlet, titles in by_outlet.items())
                second += p.say("pub.high", items=items)
        else:
            second += p.say("pub.submit.none", span=p.span, n=p.fig("submissions"))
    if p.has("subscriptions"):
        titles = "".join(f"《{s.publication}》" for s in f.figure("subscriptions").records[:4])
        second += p.say(
            "pub.subs",
            span=p.span,
            n=p.fig("subscriptions"),
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
        out += p.say("pos.stock", n=p.fig("positions"), kinds=kinds, cutoff=cutoff)
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
                    f"，其中{name}",
                    p.count(
                        "position_problems",
                        top,
                        "个",
                        f"{name}检查发现问题",
                        [i for i in inspections if i.position.name == name and i.problems],
                    ),
                ]
            out += p.say(
                "pos.inspect",
                span=p.span,
                n=_rounds(p, inspections),
                problems=p.fig("inspection_problems"),
                where=where,
            )
        else:
            out += p.say("pos.inspect.clean", span=p.span, n=_rounds(p, inspections))
    if p.has("reviews"):
        rejected = ["，退回修改", p.fig("reviews_rejected")] if p.has("reviews_rejected") else ""
        passed = p.fig("reviews_passed") if p.has("reviews_passed") else "0篇"
        out += p.say("pos.review", span=p.span, n=p.fig("reviews"), passed=passed, rejected=rejected)
    second: list[Any] = []
    opinions = f.lists.get("opinions", [])
    for o in opinions[:3]:
        response = sentence(o.response) if o.response.strip() else "正在研究处置。"
        second += p.say(
            "pos.opinion", when=md(o.found_on), summary=inner(clip(o.summary, 30) or o.summary[:30])
        )
        short = clip(o.response, 40) or "及时核实情况"
        second += p.say("pos.opinion.tail", response=response, response_short=short)
    if opinions:
        closed = p.fig("opinions_closed") if p.has("opinions_closed") else "0起"
        second += p.say("pos.opinion.total", span=p.span, n=p.fig("opinions"), closed=closed)
    return [x for x in (out, second) if x]


def _rounds(p: Prose, inspections: list[Any]) -> list[Any]:
    """阵地检查4轮（检查23个次）: the positions inspected on one day are one round, not many checks."""
    days = sorted({i.inspected_on for i in inspections})
    if len(days) >= len(inspections):
        return [p.fig("inspections")]
    firsts = [next(i for i in inspections if i.inspected_on == day) for day in days]
    rounds = p.count("inspection_rounds", len(days), "轮", "阵地检查轮次", firsts)
    return [rounds, "（共检查阵地", p.fig("inspections"), "）"]


def _analysis(p: Prose) -> Paragraphs:
    f = p.facts
    out: list[Any] = []
    analyses = f.lists.get("analyses", [])
    if analyses:
        risks = f.lists.get("risks", [])
        groups = f.lists.get("risk_groups", [])
        # a risk raised at several analyses is one risk point: 风险点6个（累计提出12次）
        count: list[Any] = [p.fig("risk_kinds")] if groups else ["0个"]
        if len(risks) > len(groups):
            count += [
                "（累计提出",
                p.count("risk_times", len(risks), "次", "各次研判提出风险点", risks),
                "）",
            ]
        open_ = f.lists.get("risk_kinds_open", [])
        high = [rs[-1] for rs in groups if any(r.level == "high" for r in rs)]
        high_part: list[Any] = []
        if high:
            names = "、".join(f"“{inner(clip(r.description, 30) or r.description[:30])}”" for r in high[:3])
            state = "，整改尚未完成" if all(r in open_ for r in high) else ""
            high_part = [
                "，其中高风险",
                p.count("risks_high", len(high), "个", "评为高风险的风险点", high),
                f"（{names}{state}）",
            ]
        out += p.say(
            "ana.sessions",
            span=p.span,
            n=p.fig("analyses"),
            dates="、".join(md(a.held_on) for a in analyses[:4]),
            risks=count,
            high=high_part,
        )
        if p.has("risk_kinds_resolved"):
            rest: Any = ""
            if open_:
                rest = [
                    "，",
                    p.count("risks_open", len(open_), "个", "尚未化解的风险点", open_),
                    "仍在防范化解中",
                ]
            out += p.say(
                "ana.resolved" if f.open else "ana.resolved.closed",
                resolved=p.fig("risk_kinds_resolved"),
                rest=rest,
            )
    reports = f.lists.get("reports", [])
    up = [r for r in reports if r.kind in ("half_year", "annual", "special")]
    if p.kind == "half-year":  # the report of this very half year is this document, not its content
        up = [r for r in up if not (r.kind == "half_year" and f.period.start <= r.held_on <= f.period.end)]
    if up:
        items = "，".join(
            f"{md(r.held_on)}向{r.recipient or '上级党组织'}报送《{r.title.strip('《》')}》" for r in up[:3]
        )
        out += p.say("ana.reports", items=items)
    second: list[Any] = []
    for r in [r for r in reports if r.kind == "inspected"][:2]:
        second += p.say(
            "ana.inspected",
            when=md(r.held_on),
            title=r.title.strip("。"),
            feedback=sentence(r.summary) or "检查组对各项工作给予肯定。",
        )
    for r in [r for r in reports if r.kind == "inspecting"][:1]:
        second += p.say(
            "ana.inspecting", when=md(r.held_on), title=r.title.strip("。"), summary=sentence(r.summary)
        )
    return [x for x in (out, second) if x]


def _rectification(p: Prose) -> Paragraphs:
    f = p.facts
    found = f.lists.get("rectifications", [])
    if not found:
        return []
    sources = "、".join(list(dict.fromkeys(r.get_source_display() for r in found))[:4])
    if getattr(f.unit, "org_type", "") in ("branch", "general_branch"):  # a 支部 holds a 组织生活会
        sources = sources.replace("民主生活会", "组织生活会")
    open_part = ["，正在整改", p.fig("rectifications_open")] if p.has("rectifications_open") else ""
    closed = p.fig("rectifications_closed") if p.has("rectifications_closed") else "0个"
    out = p.say(
        "rect.total", span=p.span, n=p.fig("rectifications"), sources=sources, closed=closed, open=open_part
    )
    still = [r for r in found if r in f.figure("rectifications_open").records]
    named = []
    for r in still[:2]:  # the open items by name, with who answers for each and by when
        owner = _person(r, "owner")
        late = "，已逾期" if r.deadline < (f.as_of or f.cutoff) else ""
        who = f"由{owner}负责，" if owner else ""
        named.append(f"“{_problem_text(r)}”（{who}时限为{cn_date(r.deadline)}{late}）")
    if named:
        out += [f"尚在整改的有{'和'.join(named)}。" if len(named) > 1 else f"尚在整改的是{named[0]}。"]
    done = [r for r in f.figure("rectifications_closed").records if r.completed_on and clip(r.problem, 30)]
    if done:
        r = done[-1]
        out += p.say("rect.named", problem=_problem_text(r), when=md(r.completed_on))
    return [out]


WORK_SECTIONS: list[tuple[str, str]] = [
    ("leadership", "h.leadership"),
    ("study", "h.study"),
    ("publicity", "h.publicity"),
    ("positions", "h.positions"),
    ("analysis", "h.analysis"),
    ("rectification", "h.rectification"),
]


def _work(p: Prose, b: d.Builder, h: Headings, heading: str, prev: Facts | None) -> bool:
    writers: dict[str, Callable[[], Paragraphs]] = {
        "leadership": lambda: _leadership(p),
        "study": lambda: _study(p, prev),
        "publicity": lambda: _publicity(p),
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
        h.two(p.pick(*PHRASES[role]))
        for para in paragraphs:
            b.block(d.BODY, *para)
    return True


# --- 存在的主要问题 and 下一步打算 ----------------------------------------------------------------------
# what a missed rule's period means, in plain words: (what was due, what did not happen)
ACTIONS: dict[str, tuple[str, str]] = {
    "party-group-study": ("{meet}专题研究意识形态工作", "{meet}专题研究意识形态工作次数不足"),
    "analysis-quarterly": ("开展意识形态领域形势分析研判", "未开展形势分析研判"),
    "half-year-report": ("向上级党组织报送专题报告", "未按时向上级党组织报送专题报告"),
    "life-meeting": ("召开组织生活会并对照检查意识形态工作", "组织生活会未对照检查意识形态工作"),
    "debrief": ("在述职述责中报告意识形态工作", "述职述责中未报告意识形态工作"),
    "central-study-quarterly": ("组织理论学习中心组集中学习", "理论学习中心组未开展集中学习"),
    "central-study-days": ("完成理论学习中心组集中学习天数", "理论学习中心组集中学习天数不足"),
    "special-inspection": ("开展意识形态工作专项督查", "未开展意识形态工作专项督查"),
    "positions-inspected": ("开展阵地检查", "未开展阵地检查"),
    "branch-committee": ("召开支委会", "未召开支委会"),
    "party-group-meeting": ("召开党小组会", "未召开党小组会"),
    "members-assembly": ("召开党员大会", "未召开党员大会"),
    "theme-day": ("开展主题党日活动", "未开展主题党日活动"),
    "party-lecture": ("由{sec}讲授专题党课", "{sec}未讲授专题党课"),
}


def _action(p: Prose, rule: Any, positive: bool) -> str:
    words = ACTIONS.get(rule.id)
    if words is None:
        return rule.name if positive else f"“{rule.name}”未完成"
    return words[0 if positive else 1].format(meet=p.meet, sec=p.sec)


def _missed_text(p: Prose, cells: list[Any]) -> str:
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
                    parts.append(f"{c.period.label}{_action(p, rule, False)}")
            continue
        if rule.period == "year":
            parts.append(_action(p, rule, False))
            continue
        total = {"month": 12, "quarter": 4}.get(rule.period, 0)
        if total and not p.facts.open and len(cells_of) >= total * 2 // 3 and len(cells_of) < total:
            # 全年仅1个月召开支委会: a near-total failure said as what little was done
            held = total - len(cells_of)
            unit = "个月" if rule.period == "month" else "个季度"
            parts.append(f"全年仅{held}{unit}{_action(p, rule, True)}")
        elif len(cells_of) <= 3:
            parts.append("、".join(c.period.label for c in cells_of) + _action(p, rule, False))
        else:
            unit = "个月" if rule.period == "month" else "个季度"
            parts.append(f"有{len(cells_of)}{unit}{_action(p, rule, False)}")
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


def _owner_of(p: Prose, field_: str = "") -> str:
    """Who answers for a measure: the office the records name for that field, else the leader in
    charge (直接责任人) of the leading group, else the secretary."""
    for r in p.facts.lists.get("risks", []):
        if field_ and (field_ in r.field or field_ in r.description) and r.responsible_office:
            return r.responsible_office
    group = p.facts.lists.get("group", [])
    deputy = next((g for g in group if g.post == "deputy" and _person(g)), None)
    if deputy:
        return f"{deputy.title or '分管领导'}{_person(deputy)}"
    return p.sec


def _problems(p: Prose, missed: list[Any], prev: Facts | None) -> list[Problem]:
    f = p.facts
    out: list[Problem] = []
    if missed:
        items = _missed_text(p, missed)
        if p.kind in ("annual", "half-year"):
            # the same requirement missed the year before: the last year's measure did not hold
            ids = {c.rule.id for c in missed}
            last = f.period.year - 1
            before = [c for c in _missed_where_practised(f.unit, last, p.user) if c.rule.id in ids]
            if before:
                items += f"，{last}年也出现过{_missed_text(p, before[:3])}的情况，上年的整改措施没有落实到位"
        actions = joined(list(dict.fromkeys(_action(p, c.rule, True) for c in missed))[:3])
        slots: dict[str, Any] = {"items": actions}
        if f.open and f.as_of and (f.period.end - f.as_of).days >= 7:
            # what was missed is put right before the period ends, not next year
            slots["time"] = f"{f.period.end.month}月底"
        out.append(Problem("missed", p.say("prob.missed", items=items), slots))
    # a risk point that recurs or was rated high
    risks = f.lists.get("risks", [])
    by_desc: dict[str, list[Any]] = {}
    for r in risks:
        by_desc.setdefault(r.description.strip(), []).append(r)
    # a risk already answered as an overdue rectification is not told twice
    overdue_text = "".join(r.problem for r in f.lists.get("overdue", []))
    standing = {r.pk: r for r in f.lists.get("open_rectifications", [])}

    def open_rect(rs: list[Any]) -> Any:
        return next((standing[r.rectification_id] for r in rs if r.rectification_id in standing), None)

    # a high risk still being rectified comes first: it is what the superior asks about
    recurring = sorted(
        (rs for desc, rs in by_desc.items() if desc not in overdue_text),
        key=lambda rs: (
            -(open_rect(rs) is not None and any(r.level == "high" for r in rs)),
            -len(rs),
            -sum(r.level == "high" for r in rs),
        ),
    )
    for rs in recurring[:2]:
        highs = [r for r in rs if r.level == "high"]
        if len(rs) < 2 and not highs:
            continue
        if len(rs) < 2 and out and out[-1].kind == "risk":
            continue
        r0 = rs[0]
        cause = clip(r0.cause, 30) or "相关工作机制还不健全"
        rect = open_rect(rs)
        rect_owner = (_person(rect, "owner") or "") if rect else ""
        rect_part = (
            f"，对应整改{('由' + rect_owner + '负责，') if rect_owner else ''}时限为{cn_date(rect.deadline)}，"
            "目前尚未完成"
            if rect
            else ""
        )
        out.append(
            Problem(
                "risk",
                p.say(
                    "prob.risk",
                    field=r0.field,
                    risk=inner(clip(r0.description, 30) or r0.description[:30]),
                    span=p.span,
                    times=p.count("risk_times", len(rs), "次", f"研判中提出“{r0.description}”", rs),
                    high=(
                        "，且被评为高风险"
                        if len(rs) == 1
                        else [
                            "，其中",
                            p.count("risk_high", len(highs), "次", "评为高风险", highs),
                            "被评为高风险",
                        ]
                    )
                    if highs
                    else "",
                    cause=cause + rect_part,
                ),
                {
                    "risk": inner(clip(r0.description, 30)),
                    "field": r0.field,
                    "owner": rect_owner or r0.responsible_office or _owner_of(p),
                    "measure": clip(r0.measure, 30) or "制定防范措施",
                    **(
                        {
                            "time": md(rect.deadline)
                            if rect.deadline.year == f.period.year
                            else cn_date(rect.deadline)
                        }
                        if rect
                        else {}
                    ),
                },
            )
        )
    opinions = f.lists.get("opinions", [])
    theme = _theme_of(opinions)
    if len(opinions) >= 2 and theme:
        text = p.say("prob.opinion", span=p.span, n=p.fig("opinions"), theme=theme)
        # a 舆情 that came from the unit's own system is a fault of its management, not of 科普
        faults = [o for o in opinions if "系统" in o.response or "系统" in o.summary]
        if faults:
            o = faults[0]
            text += [
                f"其中{md(o.found_on)}“{inner(clip(o.summary, 30) or o.summary[:30])}”源于发布系统，暴露出系统运行管理还有漏洞。"
            ]
        out.append(Problem("opinion", text, {"theme": theme}))
    # positions with repeated content problems
    inspections = f.lists.get("inspections", [])
    if f.value("inspection_problems") >= 3:
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
        out.append(
            Problem(
                "positions",
                p.say(
                    "prob.positions",
                    span=p.span,
                    problems=p.fig("inspection_problems"),
                    top=top,
                    where="和".join(names),
                ),
                {"where": "和".join(names)},
            )
        )
    if p.has("reviews_rejected"):
        out.append(
            Problem(
                "reviews",
                p.say("prob.reviews", span=p.span, n=p.fig("reviews"), rejected=p.fig("reviews_rejected")),
                {},
            )
        )
    if p.has("adopted") and _adoption_weak(f):
        high_n = int(f.value("adopted_high"))
        target_n = _target(f)
        target = f"距离工作要点提出的省级以上采用不少于{target_n}篇的目标还有差距，" if target_n else ""
        high = p.fig("adopted_high") if high_n else "0篇"
        out.append(
            Problem(
                "adoption",
                p.say("prob.adoption", span=p.span, adopted=p.fig("adopted"), high=high, target=target),
                {
                    "target": f"力争省级以上媒体采用不少于{target_n}篇。"
                    if target_n
                    else "逐步提高省级以上媒体采用数量。"
                },
            )
        )
    missed_items = f.lists.get("plan_items_missed", [])
    if missed_items:
        topics = listing([i.topic.removeprefix("学习") for i in missed_items], 2)
        fig = p.count("plan_missed", len(missed_items), "个", "未按计划学习的专题", missed_items)
        out.append(
            Problem(
                "plan",
                p.say("prob.plan", items=p.fig("plan_items"), missed=fig, topics=topics),
                # a year's study plan is made at its start
                {"time": f"{f.period.year + 1}年1月底"},
            )
        )
    low = _low_attendance(p)
    if low:
        out.append(low)
    overdue = f.lists.get("overdue", [])
    if overdue:
        items = "；".join(
            p.pick(
                "“{text}”的问题整改时限为{deadline}，由{owner}负责，截至{until}仍未完成",
                "{owner}负责整改的“{text}”问题，时限是{deadline}，到{until}还没有完成",
                "“{text}”一项应在{deadline}前整改到位，责任人{owner}截至{until}仍在整改中",
            ).format(
                text=_problem_text(r),
                deadline=cn_date(r.deadline),
                until=p.until,
                owner=_person(r, "owner") or _owner_of(p),
            )
            for r in overdue[:2]
        )
        answer = "；".join(
            p.pick(
                "“{text}”由{owner}负责，{time}前整改到位",
                "{owner}对“{text}”的问题抓紧整改，{time}前完成",
                "{time}前，{owner}完成“{text}”的整改",
            ).format(text=_problem_text(r), owner=_person(r, "owner") or _owner_of(p), time=_soon(p, 1))
            for r in overdue[:2]
        )
        out.append(Problem("overdue", p.say("prob.overdue", items=items), {"items": answer}))
    open_plan = f.lists.get("workplan_open", [])
    if open_plan:
        items = "；".join(
            f"“{clip(x.text, 30) or x.text[:30]}”"
            + (f"应于{md(x.due_on)}前完成，尚未完成" if x.due_on else "尚未完成")
            for x in open_plan[:2]
        )
        out.append(Problem("workplan", p.say("prob.workplan", items=items), {}))
    order = [
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
    out.sort(key=lambda pr: order.index(pr.kind))
    # one risk problem when there are enough others; six problems at most
    risky = [pr for pr in out if pr.kind == "risk"]
    if len(out) > 5 and len(risky) > 1:
        out.remove(risky[1])
    return out[:6]


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
    return out


def _problem_text(r: Any) -> str:
    """A rectification's problem as the text cites it: without a field label (网络舆论：……)."""
    text = re.sub(r"^[^：:，。]{2,8}[：:]", "", inner(r.problem.strip()))
    return clip(text, 30) or text[:30]


def _adoption_weak(f: Facts) -> bool:
    """Adoption below the key points' target, or (without one) mostly at low levels."""
    adopted, high, target = int(f.value("adopted")), int(f.value("adopted_high")), _target(f)
    if target:
        return high < target
    return adopted >= 4 and high * 3 < adopted


def _target(f: Facts) -> int:
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


def _soon(p: Prose, quarters: int) -> str:
    """A time limit after the document's date: the end of the quarter `quarters` ahead."""
    # at least a month to do it in, counted from the document's date
    day = max(p.facts.cutoff, p.facts.as_of or p.facts.cutoff) + timedelta(days=45)
    month = ((day.month - 1) // 3 + quarters) * 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return f"{year}年{month}月底" if year != p.facts.period.year else f"{month}月底"


COVERS = {  # which plan items a problem's measure already answers (so they are not listed twice)
    "missed": ("支委会", "党小组", "主题党日", "党员大会", "专题研究"),
    "risk": ("研判",),
    "positions": ("阵地",),
    "reviews": ("审",),
    "adoption": ("投稿", "采用"),
    "plan": ("学习计划",),
    "attendance": ("集中学习",),
}


def _measure_owner(p: Prose, pr: Problem) -> str:
    """Who answers for the measure of a problem: the same office in the report and in the key points."""
    return pr.slots.get("owner") or (
        p.sec
        if pr.kind in ("plan", "attendance", "missed")
        else _owner_of(
            p,
            {"positions": "阵地", "reviews": "信息发布", "adoption": "宣传", "opinion": "网络舆论"}.get(
                pr.kind, ""
            ),
        )
    )


def _next_steps(
    p: Prose, problems: list[Problem], plan: list[Any], next_year: int
) -> tuple[list[list[Any]], list[Any]]:
    """The measures answering the problems, in their order; then the plan items none of them covers."""
    steps: list[list[Any]] = []
    covered: set[str] = set()
    for n, pr in enumerate(problems):
        role = f"next.{pr.kind}"
        if role not in PHRASES:
            continue
        owner = _measure_owner(p, pr)
        slots = {
            "owner": owner,
            "time": _soon(p, 1 + n // 3),
            **{k: v for k, v in pr.slots.items() if k != "owner"},
        }
        steps.append(p.say(role, **slots))
        covered.update(COVERS.get(pr.kind, ()))
    rest = [x for x in plan if not any(w in x.text for w in covered)]
    if not rest:
        return steps, []
    texts = [x.text.strip().rstrip("。；;") for x in rest[:6]]
    return steps, p.say("next.plan_items", plan=f"{next_year}年工作要点", items="；".join(texts))


def _ahead(p: Prose, due: list[Any]) -> list[Any]:
    """What is still due before the period ends, as planned work (never a shortfall): by due day,
    12月20日前报送专题报告，12月底前召开组织生活会、开展第四季度形势分析研判."""
    f = p.facts
    by_day: dict[date, list[str]] = {}
    for c in sorted(due, key=lambda c: c.period.deadline):
        if f.cutoff < c.period.deadline <= f.period.end:
            actions = by_day.setdefault(c.period.deadline, [])
            action = _action(p, c.rule, True)
            if action not in actions:
                actions.append(action)
    for x in f.lists.get("workplan_ahead", [])[:3]:
        when = x.due_on if x.due_on and x.due_on <= f.period.end else f.period.end
        by_day.setdefault(when, []).append(f"完成“{clip(x.text, 30) or x.text[:30]}”")
    if not by_day:
        return []
    parts = []
    for when, actions in sorted(by_day.items()):
        last = when.month != (when + timedelta(days=1)).month
        parts.append(f"{when.month}月底前" if last else f"{md(when)}前")
        parts[-1] += "，".join(_merge_actions(actions[:6]))
    return p.say("ahead.items", items="；".join(parts))


def _merge_actions(actions: list[str]) -> list[str]:
    """召开支委会，召开党小组会，召开党员大会 → 召开支委会、党小组会和党员大会: one verb for short
    objects that share it, so that the list reads as planned work, not as rule names."""
    groups: list[tuple[str, list[str]]] = []
    for action in actions:
        verb, obj = action[:2], action[2:]
        if verb in ("召开", "开展") and len(obj) <= 6:
            if groups and groups[-1][0] == verb:
                groups[-1][1].append(obj)
                continue
            groups.append((verb, [obj]))
        else:
            groups.append(("", [action]))
    return [verb + (joined(objs) if verb else objs[0]) for verb, objs in groups]


def _finish(b: d.Builder, issuer: Any, day: date) -> None:
    """The signature (the party organisation, 中共区气象局党支部) and the date."""
    b.block(d.SIGNATURE, getattr(issuer, "org_name", None) or str(issuer))
    b.block(d.DATE, cn_date(day))


def annual(
    unit: Any, year: int, *, user: Any = None, day: date | None = None, half: int | None = None
) -> d.Document:
    """年度意识形态工作总结 (or, with `half`, the 半年专题报告), written as of `day`."""
    period = half_period(year, half) if half else year_period(year)
    day = day or date.today()
    facts = collect(unit, period, user=user, as_of=day)
    kind = "half-year" if half else "annual"
    p = Prose(facts, kind, user)
    org = getattr(unit, "org_name", unit.name)
    title = f"{org}关于{period.label}意识形态工作情况的报告" if half else f"{org}{year}年度意识形态工作总结"
    doc = d.Document(kind, title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    prev_period = half_period(year - 1, half) if half else year_period(year - 1)
    prev = None
    if not facts.open:  # the comparison with last year is made for a finished period only
        earlier = collect(unit, prev_period, user=user, meetings_only=True)
        prev = earlier if earlier.value("study") else None
    missed, due = rule_cells(unit, year, user=user, until=facts.cutoff)
    missed = [c for c in missed if c.period.start >= period.start and c.period.end <= period.end]
    label = period.label
    span = p.span if facts.open else ("全年" if not half else label.removeprefix(str(year) + "年"))
    opening = [
        *p.say("open.guide", period=label, name=org),
        *p.say("open.manner"),
        *p.say("open.judge", span=span),
    ]
    closing = "现将有关情况报告如下。" if half else "".join(str(x) for x in p.say("open.close"))
    if facts.open:
        closing = f"现将截至{p.until}的工作情况" + ("报告如下。" if half else "总结如下。")
    recorded = any(fig.refs for key, fig in facts.figures.items() if key != "positions")
    if recorded:  # with nothing recorded, no judgement of the year either: the records decide
        b.block(d.BODY, *opening, closing)
    wrote = recorded and _work(
        p, b, h, "工作开展情况" if half else p.pick("主要工作开展情况", "工作开展情况"), prev
    )
    if not wrote:
        b.block(
            d.BODY,
            f"{period.label}，本单位台账中尚无意识形态工作的记录，暂不能形成{'报告' if half else '总结'}。请先在台账中记录{period.label}开展的各项工作，再重新生成。",
        )
        _finish(b, unit, doc.day)
        return doc
    problems = _problems(p, missed, prev)
    h.one("存在的主要问题" if not half else "存在的问题")
    if problems:
        numbered(b, [pr.text for pr in problems])
    else:
        b.block(
            d.BODY,
            f"对照意识形态工作责任制要求，{p.span}到期的各项规定动作均已完成，台账中没有逾期未整改的问题。",
        )
    ahead = _ahead(p, due) if facts.open else []
    next_year = year if half else year + 1
    plan = facts.lists.get("next_plan", []) if not half else list(facts.lists.get("workplan_ahead", []))
    steps, rest = _next_steps(p, problems, plan, next_year)
    h.one("下一步工作打算" if not half else "下一步工作安排")
    if ahead:
        b.block(d.BODY, *ahead)
    if steps or rest:
        b.block(
            d.BODY,
            *p.say("next.intro", when={1: "下半年", 2: "今后一个时期"}.get(half or 0, f"{next_year}年")),
        )
        numbered(b, steps)
        if rest:
            b.block(d.BODY, *rest)
    elif not ahead:
        b.block(
            d.BODY,
            *p.say("next.none", when={1: "下半年", 2: "今后一个时期"}.get(half or 0, f"{next_year}年")),
        )
    if half:
        b.block(d.BODY, "特此报告。")
    _finish(b, unit, doc.day)
    return doc


def build(
    kind: str,
    unit: Any,
    year: int,
    *,
    user: Any = None,
    half: int | None = None,
    quarter: int | None = None,
    day: date | None = None,
) -> d.Document:
    from . import writers_more

    if kind == "annual":
        return annual(unit, year, user=user, day=day)
    if kind == "half-year":
        return annual(unit, year, user=user, day=day, half=half or 1)
    return writers_more.build_other(kind, unit, year, user=user, quarter=quarter, day=day)


__all__ = ["annual", "build", "quarter_period"]


# --- 工作要点 (the key points) ---------------------------------------------------------------------------
PER = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}
# each rule as a task, its frequency written once: (section, task)
RULE_SECTION = {  # where each rule's task stands in the key points (the task's words: phrases.py)
    "central-study-quarterly": "study", "central-study-days": "study", "party-lecture": "study",
    "party-group-meeting": "study", "members-assembly": "study", "theme-day": "study",
    "party-group-study": "duty", "branch-committee": "duty", "life-meeting": "duty", "debrief": "duty",
    "half-year-report": "duty", "analysis-quarterly": "analysis", "special-inspection": "analysis",
    "positions-inspected": "positions",
}  # fmt: skip
LEDGER_SECTION = {
    "publicity": "publicity", "submission": "publicity", "subscription": "publicity",
    "position": "positions", "inspection": "positions", "review": "positions", "opinion": "positions",
    "analysis": "analysis", "risk": "analysis", "report": "duty", "rectification": "rectification",
}  # fmt: skip
PROBLEM_SECTION = {
    "missed": "duty", "overdue": "rectification", "risk": "analysis", "opinion": "publicity",
    "positions": "positions", "reviews": "positions", "adoption": "publicity", "plan": "study",
    "attendance": "study", "workplan": "duty",
}  # fmt: skip
KP_SECTIONS = ["study", "duty", "publicity", "positions", "analysis", "rectification", "team"]


def rule_task(p: Prose, rule: Any) -> str:
    """The rule as a task of the key points, its frequency written once (每季度开展一次……)."""
    t = rule.threshold
    if f"kp.rule.{rule.id}" not in PHRASES:
        name = rule.name.strip()
        return name if re.search(r"每|全年|年度", name) else f"{name}，{rule.description.replace(' ', '')}"
    due = ""
    if rule.due:
        days = [f"{int(x.split('-')[0])}月{int(x.split('-')[1])}日" for x in rule.due]
        due = f"，分别于{'、'.join(days)}前报送" if len(days) > 1 else f"，{days[0]}前报送"
    life = (
        "民主生活会"
        if getattr(p.facts.unit, "org_type", "") in ("party_group", "party_committee")
        else "组织生活会"
    )
    words = p.say(
        f"kp.rule.{rule.id}", per=PER.get(rule.period, ""), times="一次" if t == 1 else f"{t}次", t=str(t),
        due=due, life=life,
    )  # fmt: skip
    return "".join(str(x) for x in words)


def _rule_deadline(rule: Any, year: int) -> str:
    """When a task is due, without restating its frequency."""
    if rule.period == "year":
        if rule.due:
            mm, dd = (int(x) for x in rule.due[-1].split("-"))
            return f"{mm}月{dd}日前完成"
        month = {"debrief": 1, "party-lecture": 7, "special-inspection": 11}.get(rule.id, 12)
        return f"{month}月底前完成"
    if rule.period == "half" and rule.due:
        return ""  # the due days are in the task itself
    if rule.period == "quarter":
        return "各季度末前完成"
    if rule.period == "half":
        return "6月底、12月底前分别完成"
    return ""  # a monthly task has no single deadline: its frequency says when


# the 党的全国代表大会 of a year: the key points plan its 宣传贯彻 (they are amended after it)
CONGRESS = {2027: "党的二十一大", 2032: "党的二十二大"}


def _answer(p: Prose, pr: Problem, last: int, owner: str, time: str) -> list[Any]:
    """A task answering last year's problem: 针对2026年……的问题，由……负责，……前……."""
    summary = {
        "missed": lambda: _missed_text(p, pr.slots.get("cells", [])).replace("；", "、"),
        "overdue": lambda: "问题整改逾期未完成",
        "risk": lambda: f"“{pr.slots.get('risk', '')}”风险反复出现",
        "opinion": lambda: f"{pr.slots.get('theme', '')}方面舆情较为集中",
        "positions": lambda: f"{pr.slots.get('where', '')}检查发现问题较多",
        "reviews": lambda: "部分稿件在“三审”中被退回",
        "adoption": lambda: "省级以上媒体采用偏少",
        "plan": lambda: "部分学习专题未按计划学习",
        "attendance": lambda: f"{pr.slots.get('kind', '')}到会率偏低",
        "workplan": lambda: "部分工作要点任务未按时完成",
    }[pr.kind]()
    role = f"next.{pr.kind}"
    if role not in PHRASES:
        return []
    slots = {
        **{k: v for k, v in pr.slots.items() if k not in ("owner", "cells", "time")},
        "owner": owner,
        "time": time,
    }
    if pr.kind == "missed":  # the rules are tasks of their own: the answer is the schedule, said once
        again = "这类缺项已连续两年出现，" if pr.slots.get("again") else ""
        measure = p.say("kp.schedule", again=again, time=time, owner=owner)
        return p.say("kp.answer", last=last, problem=summary, measure=measure)
    measure = p.say(role, head=False, **slots)  # the answer's lead stands where the headline would
    return p.say("kp.answer", last=last, problem=summary, measure=measure)


def keypoints(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """`year`'s key points, written at the end of the year before: 总体要求, then 5–7 sections of
    tasks (each rule of the unit's set once, with its frequency, owner and deadline; tasks that
    answer last year's problems; the year's own plan items), then 工作要求."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    day = day or date.today()
    last = year - 1
    facts = collect(unit, year_period(last), user=user, as_of=day)
    p = Prose(facts, "keypoints", user)
    org = getattr(unit, "org_name", unit.name)
    title = f"{org}{year}年意识形态工作要点"
    doc = d.Document("keypoints", title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    missed, _due = rule_cells(unit, last, user=user, until=facts.cutoff)
    problems = _problems(p, missed, None)
    before = {c.rule.id for c in missed_rules(unit, last - 1, user=user)} if missed else set()
    for pr in problems:
        if pr.kind == "missed":
            pr.slots["cells"] = missed
            pr.slots["again"] = any(c.rule.id in before for c in missed)
    weak = {
        "missed": "规定动作落实", "overdue": "问题整改", "risk": "风险防范", "opinion": "舆论引导",
        "positions": "阵地管理", "reviews": "信息审核", "adoption": "对外宣传", "plan": "学习计划执行",
        "attendance": "学习参与", "workplan": "任务推进",
    }  # fmt: skip
    focus = (
        p.say("kp.focus", weak="、".join(dict.fromkeys(weak[pr.kind] for pr in problems[:3])))
        if problems
        else ["持续巩固已有工作成效"]
    )
    h.one("总体要求")
    congress = CONGRESS.get(year)
    b.block(
        d.BODY,
        *p.say("kp.guide", year=year, name=org, focus=focus),
        *(p.say("kp.congress", year=year, congress=congress) if congress else []),
    )
    h.one("主要任务")
    group = facts.lists.get("group", [])
    leader = next((g for g in group if g.post == "leader" and _person(g)), None)
    sec_owner = f"{p.sec}{_person(leader)}" if leader else p.sec
    deputy_owner = _owner_of(p)
    owners = {
        "study": sec_owner, "duty": sec_owner, "publicity": _owner_of(p, "宣传"), "positions": _owner_of(p, "阵地"),
        "analysis": deputy_owner, "rectification": deputy_owner, "team": _owner_of(p, "阵地"),
    }  # fmt: skip
    tasks: dict[str, list[list[Any]]] = {s: [] for s in KP_SECTIONS}
    for rule in rules_of(unit, year, user=user):
        section = RULE_SECTION.get(rule.id) or LEDGER_SECTION.get(rule.ledger, "study")
        deadline = _rule_deadline(rule, year)
        if rule.id == "party-lecture":  # the secretary is the task's subject: not 由支部书记负责 again
            tail = p.say("kp.tail.self", deadline=deadline) if deadline else p.say("kp.tail.self.none")
        else:
            tail = p.say("kp.tail", owner=owners[section], deadline=f"，{deadline}" if deadline else "")
        tasks[section].append([rule_task(p, rule), *tail])
    quarter_ends = ["3月底", "6月底", "9月底"]
    late = {r.pk for r in facts.lists.get("overdue", [])}
    for n, pr in enumerate(problems):
        if pr.kind == "overdue":
            continue  # answered below, item by item, with the open rectifications
        section = PROBLEM_SECTION[pr.kind]
        # the year's schedule is made in January; the other answers by quarter
        when = f"{year}年1月底" if pr.kind == "missed" else f"{year}年{quarter_ends[min(n // 2, 2)]}"
        owner = sec_owner if pr.kind in ("plan", "attendance", "missed") else _measure_owner(p, pr)
        answer = _answer(p, pr, last, owner, when)
        if answer:
            tasks[section].insert(0, answer)
    # what last year's records carry forward: the occasions of publicity, the open rectifications
    occasions = list(
        dict.fromkeys(x.occasion for x in facts.lists.get("publicity", []) if x.occasion.strip())
    )
    if occasions:
        tasks["publicity"].append(
            [
                f"结合{'、'.join(occasions[:4])}等节点开展主题宣传和气象科普，由{owners['publicity']}负责，各节点前制定活动方案。"
            ]
        )
    target = _target(facts)
    if target or p.has("submissions"):
        aim = f"省级以上媒体采用不少于{target}篇" if target else "逐步提高省级以上媒体采用数量"
        tasks["publicity"].append(
            [f"围绕气象服务重点策划选题，{aim}，由{owners['publicity']}负责，12月底前完成。"]
        )
    if p.has("reviews"):
        tasks["positions"].append(
            [f"对外发布的信息一律执行初审、复审、终审“三审”制度，由{owners['positions']}负责，全年落实。"]
        )
    # the study plans and the monthly 集中学习 of last year are carried on (the year opens with its plan)
    if facts.value("study_plans"):
        tasks["study"].insert(0, p.say("kp.study.plan", year=year, owner=sec_owner))
    if facts.value("staff_study"):
        tasks["study"].insert(1, p.say("kp.study.staff", owner=owners["team"]))
    if facts.value("group"):
        tasks["duty"].insert(0, p.say("kp.duty.group", owner=sec_owner))
    if facts.value("subscriptions"):
        tasks["publicity"].append(p.say("kp.subs", next=year + 1, owner=owners["publicity"]))
    open_items = facts.lists.get("open_rectifications", [])
    titles = {g.person_id: g.title for g in group if getattr(g, "person_id", None) and g.title}
    for r in open_items[:3]:
        name = _person(r, "owner")
        who = f"{titles.get(r.owner_id, '')}{name}" if name else owners["rectification"]
        lead = f"针对{last}年整改逾期的问题，" if r.pk in late else ""
        limit = "1月底" if r.pk in late else "3月底"  # an overdue item is closed first
        tasks["rectification"].append(
            [f"{lead}完成“{_problem_text(r)}”问题的整改，由{who}负责，{year}年{limit}前整改到位并销号。"]
        )
    tasks["team"].append(p.say("kp.team.training", owner=owners["team"], time=f"{year}年6月底"))
    tasks["team"].append(p.say("kp.team.exchange", owner=sec_owner, time=f"{year}年9月底"))
    # the year's own plan items, where the ledgers hold them
    for item in Reader(unit, user)(lm.WorkPlanItem).filter(year=year).order_by("number"):
        text = item.text.strip().rstrip("。；;")
        if any(text in "".join(str(x) for x in t) for ts in tasks.values() for t in ts):
            continue
        section = next(
            (
                s
                for s, words in (
                    ("study", "学习"),
                    ("positions", "阵地"),
                    ("publicity", "宣传"),
                    ("analysis", "研判"),
                )
                if words in text
            ),
            "duty",
        )
        who = _person(item, "owner") or owners[section]
        when = f"，{md(item.due_on)}前完成" if item.due_on else ""
        tasks[section].append([f"{text}，由{who}负责{when}。"])
    for section in KP_SECTIONS:
        if not tasks[section]:
            continue
        h.two(p.pick(*KEYPOINT_HEADINGS[section]))
        b.block(d.BODY, *p.say(f"kp.lead.{section}"))
        for n, task in enumerate(tasks[section], 1):
            b.block(d.BODY, f"{n}.", *task)
    h.one("工作要求")
    for part in ("org", "check", "record"):
        pieces = p.say(f"kp.rhead.{part}") + p.say(f"kp.require.{part}")
        b.block(d.BODY, f"（{int_to_cn(h.h2 + 1)}）", *pieces)
        h.h2 += 1
    _finish(b, unit, doc.day)
    return doc
