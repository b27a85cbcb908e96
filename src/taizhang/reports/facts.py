"""What a document may say: figures counted from a unit's records of a period, each with the
records it counts, and the named records (activities, risks, rectifications) the text cites.

Everything is read through `restrict()` for a person, or as the server operator for the command
line (as the rules engine does). Nothing here writes prose; `writer.py` does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from taizhang.core import kinds
from taizhang.core.kinds import REGISTRY
from taizhang.ledger import models as m
from taizhang.ledger.models.meetings import STUDY_KINDS
from taizhang.ledger.models.rectification import OPEN_STATES


@dataclass(frozen=True)
class Ref:
    """One record a figure or a sentence rests on."""

    slug: str  # the record kind's page slug (meeting, rectification …)
    pk: int
    label: str
    day: date | None = None


@dataclass
class Figure:
    """A number the text states, and the records it counts. The records' references are made when
    first asked for (a preview or an appendix), not for every figure of every document."""

    key: str
    value: int | Decimal
    unit: str  # 次, 人次, 篇 …
    label: str  # what it counts, in Chinese
    given_refs: list[Ref] | None = None
    records: list[Any] = field(default_factory=list, repr=False)
    day: Any = field(default=None, repr=False)

    @property
    def refs(self) -> list[Ref]:
        if self.given_refs is None:
            day = self.day
            self.given_refs = [ref(r, _day(day(r)) if day else None) for r in self.records]
        return self.given_refs

    @property
    def text(self) -> str:
        value = self.value
        if isinstance(value, Decimal):
            value = value.normalize()
            return f"{value:f}"
        return str(value)


@dataclass
class Period:
    start: date
    end: date  # inclusive
    label: str  # 2025年, 2025年上半年, 2025年第一季度

    @property
    def year(self) -> int:
        return self.start.year


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年")


def half_period(year: int, half: int) -> Period:
    if half == 1:
        return Period(date(year, 1, 1), date(year, 6, 30), f"{year}年上半年")
    return Period(date(year, 7, 1), date(year, 12, 31), f"{year}年下半年")


QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def quarter_period(year: int, quarter: int) -> Period:
    start = date(year, 3 * quarter - 2, 1)
    end = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)
    return Period(start, end, f"{year}年{QUARTER_NAMES[quarter]}")


@dataclass(slots=True)
class MeetingRow:
    """A meeting as the documents read it (a row, not a model instance: a year holds thousands)."""

    pk: int
    kind: str
    title: str
    at: str  # held_at as the database writes it (UTC): parsed only when a date is shown
    present: int
    hours: Decimal | None
    content: str
    expected: int = 0
    host: str = ""  # the host's name (a staff member, or the name written for an outside host)
    place: str = ""
    minutes: str = ""

    def __str__(self) -> str:
        return self.title

    @property
    def held_at(self) -> datetime:
        value = datetime.fromisoformat(self.at)
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Named:
    """A record another one links to, by the name a document writes (the position inspected)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True)
class InspectionRow:
    """A position's inspection as the documents read it: a row, not a model instance (with the
    position it checked, an instance costs ten times as much to read)."""

    pk: int
    inspected_on: date
    problems: int
    position: Named

    def __str__(self) -> str:  # as PositionInspection.__str__
        return f"{self.inspected_on} 检查 {self.position.name}"


_SLUGS: dict[type[Any], str] = {}


def slug_of(model: type[Any]) -> str:
    if not _SLUGS:
        _SLUGS.update({kind.model: slug for slug, kind in REGISTRY.items()})
        _SLUGS[MeetingRow] = _SLUGS[m.Meeting]
        _SLUGS[InspectionRow] = _SLUGS[m.PositionInspection]
    return _SLUGS[model]


def ref(obj: Any, day: date | None = None) -> Ref:
    return Ref(slug_of(type(obj)), obj.pk, str(obj), day)


@dataclass
class Facts:
    """A unit's records of one period, counted and cited."""

    unit: Any
    period: Period
    figures: dict[str, Figure] = field(default_factory=dict)
    lists: dict[str, list[Any]] = field(default_factory=dict)
    # the day the figures are counted to: the period's end, or the document's date when it is earlier
    as_of: date | None = None

    @property
    def cutoff(self) -> date:
        return min(self.period.end, self.as_of) if self.as_of else self.period.end

    @property
    def open(self) -> bool:
        """The period is not over on the document's date (截至11月30日, not 全年)."""
        return self.cutoff < self.period.end

    def figure(self, key: str) -> Figure:
        return self.figures[key]

    def value(self, key: str) -> int | Decimal:
        return self.figures[key].value if key in self.figures else 0

    def add(
        self, key: str, label: str, unit: str, records: list[Any], value: Any = None, day: Any = None
    ) -> Figure:
        fig = Figure(key, len(records) if value is None else value, unit, label, None, records, day)
        self.figures[key] = fig
        return fig


class Reader:
    """Querysets of one unit's live records, through restrict() when a person reads."""

    def __init__(self, unit: Any, user: Any = None) -> None:
        self.unit, self.user = unit, user

    def __call__(self, model: type[Any]) -> Any:
        return model.objects.readable(self.user).filter(unit=self.unit)

    def dated(self, model: type[Any], period: Period) -> Any:
        """The records dated within the period, by the kind's own date definition (Kind.date)."""
        when = _kind(model).date
        if when.is_datetime(model):
            lo, hi = _bounds(period)
            return self(model).filter(**{f"{when.path}__gte": lo, f"{when.path}__lt": hi})
        return self(model).filter(**{f"{when.path}__gte": period.start, f"{when.path}__lte": period.end})

    def of_year(self, model: type[Any], year: int) -> Any:
        """The records filed under a year, by the kind's own year lookup."""
        return self(model).filter(**{_kind(model).year_lookup(): year})


def _kind(model: type[Any]) -> kinds.Kind:
    kind = kinds.for_model(model)
    if kind is None:
        raise LookupError(f"{model.__name__} is not a declared record kind")
    return kind


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(period.start, time.min, tzinfo=tz),
        datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz),
    )


_TZ = timezone.get_default_timezone()


def _day(value: Any) -> Any:
    return value.astimezone(_TZ).date() if isinstance(value, datetime) else value


ORG_MEETING = {
    "party_group": "党组会议",
    "party_committee": "党委会议",
    "general_branch": "总支委员会会议",
    "branch": "支委会",
}


def org_meeting(unit: Any) -> str:
    """The body that met to study ideology work, by the unit's party organisation (never 党组（党委）)."""
    return ORG_MEETING.get(getattr(unit, "org_type", ""), "党组织会议")


def collect(
    unit: Any, period: Period, *, user: Any = None, as_of: date | None = None, meetings_only: bool = False
) -> Facts:
    """Every figure and list the documents use, in a fixed number of queries. With `as_of` (the
    document's date) a record dated later is not counted, and a rectification or 舆情 closed later
    is still open: the figures are those the ledgers held on that day."""
    read = Reader(unit, user)
    facts = Facts(unit, period, as_of=as_of)
    counted = Period(period.start, facts.cutoff, period.label)
    _meetings(read, facts, counted)
    if meetings_only:  # last year's study and publicity, for the comparison (较上年): the rest is not read
        _publicity(read, facts, counted)
        return facts
    year = period.year
    if period.start == date(year, 1, 1) and period.end == date(year, 12, 31):
        _year_plans(read, facts, year)
    _publicity(read, facts, counted)
    _positions(read, facts, counted)
    _analyses(read, facts, counted)
    _rectifications(read, facts, counted)
    return facts


def _meeting_rows(read: Reader, period: Period) -> list[MeetingRow]:
    """Meetings and study sessions: the largest ledger, read as plain rows, not model instances."""
    return [
        MeetingRow(*row)
        for row in read.dated(m.Meeting, period)
        .order_by("held_at", "pk")
        .annotate(at=Cast("held_at", models.CharField()))
        .values_list(
            "pk",
            "kind",
            "title",
            "at",
            "present",
            "hours",
            "content",
            "expected",
            Coalesce(NullIf("host__full_name", Value("")), NullIf("host_text", Value("")), Value("")),
            "place",
            "minutes",
        )
    ]


def _meetings(read: Reader, facts: Facts, period: Period) -> None:
    """The figures of the meetings and study sessions, by kind."""
    meetings = _meeting_rows(read, period)
    by_kind: dict[str, list[Any]] = {}
    for mt in meetings:
        by_kind.setdefault(mt.kind, []).append(mt)
    when = lambda r: r.held_at  # noqa: E731 (a local date when a reference is made)
    K = m.MeetingKind
    facts.add(
        "party_group",
        f"{org_meeting(facts.unit)}专题研究意识形态工作",
        "次",
        by_kind.get(K.PARTY_GROUP, []),
        day=when,
    )
    facts.add("special", "意识形态工作专题会议", "次", by_kind.get(K.SPECIAL, []), day=when)
    facts.add("central_study", "理论学习中心组集中学习", "次", by_kind.get(K.CENTRAL_STUDY, []), day=when)
    facts.add("analysis_meetings", "分析研判会议", "次", by_kind.get(K.ANALYSIS, []), day=when)
    branch_kinds = (K.BRANCH_COMMITTEE, K.MEMBERS_ASSEMBLY, K.GROUP, K.PARTY_LECTURE)
    facts.add("branch", "“三会一课”", "次", [x for k in branch_kinds for x in by_kind.get(k, [])], day=when)
    facts.add("party_lecture", "党课", "次", by_kind.get(K.PARTY_LECTURE, []), day=when)
    facts.add("branch_committee", "支委会", "次", by_kind.get(K.BRANCH_COMMITTEE, []), day=when)
    facts.add("group_meeting", "党小组会", "次", by_kind.get(K.GROUP, []), day=when)
    facts.add("members_assembly", "党员大会", "次", by_kind.get(K.MEMBERS_ASSEMBLY, []), day=when)
    facts.add("theme_day", "主题党日活动", "次", by_kind.get(K.THEME_DAY, []), day=when)
    facts.add("life_meeting", "民主生活会、组织生活会", "次", by_kind.get(K.LIFE_MEETING, []), day=when)
    study = [x for x in meetings if x.kind in STUDY_KINDS]
    facts.add("study", "集中学习", "次", study, day=when)
    facts.add("study_people", "参学人次", "人次", study, value=sum(x.present for x in study), day=when)
    hours = sum((x.hours or Decimal(0)) for x in study)
    facts.add("study_hours", "学习时长", "学时", study, value=Decimal(hours), day=when)
    staff = by_kind.get(K.STAFF_STUDY, [])
    facts.add("staff_study", "干部职工集中学习", "次", staff, day=when)
    facts.add(
        "staff_study_people",
        "干部职工集中学习参学人次",
        "人次",
        staff,
        value=sum(x.present for x in staff),
        day=when,
    )
    facts.add(
        "staff_study_hours",
        "干部职工集中学习学时",
        "学时",
        staff,
        value=Decimal(sum((x.hours or Decimal(0)) for x in staff)),
        day=when,
    )
    facts.lists["meetings"] = meetings
    facts.lists["study_topics"] = [x for x in study if x.content.strip()]


def _year_plans(read: Reader, facts: Facts, year: int) -> None:
    """What only a whole year has: the leading group, duties, study plans, subscriptions, key points."""
    group = list(read.of_year(m.LeadingGroupMember, year).select_related("person"))
    facts.add("group", "意识形态工作领导小组成员", "人", group)
    duties = list(read.of_year(m.ResponsibilityItem, year).select_related("person"))
    facts.add("duties", "责任清单", "项", duties)
    facts.add("duties_signed", "签订责任书", "份", [d for d in duties if d.signed_on])
    facts.lists["group"] = group
    plans = list(read.of_year(m.StudyPlan, year))
    facts.add("study_plans", "学习计划", "个", plans)
    items = list(read(m.StudyPlanItem).filter(plan__in=[p.pk for p in plans])) if plans else []
    cutoff = facts.cutoff
    # an item is held by a live session up to the cutoff (one query on the link table, no instances)
    _lo, hi = _bounds(Period(cutoff, cutoff, ""))
    held = set(
        m.Meeting.plan_items.through.objects.filter(
            studyplanitem_id__in=[i.pk for i in items],
            meeting__deleted_at__isnull=True,
            meeting__held_at__lt=hi,
        ).values_list("studyplanitem_id", flat=True)
        if items
        else ()
    )
    # the 中心组 plan and the branch's plan may list the same topic: a topic is planned once, and
    # studied when a session of either plan took it up
    by_topic: dict[str, list[Any]] = {}
    for i in sorted(items, key=lambda i: (i.month, i.pk)):
        by_topic.setdefault(i.topic.strip(), []).append(i)
    topics = [its[0] for its in by_topic.values()]
    studied = {t for t, its in by_topic.items() if any(i.pk in held for i in its)}
    done_items = [i for i in topics if i.topic.strip() in studied]
    facts.add("plan_items", "学习计划专题（各学习计划中相同的专题计为1个）", "个", topics)
    facts.add("plan_items_done", "已学习的计划专题", "个", done_items)
    # a topic planned for a month already over and not studied; later months are still to come
    facts.lists["plan_items_missed"] = [
        i for i in topics if i.topic.strip() not in studied and date(year, i.month, 1) <= cutoff.replace(day=1)
        and (i.month < cutoff.month or cutoff == facts.period.end or cutoff.year > year)
    ]  # fmt: skip
    facts.lists["plan_items_ahead"] = [
        i for i in topics if i.topic.strip() not in studied and i not in facts.lists["plan_items_missed"]
    ]
    subs = list(read.of_year(m.Subscription, year))
    facts.add("subscriptions", "党报党刊征订", "种", subs)
    facts.add("subscription_copies", "征订份数", "份", subs, value=sum(s.copies for s in subs))
    # this year's key points and next year's (the plan the summary ends on), in one query
    plans_of = list(read(m.WorkPlanItem).filter(year__in=(year, year + 1)).order_by("number", "pk"))
    plan = [p for p in plans_of if p.year == year]
    facts.add("workplan", "年度工作要点任务", "项", plan)
    facts.add("workplan_done", "已完成的工作要点任务", "项", [p for p in plan if p.done])
    # a task not done is a shortfall only once its time limit has passed; before that it is planned
    facts.lists["workplan_open"] = [
        p for p in plan if not p.done and (p.due_on or facts.period.end) <= cutoff
    ]
    facts.lists["workplan_ahead"] = [
        p for p in plan if not p.done and (p.due_on or facts.period.end) > cutoff
    ]
    facts.lists["next_plan"] = [p for p in plans_of if p.year == year + 1]


def _publicity(read: Reader, facts: Facts, period: Period) -> None:
    """Publicity activities and submissions (and how the media adopted them)."""
    publicity = list(read.dated(m.Publicity, period).order_by("held_on"))
    facts.add("publicity", "宣传活动", "次", publicity, day=lambda r: r.held_on)
    facts.add("publicity_reach", "覆盖人次", "人次", publicity, value=sum(p.reach or 0 for p in publicity))
    facts.lists["publicity"] = publicity
    submissions = list(read.dated(m.Submission, period).order_by("submitted_on", "pk"))
    facts.add("submissions", "投稿", "篇", submissions, day=lambda r: r.submitted_on)
    adopted = [
        s
        for s in submissions
        if s.status == "adopted" and (s.published_on is None or s.published_on <= (facts.as_of or date.max))
    ]
    facts.lists["adopted"] = adopted
    facts.add("adopted", "被媒体采用", "篇", adopted, day=lambda r: r.published_on)
    levels = Counter(s.level for s in adopted)
    for level, label in m.SubmissionLevel.choices:
        outlet = label if label.endswith("媒体") else f"{label}媒体"
        facts.add(f"adopted_{level}", f"被{outlet}采用", "篇", [s for s in adopted if s.level == level])
    high = [s for s in adopted if s.level in ("central", "province")]
    facts.add("adopted_high", "被省级以上媒体采用", "篇", high)
    facts.lists["adopted_levels"] = [
        (label, levels[level]) for level, label in m.SubmissionLevel.choices if levels[level]
    ]


def _positions(read: Reader, facts: Facts, period: Period) -> None:
    """Positions standing at the period's end, their inspections, publication reviews, public opinion."""
    # positions stand from the day they opened: those open at the period's end
    positions = list(
        read(m.Position)
        .filter(models.Q(opened_on__isnull=True) | models.Q(opened_on__lte=period.end))
        .exclude(state="closed", closed_on__lte=period.end)
    )
    facts.add("positions", "意识形态阵地", "个", positions)
    facts.lists["position_kinds"] = sorted(
        Counter(p.get_kind_display() for p in positions).items(), key=lambda kv: -kv[1]
    )
    inspections = [
        InspectionRow(pk, day, problems, Named(position, name))
        for pk, day, problems, position, name in read.dated(m.PositionInspection, period)
        .order_by("inspected_on", "pk")
        .values_list("pk", "inspected_on", "problems", "position_id", "position__name")
    ]
    facts.lists["inspections"] = inspections
    facts.add("inspections", "阵地检查", "次", inspections, day=lambda r: r.inspected_on)
    facts.add(
        "inspection_problems", "检查发现问题", "个", inspections, value=sum(i.problems for i in inspections)
    )
    reviews = list(read.dated(m.PublicationReview, period).order_by("drafted_on"))
    rejected_ids = set(
        read(m.ReviewStep)
        .filter(review__in=[r.pk for r in reviews], verdict="reject")
        .values_list("review_id", flat=True)
        if reviews
        else ()
    )
    facts.add("reviews_rejected", "审核中被退回修改", "篇", [r for r in reviews if r.pk in rejected_ids])
    facts.add("reviews", "信息发布审核", "篇", reviews, day=lambda r: r.drafted_on)
    facts.add(
        "reviews_passed",
        "经“三审”通过发布",
        "篇",
        [r for r in reviews if r.stage in ("approved", "published")],
    )
    opinions = list(read.dated(m.PublicOpinion, period).order_by("found_on"))
    facts.add("opinions", "涉及本单位的舆情", "起", opinions, day=lambda r: r.found_on)
    closed = [
        o for o in opinions if o.closed and (o.closed_on is None or o.closed_on <= (facts.as_of or date.max))
    ]
    facts.add("opinions_closed", "处置完毕的舆情", "起", closed)
    facts.lists["opinions"] = opinions


def _analyses(read: Reader, facts: Facts, period: Period) -> None:
    """Analyses with their risks, and reports and inspections."""
    analyses = list(read.dated(m.Analysis, period).order_by("held_on"))
    facts.add("analyses", "意识形态领域形势分析研判", "次", analyses, day=lambda r: r.held_on)
    risks = _risks(read, analyses)
    facts.lists["risks"] = risks
    facts.add("risks", "排查风险点", "个", risks)
    # a risk whose rectification is still open on the cutoff is not resolved, whatever its flag says
    linked = [r.rectification_id for r in risks if r.rectification_id]
    still_open = set(
        read(m.Rectification)
        .filter(pk__in=linked)
        .filter(models.Q(state__in=OPEN_STATES) | models.Q(completed_on__gt=facts.as_of or date.max))
        .values_list("pk", flat=True)
        if linked
        else ()
    )
    resolved = [r for r in risks if r.resolved and r.rectification_id not in still_open]
    facts.add("risks_resolved", "已化解的风险点", "个", resolved)
    facts.lists["analyses"] = analyses
    facts.lists["risks_open"] = [r for r in risks if r not in resolved]
    # the same risk raised at several analyses is one risk point, counted once: its latest record
    # stands for it, and it is resolved only if that record is and none of its rectifications is open
    groups: dict[str, list[Any]] = {}
    for r in risks:
        groups.setdefault(r.description.strip(), []).append(r)
    latest = [rs[-1] for rs in groups.values()]
    facts.add("risk_kinds", "排查风险点（同一风险点多次提出的计为1个）", "个", latest)
    settled = [
        rs[-1]
        for rs in groups.values()
        if rs[-1] in resolved and not any(r.rectification_id in still_open for r in rs if r.rectification_id)
    ]
    facts.add("risk_kinds_resolved", "已化解的风险点（按风险点计）", "个", settled)
    facts.lists["risk_groups"] = list(groups.values())
    facts.lists["risk_kinds_open"] = [r for r in latest if r not in settled]
    reports = list(read.dated(m.ReportRecord, period).order_by("held_on"))
    facts.add("reports", "报告与督查", "次", reports, day=lambda r: r.held_on)
    facts.add(
        "reports_up",
        "向上级报告意识形态工作",
        "次",
        [r for r in reports if r.kind in ("half_year", "annual", "special")],
    )
    facts.lists["reports"] = reports
    facts.add("inspected", "接受督查检查", "次", [r for r in reports if r.kind == "inspected"])
    facts.add("inspecting", "开展督查检查", "次", [r for r in reports if r.kind == "inspecting"])


def _risks(read: Reader, analyses: list[Any]) -> list[Any]:
    """The analyses' risks, each with its analysis from the list already read (not read again)."""
    if not analyses:
        return []
    by_pk = {a.pk: a for a in analyses}
    risks = list(read(m.Risk).filter(analysis__in=list(by_pk)).order_by("analysis__held_on", "pk"))
    for r in risks:
        r.analysis = by_pk[r.analysis_id]
    return risks


def _rectifications(read: Reader, facts: Facts, period: Period) -> None:
    """Rectifications: found in the period, closed, open and overdue."""
    end = period.end  # the last day whose records count
    # the state on the document's date: a rectification closed after it is still open in it
    state_day = facts.as_of or date.max

    def is_open(r: Any) -> bool:
        return r.state in OPEN_STATES or (r.completed_on is not None and r.completed_on > state_day)

    # one query for both: those found in the period, and those found by its end still open
    rows = list(
        read(m.Rectification)
        .filter(found_on__lte=end)
        .filter(
            models.Q(found_on__gte=period.start)
            | models.Q(state__in=OPEN_STATES)
            | models.Q(completed_on__gt=state_day)
        )
        .select_related("owner")
        .order_by("found_on", "pk")
    )
    found = [r for r in rows if r.found_on >= period.start]
    facts.add("rectifications", "梳理问题", "个", found, day=lambda r: r.found_on)
    closed = [r for r in found if not is_open(r)]
    facts.add("rectifications_closed", "已整改完成", "个", closed, day=lambda r: r.completed_on)
    facts.add("rectifications_open", "正在整改", "个", [r for r in found if is_open(r)])
    facts.lists["rectifications"] = found
    standing = sorted((r for r in rows if is_open(r)), key=lambda r: (r.deadline, r.pk))
    limit = min(timezone.localdate(), end + timedelta(days=1))
    overdue = [r for r in standing if r.deadline < limit]
    facts.add("rectifications_overdue", "逾期未完成整改", "个", overdue, day=lambda r: r.deadline)
    facts.lists["overdue"] = overdue
    facts.lists["open_rectifications"] = standing


def missed_rules(unit: Any, year: int, *, user: Any = None, until: date | None = None) -> list[Any]:
    """The responsibility rules' periods that were missed (rules engine), up to `until`: a period
    whose due day comes after `until` is still open on that day, never a shortfall."""
    return rule_cells(unit, year, user=user, until=until)[0]


def rule_cells(
    unit: Any, year: int, *, user: Any = None, until: date | None = None
) -> tuple[list[Any], list[Any]]:
    """(missed, still due) periods of the unit's rules as they stood on `until` (today if None)."""
    from taizhang.rules.engine import DUE, MISSED
    from taizhang.rules.services import evaluate_units

    today = min(until, timezone.localdate()) if until else None
    [result] = evaluate_units([unit], year, user=user, today=today)
    cells = [c for cells in result.cells.values() for c in cells]
    missed = [c for c in cells if c.status == MISSED and (until is None or c.period.deadline <= until)]
    due = [c for c in cells if c.status == DUE or (c.status == MISSED and c not in missed)]
    return missed, due


def rules_of(unit: Any, year: int, *, user: Any = None) -> list[Any]:
    """The unit's effective rules of a year (inherited and local), without evaluating them; a rule
    the engine cannot evaluate (无法计算) is left out of the duties a document states."""
    from taizhang.rules import engine
    from taizhang.rules.models import LocalRule

    ancestors = [int(x) for x in unit.path.strip("/").split("/") if x]
    own = list(LocalRule.objects.readable(user).filter(unit_id__in=ancestors))
    rules = engine.effective_rules([unit], year, own, ledgers=REGISTRY)
    return [r for r in rules[unit.pk] if not r.problem]
