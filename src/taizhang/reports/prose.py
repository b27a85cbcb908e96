"""The documents' shared wording: Prose (the phrase bank's choices for one document, seeded per
unit, period and kind), the numbering of headings and items, dates, lists and quotations in our
register, and the words a rule is told in (RULE_ACTIONS: 召开支委会 / 未召开支委会).

Every sentence rests on records and every number is a Figure: a document reads the same each time
it is generated, and two units' documents do not read alike."""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from taizhang.proofread.text import int_to_cn

from . import document as d
from .facts import Facts, Figure, org_meeting, ref
from .phrases import PHRASES


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def dated(day: date, year: int) -> str:
    """A recorded day as a document of `year` says it: 12月22日 inside that year, else with its year."""
    return md(day) if day.year == year else cn_date(day)


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def by_limit(day: date, year: int | None = None) -> str:
    """A time limit the document sets itself, as it is said before 前: 10月底 for a month's last day
    (whatever weekday it falls on), else 10月20日; the year written when it is not `year`."""
    words = f"{day.month}月底" if day == month_end(day) else md(day)
    return words if day.year == year else f"{day.year}年{words}"


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
        self.life = life_meeting(facts.unit)
        self.serial = 0
        self.kind = kind
        self.spans = 0

    def pick(self, *options: str) -> str:
        return self.rng.choice(options)

    def fig(self, key: str) -> Figure:
        return self.facts.figure(key)

    def has(self, key: str) -> bool:
        return key in self.facts.figures and bool(self.facts.figures[key].value)

    def say(
        self, role: str, *, head: bool = True, seed: str = "", turn: int | None = None, **slots: Any
    ) -> list[Any]:
        """One sentence of `role` from the phrase bank, its {slots} filled with words, Figures or
        lists of pieces. A phrasing is not used twice in one document while another is left. A
        problem (prob.*) or a measure (next.*) opens with its own headline (ph.*, nh.*), chosen
        apart from the body so that the two vary independently. With `seed`, the phrasing is the
        seed's, not the document's (a measure reads the same in every document that promises it).
        With `turn`, the phrasing is the turn's (sibling units' turns differ, so their lines do)."""
        kind, _, rest = role.partition(".")
        headline = {"prob": "ph", "next": "nh"}.get(kind, "") + "." + rest
        if headline not in PHRASES and kind in ("prob", "next"):  # prob.positions.all: ph.positions
            headline = headline.rsplit(".", 1)[0]
        if head and headline in PHRASES:
            return self.say(headline, **slots) + self.say(role, head=False, seed=seed, **slots)
        options = PHRASES[role]
        used = self.used.setdefault(role, set())
        free = [i for i in range(len(options)) if i not in used] or list(range(len(options)))
        if (
            turn is None
            and not seed
            and kind in ("prob", "ph", "nh")
            and self.kind in ("annual", "half-year")
        ):
            # a problem's wording is the unit's turn: the sibling summaries, read side by side, differ
            start = sibling_turn(self.facts.unit, role, self.facts.period.year)
            turn = next((start + k for k in range(len(options)) if (start + k) % len(options) in free), start)
        if turn is not None:
            choice = turn % len(options)
        else:
            choice = random.Random(seed).choice(range(len(options))) if seed else self.rng.choice(free)  # noqa: S311
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
def day_of(row: Any) -> date:
    from .facts import _day

    return _day(row.held_at)  # type: ignore[no-any-return]


def topic_of(title: str) -> str:
    """理论学习中心组集中学习：学习贯彻…… → 贯彻……: the topic a session's name carries."""
    if "：" not in title:
        return ""
    topic = title.split("：", 1)[1].strip()
    return topic.removeprefix("学习") if len(topic) > 4 else topic


def books_in(rows: list[Any], limit: int = 3) -> list[str]:
    """The most studied titles in 《》 written in the sessions' records."""
    found: Counter[str] = Counter()
    for row in rows:
        for title in re.findall(r"《[^《》]{2,40}》", row.content):
            found[title] += 1
    return [t for t, _ in found.most_common(limit)]


def person(obj: Any, attr: str = "person") -> str:
    person = getattr(obj, attr, None)
    return (person.display_name if person else "") or getattr(obj, f"{attr}_text", "")


def title_of(group: Sequence[Any], name: str) -> str:
    """The leading-group title the records give a person (办公室主任、宣传员), or nothing."""
    return next((g.title.strip() for g in group if name and person(g) == name and g.title.strip()), "")


def titled(group: Sequence[Any], name: str) -> str:
    """办公室主任张晓燕: a person with the first of their leading-group titles, or the name alone."""
    return f"{title_of(group, name).split('、')[0]}{name}"


def after_prefix(title: str, *prefixes: str) -> str:
    for prefix in prefixes:
        if title.startswith(prefix):
            return title[len(prefix) :]
    return title


def own_name(unit: Any, name: str) -> str:
    """东区气象局门户网站 → 门户网站: a unit's own position or office, in its own document, without
    the unit's name before it."""
    for prefix in (getattr(unit, "name", ""), getattr(unit, "org_name", "")):
        if prefix and name.startswith(prefix) and len(name) - len(prefix) >= 2:
            return name[len(prefix) :]
    return name


def inner(text: str) -> str:
    """A record's text set inside our quotation marks: its own “” become ‘’."""
    return text.replace("“", "‘").replace("”", "’")


def quoted(text: str) -> str:
    text = text.strip()
    if not text or "“" in text:  # a name already marked in the record (“书香气象”读书分享会)
        return text
    return f"“{inner(text)}”"


# --- 存在的主要问题 and 下一步打算 ----------------------------------------------------------------------
# what a missed rule's period means, in plain words: (what was due, what did not happen)
RULE_ACTIONS: dict[str, tuple[str, str]] = {
    "party-group-study": ("{meet}专题研究意识形态工作", "{meet}专题研究意识形态工作次数不足"),
    "analysis-quarterly": ("开展意识形态领域形势分析研判", "未开展形势分析研判"),
    "half-year-report": ("向上级党组织报送专题报告", "未按时向上级党组织报送专题报告"),
    "life-meeting": ("召开{life}并对照检查意识形态工作", "{life}未对照检查意识形态工作"),
    "debrief": ("在述职述责中报告意识形态工作", "述职述责中未报告意识形态工作"),
    "central-study-quarterly": ("组织理论学习中心组集中学习", "理论学习中心组未开展集中学习"),
    "central-study-days": ("完成理论学习中心组全年集中学习天数要求", "理论学习中心组集中学习天数不足"),
    "special-inspection": ("开展意识形态工作专项督查", "未开展意识形态工作专项督查"),
    "positions-inspected": ("开展阵地检查", "未开展阵地检查"),
    "branch-committee": ("召开支委会", "未召开支委会"),
    "party-group-meeting": ("召开党小组会", "未召开党小组会"),
    "members-assembly": ("召开党员大会", "未召开党员大会"),
    "theme-day": ("开展主题党日活动", "未开展主题党日活动"),
    "party-lecture": ("由{sec}讲授专题党课", "{sec}未讲授专题党课"),
}


def rule_action(p: Any, rule: Any, positive: bool) -> str:
    words = RULE_ACTIONS.get(rule.id)
    if words is None:
        return rule.name if positive else f"“{rule.name}”未完成"
    return words[0 if positive else 1].format(meet=p.meet, sec=p.sec, life=p.life)


def life_meeting(unit: Any) -> str:
    """民主生活会 of a 党组 or 党委's leading body, 组织生活会 of a branch's members."""
    return (
        "民主生活会" if getattr(unit, "org_type", "") in ("party_group", "party_committee") else "组织生活会"
    )


def finish(b: d.Builder, issuer: Any, day: date) -> None:
    """The signature (the party organisation, 中共区气象局党支部) and the date."""
    b.block(d.SIGNATURE, getattr(issuer, "org_name", None) or str(issuer))
    b.block(d.DATE, cn_date(day))


class Rotating(Prose):
    """Prose whose choice turns with the period: the phrasing of a role is the unit's own offset
    plus the period's number, so a unit's next year (or quarter) never repeats this one's wording
    where a role has two or more, and sibling units start from different places."""

    def __init__(self, facts: Any, kind: str, user: Any = None, *, step: int) -> None:
        super().__init__(facts, kind, user)
        self.step = step

    def pick(self, *options: str) -> str:
        digest = hashlib.sha256(f"{self.facts.unit.code}/{options[0]}".encode()).digest()
        return options[(int.from_bytes(digest[:4], "big") + self.step) % len(options)]


def issuer(unit: Any) -> str:
    """The party organisation that issues the unit's documents (中共区气象局党支部); the unit's
    own name where no organisation is recorded."""
    name = (getattr(unit, "party_org_name", "") or "").strip()
    if not name:
        return unit.name
    return name if name.startswith("中共") else f"中共{name}"


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


def fresh(p: Prose, options: tuple[str, ...], used: set[str]) -> str:
    """A phrasing not yet used in this document where one is left (the order is the Prose's)."""
    order = sorted(options, key=lambda _: p.rng.random())
    chosen = next((o for o in order if o not in used), order[0])
    used.add(chosen)
    return chosen


def plain_number(value: Any) -> str:
    """12.0 → 12, 4.5 → 4.5."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


def after_the_year(year: int) -> date:
    """A year's self-assessment or roll-up: the middle of the January after it (when the superior
    assesses the year), or today while that has not come."""
    return min(date.today(), date(year + 1, 1, 15))


EVERY = {"month": "每月", "quarter": "每季度", "half": "每半年", "year": "每年"}


class OrgWords:
    """The words a unit's own rules are told in (支委会, 支部书记): what rule_action reads."""

    def __init__(self, unit: Any) -> None:
        self.meet = org_meeting(unit)
        self.life = life_meeting(unit)
        self.sec = SECRETARY.get(getattr(unit, "org_type", ""), "书记")


def merge_actions(actions: list[str]) -> list[str]:
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


def month_spans(periods: list[Any]) -> str:
    """3月至5月、8月: the months in order, a run of three or more written as its first and last."""
    months = sorted({x.index for x in periods})
    runs: list[list[int]] = []
    for n in months:
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    words = [f"{r[0]}月至{r[-1]}月" if len(r) > 2 else "、".join(f"{n}月" for n in r) for r in runs]
    return "、".join(words)


def sibling_turn(unit: Any, role: str, year: int) -> int:
    """A unit's turn for a fixed line of a role: its place among its parent's units plus the role's
    and year's offset, so that sibling units never share the line where the role has enough of them."""
    siblings = getattr(unit, "_sibling_pks", None)
    if siblings is None:  # asked for some thirty times per document: once per unit object
        siblings = list(
            type(unit).objects.filter(parent_id=unit.parent_id).order_by("pk").values_list("pk", flat=True)
        )
        unit._sibling_pks = siblings
    place = siblings.index(unit.pk) if unit.pk in siblings else 0
    return place + int.from_bytes(hashlib.sha256(f"{year}/{role}".encode()).digest()[:4], "big")


def settle_overdue(facts: Any) -> None:
    """Only what was due before the document's last counted day is overdue: an item due on the
    cut-off day itself (截至11月30日, 时限11月30日) is not yet late; and a problem raised twice is
    one item."""
    last = facts.cutoff
    if facts.open and facts.as_of and facts.as_of > facts.period.start:
        last = facts.as_of - timedelta(days=1)
    # a problem raised again is one item, told by its first (earliest) deadline, in every count
    first: dict[str, Any] = {}
    folded: list[Any] = []  # (the first record's pk, a later record of the same problem)
    for r in facts.lists.get("open_rectifications", []):
        held = first.setdefault(re.sub(r"^[^：:，。]{2,8}[：:]", "", inner(r.problem.strip())), r)
        if held is not r:
            folded.append((held.pk, r))
    facts.lists["folded"] = folded
    kept = set(map(id, first.values()))
    facts.lists["open_rectifications"] = [
        r for r in facts.lists.get("open_rectifications", []) if id(r) in kept
    ]
    facts.lists["overdue"] = [
        r for r in facts.lists.get("overdue", []) if r.deadline < last and id(r) in kept
    ]
    # due between the last counted day and the cut-off: not late as counted, no longer ahead either
    facts.lists["due_now"] = [
        r for r in facts.lists["open_rectifications"] if last <= r.deadline <= facts.cutoff
    ]


def unsettled(facts: Any) -> list[list[Any]]:
    """The risk points still open on the cut-off: those the facts hold open, and those an open
    rectification carries by the same words (the same issue followed in the 整改 track)."""
    open_ = facts.lists.get("risk_kinds_open", [])
    texts = [r.problem.strip() for r in facts.lists.get("open_rectifications", []) if r.problem.strip()]
    out = []
    for rs in facts.lists.get("risk_groups", []):
        desc = rs[-1].description.strip()
        if rs[-1] in open_ or (desc and any(desc in t or t in desc for t in texts)):
            out.append(rs)
    return out
