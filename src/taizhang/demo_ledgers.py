"""Believable ledgers for the demo units: a full last year and this year up to today.

Every record goes through the same service functions as the pages (and so into the audit log).
The text is our own, in the register of a county meteorological bureau. Deterministic: the same
unit and year always give the same records. Some requirements are left unmet on purpose (a
quarter without a position inspection, months without a branch committee meeting, overdue
rectifications), so that the year's problems have material.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .core.services import attachment_add, record_create
from .ledger import models as m
from .ledger import services as ledger_services
from .ledger.models.meetings import STUDY_KINDS
from .ledger.models.positions import ReviewStage, Verdict


@dataclass
class Cast:
    clerk: Any
    secretary: Any
    leader: Any | None
    members: list[Any]  # everyone with a role in the unit
    outside_leaders: list[tuple[str, str, str]]  # name, post, field


def png(width: int = 24, height: int = 16, rgb: tuple[int, int, int] = (176, 42, 55)) -> bytes:
    """A small real PNG (a red banner), standing in for a meeting photo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _at(d: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _workday(year: int, month: int, day: int) -> date:
    d = date(year, month, min(day, 28))
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


STUDY_TOPICS = [
    ("学习贯彻党的二十大精神和党的二十届历次全会精神", "《党的二十大报告辅导读本》、二十届历次全会公报"),
    ("学习习近平总书记关于意识形态工作的重要论述", "《习近平关于意识形态工作论述摘编》相关章节"),
    (
        "学习《党委（党组）意识形态工作责任制实施办法》",
        "《党委（党组）意识形态工作责任制实施办法》及省委实施细则",
    ),
    ("学习气象高质量发展纲要", "《气象高质量发展纲要（2022—2035年）》"),
    ("学习《中国共产党纪律处分条例》", "《中国共产党纪律处分条例》、典型案例通报"),
    ("学习网络意识形态安全有关要求", "《网络信息内容生态治理规定》、网络安全法有关条款"),
    ("学习防灾减灾救灾工作重要论述", "有关重要讲话、《气象灾害防御条例》"),
    ("学习中华优秀传统文化与文化自信", "推荐书目《之江新语》相关篇目"),
    ("学习全面从严治党新要求", "上级纪委全会精神"),
    ("学习总体国家安全观", "《总体国家安全观学习纲要》、国家安全法"),
    ("学习气象法律法规", "《中华人民共和国气象法》《气象灾害防御条例》"),
    ("学习年度意识形态工作要点", "本局年度工作要点、上级工作要点"),
]

# named activities, one chosen per unit so that two units' years differ in more than their figures
LECTURES = [
    "守好气象宣传阵地，筑牢意识形态防线",
    "以党的创新理论引领基层气象高质量发展",
    "坚定文化自信，讲好新时代气象故事",
    "牢记初心使命，做人民满意的气象工作者",
]
READINGS = ["“书香气象”读书分享会", "“悦读·气象人”读书交流会", "“强国复兴有我”青年读书分享会"]
INSPECTION_FEEDBACK = [
    "检查组反馈问题3个，主要是学习记录不够规范、宣传栏更新不及时、台账归档不完整，已于10月底前全部整改。",
    "检查组对领导小组调整和阵地管理给予肯定，反馈问题2个，已列入整改清单逐项整改。",
    "检查组查阅台账、走访阵地，反馈问题4个，涉及三审记录和学习研讨，已明确责任人限期整改。",
    "检查组听取汇报并抽查会议记录，指出研判报告内容偏简单等问题2个，要求年底前整改到位。",
    "检查组现场查看宣传栏和显示屏，对科普宣传做法给予肯定，同时指出阵地巡查记录不全的问题。",
]
SELF_CHECK = [
    "对办公室、业务科落实一岗双责情况开展自查，发现问题2个，已列入整改清单。",
    "围绕阵地管理和信息发布开展自查，发现问题1个，当月整改完成。",
    "对照责任清单逐项自查，发现学习记录不完整等问题2个，已督促整改。",
]

# what each inspection's or self-check's feedback found, as items of the 整改台账 (as many as it says)
FINDINGS = {
    INSPECTION_FEEDBACK[0]: ["学习记录不够规范", "宣传栏更新不及时", "意识形态工作资料归档不完整"],
    INSPECTION_FEEDBACK[1]: ["领导小组会议记录不够完整", "阵地责任人调整后未及时更新管理清单"],
    INSPECTION_FEEDBACK[2]: [
        "三审记录签字不全", "部分稿件终审意见缺失", "学习研讨发言记录简单", "研讨专题与学习计划衔接不够",
    ],
    INSPECTION_FEEDBACK[3]: ["分析研判报告内容偏简单", "研判会议对干部职工思想动态分析不够"],
    INSPECTION_FEEDBACK[4]: ["阵地巡查记录不全"],
    SELF_CHECK[0]: ["办公室一岗双责落实情况记录不全", "业务科未按季度报告意识形态工作情况"],
    SELF_CHECK[1]: ["阵地信息发布审核记录不完整"],
    SELF_CHECK[2]: ["学习记录不完整", "责任清单部分事项未细化到岗"],
}  # fmt: skip

# the 学习教育 of the year (the 主题教育 ended in 2024)
THEME_EDUCATION = {
    2024: "党纪学习教育专题学习研讨",
    2025: "深入贯彻中央八项规定精神学习教育专题研讨",
    2026: "学习贯彻党的二十届四中全会精神专题研讨",
}
# an even year's own events, so that two years of a unit do not read as one copied
EVEN_YEAR_FEEDBACK = [
    "检查组反馈问题2个，主要是中心组研讨发言记录简单、阵地巡查记录不全，已列入整改清单。",
    "检查组查阅会议记录和阵地台账，指出研判报告对干部职工思想动态分析不够等问题2个。",
    "检查组现场查看预警信息发布终端和宣传栏，指出终端巡检记录不全的问题，要求限期整改。",
]
EVEN_YEAR_SELF_CHECK = [
    "围绕转载内容审核和终端巡检开展自查，发现问题2个，已明确责任科室限期整改。",
    "对照年度工作要点逐项自查，发现学习笔记检查不及时等问题2个。",
]
FINDINGS.update(
    {
        EVEN_YEAR_FEEDBACK[0]: ["中心组研讨发言记录简单", "阵地巡查记录不全"],
        EVEN_YEAR_FEEDBACK[1]: ["研判报告对干部职工思想动态分析不够", "研判会议记录不够规范"],
        EVEN_YEAR_FEEDBACK[2]: ["预警信息发布终端巡检记录不全"],
        EVEN_YEAR_SELF_CHECK[0]: ["转载内容审核记录不全", "预警信息发布终端未按月巡检"],
        EVEN_YEAR_SELF_CHECK[1]: ["学习笔记检查不及时", "责任书落实情况未按季度跟踪"],
    }
)
EVEN_YEAR_PROBLEMS = [
    "中心组研讨发言准备不充分，发言提纲质量不高",
    "宣传栏内容审核记录不全",
    "预警信息发布终端（社区）巡检记录不全",
    "责任书签订后未按季度跟踪落实情况",
    "主题党日活动记录缺少签到表和现场照片",
    "转载内容白名单尚未建立",
]
EVEN_YEAR_OPINIONS = [
    (
        6,
        "网民转发往年暴雨预警截图称本地将有特大暴雨",
        "微信群",
        "通过公众号发布辟谣说明和最新预警信息，提醒转发者删除不实截图。",
    ),
    (
        8,
        "群众反映社区预警信息发布终端显示内容未及时更新",
        "12345热线",
        "派员检修终端，更新显示内容并回复来电群众。",
    ),
    (
        11,
        "网民在短视频平台评论寒潮降温预报偏差较大",
        "短视频平台",
        "业务科发布寒潮过程复盘解读，说明降温幅度预报与实况的差异。",
    ),
]

PUBLICITY = [
    (3, 23, "世界气象日主题宣传", "世界气象日", "气象科普馆开放日、微信公众号"),
    (4, 15, "全民国家安全教育日宣传", "国家安全教育日", "单位宣传栏、电子显示屏"),
    (5, 12, "防灾减灾日气象科普进社区", "防灾减灾日", "社区宣传点"),
    (6, 10, "安全生产月雷电防护宣传", "安全生产月", "企业现场、微信公众号"),
    (6, 28, "汛期气象灾害防御知识宣传", "汛期", "预警信息发布终端、微信公众号"),
    (8, 25, "节能宣传周气候资源利用宣传", "节能宣传周", "门户网站"),
    (9, 16, "全国科普日气象科普进校园", "全国科普日", "区实验小学"),
    (10, 13, "国际减灾日防灾知识宣讲", "国际减灾日", "乡镇文化站"),
    (11, 9, "消防宣传日气象与火险宣传", "消防宣传日", "电子显示屏"),
    (12, 4, "宪法宣传周法治宣传", "宪法宣传周", "单位宣传栏"),
]

OUTLETS = [
    ("中国气象报", m.SubmissionLevel.INDUSTRY), ("中国气象局网站", m.SubmissionLevel.INDUSTRY),
    ("省日报", m.SubmissionLevel.PROVINCE), ("省气象局网站", m.SubmissionLevel.INDUSTRY),
    ("市日报", m.SubmissionLevel.CITY), ("市融媒体中心", m.SubmissionLevel.CITY),
    ("区融媒体中心", m.SubmissionLevel.COUNTY), ("人民网地方频道", m.SubmissionLevel.CENTRAL),
]  # fmt: skip

HEADLINES = [
    "{unit}精准预报护航春耕生产", "{unit}开展汛前气象灾害风险隐患排查", "{unit}党支部开展主题党日活动",
    "{unit}：气象服务助力乡村振兴", "{unit}完成重大活动气象保障任务", "{unit}举办气象科普进校园活动",
    "{unit}加强人工影响天气作业安全管理", "{unit}召开意识形态工作专题会议", "{unit}开展雷电防护安全检查",
    "{unit}积极应对强降雨天气过程", "{unit}推进基层气象防灾减灾标准化建设", "{unit}组织干部职工集中学习",
]  # fmt: skip

RISKS = [
    ("网络舆论", "汛期预报偏差可能引发网民质疑", "预报服务", "极端天气频发，公众对预报准确率期望高",
     "业务科", "加强预报会商和服务产品解读，及时回应社会关切"),
    ("新媒体阵地", "微信公众号转载内容审核把关不严", "宣传阵地", "信息编辑人员不足、三审制度执行不到位",
     "办公室", "严格执行三审制度，建立转载白名单"),
    ("干部队伍", "青年职工理论学习主动性不足", "理论学习", "业务任务重，学习形式单一",
     "党支部", "开展青年理论学习小组活动，纳入年度考核"),
    ("对外合作", "外包服务人员保密意识薄弱", "保密管理", "人员流动大，培训不到位",
     "办公室", "签订保密承诺书，开展保密教育"),
    ("科普宣传", "科普资料引用过时数据", "宣传内容", "资料更新不及时", "业务科", "建立科普资料定期审核更新机制"),
    ("信息发布", "预警信息发布终端偶有离线", "发布阵地", "设备老化、维护不及时", "业务科", "开展终端巡检，建立离线告警"),
]  # fmt: skip


class Builder:
    def __init__(self, unit: Any, cast: Cast, year: int, light: bool, today: date) -> None:
        self.unit, self.cast, self.year, self.light, self.today = unit, cast, year, light, today
        self.rng = random.Random(f"{unit.code}-{year}")  # noqa: S311 (demo text, not security)
        self.count = 0
        self.last_month = 12 if year < today.year else today.month
        # the body that studies ideology work is the unit's own: a branch's 支委会, a 党组's meeting
        self.body = "支委会" if unit.org_type in ("branch", "general_branch") else "党组会议"

    def ok(self, d: date) -> bool:
        return d.year == self.year and d <= self.today

    def create(self, instance: Any, m2m: dict[str, Any] | None = None, by: Any = None) -> Any:
        obj = record_create(acting_user=by or self.cast.clerk, instance=instance, m2m=m2m)
        self.count += 1
        return obj

    def people(self, k: int) -> list[Any]:
        return self.rng.sample(self.cast.members, min(k, len(self.cast.members)))

    # -- 领导小组 and 责任清单 ---------------------------------------------------------------------------
    def group(self) -> None:
        c, y = self.cast, self.year
        appointed = _workday(y, 1, 8)
        if not self.ok(appointed):
            return
        no = f"{self.unit.short_name[:2]}气党发〔{y}〕1号"
        seats = [(c.secretary, "", m.GroupPost.LEADER, "局长、党支部书记")]
        if c.leader:
            seats.append((c.leader, "", m.GroupPost.DEPUTY, "副局长"))
        seats += [(None, name, m.GroupPost.MEMBER, post) for name, post, _ in c.outside_leaders]
        seats.append((c.clerk, "", m.GroupPost.LIAISON, "办公室主任"))
        for person, text, post, title in seats:
            self.create(
                m.LeadingGroupMember(
                    unit=self.unit,
                    year=y,
                    person=person,
                    person_text=text,
                    post=post,
                    title=title,
                    appointed_on=appointed,
                    document_no=no,
                )
            )
        duties = [
            (
                c.secretary,
                "",
                m.ResponsibilityRole.FIRST,
                "全面工作",
                "对本单位意识形态工作负主体责任，把意识形态工作纳入党建和业务工作总体布局，每年专题研究意识形态工作不少于两次，带头讲党课。",
            ),
        ]
        if c.leader:
            duties.append(
                (
                    c.leader,
                    "",
                    m.ResponsibilityRole.DIRECT,
                    "党建、宣传",
                    "协助第一责任人抓好意识形态工作，组织开展形势分析研判，督促问题整改，审核对外宣传和信息发布。",
                )
            )
        duties += [
            (
                None,
                name,
                m.ResponsibilityRole.DUAL,
                field,
                f"落实一岗双责，抓好分管{field}领域的意识形态工作，及时报告苗头性倾向性问题。",
            )
            for name, _, field in c.outside_leaders
        ]
        for person, text, role, field, duty in duties:
            item = self.create(
                m.ResponsibilityItem(
                    unit=self.unit,
                    year=y,
                    person=person,
                    person_text=text,
                    role=role,
                    field=field,
                    duties=duty,
                    signed_on=appointed,
                )
            )
            if not self.light and role == m.ResponsibilityRole.FIRST:
                attachment_add(
                    acting_user=c.clerk,
                    record=item,
                    upload=SimpleUploadedFile(
                        f"{y}年意识形态工作责任书.txt",
                        f"{y}年度意识形态工作责任书（签字版扫描件说明）\n责任人：{item.person}".encode(),
                    ),
                )

    # -- 学习计划 and 会议学习 ------------------------------------------------------------------------------
    def study(self) -> None:
        y = self.year
        issued = _workday(y, 1, 12)
        if not self.ok(issued):
            return
        plans: dict[str, list[Any]] = {}
        for scope, title in [
            (m.study.StudyPlanScope.CENTRAL, f"{y}年党组理论学习中心组学习计划"),
            (m.study.StudyPlanScope.BRANCH, f"{y}年党支部学习计划"),
        ]:
            if self.light and scope == m.study.StudyPlanScope.BRANCH:
                continue
            plan = self.create(
                m.StudyPlan(
                    unit=self.unit,
                    year=y,
                    scope=scope,
                    title=title,
                    issued_on=issued,
                    note="按月安排学习专题，结合工作实际开展研讨交流。",
                )
            )
            months = range(1, 13, 3 if self.light else 1)
            plans[scope] = [
                self.create(
                    m.StudyPlanItem(
                        unit=self.unit,
                        plan=plan,
                        month=month,
                        topic=STUDY_TOPICS[month - 1][0],
                        materials=STUDY_TOPICS[month - 1][1],
                    )
                )
                for month in months
            ]
        self.meetings(plans)

    def meetings(self, plans: dict[str, list[Any]]) -> None:
        c, y, K = self.cast, self.year, m.MeetingKind
        central = {i.month: i for i in plans.get(m.study.StudyPlanScope.CENTRAL, [])}
        branch = {i.month: i for i in plans.get(m.study.StudyPlanScope.BRANCH, [])}
        schedule: list[tuple[date, str, str, list[Any]]] = []
        step = 3 if self.light else 1
        # the gaps the rules find differ from year to year (a copied year would repeat them)
        gap_committee, gap_theme = (8, 10) if y % 2 else (7, 11)
        for month in range(1, self.last_month + 1):
            topic = STUDY_TOPICS[month - 1][0]
            if month in central:
                schedule.append(
                    (
                        _workday(y, month, 18),
                        K.CENTRAL_STUDY,
                        f"理论学习中心组集中学习：{topic}",
                        [central[month]],
                    )
                )
            if self.light:
                continue
            # a branch committee every month but August (a gap for the rules to find)
            if month != gap_committee:
                schedule.append((_workday(y, month, 5), K.BRANCH_COMMITTEE, f"{month}月支委会", []))
            for group_no, day in (("第一", 6), ("第二", 7)):
                schedule.append((_workday(y, month, day), K.GROUP, f"{group_no}党小组{month}月党小组会", []))
            if month != gap_theme:
                schedule.append(
                    (
                        _workday(y, month, 20),
                        K.THEME_DAY,
                        f"{month}月主题党日：{topic}",
                        [branch[month]] if month in branch else [],
                    )
                )
            schedule.append((_workday(y, month, 25), K.STAFF_STUDY, f"干部职工集中学习：{topic}", []))
        for month in range(3, self.last_month + 1, 3):
            schedule.append(
                (
                    _workday(y, month, 26),
                    K.ANALYSIS,
                    f"第{'一二三四'[month // 3 - 1]}季度意识形态形势分析研判会议",
                    [],
                )
            )
            if not self.light:
                schedule.append(
                    (
                        _workday(y, month, 27),
                        K.MEMBERS_ASSEMBLY,
                        f"第{'一二三四'[month // 3 - 1]}季度党员大会",
                        [],
                    )
                )
        body = self.body
        for month, special, title in [
            (1, K.PARTY_GROUP, f"{body}专题研究部署年度意识形态工作"),
            (7, K.PARTY_GROUP, f"{body}听取上半年意识形态工作情况汇报"),
            (4, K.SPECIAL, "意识形态工作专题会议"),
            (7, K.PARTY_LECTURE, f"书记讲专题党课：{self.rng.choice(LECTURES)}"),
            (12, K.LIFE_MEETING, "年度组织生活会"),
            (5, K.READING, self.rng.choice(READINGS)),
            (9, K.THEME_EDUCATION, THEME_EDUCATION.get(y, "专题学习研讨")),
        ][::step]:
            schedule.append((_workday(y, month, 12), str(special), title, []))
        for d, kind, title, items in sorted(schedule, key=lambda s: s[0]):
            if not self.ok(d):
                continue
            attendees = self.people(self.rng.randint(min(2, len(c.members)), len(c.members)))
            expected = len(c.members) + self.rng.randint(2, 8)
            present = expected - self.rng.randint(0, 2)
            host = (
                c.secretary
                if kind in (K.PARTY_GROUP, K.CENTRAL_STUDY, K.PARTY_LECTURE, K.SPECIAL)
                else (c.leader or c.secretary)
            )
            meeting = self.create(
                m.Meeting(
                    unit=self.unit,
                    kind=kind,
                    title=title,
                    held_at=_at(d, 9 if kind != K.THEME_DAY else 15),
                    place=self.rng.choice(["局三楼会议室", "党员活动室", "局一楼会商室"]),
                    host=host,
                    expected=expected,
                    present=present,
                    agenda="一、传达学习有关精神；二、交流研讨；三、研究部署下一步工作。",
                    content=items[0].materials if items else "传达学习上级有关文件和会议精神。",
                    minutes=self.rng.choice(
                        [
                            "与会同志结合分管工作谈认识、谈体会，一致表示要把学习成果转化为推动气象服务的实际行动。",
                            "会议逐条研究了近期重点工作，对存在的问题提出了整改要求。",
                            "主持人领学有关内容，与会人员围绕学习专题开展研讨交流。",
                        ]
                    ),
                    decisions="明确责任分工，按期报送落实情况。",
                    hours=Decimal("2.0") if kind in STUDY_KINDS else None,
                ),
                m2m={"attendees": attendees, "plan_items": items},
            )
            if kind == K.ANALYSIS:
                self.analysis(meeting, d)
            elif not self.light and kind == K.THEME_DAY and d.month in (3, 7):
                attachment_add(
                    acting_user=c.clerk,
                    record=meeting,
                    upload=SimpleUploadedFile(f"{title}-现场照片.png", png()),
                )

    # -- 分析研判 -----------------------------------------------------------------------------------------
    def analysis(self, meeting: Any, d: date) -> None:
        quarter = (d.month - 1) // 3 + 1
        a = self.create(
            m.Analysis(
                unit=self.unit,
                year=self.year,
                quarter=quarter,
                held_on=d,
                meeting=meeting,
                situation="本季度全局干部职工思想稳定，意识形态领域总体平稳可控，主流舆论积极健康。",
                conclusion="总体形势平稳，需重点关注网络舆论和新媒体阵地管理。",
            )
        )
        for field, desc, _area, cause, office, measure in self.rng.sample(RISKS, 1 if self.light else 3):
            level = self.rng.choice(
                [m.RiskLevel.LOW, m.RiskLevel.MEDIUM, m.RiskLevel.MEDIUM, m.RiskLevel.HIGH]
            )
            risk = self.create(
                m.Risk(
                    unit=self.unit,
                    analysis=a,
                    description=desc,
                    level=level,
                    field=field,
                    cause=cause,
                    responsible_office=office,
                    measure=measure,
                    resolved=d < self.today - timedelta(days=120),
                )
            )
            if level == m.RiskLevel.HIGH and not self.light:
                rect = ledger_services.risk_open_rectification(acting_user=self.cast.clerk, risk=risk)
                self.count += 1
                self.close_or_leave(rect, d)

    # -- 问题整改 -----------------------------------------------------------------------------------------
    def close_or_leave(self, rect: Any, found: date) -> None:
        """Most rectifications are closed in time; some run late so the year has open problems."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        rect.deadline = found + timedelta(days=self.rng.choice([30, 45, 60]))
        before = snapshot(rect)
        done_on = found + timedelta(days=self.rng.randint(10, 40))
        if done_on <= self.today and self.rng.random() < 0.75:
            rect.state = self.rng.choice([m.RectificationState.DONE, m.RectificationState.CLOSED])
            rect.completed_on = done_on
            rect.result = "已按整改措施完成整改，建立长效机制，经支委会审核销号。"
        else:
            rect.state = m.RectificationState.IN_PROGRESS
        record_update(acting_user=self.cast.clerk, instance=rect, before=before)

    def rectifications(self) -> None:
        sources = [
            m.RectificationSource.INSPECTION,
            m.RectificationSource.SELF,
            m.RectificationSource.SUPERIOR,
            m.RectificationSource.LIFE_MEETING,
        ]
        problems = (
            EVEN_YEAR_PROBLEMS
            if self.year % 2 == 0
            else [
            "理论学习中心组学习记录不够规范，研讨发言记录简单",
            "宣传栏内容更新不及时，部分内容超过三个月未更新",
            "新媒体账号转载信息未严格执行三审制度",
            "意识形态工作台账资料归档不完整",
            "青年干部参加集中学习出勤率偏低",
            "部分科室一岗双责落实不到位，未按要求报告意识形态工作情况",
            ]
        )  # fmt: skip
        for i, month in enumerate(range(2, self.last_month + 1, 4 if self.light else 2)):
            found = _workday(self.year, month, 10)
            if not self.ok(found):
                continue
            rect = self.create(
                m.Rectification(
                    unit=self.unit,
                    source=sources[i % len(sources)],
                    found_on=found,
                    problem=problems[i % len(problems)],
                    measures="明确责任人，制定整改清单，限期完成并报告整改结果。",
                    owner=self.cast.leader or self.cast.secretary,
                    deadline=found + timedelta(days=45),
                )
            )
            self.close_or_leave(rect, found)

    # -- 宣传, 投稿, 征订 ----------------------------------------------------------------------------------
    def publicity(self) -> list[Any]:
        done = []
        for month, day, theme, occasion, channel in PUBLICITY[:: 3 if self.light else 1]:
            d = _workday(self.year, month, day)
            if not self.ok(d):
                continue
            done.append(
                self.create(
                    m.Publicity(
                        unit=self.unit,
                        held_on=d,
                        theme=f"{self.year}年{theme}",
                        occasion=occasion,
                        channel=channel,
                        partners=self.rng.choice(["", "区科协", "区应急管理局", "区教育局", "街道办事处"]),
                        reach=self.rng.randrange(200, 3000, 50),
                        summary=f"围绕{occasion}开展宣传，发放宣传资料，现场解答群众咨询。",
                    )
                )
            )
        return done

    def submissions(self, publicity: list[Any]) -> None:
        n = 8 if self.light else 48
        for i in range(n):
            d = date(self.year, 1, 1) + timedelta(days=int(i * 360 / n) + self.rng.randint(0, 5))
            if not self.ok(d):
                continue
            outlet, level = self.rng.choice(OUTLETS)
            adopted = self.rng.random() < 0.6
            published = d + timedelta(days=self.rng.randint(2, 10))
            if published > self.today:
                adopted = False
            linked = next((p for p in publicity if abs((p.held_on - d).days) < 10), None)
            self.create(
                m.Submission(
                    unit=self.unit,
                    title=HEADLINES[i % len(HEADLINES)].format(unit=self.unit.short_name),
                    authors=self.rng.choice(["张晓燕", "刘洋", "张晓燕、刘洋", "办公室"]),
                    outlet=outlet,
                    level=level,
                    submitted_on=d,
                    status=m.publicity.SubmissionStatus.ADOPTED
                    if adopted
                    else self.rng.choice(
                        [m.publicity.SubmissionStatus.SUBMITTED, m.publicity.SubmissionStatus.REJECTED]
                    ),
                    published_on=published if adopted else None,
                    page_or_url=f"第{self.rng.randint(1, 8)}版" if adopted else "",
                    publicity=linked,
                )
            )

    def subscriptions(self) -> None:
        d = _workday(self.year, 1, 20)
        for pub, copies, price in [
            ("人民日报", 2, 480),
            ("求是", 3, 156),
            ("中国气象报", 5, 300),
            ("省日报", 2, 420),
        ][: 2 if self.light else 4]:
            done = self.ok(d)
            self.create(
                m.Subscription(
                    unit=self.unit,
                    year=self.year,
                    publication=pub,
                    copies=copies,
                    amount=Decimal(copies * price),
                    done=done,
                    done_on=d if done else None,
                )
            )

    # -- 阵地, 检查, 发布审核 ------------------------------------------------------------------------------
    def positions(self) -> None:
        existing = list(m.Position.objects.filter(unit=self.unit))
        if not existing:
            first_day = date(self.year, 1, 1)
            specs = [
                (
                    m.PositionKind.WEBSITE,
                    f"{self.unit.name}门户网站",
                    "政府网站气象专栏",
                    date(2016, 5, 1),
                    first_day,
                ),
                (
                    m.PositionKind.WECHAT,
                    f"{self.unit.short_name}微信公众号",
                    "微信号 qixiang-demo",
                    date(2018, 3, 1),
                    first_day,
                ),
                (
                    m.PositionKind.VIDEO,
                    f"{self.unit.short_name}短视频号",
                    "短视频平台账号",
                    date(2021, 6, 1),
                    date(self.year - 1, 12, 1),
                ),
                (m.PositionKind.SCREEN, "一楼大厅电子显示屏", "办公楼一楼", date(2019, 9, 1), first_day),
                (m.PositionKind.BOARD, "党建宣传栏", "办公楼二楼走廊", date(2017, 7, 1), first_day),
                (
                    m.PositionKind.TERMINAL,
                    "预警信息发布终端（社区）",
                    "各社区服务中心",
                    date(2020, 4, 1),
                    first_day,
                ),
            ]
            for kind, name, address, opened, last in specs[: 2 if self.light else None]:
                existing.append(
                    self.create(
                        m.Position(
                            unit=self.unit,
                            kind=kind,
                            name=name,
                            address=address,
                            owner=self.cast.clerk,
                            opened_on=opened,
                            filed_on=opened + timedelta(days=14),
                            last_update=min(last, self.today),
                        )
                    )
                )
        for p in existing:
            for quarter in range(1, 5):
                if quarter == 3 and p.kind == m.PositionKind.BOARD:
                    continue  # a quarter without inspection: a rule the year misses
                d = _workday(self.year, quarter * 3 - 1, 15)
                if not self.ok(d) or (self.light and quarter % 2 == 0):
                    continue
                problems = self.rng.choice([0, 0, 0, 1, 2])
                self.create(
                    m.PositionInspection(
                        unit=self.unit,
                        position=p,
                        inspected_on=d,
                        inspector=self.cast.leader or self.cast.secretary,
                        findings="检查发布内容、账号安全和更新频次，"
                        + (
                            "未发现问题。"
                            if not problems
                            else f"发现{problems}处内容更新不及时，已督促整改。"
                        ),
                        problems=problems,
                    )
                )
        self.reviews([p for p in existing if p.kind in (m.PositionKind.WEBSITE, m.PositionKind.WECHAT)])

    def reviews(self, positions: list[Any]) -> None:
        # three different people review each round; the clerk, the leader in charge, the secretary
        reviewers = list(
            dict.fromkeys([self.cast.clerk, self.cast.leader, self.cast.secretary, *self.cast.members])
        )
        reviewers = [r for r in reviewers if r is not None][:3]
        if not positions or len(reviewers) < 3:
            return
        for i, month in enumerate(range(1, self.last_month + 1, 6 if self.light else 1)):
            d = _workday(self.year, month, 14)
            if not self.ok(d):
                continue
            review = self.create(
                m.PublicationReview(
                    unit=self.unit,
                    position=positions[i % len(positions)],
                    title=HEADLINES[(i + 3) % len(HEADLINES)].format(unit=self.unit.short_name),
                    drafted_on=d,
                    content="稿件介绍本局近期重点工作开展情况。",
                )
            )
            ledger_services.review_submit(acting_user=self.cast.clerk, review=review)
            stages = [ReviewStage.FIRST, ReviewStage.SECOND, ReviewStage.FINAL]
            rejected_at = ReviewStage.SECOND if month in (4, 9) else None
            for who, stage in zip(reviewers, stages, strict=True):
                verdict = Verdict.REJECT if stage == rejected_at else Verdict.PASS
                ledger_services.review_decide(
                    acting_user=who,
                    review=review,
                    stage=stage,
                    verdict=verdict,
                    comment="个别数据需核实，请修改后重新送审。" if verdict == Verdict.REJECT else "同意。",
                    at=_at(d + timedelta(days=stages.index(stage)), 10),
                )
                self.count += 1
                if verdict == Verdict.REJECT:
                    break
            review.refresh_from_db()
            if review.stage == ReviewStage.APPROVED:
                ledger_services.review_publish(
                    acting_user=self.cast.clerk, review=review, on=d + timedelta(days=3)
                )

    # -- 舆情, 报告与督查, 工作要点 --------------------------------------------------------------------------
    def opinions(self) -> None:
        items = [
            (
                5,
                "网民在本地论坛质疑降雨预报不准",
                "论坛",
                "业务科及时发布预报解读，说明降雨落区和强度的不确定性。",
            ),
            (
                7,
                "短视频平台出现误传的高温预警截图",
                "短视频平台",
                "联系平台标注不实信息，通过公众号发布权威预警。",
            ),
            (10, "群众来电反映预警短信重复发送", "12345热线", "核查发布系统配置，向群众解释并致歉。"),
        ]
        if self.year % 2 == 0:
            items = EVEN_YEAR_OPINIONS
        for month, summary, source, response in items[: 1 if self.light else None]:
            d = _workday(self.year, month, 8)
            if not self.ok(d):
                continue
            closed = d + timedelta(days=5) <= self.today
            self.create(
                m.PublicOpinion(
                    unit=self.unit,
                    found_on=d,
                    source=source,
                    summary=summary,
                    response=response,
                    closed=closed,
                    closed_on=d + timedelta(days=5) if closed else None,
                )
            )

    def reports(self) -> None:
        K = m.ReportKind
        items = [
            (6, 18, K.HALF_YEAR, f"关于{self.year}年上半年意识形态工作情况的报告", "市气象局党组"),
            (12, 18, K.HALF_YEAR, f"关于{self.year}年下半年意识形态工作情况的报告", "市气象局党组"),
            (9, 10 if self.year % 2 else 16, K.INSPECTED, "接受市气象局意识形态工作专项检查", "市气象局"),
            (11, 5 if self.year % 2 else 12, K.INSPECTING, "开展意识形态工作责任制落实情况自查", ""),
            (1, 16, K.DEBRIEF, f"{self.year - 1}年度述职述责报告（意识形态部分）", "市气象局党组"),
            (12, 22, K.LIFE_MEETING, "年度组织生活会意识形态工作对照检查", ""),
        ]
        for month, day, kind, title, recipient in items[:: 2 if self.light else 1]:
            if kind == K.HALF_YEAR and month == 12 and self.year == 2025 and not self.light:
                day = 26  # reported late: a due day the year misses
            d = _workday(self.year, month, day)
            if not self.ok(d):
                continue
            report = self.create(
                m.ReportRecord(
                    unit=self.unit,
                    kind=kind,
                    held_on=d,
                    title=title,
                    recipient=recipient,
                    document_no=f"{self.unit.short_name[:2]}气党〔{self.year}〕{month}号"
                    if recipient
                    else "",
                    summary=self.rng.choice(INSPECTION_FEEDBACK if self.year % 2 else EVEN_YEAR_FEEDBACK)
                    if kind == K.INSPECTED
                    else self.rng.choice(SELF_CHECK if self.year % 2 else EVEN_YEAR_SELF_CHECK)
                    if kind == K.INSPECTING
                    else "报告本单位意识形态工作责任制落实情况、存在问题和下一步措施。",
                )
            )
            if not self.light and kind in (K.INSPECTED, K.INSPECTING):
                self.findings(report)

    def findings(self, report: Any) -> None:
        """The problems an inspection or a self-check found go into the 整改台账, so that the counts of
        the report, the inspection and the rectifications reconcile (no random draw: the rest of the
        year's records stay as they were)."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        inspected = report.kind == m.ReportKind.INSPECTED
        for problem in FINDINGS.get(report.summary, []):
            found = report.held_on
            rect = self.create(
                m.Rectification(
                    unit=self.unit,
                    source=m.RectificationSource.INSPECTION if inspected else m.RectificationSource.SELF,
                    found_on=found,
                    problem=problem,
                    measures="对照检查反馈逐项制定整改措施，明确责任人和完成时限。",
                    owner=self.cast.leader or self.cast.secretary,
                    deadline=found + timedelta(days=45),
                )
            )
            done_on = found + timedelta(days=30)
            if done_on <= self.today:
                before = snapshot(rect)
                rect.state = m.RectificationState.CLOSED
                rect.completed_on = done_on
                rect.result = "已按检查反馈完成整改，经支委会审核销号。"
                record_update(acting_user=self.cast.clerk, instance=rect, before=before)

    def workplan(self) -> None:
        pick = self.rng.choice  # each unit words its own plan
        sections = [
            (
                "一、强化理论武装",
                [
                    "制定并落实年度理论学习中心组学习计划",
                    pick(
                        [
                            "每月开展干部职工集中学习",
                            "按月组织干部职工集中学习并做好记录",
                            "坚持每月一次干部职工集中学习",
                        ]
                    ),
                ],
            ),
            (
                "二、落实工作责任",
                ["调整意识形态工作领导小组并签订责任书", f"{self.body}每半年专题研究一次意识形态工作"],
            ),
            (
                "三、加强阵地管理",
                [
                    pick(
                        [
                            "每季度开展一次阵地检查",
                            "按季度检查网站、公众号等各类阵地",
                            "每季度对宣传阵地全面检查一次",
                        ]
                    ),
                    pick(
                        [
                            "严格执行信息发布三审制度",
                            "对外发布信息一律经过初审、复审、终审",
                            "落实公众号和网站信息“三审”把关",
                        ]
                    ),
                ],
            ),
            (
                "四、做好舆论引导",
                [
                    "每季度开展一次分析研判",
                    pick(
                        [
                            "全年投稿不少于50篇，省级以上采用不少于12篇",
                            "全年报送稿件50篇以上，省级以上采用不少于12篇",
                        ]
                    ),
                ],
            ),
        ]
        number = 0
        for section, tasks in sections[: 2 if self.light else None]:
            for text in tasks:
                number += 1
                due = date(self.year, 12, 31) if number % 2 == 0 else date(self.year, 6, 30)
                self.create(
                    m.WorkPlanItem(
                        unit=self.unit,
                        year=self.year,
                        section=section,
                        number=number,
                        text=text,
                        owner=self.cast.leader or self.cast.secretary,
                        due_on=due,
                        done=due < self.today,
                    )
                )

    def evidence(self) -> None:
        """Link records as evidence to the plan items they fulfil."""
        links = [
            (
                "制定并落实年度理论学习中心组学习计划",
                m.StudyPlan.objects.filter(unit=self.unit, year=self.year),
            ),
            (
                "调整意识形态工作领导小组并签订责任书",
                m.ResponsibilityItem.objects.filter(unit=self.unit, year=self.year)[:1],
            ),
            (
                f"{self.body}每半年专题研究一次意识形态工作",
                m.Meeting.objects.filter(
                    unit=self.unit, held_at__year=self.year, kind=m.MeetingKind.PARTY_GROUP
                ),
            ),
            ("每季度开展一次分析研判", m.Analysis.objects.filter(unit=self.unit, year=self.year)),
        ]
        for text, records in links:
            item = m.WorkPlanItem.objects.filter(unit=self.unit, year=self.year, text=text).first()
            if item is None:
                continue
            for record in records:
                ledger_services.evidence_attach(acting_user=self.cast.clerk, item=item, record=record)
                self.count += 1

    def build(self) -> int:
        self.group()
        self.workplan()
        self.study()
        self.rectifications()
        self.subscriptions()
        self.submissions(self.publicity())
        self.positions()
        self.opinions()
        self.reports()
        self.evidence()
        return self.count


def build_unit_years(unit: Any, cast: Cast, years: list[int], *, light: bool) -> int:
    today = timezone.localdate()
    if not m.SubmissionScore.objects.filter(unit=unit).exists():
        record_create(
            acting_user=cast.clerk,
            instance=m.SubmissionScore(unit=unit, level=m.SubmissionLevel.INDUSTRY, points=Decimal("2")),
        )
    return sum(Builder(unit, cast, year, light, today).build() for year in years)
