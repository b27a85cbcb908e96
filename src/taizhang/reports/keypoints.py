"""工作要点: next year's key points, written at the end of the year before — 总体要求, then 5–7
sections of tasks (each rule of the unit's set once, with its frequency, owner and deadline; the
tasks answering last year's problems, with the same owner and time limit as the summary's
measures; the year's own plan items), then 工作要求."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from taizhang.proofread.text import int_to_cn

from . import document as d
from .facts import collect, rule_cells, rules_of, year_period
from .phrases import KEYPOINT_HEADINGS, PHRASES
from .problems import (
    Problem,
    adoption_target,
    committee,
    drop_held,
    family_turn,
    find_problems,
    measure,
    measures_begin,
    missed_text,
    overdue_answer,
    owner_of,
    problem_text,
    rect_owner,
    secretary,
    time_limit,
)  # fmt: skip
from .prose import EVERY, Headings, Prose, finish, life_meeting, md, person, settle_overdue

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
    "attendance": "study", "workplan": "duty", "recur": "rectification",
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
    life = life_meeting(p.facts.unit)
    role = f"kp.rule.{rule.id}"  # the unit's turn, as the headings'
    words = p.say(
        role, per=EVERY.get(rule.period, ""), times="一次" if t == 1 else f"{t}次", t=str(t), due=due, life=life,
        turn=family_turn(p.facts.unit, role, p.facts.period.year),
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
    # a monthly, quarterly or half-yearly task: its frequency says when (每季度…, not 各季度末前 too),
    # and a half-yearly one with due days has them in the task itself
    return ""


# the 党的全国代表大会 of a year: the key points plan its 宣传贯彻 (they are amended after it)
CONGRESS = {2027: "党的二十一大", 2032: "党的二十二大"}


def _congress(p: Prose, year: int, task: bool = False) -> list[Any]:
    """The year's 党的全国代表大会: the 总体要求's sentence on it, or the task carrying it (who
    organises the study, who the publicity) — each unit's own wording."""
    congress = CONGRESS.get(year)
    if not congress:
        return []
    role = "kp.congress.task" if task else "kp.congress"
    turn = family_turn(p.facts.unit, role, year)
    return p.say(role, turn=turn, year=year, congress=congress, sec=secretary(p), pub=owner_of(p, "宣传"))


SUMMARY = {  # last year's problem in a few words, as a task answering it names it
    "overdue": "问题整改逾期未完成", "reviews": "部分稿件在“三审”中被退回", "adoption": "省级以上媒体采用偏少",
    "plan": "部分学习专题未按计划学习", "workplan": "部分工作要点任务未按时完成",
    "recur": "上级检查反馈的同类问题再次出现",
}  # fmt: skip
WEAK = {  # the fields last year's problems show as weak, for the 总体要求
    "missed": "规定动作落实", "overdue": "问题整改", "risk": "风险防范", "opinion": "舆论引导",
    "positions": "阵地管理", "reviews": "信息审核", "adoption": "对外宣传", "plan": "学习计划执行",
    "attendance": "学习参与", "workplan": "任务推进", "recur": "整改成果巩固",
}  # fmt: skip


def _summary(p: Prose, pr: Problem) -> str:
    s = pr.slots
    return {
        "missed": lambda: (
            missed_text(p, s.get("cells", [])).replace("；", "、")
            + ("，且上年也出现过同类缺项" if s.get("again") else "")
        ),
        "risk": lambda: f"“{s.get('risk', '')}”" + ("风险反复出现" if s.get("recurring") else "被评为高风险"),
        "opinion": lambda: f"{s.get('theme', '')}方面舆情较为集中",
        "positions": lambda: "部分阵地日常管理存在薄弱环节",  # the measure names them
        "attendance": lambda: f"{s.get('kind', '')}到会率偏低",
    }.get(pr.kind, lambda: SUMMARY[pr.kind])()


def _answer(p: Prose, pr: Problem, last: int) -> list[Any]:
    """A task answering last year's problem: 针对2026年……的问题，…… — the measure, owner and time
    limit the summary or report that found the problem gives (problems.measure)."""
    if f"next.{pr.kind}" not in PHRASES:
        return []
    return p.say("kp.answer", last=last, problem=_summary(p, pr), measure=measure(p, pr))


def _last_problems(p: Prose, unit: Any, last: int, user: Any) -> list[Problem]:
    missed, _due = rule_cells(unit, last, user=user, until=p.facts.cutoff)
    missed = drop_held(unit, missed, user)
    problems = find_problems(p, missed)
    for pr in problems:
        if pr.kind == "missed":  # again: as the summary finds it (problems._missed_problem)
            pr.slots["cells"] = missed
    return problems


def keypoints(unit: Any, year: int, *, user: Any = None, day: date | None = None) -> d.Document:
    """`year`'s key points, written at the end of the year before: 总体要求, then 5–7 sections of
    tasks (each rule of the unit's set once, with its frequency, owner and deadline; tasks that
    answer last year's problems; the year's own plan items), then 工作要求."""
    day = day or date.today()
    last = year - 1
    facts = collect(unit, year_period(last), user=user, as_of=day)
    settle_overdue(facts)
    p = Prose(facts, "keypoints", user)
    org = getattr(unit, "org_name", unit.name)
    title = f"{org}{year}年意识形态工作要点"
    doc = d.Document("keypoints", title, unit.name, day)
    b = d.Builder(doc)
    h = Headings(b)
    b.block(d.TITLE, title)
    problems = _last_problems(p, unit, last, user)
    focus = (
        p.say("kp.focus", weak="、".join(dict.fromkeys(WEAK[pr.kind] for pr in problems[:3])))
        if problems
        else ["持续巩固已有工作成效"]
    )
    h.one("总体要求")
    turn = family_turn(unit, "kp.guide", year)  # the unit's turn: sibling key points differ
    b.block(d.BODY, *p.say("kp.guide", year=year, name=org, focus=focus, turn=turn), *_congress(p, year))
    h.one("主要任务")
    owners = _owners(p)
    tasks: dict[str, list[list[Any]]] = {s: [] for s in KP_SECTIONS}
    by_rule = _rule_tasks(p, unit, year, user, owners, tasks)
    if "branch-committee" in by_rule:  # how often it studies ideology work, as the scheme scores it
        by_rule["branch-committee"][0] += _special_study(unit, year, user)
    for pr in problems:
        if pr.kind == "overdue":
            continue  # answered below, in one task, with the open rectifications
        answer = _answer(p, pr, last)
        if pr.kind == "reviews":  # the 三审 itself in the same task: one owner for both
            answer = [*answer, "对外发布的信息一律执行初审、复审、终审“三审”制度，全年落实。"]
        if answer and not _into_rule_task(pr, answer, by_rule):
            tasks[PROBLEM_SECTION[pr.kind]].insert(0, answer)
    kinds = {pr.kind for pr in problems}
    _carried_tasks(p, year, owners, tasks, reviewed="reviews" in kinds, answered="adoption" in kinds)
    _fold_publicity(tasks, by_rule)
    _plan_item_tasks(unit, user, year, owners, tasks)
    if year in CONGRESS:  # the 全年重点 the 总体要求 names is a task of its own, with its owners
        tasks["study"].append(_congress(p, year, task=True))
    name_once(p, tasks)
    _write_tasks(p, b, h, tasks)
    h.one("工作要求")
    for part in ("org", "check", "record"):
        pieces = p.say(f"kp.rhead.{part}", turn=family_turn(unit, f"kp.rhead.{part}", year))
        pieces += p.say(f"kp.require.{part}", turn=family_turn(unit, f"kp.require.{part}", year))
        if "special-inspection" in by_rule:  # the inspection is a task above: not a second one here
            pieces = [
                x.replace("年中开展一次专项检查", "每季度末梳理一次任务进展") if isinstance(x, str) else x
                for x in pieces
            ]
        b.block(d.BODY, f"（{int_to_cn(h.h2 + 1)}）", *pieces)
        h.h2 += 1
    finish(b, unit, doc.day)
    return doc


SPECIAL = re.compile(r"每(半年|季度|年)不少于(\d+)次")


def _special_study(unit: Any, year: int, user: Any) -> str:
    """，其中每半年至少专题研究一次意识形态工作 — where the latest assessment scheme over the unit
    (this year's, else the last one issued) scores the committee's 专题研究 at a frequency."""
    from .facts_more import schemes_for

    for y in (year, year - 1, year - 2):
        for scheme in schemes_for(unit, y, user=user):
            for ind in scheme.indicators.filter(deleted_at__isnull=True).order_by("number"):
                found = SPECIAL.search(ind.criteria or "")
                if "专题研究" in ind.name and found:
                    n = int(found.group(2))
                    times = "一次" if n == 1 else f"{n}次"
                    return f"，其中每{found.group(1)}至少专题研究{times}意识形态工作"
    return ""


def _fold_publicity(tasks: Tasks, by_rule: dict[str, list[Any]]) -> None:
    """A rule for publicity at a frequency beside the task of the year's occasions is one task: the
    occasions, and how often at least (not 每半年一次 and then four occasions in one half-year)."""
    rule = by_rule.get("half-year-publicity")
    occasions = next((t for t in tasks["publicity"] if "等节点开展主题宣传" in "".join(map(str, t))), None)
    if rule is None or occasions is None or rule not in tasks["publicity"]:
        return
    tasks["publicity"].remove(rule)
    text = "".join(map(str, occasions))
    head, sep, tail = text.partition("，由")
    often = "其中气象科普每半年至少一次" if "全年不少于" in head else "每半年至少开展一次气象科普宣传活动"
    occasions[:] = [f"{head}，{often}{sep}{tail}" if sep else text]


def _owners(p: Prose) -> dict[str, str]:
    """Who answers for each section's tasks: the secretary by name, the offices the records name."""
    sec_owner, deputy_owner = secretary(p), owner_of(p)
    return {
        "study": sec_owner, "duty": sec_owner, "publicity": owner_of(p, "宣传"), "positions": owner_of(p, "阵地"),
        "analysis": deputy_owner, "rectification": deputy_owner, "team": owner_of(p, "阵地"), "sec": sec_owner,
    }  # fmt: skip


def _rule_tasks(
    p: Prose, unit: Any, year: int, user: Any, owners: dict[str, str], tasks: Tasks
) -> dict[str, list[Any]]:
    """Each rule of the unit's set once, with its frequency, owner and deadline; the task of each
    rule by its id (a task answering last year's miss of that rule is told in it, not apart)."""
    by_rule: dict[str, list[Any]] = {}
    for rule in rules_of(unit, year, user=user):
        section = RULE_SECTION.get(rule.id) or LEDGER_SECTION.get(rule.ledger, "study")
        deadline = _rule_deadline(rule, year)
        if rule.id == "party-lecture":  # the secretary is the task's subject: not 由支部书记负责 again
            tail = p.say("kp.tail.self", deadline=deadline) if deadline else p.say("kp.tail.self.none")
        else:
            turn = family_turn(unit, f"kp.tail.{rule.id}", year)
            tail = p.say(
                "kp.tail", turn=turn, owner=owners[section], deadline=f"，{deadline}" if deadline else ""
            )
        tasks[section].append([rule_task(p, rule), *tail])
        by_rule[rule.id] = tasks[section][-1]
    return by_rule


RESTATED = re.compile(r"每(月|季度|半年|年)(至少)?(召开|开展|组织|举办)")


def _into_rule_task(pr: Problem, answer: list[Any], by_rule: dict[str, list[Any]]) -> bool:
    """Last year's missed rule answered inside the rule's own task (主题党日 once, not twice): the
    task keeps its frequency, and the answer's owner and time limit replace its tail."""
    if pr.kind != "missed":
        return False
    ids = list(dict.fromkeys(c.rule.id for c in pr.slots.get("cells", [])))
    if len(ids) != 1 or ids[0] not in by_rule:  # several rules missed: one task of its own answers them
        return False
    if RESTATED.search("".join(str(x) for x in answer)):  # the answer says the frequency again
        return False
    task = by_rule[ids[0]]
    task[1:] = ["。", *answer]
    return True


def _carried_tasks(
    p: Prose, year: int, owners: dict[str, str], tasks: Tasks, reviewed: bool = False, answered: bool = False
) -> None:
    """What last year's records carry forward: the occasions of publicity, the adoption target,
    the review, the study plans, the open rectifications, the team."""
    facts = p.facts
    occasions = list(
        dict.fromkeys(x.occasion for x in facts.lists.get("publicity", []) if x.occasion.strip())
    )
    if occasions:
        # the year's activities set the floor of the next: no fewer than were held (as a 局 plans it)
        held = len(facts.lists.get("publicity", []))
        floor = f"，全年不少于{held}次" if held >= 4 else ""
        tasks["publicity"].append(
            [
                f"结合{'、'.join(occasions[:4])}等节点开展主题宣传和气象科普{floor}，"
                f"由{owners['publicity']}负责，各节点前制定活动方案。"
            ]
        )
    target = adoption_target(facts)
    if (target or p.has("submissions")) and not answered:  # else the answer to last year's problem holds it
        aim = f"省级以上媒体采用不少于{target}篇" if target else "逐步提高省级以上媒体采用数量"
        tasks["publicity"].append(
            [f"围绕气象服务重点策划选题，{aim}，由{owners['publicity']}负责，12月底前完成。"]
        )
    if p.has("reviews") and not reviewed:  # else the answer to last year's rejections holds it (one owner)
        tasks["positions"].append(
            [f"对外发布的信息一律执行初审、复审、终审“三审”制度，由{owners['positions']}负责，全年落实。"]
        )
    # the study plans and the monthly 集中学习 of last year are carried on (the year opens with its plan)
    if facts.value("study_plans"):
        tasks["study"].insert(0, p.say("kp.study.plan", year=year, owner=owners["sec"]))
    if facts.value("staff_study"):
        tasks["study"].insert(1, p.say("kp.study.staff", owner=owners["team"]))
    if facts.value("group"):
        tasks["duty"].insert(0, p.say("kp.duty.group", owner=owners["sec"]))
    if facts.value("subscriptions"):
        tasks["publicity"].append(p.say("kp.subs", next=year + 1, owner=owners["publicity"]))
    _open_rectification_tasks(p, tasks)
    tasks["team"].append(
        p.say(
            "kp.team.training",
            turn=family_turn(facts.unit, "kp.team.training", year),
            owner=owners["team"],
            time=f"{year}年6月底",
        )
    )
    tasks["team"].append(
        p.say(
            "kp.team.exchange",
            turn=family_turn(facts.unit, "kp.team.exchange", year),
            owner=owners["sec"],
            time=f"{year}年3月底",
        )
    )


def _open_rectification_tasks(p: Prose, tasks: Tasks) -> None:
    """The overdue rectifications in one task (each with the deadline it missed and its owner), the
    other open ones each in its own."""
    facts = p.facts
    late = {r.pk for r in facts.lists.get("overdue", [])}
    # one problem raised again is one item: its first, earliest missed deadline stands for it
    first: dict[str, Any] = {}
    for r in facts.lists.get("open_rectifications", []):
        first.setdefault(problem_text(r), r)
    standing = list(first.values())
    overdue = [r for r in standing if r.pk in late]  # every one: the count is the problems section's
    if overdue:
        # the answer the summary gives (problems.overdue_answer): each item its owner and own limit,
        # those promised before under the secretary's 挂牌督办
        turn = family_turn(facts.unit, "kp.overdue", facts.period.year)  # siblings never alike
        tasks["rectification"].append(
            p.say(
                "kp.overdue",
                turn=turn,
                n=len(overdue),
                items=overdue_answer(p, overdue, lead=False),
                until=f"{facts.period.year}年{p.until}".replace(
                    f"{facts.period.year}年{facts.period.year}年", f"{facts.period.year}年"
                ),
            )
        )
    later = [r for r in standing if r.pk not in late and r.deadline >= measures_begin(facts)]
    for r in later:  # due in the key points' own year: a task of that year, with its own limit
        said = f"完成“{problem_text(r)}”问题的整改，由{rect_owner(p, r)}负责，{time_limit(p, 'open', r.deadline)}前整改到位并销号。"
        tasks["rectification"].append([said])
    ending = [r for r in standing if r.pk not in late and r not in later]
    if ending:
        tasks["rectification"].append([_ending_task(p, ending)])


def _ending_task(p: Prose, items: list[Any]) -> str:
    """The items due before the key points' year begins, not yet closed: one task of the new year —
    the January committee checks each is closed, and one still open becomes an overdue item under
    the secretary (a date of the old year is not a task of the new one)."""
    facts = p.facts
    day = facts.as_of or facts.cutoff
    parts: list[str] = []
    for due in sorted({r.deadline for r in items}):
        group = [r for r in items if r.deadline == due]
        names = "".join(f"“{problem_text(r)}”" for r in group)
        # already due on the key points' day: a near date of its own, not January's check
        state = f"，已到期，{md(day + timedelta(days=10))}前完成销号" if due < day else ""
        parts.append(f"{names}原定{due.year}年{md(due)}前整改到位{state}")
    owners = list(dict.fromkeys(rect_owner(p, r) for r in items))
    who = "由" + owners[0] if len(owners) == 1 else "分别由" + "、".join(owners)
    year = facts.period.year + 1
    # one already past its limit on the key points' day is not 按期: the year's end is its last day
    lead = "年底前全部销号" if any(r.deadline < day for r in items) else "按期销号"
    return (
        f"{facts.period.year}年内到期的{len(items)}项整改{lead}：{'；'.join(parts)}。{who}负责，{year}年1月的{committee(p)}逐项核对，"
        f"届时仍未销号的转为逾期整改，由{secretary(p)}督办。"
        if len(items) > 1
        else f"{parts[0]}，{who}负责按期销号，{year}年1月的{committee(p)}核对结果，届时仍未销号的转为逾期整改，由{secretary(p)}督办。"
    )


def name_once(p: Prose, tasks: Tasks) -> None:
    """A person named in full once (支部书记王建国), then by the post alone (支部书记) — when no other
    member of the leading group holds that post."""
    from .problems import leading_group

    people = [g for g in leading_group(p) if person(g)]
    posts = [g.title or "" for g in people]
    # after the first time by name alone (李明华), never by a bare post (分管领导, 办公室主任)
    full = {f"{g.title}{person(g)}": person(g) for g in people if g.title and posts.count(g.title) == 1}
    full |= {f"{g.title or '分管领导'}{person(g)}": person(g) for g in people if g.post == "deputy"}
    full |= {f"{p.sec}{person(g)}": f"{p.sec}{person(g)}" for g in people if g.post == "leader"}
    seen: set[str] = set()
    for section in KP_SECTIONS:
        for task in tasks[section]:
            for i, piece in enumerate(task):
                if not isinstance(piece, str):
                    continue
                for name, post in full.items():
                    if name in piece:
                        head, _, tail = piece.partition(name)
                        piece = head + (post if name in seen else name) + tail.replace(name, post)
                        seen.add(name)
                task[i] = piece


def _plan_item_tasks(unit: Any, user: Any, year: int, owners: dict[str, str], tasks: Tasks) -> None:
    """The year's own plan items, where the ledgers hold them and no task above says them."""
    from taizhang.ledger import models as lm

    from .facts import Reader

    places = (("study", "学习"), ("positions", "阵地"), ("publicity", "宣传"), ("analysis", "研判"))
    for item in Reader(unit, user)(lm.WorkPlanItem).filter(year=year).order_by("number"):
        text = item.text.strip().rstrip("。；;")
        if any(text in "".join(str(x) for x in t) for ts in tasks.values() for t in ts):
            continue
        section = next((s for s, words in places if words in text), "duty")
        who = person(item, "owner") or owners[section]
        when = f"，{md(item.due_on)}前完成" if item.due_on else ""
        tasks[section].append([f"{text}，由{who}负责{when}。"])


def _write_tasks(p: Prose, b: d.Builder, h: Headings, tasks: Tasks) -> None:
    for section in KP_SECTIONS:
        if not tasks[section]:
            continue
        heads = KEYPOINT_HEADINGS[section]  # the unit's turn: sibling key points read side by side differ
        h.two(heads[family_turn(p.facts.unit, f"kp.head.{section}", p.facts.period.year) % len(heads)])
        role = f"kp.lead.{section}"  # the unit's own line, apart from its siblings'
        b.block(d.BODY, *p.say(role, turn=family_turn(p.facts.unit, role, p.facts.period.year)))
        for n, task in enumerate(tasks[section], 1):
            b.block(d.BODY, f"{n}.", *task)


Tasks = dict[str, list[list[Any]]]
