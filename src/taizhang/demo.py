"""The demonstration province: a small tree of meteorological bureaus and the test cast's accounts.

Idempotent: a second run finds everything in place and changes nothing. It refuses to touch a
database that holds anything but demo data.
"""

from __future__ import annotations

import os
import secrets
import string
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .core.context import acting
from .core.services import record_create
from .ledger.models import Meeting, MeetingKind
from .orgs import services
from .orgs.models import Membership, Unit, UnitKind, User
from .orgs.roles import AdminRole, Role


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
    ("secretary", "王建国", "", [("demo-dist", Role.SECRETARY, "局长、党支部书记")]),
    ("leader", "李明华", "", [("demo-dist", Role.LEADER, "副局长")]),
    (
        "clerk",
        "张晓燕",
        "",
        [("demo-dist", Role.CLERK, "办公室主任"), ("demo-dist-branch", Role.CLERK, "支部组织委员")],
    ),
    ("member", "刘洋", "", [("demo-dist", Role.MEMBER, "预报员")]),
    ("inspector", "陈志强", "", [("demo-city", Role.INSPECTOR, "市局办公室副主任")]),
    ("outsider", "赵丽", "", [("demo-east", Role.CLERK, "办公室科员")]),
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
    ("outsider", "东区气象局 联络员"),
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
    if foreign_units.exists() or foreign_users.exists():
        raise DemoRefused(
            "数据库中已有非演示数据，拒绝写入演示数据。请使用新的数据目录（TAIZHANG_DATA_DIR）。"
        )


def build_demo() -> tuple[str, bool]:
    """Returns the demo password and whether anything was created."""
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
                user.set_password(password)
                user.save(update_fields=["password"])
            for code, role, title in roles:
                if not Membership.objects.live().filter(user=user, unit=units[code], role=role).exists():
                    services.membership_grant(
                        acting_user=None, user=user, unit=units[code], role=role, title=title
                    )
                    created = True
        if not Meeting.objects.filter(unit=units["demo-dist"]).exists():
            _demo_meetings(units["demo-dist"], User.objects.get(username="clerk"))
            created = True
    return password, created


def _demo_meetings(unit: Unit, clerk: User) -> None:
    secretary = User.objects.get(username="secretary")
    leader = User.objects.get(username="leader")
    member = User.objects.get(username="member")
    today = timezone.localdate()
    year = today.year
    plan = [
        (1, 15, MeetingKind.PARTY_GROUP, "党组会议专题研究意识形态工作", secretary),
        (2, 20, MeetingKind.CENTRAL_STUDY, "理论学习中心组第一次集中学习", secretary),
        (3, 28, MeetingKind.ANALYSIS, "第一季度意识形态形势分析研判会议", leader),
        (4, 18, MeetingKind.THEME_DAY, "“世界气象日”主题党日活动", secretary),
        (5, 22, MeetingKind.STAFF_STUDY, "干部职工集中学习：气象法律法规", leader),
        (6, 26, MeetingKind.ANALYSIS, "第二季度意识形态形势分析研判会议", leader),
        (7, 1, MeetingKind.PARTY_LECTURE, "书记讲党课：坚守气象服务初心", secretary),
        (8, 19, MeetingKind.CENTRAL_STUDY, "理论学习中心组第二次集中学习", secretary),
        (9, 25, MeetingKind.ANALYSIS, "第三季度意识形态形势分析研判会议", leader),
        (10, 16, MeetingKind.SPECIAL, "意识形态工作专题会议", secretary),
        (11, 12, MeetingKind.BRANCH_COMMITTEE, "支委会：研究年度组织生活会准备工作", secretary),
    ]
    tz = timezone.get_current_timezone()
    for month, day, kind, title, host in plan:
        held = datetime(year, month, day, 9, 0, tzinfo=tz)
        if held.date() > today:
            held = datetime(year - 1, month, day, 9, 0, tzinfo=tz)
        record_create(
            acting_user=clerk,
            m2m={"attendees": [secretary, leader, clerk, member]},
            instance=Meeting(
                unit=unit,
                kind=kind,
                title=title,
                held_at=held,
                place="局三楼会议室",
                host=host,
                expected=12,
                present=11 if month % 3 else 12,
                agenda=f"{title}。",
                content="传达学习上级有关文件精神，结合本单位气象服务工作研究贯彻落实措施。",
                minutes="会议由主持人传达学习有关精神，与会人员结合分管工作逐一发言。",
                decisions="形成会议纪要，明确责任分工和完成时限。",
                hours=Decimal("2.0"),
            ),
        )
