"""The demonstration province: a small tree of meteorological bureaus and the test cast's accounts.

Idempotent: a second run finds everything in place and changes nothing. It refuses to touch a
database that holds anything but demo data.
"""

from __future__ import annotations

import os
import secrets
import string
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .core import audit
from .core.context import acting
from .core.services import record_create
from .demo_ledgers import Cast, build_unit_years
from .demo_library import build_library
from .ledger.models import Meeting
from .orgs import services
from .orgs.models import Membership, Unit, UnitKind, User
from .orgs.roles import AdminRole, Role
from .rules.models import LocalAction, LocalRule


class DemoRefused(Exception):
    pass


# code, name, short name, kind, party organisation, parent code
UNITS = [
    ("demo-prov", "省气象局", "省气象局", UnitKind.PROVINCE, "省气象局党组", None),
    ("demo-city", "市气象局", "市气象局", UnitKind.CITY, "市气象局党组", "demo-prov"),
    ("demo-dist", "区气象局", "区气象局", UnitKind.COUNTY, "区气象局党支部", "demo-city"),
    ("demo-dist-branch", "区气象局党支部", "区局党支部", UnitKind.BRANCH, "区气象局党支部", "demo-dist"),
    ("demo-east", "东区气象局", "东区气象局", UnitKind.COUNTY, "东区气象局党支部", "demo-city"),
    ("demo-west", "西区气象局", "西区气象局", UnitKind.COUNTY, "西区气象局党支部", "demo-city"),
]

# username, full name, admin role, [(unit code, role, title)]
PEOPLE = [
    ("secretary", "罗建国", "", [("demo-dist", Role.SECRETARY, "局长、党支部书记")]),
    ("leader", "梁明华", "", [("demo-dist", Role.LEADER, "副局长")]),
    (
        "clerk",
        "张晓燕",
        "",
        [("demo-dist", Role.CLERK, "办公室主任"), ("demo-dist-branch", Role.CLERK, "支部组织委员")],
    ),
    ("member", "刘洋", "", [("demo-dist", Role.MEMBER, "预报员")]),
    ("inspector", "陈志强", "", [("demo-city", Role.INSPECTOR, "市局办公室副主任")]),
    ("city_secretary", "高立国", "", [("demo-city", Role.SECRETARY, "市局党组书记、局长")]),
    ("outsider", "许丽", "", [("demo-east", Role.CLERK, "办公室科员")]),
    ("east_secretary", "韩国栋", "", [("demo-east", Role.SECRETARY, "局长、党支部书记")]),
    # a third person at each sibling, so that its 三审 has three different reviewers
    ("east_leader", "邓悦", "", [("demo-east", Role.LEADER, "副局长")]),
    ("west_secretary", "曹文斌", "", [("demo-west", Role.SECRETARY, "局长、党支部书记")]),
    ("west_clerk", "黄静", "", [("demo-west", Role.CLERK, "办公室主任")]),
    ("west_leader", "何平", "", [("demo-west", Role.LEADER, "副局长")]),
    ("sysadmin", "系统管理员", AdminRole.SYSTEM, []),
    ("secadmin", "安全管理员", AdminRole.SECURITY, []),
    ("auditor", "审计管理员", AdminRole.AUDIT, []),
]

ACCOUNTS = [
    ("secretary", "区气象局 第一责任人"),
    ("leader", "区气象局 直接责任人"),
    ("clerk", "区气象局、区局党支部 联络员"),
    ("member", "区气象局 成员"),
    ("inspector", "市气象局 上级检查"),
    ("city_secretary", "市气象局 第一责任人"),
    ("outsider", "东区气象局 联络员"),
    ("east_secretary", "东区气象局 第一责任人"),
    ("east_leader", "东区气象局 直接责任人"),
    ("west_secretary", "西区气象局 第一责任人"),
    ("west_clerk", "西区气象局 联络员"),
    ("west_leader", "西区气象局 直接责任人"),
    ("sysadmin", "系统管理员"),
    ("secadmin", "安全管理员"),
    ("auditor", "审计管理员"),
]


def demo_password() -> str:
    configured = os.environ.get("TAIZHANG_DEMO_PASSWORD", "")
    if configured:
        return configured
    stored = settings.DATA_DIR / "demo_password"
    if stored.exists():
        return stored.read_text().strip()
    alphabet = string.ascii_letters + string.digits
    password = "Tz-" + "".join(secrets.choice(alphabet) for _ in range(9)) + "7a"
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    stored.write_text(password)
    stored.chmod(0o600)
    return password


def _refuse_foreign_data() -> None:
    codes = {u[0] for u in UNITS}
    names = {p[0] for p in PEOPLE}
    foreign_units = Unit.objects.exclude(code__in=codes)
    foreign_users = User.objects.exclude(username__in=names)
    # Accounts without the demo's units are a real install's (install.sh creates sysadmin, secadmin
    # and auditor, the demo's own names): building the demo there would reset their passwords.
    real_install = User.objects.exists() and not Unit.objects.filter(code__in=codes).exists()
    if foreign_units.exists() or foreign_users.exists() or real_install:
        raise DemoRefused(
            "数据库中已有非演示数据，拒绝写入演示数据。请使用新的数据目录（TAIZHANG_DATA_DIR）。"
        )


def build_demo(*, light: bool = False) -> tuple[str, bool]:
    """Returns the demo password and whether anything was created. `light` builds one past year
    with a few records of every ledger (for tests) instead of last year in full and this year to date."""
    password = demo_password()
    with acting(channel="cli"), transaction.atomic():
        _refuse_foreign_data()
        created = False
        units: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}
        for code, name, short, kind, party, parent in UNITS:
            if code not in units:
                units[code] = services.unit_create(
                    acting_user=None,
                    code=code,
                    name=name,
                    short_name=short,
                    kind=kind,
                    party_org_name=party,
                    parent=units[parent] if parent else None,
                )
                created = True
        for username, full_name, admin_role, roles in PEOPLE:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    acting_user=None,
                    username=username,
                    full_name=full_name,
                    password=password,
                    admin_role=admin_role,
                    must_change_password=False,
                )
                created = True
            elif not user.check_password(password):
                # TAIZHANG_DEMO_PASSWORD changed since the last run: the demo accounts follow it
                user.set_password(password)
                user.save(update_fields=["password"])
                audit.record(action="password_reset", obj=user, actor_name="演示数据")
            for code, role, title in roles:
                if not Membership.objects.live().filter(user=user, unit=units[code], role=role).exists():
                    services.membership_grant(
                        acting_user=None, user=user, unit=units[code], role=role, title=title
                    )
                    created = True
        if not Meeting.objects.filter(unit=units["demo-dist"]).exists():
            _demo_ledgers(units, light=light)
            created = True
    return password, created


def _cast_of(unit: Unit, outside: list[tuple[str, str, str]]) -> Cast:
    roles = {m.role: m.user for m in Membership.objects.live().filter(unit=unit).select_related("user")}
    members = list(
        User.objects.filter(memberships__unit=unit, memberships__deleted_at__isnull=True).distinct()
    )
    return Cast(
        clerk=roles.get(Role.CLERK) or roles[Role.SECRETARY],
        secretary=roles[Role.SECRETARY],
        leader=roles.get(Role.LEADER),
        members=members,
        outside_leaders=outside,
    )


def _demo_schemes(units: dict[str, Unit], year: int) -> None:
    """The city's assessment of its county bureaus, and the district's of its party branch."""
    from decimal import Decimal

    from .rules.models import AssessmentScheme, Indicator

    issuers = [
        (
            units["demo-city"],
            User.objects.get(username="city_secretary"),
            f"{year}年度所属单位意识形态工作责任制考核细则",
        ),
        (units["demo-dist"], User.objects.get(username="secretary"), f"{year}年度党支部意识形态工作考核细则"),
    ]
    # 100 points over 学习, 责任落实, 宣传, 阵地管理 and 研判、整改 (the county bureaus have a 党支部, no
    # 党组: their 支委会 studies ideology work, scored from its minutes)
    items = [
        ("理论学习中心组按计划集中学习", "10", "manual", "", None, "计划学习专题每少组织1个扣2分"),
        ("主题党日每月开展", "10", "rule", "theme-day", "1", "每缺1个月扣1分"),
        ("调整领导小组、签订责任书", "5", "manual", "", None, "未调整领导小组扣3分，责任书未签订到人扣2分"),
        ("支委会专题研究意识形态工作", "10", "manual", "", None, "每半年不少于1次，缺1次扣5分"),
        ("支委会每月召开", "10", "rule", "branch-committee", "1", "每缺1个月扣1分"),
        ("宣传教育和新闻宣传", "10", "manual", "", None,
         "全年宣传活动不少于6次、省级以上媒体采用稿件不少于12篇，每项未达到扣3分"),
        ("阵地管理规范，无负面舆情", "15", "manual", "", None, "查阅阵地检查记录和舆情台账，酌情评分"),
        ("每季度开展分析研判", "15", "rule", "analysis-quarterly", "4", "每缺1个季度扣4分"),
        ("按时报送半年专题报告", "10", "rule", "half-year-report", "5", "逾期或未报送每次扣5分"),
        ("问题整改按期完成", "5", "manual", "", None, "每有1项逾期未完成扣1分"),
    ]  # fmt: skip
    schemes = []
    for unit, issuer, title in issuers:
        scheme = record_create(
            acting_user=issuer,
            instance=AssessmentScheme(unit=unit, year=year, title=title, note="对照台账记录逐项评分。"),
        )
        schemes.append(scheme)
        for number, (name, points, method, rule_id, deduction, criteria) in enumerate(items, start=1):
            record_create(acting_user=issuer, instance=Indicator(
                unit=unit, scheme=scheme, number=number, name=name, points=Decimal(points), method=method,
                rule_id=rule_id, deduction=Decimal(deduction) if deduction else None, criteria=criteria,
            ))  # fmt: skip
    # demo-dist assesses itself against the city's scheme, taking the computed scores
    from .rules.services import assessment_rows, score_set

    dist, secretary = units["demo-dist"], User.objects.get(username="secretary")
    for row in assessment_rows(schemes[0], dist, user=secretary):
        score, note = _self_score(row, dist, year)
        score_set(
            acting_user=secretary,
            indicator=row.indicator,
            assessed=dist,
            scorer_unit=dist,
            score=score,
            note=note,
        )


def _self_score(row: Any, unit: Unit, year: int) -> tuple[Any, str]:
    """The district's own score of one indicator: the computed one where a rule computes it; the
    支委会's special studies by their minutes (5 points for each half-year without one); the rest
    by hand, a point off for what the inspections found."""
    if row.computed is not None:
        return row.computed, f"缺 {row.missed} 期" if row.missed else ""
    name = row.indicator.name
    if "阵地" in name:
        return _position_score(row, unit, year)
    if "支委会专题研究" not in name:
        return _work_score(row, unit, year)
    studied = [
        timezone.localtime(m.held_at).date()
        for m in Meeting.objects.filter(
            unit=unit, kind="branch_committee", held_at__year=year, title__contains="意识形态"
        ).order_by("held_at")
    ]
    halves = {"上半年": [d for d in studied if d.month <= 6], "下半年": [d for d in studied if d.month > 6]}
    missed = [half for half, days in halves.items() if not days]
    said = "、".join(f"{d.month}月{d.day}日" for d in studied)
    note = f"{said}召开支委会专题研究意识形态工作" if studied else "全年未召开支委会专题研究意识形态工作"
    if missed and studied:
        note += f"，{'、'.join(missed)}未专题研究"
    return max(row.indicator.points - 5 * len(missed), 0), note


def _work_score(row: Any, unit: Unit, year: int) -> tuple[Any, str]:
    """The study plan's, the leading group's, the publicity's and the rectifications' indicators by
    the year's records, as their criteria deduct."""
    from datetime import date

    from .ledger import models as lm

    name, points = row.indicator.name, row.indicator.points
    if "学习" in name:
        planned = lm.StudyPlanItem.objects.filter(unit=unit, plan__year=year, plan__scope="central")
        held = planned.filter(sessions__isnull=False).distinct().count()
        left = planned.count() - held
        said = f"计划学习专题{planned.count()}个，组织学习{held}个"
        return max(points - 2 * left, 0), said + (f"，{left}个未组织" if left else "")
    if "领导小组" in name:
        return _group_score(unit, year, points)
    if "宣传" in name:
        held = lm.Publicity.objects.filter(unit=unit, held_on__year=year).count()
        high = lm.Submission.objects.filter(
            unit=unit, submitted_on__year=year, status="adopted", level__in=["central", "province"]
        ).count()
        lost = 3 * ((held < 6) + (high < 12))
        short = "".join(
            f"，{what}{n}{unit}，未达到不少于{least}{unit}的要求"
            for what, n, least, unit in (
                ("开展宣传活动", held, 6, "次"),
                ("省级以上媒体采用稿件", high, 12, "篇"),
            )
            if n < least
        )
        return points - lost, short[1:] or f"开展宣传活动{held}次，省级以上媒体采用稿件{high}篇"
    # as the year closed: due in it and not closed by its last day (the self-score is of that day)
    end = date(year, 12, 31)
    late = [
        r.problem
        for r in lm.Rectification.objects.filter(unit=unit, found_on__year=year, deadline__lt=end)
        if r.completed_on is None or r.completed_on > end
    ]
    if not late:
        return points, "当年整改事项均按期完成"
    named = "、".join(f"“{p.split('：', 1)[-1].rstrip('。')}”" for p in late)  # no 对外合作： head
    return max(points - len(late), 0), f"{named}{len(late)}项整改至年底仍未完成"


def _group_score(unit: Unit, year: int, points: Any) -> tuple[Any, str]:
    """The leading group adjusted and the 责任书 signed, told by the day and the document."""
    from .ledger import models as lm

    group = lm.LeadingGroupMember.objects.filter(unit=unit, year=year)
    signed = lm.ResponsibilityItem.objects.filter(unit=unit, year=year, signed_on__isnull=False)
    lost = (0 if group.exists() else 3) + (0 if signed.exists() else 2)
    said = []
    appointed = (
        group.exclude(appointed_on=None).order_by("appointed_on").values_list("appointed_on", "document_no")
    )
    for day, no in appointed[:1]:
        assert day is not None
        said.append(f"{day.month}月{day.day}日发文调整意识形态工作领导小组" + (f"（{no}）" if no else ""))
    for day in signed.order_by("signed_on").values_list("signed_on", flat=True)[:1]:
        assert day is not None
        said.append(f"{day.month}月{day.day}日与{signed.count()}名责任人签订意识形态工作责任书")
    if not group.exists():
        said.append("未调整领导小组")
    if not signed.exists():
        said.append("责任书未签订到人")
    return points - lost, "，".join(said)


def _position_score(row: Any, unit: Unit, year: int) -> tuple[Any, str]:
    """The positions' indicator by the year's records: a point off for every eight problems the
    position inspections found (at least one when any), and one for each 舆情 still open."""
    from django.db.models import Sum

    from .ledger.models import PositionInspection, PublicOpinion

    inspections = PositionInspection.objects.filter(unit=unit, inspected_on__year=year)
    found = inspections.aggregate(n=Sum("problems"))["n"] or 0
    still = PublicOpinion.objects.filter(unit=unit, found_on__year=year, closed=False).count()
    lost = min((1 + found // 8 if found else 0) + still, int(row.indicator.points))
    # the writer states the counts beside the score: the note gives the reason
    note = (
        "阵地检查发现的问题较多，内容更新和审核把关仍有薄弱环节" if found >= 8
        else "阵地检查发现少量问题，已督促整改" if found else ""
    )  # fmt: skip
    if still:
        note += f"{'，' if note else ''}另有{still}起舆情尚未办结"
    return row.indicator.points - lost, note


def _demo_declared(unit: Unit, year: int, clerk: Any) -> None:
    """Samples of every kind that declares its own (Kind.demo), written as the clerk would."""
    from .core import kinds

    for kind in list(kinds.REGISTRY.values()):
        for instance in kind.demo(unit, year, clerk) if kind.demo else ():
            record_create(acting_user=clerk, instance=instance)


def _demo_ledgers(units: dict[str, Unit], *, light: bool) -> None:
    year = timezone.localdate().year
    dist = _cast_of(units["demo-dist"], [("彭立新", "副局长", "业务"), ("曾海波", "纪检组长", "纪检监察")])
    # a rule of the district's own, beside the inherited set
    record_create(
        acting_user=dist.secretary,
        instance=LocalRule(
            unit=units["demo-dist"], action=LocalAction.ADD, rule_id="half-year-publicity",
            name="每半年开展一次气象科普宣传活动", source="区气象局党支部年度工作要点", ledger="publicity",
            period="half", threshold=1, reason="结合气象防灾减灾宣传任务",
        ),
    )  # fmt: skip
    build_unit_years(units["demo-dist"], dist, [year - 1] if light else [year - 1, year], light=light)
    _demo_schemes(units, year - 1)
    from .orgs.models import User

    build_library(units, dist, User.objects.get(username="city_secretary"), light=light)
    _demo_declared(units["demo-dist"], year - 1, dist.clerk)
    if light:
        return
    # last year's summary, drafted by the clerk and finalised by the secretary; this year's key points
    from taizhang.reports import services as reports

    summary = reports.document_generate(
        acting_user=dist.clerk, unit=units["demo-dist"], kind="annual", year=year - 1
    )
    reports.version_finalise(acting_user=dist.secretary, version=summary.versions.get())
    reports.document_generate(acting_user=dist.clerk, unit=units["demo-dist"], kind="keypoints", year=year)
    for code, outside in [
        ("demo-east", [("肖卫东", "副局长", "业务")]),
        ("demo-west", [("冯志刚", "副局长", "综合")]),
    ]:
        # the siblings keep a full year too, each its own (demo_ledgers.PROFILES)
        build_unit_years(units[code], _cast_of(units[code], outside), [year - 1, year], light=False)
    _demo_sibling_scores(units, year - 1)
    _demo_city(units, year - 1)
    _demo_city_marks(units, year - 1)
    _demo_city(units, year, CITY_MEETINGS_NOW)
    _demo_settings(units)
    from .notices.demo import build_notices
    from .notify.demo import build_reminders

    build_reminders(units)  # today's 事前提醒 in 消息中心; `make demo` runs the worker that sends them
    build_notices(units)  # the city's notice for this half-year's report and the units' answers


def _demo_sibling_scores(units: dict[str, Unit], year: int) -> None:
    """东区 and 西区 assess themselves against the city's scheme too, so that its roll-up has every
    unit's result (the computed scores where a rule computes them, the rest by their records)."""
    from .rules.models import AssessmentScheme
    from .rules.services import assessment_rows, score_set

    scheme = AssessmentScheme.objects.filter(unit=units["demo-city"], year=year).first()
    if scheme is None:
        return
    for code in ("demo-east", "demo-west"):
        unit = units[code]
        secretary = _cast_of(unit, []).secretary
        for row in assessment_rows(scheme, unit, user=secretary):
            score, note = _self_score(row, unit, year)
            score_set(
                acting_user=secretary,
                indicator=row.indicator,
                assessed=unit,
                scorer_unit=unit,
                score=score,
                note=note,
            )


# where a problem the city's 专项检查 fed back belongs among the scheme's hand-scored indicators
# (the first whose words it holds): what the city's 考核 deducts for it
MARKED = (
    ("阵地", ("三审", "审核", "终审", "公众号", "显示屏", "巡检", "展板", "转载", "阵地")),
    ("学习", ("学习", "研讨")),
    ("支委会专题研究", ("支委会",)),
    ("宣传", ("宣传", "科普", "稿件")),
    ("领导小组", ("领导小组", "责任书")),
)


def _marked(problem: str, indicator: str) -> bool:
    """Whether a problem fed back belongs to the indicator: the first MARKED entry holding its words."""
    key = next((key for key, words in MARKED if any(w in problem for w in words)), None)
    return key is not None and key in indicator


def _demo_city_marks(units: dict[str, Unit], year: int) -> None:
    """The city 党组's 考核 of its units for a year past: the computed score where a rule computes
    it, else the unit's own score with half a point off for each problem the city's 专项检查 fed
    back in that indicator's work, said in the note."""
    from decimal import Decimal

    from .reports.facts_more import inspection_feedback
    from .rules.models import AssessmentScheme
    from .rules.services import assessment_rows, score_set

    city, secretary = units["demo-city"], User.objects.get(username="city_secretary")
    scheme = AssessmentScheme.objects.filter(unit=city, year=year).first()
    if scheme is None:
        return
    assessed = [units[c] for c in ("demo-dist", "demo-east", "demo-west")]
    fed = {x.unit.pk: x for x in inspection_feedback(city, assessed, year, user=secretary)}
    for unit in assessed:
        found = fed.get(unit.pk)
        for row in assessment_rows(scheme, unit, user=secretary):
            if row.self_score is None:
                continue
            score, note = row.self_score.score, "按台账记录核定，同意自评"
            if row.computed is not None:
                score, note = row.computed, "按台账记录计算"
            elif found is not None:  # each problem deducted once, under the first indicator it belongs to
                hits = [
                    r.problem.strip().rstrip("。")
                    for r in found.items
                    if _marked(r.problem, row.indicator.name)
                ]
                if hits:
                    lost = Decimal("0.5") * len(hits)
                    score = max(score - lost, Decimal(0))
                    note = f"{found.day.month}月专项检查发现“{'”“'.join(hits)}”，扣{lost.normalize()}分"
            score_set(
                acting_user=secretary,
                indicator=row.indicator,
                assessed=unit,
                scorer_unit=city,
                score=score,
                note=note,
            )


# the city 党组's own year: its meetings on ideology work and its 中心组 study (month, day, title, content)
CITY_MEETINGS = [
    (1, 23, "party_group", "党组会议专题研究部署全年意识形态工作",
     "审议全系统意识形态工作要点，明确党组成员分工和对所属单位的督导安排。"),
    (3, 18, "central_study", "党组理论学习中心组集中学习：学习贯彻全国两会精神",
     "政府工作报告有关气象防灾减灾的部署。"),
    (6, 17, "central_study", "党组理论学习中心组集中学习：习近平总书记关于意识形态工作的重要论述",
     "《习近平关于意识形态工作论述摘编》相关章节。"),
    (7, 22, "party_group", "党组会议听取上半年系统意识形态工作情况汇报",
     "听取所属单位上半年专题报告汇总情况，研究部署9月专项检查。"),
    (9, 16, "central_study", "党组理论学习中心组集中学习：网络意识形态安全",
     "《网络信息内容生态治理规定》，结合所属单位新媒体阵地管理开展研讨。"),
    (11, 11, "central_study", "党组理论学习中心组专题学习：学习贯彻党的二十届四中全会精神",
     "全会公报和《中共中央关于制定国民经济和社会发展第十五个五年规划的建议》，结合本系统“十五五”规划编制开展研讨。"),
    (12, 16, "central_study", "党组理论学习中心组集中学习：深入贯彻中央八项规定精神",
     "中央八项规定及其实施细则精神，结合年度民主生活会对照检查开展研讨。"),
]  # fmt: skip


# this year's, up to today: other topics; its H1 report on time, as last year's roll-up promised
CITY_MEETINGS_NOW = [
    (1, 27, "party_group", "党组会议专题研究部署全年意识形态工作",
     "审议全系统意识形态工作要点，听取上年度所属单位考核情况，研究本年度督导安排。"),
    (3, 19, "central_study", "党组理论学习中心组集中学习：学习贯彻全国两会精神和“十五五”规划纲要",
     "政府工作报告、“十五五”规划纲要有关气象防灾减灾和气象高质量发展的部署。"),
    (5, 26, "central_study", "党组理论学习中心组集中学习：总体国家安全观",
     "《总体国家安全观学习纲要》有关章节，结合气象数据安全开展研讨。"),
    (7, 9, "party_group", "党组会议听取上半年系统意识形态工作情况汇报",
     "听取所属单位上半年专题报告汇总情况，研究部署下半年专项检查。"),
    (9, 3, "central_study", "党组理论学习中心组集中学习：习近平文化思想",
     "《习近平文化思想学习纲要》有关章节，结合气象文化建设和科普宣传开展研讨。"),
    (11, 12, "central_study", "党组理论学习中心组集中学习：网络数据安全和新媒体管理",
     "《网络数据安全管理条例》，结合所属单位新媒体阵地和气象数据管理开展研讨。"),
]  # fmt: skip


def _demo_city(units: dict[str, Unit], year: int, meetings: list[Any] = CITY_MEETINGS) -> None:
    """The city 党组's own meetings of the year up to today (its inspections of the units are in
    their ledgers)."""
    from datetime import date, datetime, time, timedelta
    from decimal import Decimal

    city, secretary = units["demo-city"], User.objects.get(username="city_secretary")
    people = list(User.objects.filter(username__in=["city_secretary", "inspector"]))
    today = timezone.localdate()
    for month, day, kind, title, content in meetings:
        if date(year, month, day) >= today:
            continue
        begins = datetime.combine(date(year, month, day), time(9), tzinfo=timezone.get_current_timezone())
        record_create(
            acting_user=secretary,
            instance=Meeting(
                unit=city, kind=kind, title=title, held_at=begins, ends_at=begins + timedelta(hours=2),
                place="市局五楼党组会议室", host=secretary, expected=9, present=8 if month % 2 else 9,
                agenda="一、传达学习有关精神；二、研究有关事项。", content=content,
                minutes="党组成员结合分管领域逐一发言，研究提出下一步工作要求。", decisions="会后印发会议纪要，分工抓好落实。",
                hours=Decimal("2.5") if kind == "central_study" else None,
            ),
            m2m={"attendees": people},
        )  # fmt: skip
    _demo_city_reports(city, secretary, year, today, meetings is CITY_MEETINGS)


def _demo_city_reports(city: Unit, secretary: Any, year: int, today: Any, past: bool) -> None:
    """The city 党组's own reports of the year up to today: its 述职述责, 民主生活会 and half-year
    reports to the province (last year's H1 report late; this year's on time)."""
    from datetime import date

    from .ledger.models import ReportRecord

    for kind, month, day, title, summary in (  # its own 述职述责 and 民主生活会 of the year
        (
            "debrief",
            1,
            21 if past else 28,
            f"{year - 1}年度述职述责报告（意识形态部分）",
            "党组书记向省气象局党组述职述责，专门报告意识形态工作责任制落实情况。",
        ),
        (
            "life_meeting",
            12,
            23,
            "年度民主生活会意识形态工作对照检查",
            "党组班子和班子成员把落实意识形态工作责任制作为对照检查的重要内容。",
        ),
    ):
        if date(year, month, day) >= today:
            continue
        record_create(
            acting_user=secretary,
            instance=ReportRecord(
                unit=city, kind=kind, held_on=date(year, month, day), title=title, summary=summary,
                recipient="省气象局党组" if kind == "debrief" else "",
            ),
        )  # fmt: skip
    sent = ((7, 10, "上", 9), (12, 30, "下", 31)) if past else ((6, 16, "上", 8),)
    for month, day, half, no in sent:  # its own reports to the province
        if date(year, month, day) >= today:
            continue
        record_create(
            acting_user=secretary,
            instance=ReportRecord(
                unit=city, kind="half_year", held_on=date(year, month, day), recipient="省气象局党组",
                title=f"关于{year}年{half}半年系统意识形态工作情况的报告", document_no=f"市气党〔{year}〕{no}号",
                summary="报告全系统意识形态工作责任制落实情况、存在问题和下一步措施。",
            ),
        )  # fmt: skip


# each unit's 公文设置: the 机关代字 of its 发文字号 and who signs what it sends up
SETTINGS = {
    "demo-city": ("市气党", "高立国"),
    "demo-dist": ("区气党", "罗建国"),
    "demo-east": ("东气党", "韩国栋"),
    "demo-west": ("西气党", "曹文斌"),
}


def _demo_settings(units: dict[str, Unit]) -> None:
    from taizhang.reports.services import document_settings_save

    for code, (number_code, signer) in SETTINGS.items():
        unit = units[code]
        secretary = _cast_of(unit, []).secretary
        document_settings_save(acting_user=secretary, unit=unit, number_code=number_code, signer=signer)
