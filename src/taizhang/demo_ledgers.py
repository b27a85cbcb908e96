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


# the public holidays no record is dated on, beside the weekends (国务院办公厅's notices; the make-up
# working weekends are left out): 元旦, 劳动节 and 国庆 every year, and the moving feasts by the year
FIXED_HOLIDAYS = [((1, 1), (1, 1)), ((5, 1), (5, 5)), ((10, 1), (10, 8))]
MOVING_HOLIDAYS = {
    2024: [((2, 10), (2, 17)), ((4, 4), (4, 6)), ((6, 10), (6, 10)), ((9, 15), (9, 17))],
    2025: [((1, 28), (2, 4)), ((4, 4), (4, 6)), ((5, 31), (6, 2))],
    2026: [((1, 1), (1, 3)), ((2, 15), (2, 23)), ((4, 4), (4, 6)), ((6, 19), (6, 21)), ((9, 25), (9, 27))],
    2027: [((2, 6), (2, 12)), ((4, 3), (4, 5)), ((6, 9), (6, 9)), ((9, 15), (9, 15))],
}


def _holiday(d: date) -> bool:
    spans = FIXED_HOLIDAYS + MOVING_HOLIDAYS.get(d.year, [])
    return d.weekday() >= 5 or any(date(d.year, *a) <= d <= date(d.year, *b) for a, b in spans)


def _next_workday(d: date) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    while _holiday(d):
        d += timedelta(days=1)
    return d


def _workday(year: int, month: int, day: int) -> date:
    return _next_workday(date(year, month, min(day, 28)))


def _span(key: str, least: int, most: int) -> int:
    """A number of days between `least` and `most`, the same every run for the same key (no draw
    from the year's generator, whose later draws stay as they were)."""
    return least + zlib.crc32(key.encode()) % (most - least + 1)


# a reading of the year's own, by the year (a year's sessions do not read what last year's did)
YEAR_READING = [
    "《中国共产党章程》",
    "《习近平关于全面从严治党论述摘编（2021年版）》",
    "《习近平新时代中国特色社会主义思想专题摘编》",
    "《习近平关于网络强国论述摘编》",
]
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

# what an even year reads on each of STUDY_TOPICS, by the topic's index (not last year's titles again)
EVEN_MATERIALS = {
    0: "党的二十届四中全会公报、《中共中央关于制定国民经济和社会发展第十五个五年规划的建议》",
    1: "《习近平关于社会主义文化建设论述摘编》有关章节",
    2: "省委意识形态工作责任制实施细则、上级党组年度意识形态工作要点",
    3: "全国气象局长会议工作报告",
    4: "《中国共产党廉洁自律准则》、本系统违纪违法典型案例通报",
    5: "《网络数据安全管理条例》《互联网信息服务管理办法》",
    6: "有关重要讲话、《中华人民共和国突发事件应对法》（2024年修订）",
    7: "《习近平文化思想学习纲要》有关章节",
    8: "二十届中央纪委五次全会公报",
    9: "《中华人民共和国保守国家秘密法》（2024年修订）",
    10: "《人工影响天气管理条例》《气象设施和气象探测环境保护条例》",
}
INSPECTION_FEEDBACK = [
    "检查组反馈问题3个，主要是学习记录不够规范、宣传栏更新不及时、台账归档不完整，已于10月底前全部整改。",
    "检查组对领导小组调整和阵地管理给予肯定，反馈问题2个，已列入整改清单逐项整改。",
    "检查组查阅台账、走访阵地，反馈问题4个，涉及三审记录和学习研讨，已明确责任人限期整改。",
    "检查组听取汇报并抽查会议记录，指出研判报告内容偏简单等问题2个，要求年底前整改到位。",
    "检查组现场查看宣传栏和显示屏，对科普宣传做法给予肯定，同时指出阵地巡查记录不全的问题。",
]
SELF_CHECK = [
    "对办公室、业务科落实一岗双责情况开展自查，发现问题2个，已列入整改清单。",
    "围绕阵地管理和信息发布开展自查，发现问题1个，已明确专人限期整改。",
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
# the year's plenary session, studied by every 中心组 in the autumn after it: its theme and reading
PLENUM = {
    2025: (
        "学习贯彻党的二十届四中全会精神",
        "党的二十届四中全会公报、《中共中央关于制定国民经济和社会发展第十五个五年规划的建议》",
    ),
}
EVENT_CONTENT = {f"理论学习中心组专题学习：{theme}": reading for theme, reading in PLENUM.values()}
# an even year's own events, so that two years of a unit do not read as one copied
EVEN_YEAR_FEEDBACK = [
    "检查组反馈问题2个，主要是中心组研讨发言记录简单、阵地巡查记录不全，已列入整改清单。",
    "检查组查阅会议记录和阵地台账，指出研判报告对干部职工思想动态分析不够等问题2个。",
    "检查组现场查看预警信息发布终端和宣传栏，指出终端巡检记录不全的问题，要求限期整改。",
]
EVEN_YEAR_SELF_CHECK = [
    "围绕转载内容审核和终端巡检开展自查，发现问题2个，已明确责任科室限期整改。",
    "对照年度工作要点逐项自查，发现学习笔记检查不及时等问题2个。",
    "对照责任清单检查班子成员一岗双责落实情况，发现问题2个，已逐项明确整改时限。",
]
FINDINGS.update(
    {
        EVEN_YEAR_FEEDBACK[0]: ["中心组研讨发言记录简单", "阵地巡查记录不全"],
        EVEN_YEAR_FEEDBACK[1]: ["研判报告对干部职工思想动态分析不够", "研判会议记录不够规范"],
        EVEN_YEAR_FEEDBACK[2]: ["预警信息发布终端巡检记录不全"],
        EVEN_YEAR_SELF_CHECK[0]: ["转载内容审核记录不全", "预警信息发布终端未按月巡检"],
        EVEN_YEAR_SELF_CHECK[1]: ["学习笔记检查不及时", "宣传思想工作骨干培训未按计划开展"],
        EVEN_YEAR_SELF_CHECK[2]: [
            "分管领域意识形态工作季度报告不及时",
            "新入职人员岗前培训缺少意识形态教育内容",
        ],
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
ODD_YEAR_PROBLEMS = [
    "理论学习中心组学习记录不够规范，研讨发言记录简单",
    "宣传栏内容更新不及时，部分内容超过三个月未更新",
    "新媒体账号转载信息未严格执行三审制度",
    "意识形态工作台账资料归档不完整",
    "青年干部参加集中学习出勤率偏低",
    "部分科室一岗双责落实不到位，未按要求报告意识形态工作情况",
]
MINUTES_TEXT = [
    "与会同志结合分管工作谈认识、谈体会，一致表示要把学习成果转化为推动气象服务的实际行动。",
    "会议逐条研究了近期重点工作，对存在的问题提出了整改要求。",
    "主持人领学有关内容，与会人员围绕学习专题开展研讨交流。",
]

HEADLINES = [
    "{unit}精准预报护航春耕生产", "{unit}开展汛前气象灾害风险隐患排查", "{unit}党支部开展主题党日活动",
    "{unit}：气象服务助力乡村振兴", "{unit}完成重大活动气象保障任务", "{unit}举办气象科普进校园活动",
    "{unit}加强人工影响天气作业安全管理", "{unit}召开意识形态工作专题会议", "{unit}开展雷电防护安全检查",
    "{unit}积极应对强降雨天气过程", "{unit}推进基层气象防灾减灾标准化建设", "{unit}组织干部职工集中学习",
]  # fmt: skip

RISKS = [
    ("网络舆论", "汛期预报偏差可能引发网民质疑", "预报服务", "预报服务产品解读滞后，对公众关切预判不足",
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


# -- each unit's own year --------------------------------------------------------------------------
# Sibling bureaus hold the same kinds of meetings, but not on the same days, with the same partners
# or on the same topics: each demo unit has a profile of its own (the district keeps the dates the
# tests were written against). A unit without one takes the district's.
@dataclass(frozen=True)
class Profile:
    slot: int  # which share of the shared pools (headlines, problems, topics) the unit draws
    days: dict[str, Any]  # day of the month of each regular meeting (a tuple: each quarter its own)
    start: tuple[int, int]  # the hour and minute meetings begin (主题党日 in the afternoon)
    # months without 支委会 / 主题党日: odd, even years
    gaps: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    events: dict[str, tuple[int, int]]  # month and day of the year's named events (odd years)
    places: tuple[str, ...]
    lectures: tuple[str, ...]
    readings: tuple[str, ...]
    # month, day, theme, occasion, channel, and the body of the area it was held with (the one the
    # occasion calls for: 应急管理局 for 安全生产月, 司法局 for 宪法宣传周, ...), or none
    publicity: tuple[tuple[int, int, str, str, str, str], ...]
    opinions: tuple[tuple[tuple[int, int, str, str, str], ...], ...]  # odd years, even years
    county_media: str
    wechat: str
    positions: tuple[int, ...]  # which of the position kinds the unit runs
    skipped: tuple[tuple[int, str], ...]  # the quarters and position kinds left uninspected
    submissions: tuple[int, float]  # how many a year, the share adopted
    papers: tuple[tuple[str, int, int], ...]  # 党报党刊 subscribed: title, yearly price, copies
    checks: dict[str, tuple[int, int]]  # day of the city's inspection (9月), of the self-check (11月)
    late: tuple[tuple[int, int, int], ...] = ()  # half-year reports sent after the due day
    topic_shift: int = 0  # the study plan's order of topics from February
    quiet: tuple[int, ...] = ()  # months the second 党小组 does not meet (春节, 主汛期)
    unheld: tuple[int, ...] = ()  # months whose 中心组 session was not held (a plan item left open)
    unplanned: tuple[int, ...] = ()  # months the study plan sets no topic of their own (春节, 主汛期)
    staff: int = 18  # the bureau's headcount: who comes to 干部职工集中学习 (more than the party members)
    hours: tuple[str, str] = ("2.0", "1.5")  # the hours of a 中心组 session and of a 干部职工 one
    risks: tuple[int, int, int, int] = (3, 3, 3, 3)  # risk points each quarter's analysis finds
    rectify: tuple[int, ...] = (2, 4, 6, 8, 10, 12)  # months a problem of the unit's own is entered
    renamed: tuple[tuple[int, str, str], ...] = ()  # a position's own name and place, by its kind's index
    feedback: tuple[tuple[str, tuple[str, ...]], ...] = ()  # the city's inspection: odd, even years
    materials: tuple[tuple[int, str], ...] = ()  # the unit's own reading for a topic, by the topic's index
    pool: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # which of RISKS the unit's analyses draw from
    rejected: tuple[int, ...] = (4, 9)  # the months a draft is sent back at the second review
    problems: tuple[str, ...] = ()  # the unit's own problems of the year (else the shared lists)
    headlines: tuple[str, ...] = ()  # a sibling's own articles (the district's are HEADLINES)
    # an even year's own days: the regular days and named events held on other days than in an odd
    # year (key → day or (month, day)), and the publicity occasions held on other days (occasion, month, day)
    even: tuple[tuple[str, Any], ...] = ()
    moved: tuple[tuple[str, int, int], ...] = ()
    # the party branch: its members, the 中心组 (the leaders and the heads of office) and the 支委会
    party: int = 11
    board: int = 6
    committee: int = 5
    # how often each of OUTLETS takes the unit's articles (the county's own media most, 人民网 seldom)
    outlets: tuple[int, ...] = (3, 1, 4, 4, 3, 2, 6, 1)


DIST = Profile(
    slot=0,
    days={"committee": 5, "group1": 6, "group2": 7, "central": 18, "theme": 20, "staff": 25,
          "analysis": (26, 24, 25, 23), "assembly": 27, "review": 14, "rectify": 10, "inspect": 15},
    start=(9, 0),
    gaps=(((8,), (10,)), ((7,), (9,))),
    events={"deploy": (1, 12), "midyear": (7, 12), "autumn": (10, 12), "special": (4, 12), "lecture": (6, 27),
            "life": (12, 12), "reading": (4, 22), "education": (6, 12), "plenum": (11, 6), "annual": (1, 7),
            "group": (1, 8), "report1": (6, 18), "report2": (12, 18), "debrief": (1, 16), "lifereport": (12, 22)},
    even=(("central", 21), ("staff", 27), ("analysis", (30, 25, 24, 22)), ("deploy", (1, 22)),
          ("midyear", (7, 9)), ("special", (3, 31)), ("lecture", (6, 30)), ("reading", (10, 29)),
          ("education", (3, 12)), ("annual", (1, 8)), ("group", (1, 15)), ("report1", (6, 12)),
          ("debrief", (1, 21))),
    places=("局三楼会议室", "党员活动室", "局一楼会商室"),
    lectures=(
        "守好气象宣传阵地，筑牢意识形态防线",
        "以党的创新理论引领基层气象高质量发展",
        "坚定文化自信，讲好新时代气象故事",
        "牢记初心使命，做人民满意的气象工作者",
    ),
    readings=("“书香气象”读书分享会", "“悦读·气象人”读书交流会", "“强国复兴有我”青年读书分享会"),
    publicity=(
        (3, 23, "世界气象日主题宣传", "世界气象日", "气象科普馆开放日、微信公众号", "区科协"),
        (4, 15, "全民国家安全教育日宣传", "全民国家安全教育日", "单位宣传栏、电子显示屏", ""),
        (5, 12, "防灾减灾日气象科普进社区", "防灾减灾日", "长青街道各社区宣传点", "长青街道办事处"),
        (6, 10, "安全生产月雷电防护宣传", "安全生产月", "企业现场、微信公众号", "区应急管理局"),
        (6, 27, "汛期气象灾害防御知识宣传", "汛期", "预警信息发布终端、微信公众号", "区水利局"),
        (7, 8, "节能宣传周气候资源利用宣传", "节能宣传周", "门户网站、机关办公楼", "区机关事务管理局"),
        (9, 16, "全国科普日气象科普进校园", "全国科普日", "区实验小学", "区教育局"),
        (10, 13, "国际减灾日防灾知识宣讲", "国际减灾日", "乡镇文化站", "区应急管理局"),
        (11, 9, "消防宣传日气象与火险宣传", "消防宣传日", "电子显示屏", "区消防救援大队"),
        (12, 4, "宪法宣传周法治宣传", "宪法宣传周", "单位宣传栏", "区司法局"),
    ),
    moved=(("安全生产月", 6, 17), ("汛期", 7, 2), ("节能宣传周", 7, 14), ("全国科普日", 9, 22),
           ("宪法宣传周", 12, 2)),
    opinions=(
        (
            (5, 19, "网民在本地论坛质疑降雨预报不准", "论坛",
             "业务科及时发布预报解读，说明降雨落区和强度的不确定性。"),
            (7, 8, "短视频平台出现误传的高温预警截图", "短视频平台",
             "联系平台标注不实信息，通过公众号发布权威预警。"),
            (10, 22, "群众来电反映预警短信重复发送", "12345热线", "核查发布系统配置，向群众解释并致歉。"),
        ),
        (
            (6, 3, "网民转发往年暴雨预警截图称本地将有特大暴雨", "微信群",
             "通过公众号发布辟谣说明和最新预警信息，提醒转发者删除不实截图。"),
            (8, 18, "群众反映社区预警信息发布终端显示内容未及时更新", "12345热线",
             "派员检修终端，更新显示内容并回复来电群众。"),
            (11, 10, "网民在短视频平台评论寒潮降温预报偏差较大", "短视频平台",
             "业务科发布寒潮过程复盘解读，说明降温幅度预报与实况的差异。"),
        ),
    ),
    county_media="区融媒体中心",
    wechat="微信号 qixiang-demo",
    positions=(0, 1, 2, 3, 4, 5),
    skipped=((3, "board"),),
    submissions=(48, 0.6),
    papers=(("人民日报", 480, 2), ("求是", 156, 3), ("中国气象报", 300, 5), ("澜江日报", 420, 2)),
    checks={"inspected": (10, 16), "self": (5, 12)},
    late=((2025, 12, 26),),
)  # fmt: skip

EAST = Profile(
    slot=1,
    days={"committee": 9, "group1": 10, "group2": 12, "central": 16, "theme": 22, "staff": 28,
          "analysis": (25, 20, 23, 19), "assembly": 24, "review": 19, "rectify": 17, "inspect": 21},
    start=(8, 30),
    gaps=(((5,), (2, 8)), ((4,), (8,))),
    events={"deploy": (2, 10), "midyear": (7, 9), "special": (3, 14), "lecture": (6, 26),
            "life": (1, 20), "reading": (4, 23), "education": (5, 22), "plenum": (11, 4), "annual": (1, 10),
            "group": (1, 22), "report1": (6, 16), "report2": (12, 11), "debrief": (1, 27), "lifereport": (1, 20)},
    even=(("central", 18), ("staff", 26), ("analysis", (26, 23, 28, 18)), ("deploy", (2, 26)),
          ("midyear", (7, 16)), ("special", (3, 20)), ("lecture", (6, 24)), ("life", (1, 29)),
          ("reading", (4, 21)), ("education", (4, 9)), ("annual", (1, 12)), ("group", (1, 27)),
          ("report1", (6, 17)), ("debrief", (2, 5)), ("lifereport", (1, 29))),
    places=("局二楼会议室", "党员活动室", "预报会商室"),
    lectures=(
        "在防灾减灾一线践行初心使命",
        "用党的创新理论武装头脑、指导气象服务",
        "从严从实守好网络意识形态阵地",
    ),
    readings=("“读原著·悟原理”青年读书会", "“世界读书日”经典诵读会"),
    publicity=(
        (3, 23, "世界气象日“气象开放日”活动", "世界气象日", "局观测场、气象科普长廊", "东区科协"),
        (5, 12, "防灾减灾日应急避险知识进村居", "防灾减灾日", "东湖街道便民服务中心", "东湖街道办事处"),
        (6, 16, "安全生产月防雷减灾宣传进企业", "安全生产月", "工业园区企业", "东区应急管理局"),
        (7, 3, "主汛期“气象预警早知道”宣传", "主汛期", "预警信息发布终端、东区发布微信公众号", ""),
        (9, 19, "全国科普日“走近气象”科普讲座", "全国科普日", "东区第二中学", "东区教育局"),
        (10, 16, "世界粮食日农业气象服务宣传", "世界粮食日", "种植大户田间课堂", "东区农业农村局"),
        (12, 2, "全国交通安全日冬季道路气象宣传", "全国交通安全日", "电子显示屏、短信平台",
         "东区公安分局交通警察大队"),
    ),
    moved=(("安全生产月", 6, 11), ("主汛期", 7, 7), ("全国科普日", 9, 17)),
    opinions=(
        (
            (4, 21, "网民在微信群质疑春播期倒春寒预报不准，影响育秧", "微信群",
             "业务科联合农业农村部门发布春播气象服务专报，逐条解答种植户疑问。"),
            (8, 14, "短视频平台有人称台风将正面登陆本区，引发部分群众恐慌", "短视频平台",
             "第一时间发布台风路径权威解读，请平台对不实视频作限流处理。"),
            (11, 27, "群众在政务服务平台反映道路结冰预警发布不及时", "政务服务平台",
             "复盘预警发布时间线，改进早间发布流程，并在平台上答复群众。"),
        ),
        (
            (3, 17, "网民转发“今年汛期降雨偏多五成”的不实长期预报", "微信朋友圈",
             "通过东区发布微信公众号说明气候预测的发布渠道和不确定性，提醒不信谣不传谣。"),
            (7, 22, "游客在旅游平台评论强对流天气景区未及时提示", "旅游服务平台",
             "与景区管理方建立预警信息直通机制，向评论游客说明情况。"),
            (9, 11, "种植户来电反映秋收期连阴雨预报与实况不符", "12345热线",
             "业务科派员上门解释预报依据，并加密发布农事气象提示。"),
        ),
    ),
    county_media="东区融媒体中心",
    wechat="微信号 dongqu-qixiang",
    positions=(0, 1, 3, 4, 5),
    skipped=((2, "screen"), (3, "terminal")),
    submissions=(36, 0.55),
    papers=(("人民日报", 480, 2), ("求是", 156, 2), ("中国气象报", 300, 4), ("澜城日报", 360, 3),
            ("支部生活", 96, 6)),
    checks={"inspected": (18, 23), "self": (20, 14)},
    topic_shift=3,
    quiet=(2,),
    unplanned=(2, 8),
    staff=14,
    party=9,
    board=5,
    committee=3,
    outlets=(2, 1, 4, 3, 4, 3, 7, 1),
    hours=("2.5", "2.0"),
    risks=(2, 3, 2, 3),
    rectify=(3, 6, 10),
    materials=((0, "《习近平新时代中国特色社会主义思想学习纲要（2023年版）》、二十届历次全会公报"),
               (6, "有关重要讲话、《中华人民共和国突发事件应对法》")),
    renamed=((3, "服务大厅LED显示屏", "气象服务大厅"), (4, "党员活动室宣传栏", "党员活动室外墙"),
             (5, "村（社区）气象预警大喇叭", "各村委会、社区服务中心")),
    feedback=(
        ("检查组听取汇报、抽查支部会议记录，反馈问题3个，主要是外包服务人员保密培训无记录、公众号转载审核留痕不全、"
         "青年理论学习小组活动不经常，已建立整改台账。",
         ("外包服务人员保密培训无记录", "公众号转载审核留痕不全", "青年理论学习小组活动不经常")),
        ("检查组查看预报会商室和观测场宣传点，肯定气象为农宣传做法，反馈问题1个，即农业气象服务专报对外发布未严格履行三审程序。",
         ("农业气象服务专报对外发布未严格履行三审程序",)),
    ),
    pool=(0, 1, 3, 4, 5),
    rejected=(5, 8, 10),
    problems=(
        "外包服务人员保密承诺书签订不全", "党员活动室宣传栏内容审核记录缺失", "气象预警大喇叭播放内容未经审核",
        "青年理论学习小组活动记录简单", "支部学习计划部分专题未组织",
    ),
    headlines=(
        "{unit}为春运提供精细化交通气象服务", "{unit}开展气象为农直通式服务", "{unit}农业气象专家走进田间地头",
        "{unit}完成春播期墒情监测服务", "{unit}开展青年理论学习小组活动", "{unit}召开汛期气象服务动员会",
        "{unit}开展城市内涝气象风险普查", "{unit}强对流天气预警服务筑牢安全防线", "{unit}做好东湖龙舟赛气象保障",
        "{unit}防雷减灾宣传走进工业园区", "{unit}党支部与东湖街道开展联建共建", "{unit}做好秋收秋种气象服务",
    ),
)  # fmt: skip

WEST = Profile(
    slot=2,
    days={"committee": (3, 3, 3, 10), "group1": 4, "group2": 15, "central": 20, "theme": 17, "staff": 23,
          "analysis": (28, 26, 24, 24), "assembly": 29, "review": 12, "rectify": 13, "inspect": 8},
    start=(9, 30),
    gaps=(((4, 11), (5,)), ((3,), (9,))),
    events={"deploy": (1, 21), "midyear": (7, 24), "special": (6, 5), "lecture": (9, 26),
            "life": (12, 26), "reading": (11, 13), "education": (5, 20), "plenum": (11, 18), "annual": (1, 9),
            "group": (1, 14), "report1": (6, 12), "report2": (12, 9), "debrief": (2, 12), "lifereport": (12, 26)},
    even=(("central", 22), ("theme", 16), ("analysis", (24, 26, 22, 21)), ("deploy", (1, 28)),
          ("midyear", (7, 21)), ("special", (5, 28)), ("lecture", (9, 17)), ("reading", (11, 5)),
          ("education", (4, 28)), ("annual", (1, 14)), ("group", (1, 20)), ("report1", (6, 9)),
          ("debrief", (2, 10))),
    places=("局四楼会议室", "党建活动室", "气象科普馆多功能厅"),
    lectures=(
        "弘扬气象精神，争做新时代合格党员",
        "把牢意识形态主动权，服务西区生态保护",
        "学思想、强党性，在乡村振兴中展现气象担当",
    ),
    readings=("“书香西区·气象人共读”活动", "“品读经典、涵养初心”读书沙龙"),
    publicity=(
        (3, 23, "世界气象日“气象科普进广场”主题宣传", "世界气象日", "西区文化广场", "西区科协"),
        (4, 15, "国家安全教育日保密知识宣传", "全民国家安全教育日", "单位宣传栏", ""),
        (5, 12, "防灾减灾日山洪地质灾害避险宣传", "防灾减灾日", "西山镇山区村", "西区自然资源局"),
        (6, 18, "安全生产月景区防雷安全宣传", "安全生产月", "西山风景区", "西区应急管理局"),
        (7, 10, "节能宣传周气候资源与绿色发展宣传", "节能宣传周", "门户网站、微信公众号", "西区发展改革局"),
        (9, 17, "全国科普日流动科普车进乡村", "全国科普日", "流动气象科普车", "西区科协"),
        (10, 13, "国际减灾日森林防火气象宣传", "国际减灾日", "林场、护林站", "西区应急管理局"),
        (12, 4, "宪法宣传周气象法治宣传", "宪法宣传周", "西区政务服务中心", "西区司法局"),
    ),
    moved=(("安全生产月", 6, 24), ("节能宣传周", 7, 16), ("全国科普日", 9, 15), ("宪法宣传周", 12, 1)),
    opinions=(
        (
            (6, 12, "驴友在户外论坛称山区强降雨预警“雷声大雨点小”", "户外论坛",
             "发布山区强降雨过程实况和雨量站数据，解释局地降水差异，提醒汛期勿进山涉水。"),
            (8, 4, "景区游客在短视频平台质疑高温预报偏高影响客流", "短视频平台",
             "与文旅部门联合发布景区分时段天气提示，说明预报与体感温度的区别。"),
            (3, 27, "网民在微博质疑沙尘天气预警发布滞后", "微博",
             "说明沙尘监测和预警发布流程，补发沙尘过程后续趋势预报，并在评论区回复网民。"),
            (12, 15, "群众来电询问人工增雨作业是否影响周边天气", "12345热线",
             "业务科说明人工影响天气作业的原理、审批和安全管理要求，回访来电群众。"),
        ),
        (
            (5, 9, "网民在微信群转发所谓“气象局内部消息”称将有冰雹", "微信群",
             "核实系不实信息后通过公众号辟谣，并同步提醒关注正式预警渠道。"),
            (7, 30, "果农在政务服务平台反映冰雹预警未覆盖其所在村", "政务服务平台",
             "核查预警覆盖范围，在该村增设预警信息接收员，并书面答复来信群众。"),
            (10, 21, "网民评论秋季森林火险等级发布用语晦涩难懂", "微信公众号留言",
             "改写火险等级说明，配发通俗图解，在留言区逐条回复。"),
        ),
    ),
    county_media="西区融媒体中心“西区发布”",
    wechat="微信号 xiqu-tianqi",
    positions=(0, 1, 2, 3, 4, 5),
    skipped=((4, "video"), (1, "screen")),
    submissions=(42, 0.5),
    papers=(("人民日报", 480, 3), ("求是", 156, 3), ("澜江日报", 420, 2), ("中国气象报", 300, 6),
            ("学习时报", 260, 1)),
    checks={"inspected": (24, 9), "self": (12, 6)},
    late=((2026, 6, 24),),
    topic_shift=5,
    quiet=(2, 7),
    unheld=(5, 9),  # with the 主题党日 missed in that month, its topic goes unstudied
    unplanned=(7,),
    staff=16,
    party=10,
    board=7,
    committee=3,
    outlets=(3, 2, 5, 4, 3, 2, 5, 1),
    hours=("3.0", "1.5"),
    risks=(3, 4, 3, 3),
    rectify=(2, 5, 7, 9, 11),
    materials=((0, "《习近平著作选读》第一卷、二十届历次全会公报"), (6, "有关重要讲话、《地质灾害防治条例》"),
               (10, "《中华人民共和国气象法》《人工影响天气管理条例》")),
    renamed=((2, "“西区天气”短视频号", "短视频平台账号"), (3, "门厅电子屏", "气象科普馆门厅"),
             (4, "廉政文化宣传长廊", "办公楼前广场"), (5, "景区预警信息显示屏", "西山风景区游客中心")),
    feedback=(
        ("检查组实地查看气象科普馆和景区预警显示屏，反馈问题3个：科普展板数据未及时更新、显示屏巡检记录缺页、"
         "支委会对意识形态工作研究不够具体，要求11月底前整改到位。",
         ("科普展板数据未及时更新", "景区预警显示屏巡检记录缺页", "支委会对意识形态工作研究不够具体")),
        ("检查组抽查公众号留言处置和火险等级发布记录，反馈问题2个，主要是留言回复不及时、发布用语不够通俗。",
         ("公众号留言回复不及时", "火险等级发布用语不够通俗")),
    ),
    pool=(0, 2, 3, 4),
    rejected=(6,),
    problems=(
        "青年干部参加集中学习出勤率偏低", "景区预警显示屏内容更新不及时", "短视频号发布内容未留存审核记录",
        "气象科普馆讲解词未经审核", "支委会研究意识形态工作记录过简", "流动科普车宣传资料数据陈旧",
    ),
    headlines=(
        "{unit}护航西山风景区旅游旺季", "{unit}开展山洪地质灾害气象风险预警服务", "{unit}完成森林防火期气象保障",
        "{unit}党员志愿者走进山区村宣讲防灾知识", "{unit}开展人工增雨作业缓解旱情", "{unit}为果农提供冰雹防御气象服务",
        "{unit}召开汛期地质灾害气象风险会商会", "{unit}流动科普车开进西山镇", "{unit}开展景区防雷设施安全检查",
        "{unit}党支部举办专题读书班", "{unit}做好西山水库蓄水期气象保障", "{unit}推进乡村气象信息员队伍建设",
    ),
)  # fmt: skip
PROFILES = {"demo-dist": DIST, "demo-east": EAST, "demo-west": WEST}

# the demo province's media, fictional but of the kinds a county bureau writes for
PROVINCE_DAILY = "澜江日报"
OUTLETS = [
    ("中国气象报", m.SubmissionLevel.INDUSTRY), ("中国气象局网站", m.SubmissionLevel.INDUSTRY),
    (PROVINCE_DAILY, m.SubmissionLevel.PROVINCE), ("省气象局门户网站", m.SubmissionLevel.INDUSTRY),
    ("澜城日报", m.SubmissionLevel.CITY), ("澜城广播电视台", m.SubmissionLevel.CITY),
    ("{county}", m.SubmissionLevel.COUNTY), ("人民网澜江频道", m.SubmissionLevel.CENTRAL),
]  # fmt: skip
# the words of a routine story (a meeting, a study), which a central outlet does not run
ROUTINE = ("学习", "主题党日", "会议", "动员会", "联建共建", "读书班")

MORE_HEADLINES = [
    "{unit}开展气象为农直通式服务", "{unit}党员志愿者走进社区宣讲防灾知识", "{unit}召开汛期气象服务动员会",
    "{unit}为春运提供精细化交通气象服务", "{unit}完成森林防火期气象保障", "{unit}开展青年理论学习小组活动",
]  # fmt: skip

# each quarter's situation reads of its own season, in two wordings
SITUATIONS = {
    1: (
        ("春节和全国两会期间，干部职工思想稳定，意识形态领域总体平稳，未发现苗头性问题。",
         "两会期间舆论平稳，需关注春播气象服务中的社会关切。"),
        ("一季度干部职工围绕春播春耕气象服务积极作为，思想稳定，主流舆论积极健康。",
         "形势总体平稳，倒春寒等过程的预报解读还需加强。"),
    ),
    2: (
        ("进入汛期以来，干部职工坚守岗位，思想总体稳定，网络舆论对强降雨过程关注度上升。",
         "形势总体可控，汛期预报服务和网络舆情是关注重点。"),
        ("二季度意识形态领域总体平稳，青年职工对职称评审和岗位交流关注较多，思想总体稳定，新媒体阵地运行正常，个别强对流过程引发网民讨论。",
         "总体平稳，需防范汛期不实预警信息传播。"),
    ),
    3: (
        ("主汛期和高温期间，干部职工连续值守，思想稳定，舆论关注集中在预警发布时效。",
         "形势平稳可控，需继续做好预警信息解读和舆情回应。"),
        ("三季度意识形态领域总体平稳，干部职工对汛期连续值班和绩效分配调整有所议论，思想总体稳定，暑期科普宣传开展正常，网络舆论对预警信息发布时效关注度较高。",
         "总体平稳，新媒体转载内容审核仍需从严。"),
    ),
    4: (
        ("四季度干部职工思想稳定，年终各项工作有序推进，意识形态领域总体平稳。",
         "形势总体平稳，需关注寒潮、冰冻等过程的服务解读。"),
        ("入冬以来，干部职工围绕冬季气象服务履职尽责，对年度考核和机构改革关注较多，思想总体稳定，网络舆论总体正面。",
         "总体平稳可控，年末需抓好阵地检查和问题整改收尾。"),
    ),
}  # fmt: skip

# how long each kind of meeting runs (the end time bounds the QR sign-in)
MINUTES = {
    "party_group": 90, "central_study": 120, "special": 90, "analysis": 120, "branch_committee": 90,
    "members_assembly": 90, "group": 60, "party_lecture": 120, "theme_day": 120, "life_meeting": 180,
    "staff_study": 120, "reading": 120, "theme_education": 150,
}  # fmt: skip


def _position_specs(unit: Any, year: int, profile: Profile) -> list[tuple[Any, str, str, date, date]]:
    """The positions a unit runs: kind, name, address, opened, last updated."""
    first_day = date(year, 1, 1)
    specs = [
        (m.PositionKind.WEBSITE, f"{unit.name}门户网站", "政府网站气象专栏", date(2016, 5, 1), first_day),
        (m.PositionKind.WECHAT, f"{unit.short_name}微信公众号", profile.wechat, date(2018, 3, 1), first_day),
        (m.PositionKind.VIDEO, f"{unit.short_name}短视频号", "短视频平台账号", date(2021, 6, 1),
         date(year - 1, 12, 1)),
        (m.PositionKind.SCREEN, "一楼大厅电子显示屏", "办公楼一楼", date(2019, 9, 1), first_day),
        (m.PositionKind.BOARD, "党建宣传栏", "办公楼二楼走廊", date(2017, 7, 1), first_day),
        (m.PositionKind.TERMINAL, "预警信息发布终端（社区）", "各社区服务中心", date(2020, 4, 1), first_day),
    ]  # fmt: skip
    for n, name, address in profile.renamed:  # each building has its own screen, board and terminals
        specs[n] = (specs[n][0], name, address, specs[n][3], specs[n][4])
    shift = timedelta(days=97 * profile.slot)  # the siblings opened theirs at other times
    # in the unit's own order (the order of `positions`)
    return [(kind, name, where, opened + shift, last) for kind, name, where, opened, last in
            (specs[n] for n in profile.positions)]  # fmt: skip


def _plan_sections(pick: Any, own: Any, body: str) -> list[tuple[str, list[str]]]:
    """The year's work plan, each unit wording its own tasks (`own` keeps the district's first
    wording and lets a sibling choose)."""
    return [
        (
            "一、强化理论武装",
            [
                own(["制定并落实年度理论学习中心组学习计划", "年初印发中心组学习计划并按月组织实施",
                     "中心组学习计划逐月落实、专题研讨不少于4次"]),
                pick(["每月开展干部职工集中学习", "按月组织干部职工集中学习并做好记录", "坚持每月一次干部职工集中学习"]),
            ],
        ),
        ("二、落实工作责任", [
            own(["调整意识形态工作领导小组并签订责任书", "年初调整领导小组，班子成员逐一签订责任书",
                 "完善领导小组和责任清单，责任书签订到岗到人"]),
            f"{body}每半年专题研究一次意识形态工作",
        ]),
        (
            "三、加强阵地管理",
            [
                pick(["每季度开展一次阵地检查", "按季度检查网站、公众号等各类阵地", "每季度对宣传阵地全面检查一次"]),
                pick(["严格执行信息发布三审制度", "对外发布信息一律经过初审、复审、终审", "落实公众号和网站信息“三审”把关"]),
            ],
        ),
        (
            "四、做好舆论引导",
            [
                own(["每季度开展一次分析研判", "按季度召开形势分析研判会议", "每季度末研判一次意识形态领域形势"]),
                pick(["全年投稿不少于50篇，省级以上采用不少于12篇", "全年报送稿件50篇以上，省级以上采用不少于12篇"]),
            ],
        ),
    ]  # fmt: skip


class Builder:
    def __init__(self, unit: Any, cast: Cast, year: int, light: bool, today: date) -> None:
        self.unit, self.cast, self.year, self.light, self.today = unit, cast, year, light, today
        self.rng = random.Random(f"{unit.code}-{year}")  # noqa: S311 (demo text, not security)
        self.profile = PROFILES.get(unit.code, DIST)
        self.count = 0
        self.sent: list[Any] = []  # the year's submissions, each reviewed before it goes out
        self.raised: set[str] = set()  # the risk points the year's analyses have raised so far
        self.settled: set[str] = set()  # and those whose rectification was closed
        self.open_risks: set[str] = set()  # or is still open (the risk is not resolved while it is)
        self.last_month = 12 if year < today.year else today.month
        # the body that studies ideology work is the unit's own: a branch's 支委会, a 党组's meeting
        self.branch = unit.org_type in ("branch", "general_branch")
        self.body = "支委会" if self.branch else "党组会议"
        # the 机关代字 of its 发文字号: 区气象局 → 区气党, 东区气象局 → 东气党 (demo.SETTINGS)
        self.code = f"{unit.short_name.removesuffix('气象局')[:1]}气党"
        # each bureau writes of its own work: no two siblings send an article of the same title
        own = list(self.profile.headlines) or MORE_HEADLINES
        self.headlines = HEADLINES if not self.profile.slot else own
        # the year's days: an even year holds its meetings and events on days of its own
        even = {} if year % 2 else dict(self.profile.even)
        self.days = {**self.profile.days, **{k: v for k, v in even.items() if k in self.profile.days}}
        self.ev = {**self.profile.events, **{k: v for k, v in even.items() if k not in self.profile.days}}

    def ok(self, d: date) -> bool:
        return d.year == self.year and d <= self.today

    def day(self, month: int, key: str) -> date:
        day = self.days[key]
        return _workday(self.year, month, day[(month - 1) // 3] if isinstance(day, tuple) else day)

    def create(self, instance: Any, m2m: dict[str, Any] | None = None, by: Any = None) -> Any:
        obj = record_create(acting_user=by or self.cast.clerk, instance=instance, m2m=m2m)
        self.count += 1
        return obj

    def people(self, k: int) -> list[Any]:
        return self.rng.sample(self.cast.members, min(k, len(self.cast.members)))

    # -- 领导小组 and 责任清单 ---------------------------------------------------------------------------
    def group(self) -> None:
        c, y = self.cast, self.year
        appointed = _workday(y, *self.ev["group"])
        if not self.ok(appointed):
            return
        # the unit's one 机关代字 (its 公文设置's); No. 1 of the year is last year's summary, sent before
        no = f"{self.code}〔{y}〕2号"
        seats = [(c.secretary, "", m.GroupPost.LEADER, "局长、党支部书记")]
        if c.leader:
            seats.append((c.leader, "", m.GroupPost.DEPUTY, "副局长"))
        seats += [(None, name, m.GroupPost.MEMBER, post) for name, post, _ in c.outside_leaders]
        seats.append((c.clerk, "", m.GroupPost.LIAISON, "办公室主任"))
        for person, text, post, title in seats:
            self.create(m.LeadingGroupMember(
                unit=self.unit, year=y, person=person, person_text=text, post=post, title=title,
                appointed_on=appointed, document_no=no,
            ))  # fmt: skip
        for person, text, role, field, duty in self.duties():
            item = self.create(m.ResponsibilityItem(
                unit=self.unit, year=y, person=person, person_text=text, role=role, field=field, duties=duty,
                signed_on=appointed,
            ))  # fmt: skip
            if not self.light and role == m.ResponsibilityRole.FIRST:
                attachment_add(
                    acting_user=c.clerk,
                    record=item,
                    upload=SimpleUploadedFile(
                        f"{y}年意识形态工作责任书.txt",
                        f"{y}年度意识形态工作责任书（签字版扫描件说明）\n责任人：{item.person}".encode(),
                    ),
                )

    def duties(self) -> list[tuple[Any, str, str, str, str]]:
        c, R = self.cast, m.ResponsibilityRole
        first = (
            "对本单位意识形态工作负主体责任，把意识形态工作纳入党建和业务工作总体布局，"
            "每年专题研究意识形态工作不少于两次，带头讲党课。"
        )
        direct = (
            "协助第一责任人抓好意识形态工作，组织开展形势分析研判，督促问题整改，审核对外宣传和信息发布。"
        )
        duties: list[tuple[Any, str, str, str, str]] = [(c.secretary, "", R.FIRST, "全面工作", first)]
        if c.leader:
            duties.append((c.leader, "", R.DIRECT, "党建、宣传", direct))
        for name, _, field in c.outside_leaders:
            dual = f"落实一岗双责，抓好分管{field}领域的意识形态工作，及时报告苗头性倾向性问题。"
            duties.append((None, name, R.DUAL, field, dual))
        return duties

    # -- 学习计划 and 会议学习 ------------------------------------------------------------------------------
    def topic(self, month: int) -> tuple[str, str]:
        """The study topic of a month: January opens the year everywhere, the rest in the unit's order,
        which moves on each year; the year's own reading (YEAR_READING) in January and one topic more."""
        rest = len(STUDY_TOPICS) - 1
        n = 0 if month == 1 else 1 + (month - 2 + self.profile.topic_shift + self.year) % rest
        # an even year reads other material on the same topic (the unit's own reading is an odd year's)
        own = dict(self.profile.materials) if self.year % 2 else EVEN_MATERIALS
        materials = own.get(n, STUDY_TOPICS[n][1])
        if n in (0, 1 + self.year % rest):
            materials = f"{YEAR_READING[self.year % len(YEAR_READING)]}、{materials}"
        return STUDY_TOPICS[n][0], materials

    def study(self) -> None:
        y = self.year
        issued = _workday(y, 1, 12)
        if not self.ok(issued):
            return
        plans: dict[str, list[Any]] = {}
        central = (
            f"{y}年党组理论学习中心组学习计划"
            if not self.branch
            else f"{y}年{self.unit.short_name}理论学习中心组学习计划"
        )
        for scope, title in [
            (m.study.StudyPlanScope.CENTRAL, central),
            (m.study.StudyPlanScope.BRANCH, f"{y}年党支部学习计划"),
        ]:
            if self.light and scope == m.study.StudyPlanScope.BRANCH:
                continue
            plan = self.create(m.StudyPlan(
                unit=self.unit, year=y, scope=scope, title=title, issued_on=issued,
                note="按月安排学习专题，结合工作实际开展研讨交流。",
            ))  # fmt: skip
            months = [n for n in range(1, 13, 3 if self.light else 1) if n not in self.profile.unplanned]
            plans[scope] = [
                self.create(
                    m.StudyPlanItem(
                        unit=self.unit,
                        plan=plan,
                        month=month,
                        topic=self.topic(month)[0],
                        materials=self.topic(month)[1],
                    )
                )
                for month in months
            ]
        self.meetings(plans)

    def meetings(self, plans: dict[str, list[Any]]) -> None:
        schedule = self.regular(plans) + self.quarterly() + self.events()
        for d, kind, title, items in sorted(schedule, key=lambda s: s[0]):
            if self.ok(d):
                self.hold(d, kind, title, items)

    def regular(self, plans: dict[str, list[Any]]) -> list[tuple[date, str, str, list[Any]]]:
        """The monthly round: 中心组, and for a branch 支委会, 党小组会, 主题党日 and 集中学习. The
        months missed differ from year to year (a copied year would repeat them)."""
        K = m.MeetingKind
        central = {i.month: i for i in plans.get(m.study.StudyPlanScope.CENTRAL, [])}
        branch = {i.month: i for i in plans.get(m.study.StudyPlanScope.BRANCH, [])}
        gap_committee, gap_theme = self.profile.gaps[0 if self.year % 2 else 1]
        # the months whose 支委会 studies ideology work (see events) hold no second one
        ev = self.ev
        studied = ("deploy", "midyear", "autumn") if self.year % 2 == 0 else ("deploy", "midyear")
        special = {ev[k][0] for k in studied if k in ev} if self.branch else set()
        out: list[tuple[date, str, str, list[Any]]] = []
        for month in range(1, self.last_month + 1):
            topic = self.topic(month)[0]
            if month in central and month not in self.profile.unheld:
                out.append(
                    (
                        self.day(month, "central"),
                        K.CENTRAL_STUDY,
                        f"理论学习中心组集中学习：{topic}",
                        [central[month]],
                    )
                )
            if self.light:
                continue
            if month not in gap_committee and month not in special:
                out.append((self.day(month, "committee"), K.BRANCH_COMMITTEE, f"{month}月支委会", []))
            for group_no, key in (("第一", "group1"), ("第二", "group2")):
                if key == "group2" and month in self.profile.quiet:
                    continue
                out.append((self.day(month, key), K.GROUP, f"{group_no}党小组{month}月党小组会", []))
            if month not in gap_theme:
                items = [branch[month]] if month in branch else []
                out.append((self.day(month, "theme"), K.THEME_DAY, f"{month}月主题党日：{topic}", items))
            if month not in self.profile.quiet:
                out.append((self.day(month, "staff"), K.STAFF_STUDY, f"干部职工集中学习：{topic}", []))
        return out  # fmt: skip

    def quarterly(self) -> list[tuple[date, str, str, list[Any]]]:
        K = m.MeetingKind
        out: list[tuple[date, str, str, list[Any]]] = []
        for month in range(3, self.last_month + 1, 3):
            q = "一二三四"[month // 3 - 1]
            out.append((self.day(month, "analysis"), K.ANALYSIS, f"第{q}季度意识形态形势分析研判会议", []))
            if not self.light:
                out.append((self.day(month, "assembly"), K.MEMBERS_ASSEMBLY, f"第{q}季度党员大会", []))
        return out

    def events(self) -> list[tuple[date, str, str, list[Any]]]:
        """The year's named events. A branch studies ideology work in its 支委会 (it has no 党组)."""
        K, ev, body = m.MeetingKind, self.ev, self.body
        study_kind = K.BRANCH_COMMITTEE if self.branch else K.PARTY_GROUP
        named = [
            ("deploy", study_kind, f"{body}专题研究部署年度意识形态工作"),
            ("midyear", study_kind, f"{body}专题研究部署下半年意识形态工作"),
            ("special", K.SPECIAL, "意识形态工作专题会议"),
            ("lecture", K.PARTY_LECTURE, f"书记讲专题党课：{self.rng.choice(self.profile.lectures)}"),
            ("life", K.LIFE_MEETING, "年度组织生活会"),
            ("reading", K.READING, self.rng.choice(self.profile.readings)),
            ("education", K.THEME_EDUCATION, THEME_EDUCATION.get(self.year, "专题学习研讨")),
        ][:: 3 if self.light else 1]
        if not self.light and self.year % 2 == 0 and "autumn" in ev:
            # in an even year the district's 支委会 meets on ideology work again in the autumn: the
            # city's inspection feedback and the fourth quarter (a half-year report has its meeting)
            named.append(("autumn", study_kind, f"{body}专题研究意识形态工作检查反馈问题整改和四季度任务"))
        if not self.light and self.year in PLENUM:  # the 中心组's study of the year's plenary session
            named.append(("plenum", K.CENTRAL_STUDY, f"理论学习中心组专题学习：{PLENUM[self.year][0]}"))
        if self.light and self.branch:
            # the light year (the tests' cast) keeps a branch without any 支委会: its year's work is
            # laid out at a 意识形态工作专题会议 instead
            named = [(key, K.SPECIAL, f"意识形态工作专题会议：{title.removeprefix(body).removeprefix('专题')}") if kind == study_kind
                     else (key, kind, title) for key, kind, title in named]  # fmt: skip
        return [(_workday(self.year, *ev[key]), str(kind), title, []) for key, kind, title in named]

    def size(self, kind: str, title: str, spare: int) -> int:
        """Who is expected: the 中心组 at its study and at the analyses, the 支委 at the 支委会, a
        党小组 its half of the branch, the whole bureau at the 干部职工 study, else the branch's members
        (the same branch all year and from year to year)."""
        K, p = m.MeetingKind, self.profile
        if kind == K.STAFF_STUDY:  # the whole bureau, not only its party members
            return p.staff - spare % 3
        if kind == K.GROUP:
            return p.party - p.party // 2 if title.startswith("第一") else p.party // 2
        if kind == K.SPECIAL:  # the leaders and the heads of the offices
            return p.board + 2
        sizes: dict[str, int] = {K.CENTRAL_STUDY: p.board, K.PARTY_GROUP: p.board, K.ANALYSIS: p.board,
                                 K.BRANCH_COMMITTEE: p.committee}  # fmt: skip
        return sizes.get(kind, p.party)

    def hold(self, d: date, kind: str, title: str, items: list[Any]) -> None:
        c, K = self.cast, m.MeetingKind
        attendees = self.people(self.rng.randint(min(2, len(c.members)), len(c.members)))
        expected = self.size(kind, title, self.rng.randint(2, 8))
        absent = self.rng.randint(0, 2)  # a small body is mostly all there
        present = expected - (absent if expected > 8 else absent // 2)
        own_hours = dict(zip((str(K.CENTRAL_STUDY), str(K.STAFF_STUDY)), self.profile.hours, strict=True))
        hours = own_hours.get(kind, "2.0")
        leads = (K.PARTY_GROUP, K.CENTRAL_STUDY, K.PARTY_LECTURE, K.SPECIAL)
        studied = kind == K.BRANCH_COMMITTEE and "意识形态" in title  # the secretary chairs it
        host = c.secretary if kind in leads or studied else (c.leader or c.secretary)
        hour, minute = self.profile.start
        begins = _at(d, hour, minute) if kind != K.THEME_DAY else _at(d, hour + 6, minute)
        meeting = self.create(
            m.Meeting(
                unit=self.unit, kind=kind, title=title, held_at=begins,
                ends_at=begins + timedelta(minutes=max(MINUTES.get(kind, 90), int(60 * float(hours)))),
                place=self.rng.choice(self.profile.places), host=host, expected=expected, present=present,
                agenda="一、传达学习有关精神；二、交流研讨；三、研究部署下一步工作。",
                content=items[0].materials if items else EVENT_CONTENT.get(title, "传达学习上级有关文件和会议精神。"),
                minutes=self.rng.choice(MINUTES_TEXT), decisions="明确责任分工，按期报送落实情况。",
                hours=Decimal(hours) if kind in STUDY_KINDS else None,
            ),
            m2m={"attendees": attendees, "plan_items": items},
        )  # fmt: skip
        if kind == K.ANALYSIS:
            self.analysis(meeting, d)
        elif not self.light and kind == K.THEME_DAY and d.month in (3, 7):
            attachment_add(
                acting_user=c.clerk, record=meeting, upload=SimpleUploadedFile(f"{title}-现场照片.png", png())
            )

    # -- 分析研判 -----------------------------------------------------------------------------------------
    def analysis(self, meeting: Any, d: date) -> None:
        quarter = (d.month - 1) // 3 + 1
        situation, conclusion = SITUATIONS[quarter][(self.profile.slot + self.year + quarter) % 2]
        a = self.create(m.Analysis(
            unit=self.unit, year=self.year, quarter=quarter, held_on=d, meeting=meeting,
            situation=situation, conclusion=conclusion,
        ))  # fmt: skip
        # a risk whose rectification was closed this year is not raised again in the same year
        pool = [RISKS[n] for n in self.profile.pool if RISKS[n][1] not in self.settled]
        k = 1 if self.light else min(self.profile.risks[quarter - 1], len(pool))
        for field, desc, _area, cause, office, measure in self.rng.sample(pool, k):
            level = self.rng.choice(
                [m.RiskLevel.LOW, m.RiskLevel.MEDIUM, m.RiskLevel.MEDIUM, m.RiskLevel.HIGH]
            )
            risk = self.create(m.Risk(
                unit=self.unit, analysis=a, description=desc, level=level, field=field, cause=cause,
                responsible_office=office, measure=measure,
                resolved=d < self.today - timedelta(days=120) and desc not in self.open_risks,
            ))  # fmt: skip
            recurring = desc in self.raised
            self.raised.add(desc)
            if level == m.RiskLevel.HIGH and not self.light:
                rect = ledger_services.risk_open_rectification(acting_user=self.cast.clerk, risk=risk)
                self.count += 1
                self.own_by_office(rect, office)
                # a risk raised before is a standing weakness: its rectification stays open
                self.close_or_leave(rect, d, standing=recurring, weeks=2)
                if rect.state == m.RectificationState.IN_PROGRESS:
                    self.unresolve(risk)
                    self.open_risks.add(desc)
                else:
                    self.settled.add(desc)

    def own_by_office(self, rect: Any, office: str) -> None:
        """A risk's rectification is answered for by the leader over the office that takes the measure
        (业务科: the 副局长 in charge of 业务), not by whoever opened it."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        field = {"业务科": "业务"}.get(office)
        name = next((n for n, _, f in self.cast.outside_leaders if field and f == field), None)
        if name is None:
            return
        before = snapshot(rect)
        rect.owner, rect.owner_text = None, name
        record_update(acting_user=self.cast.clerk, instance=rect, before=before)

    def unresolve(self, risk: Any) -> None:
        """A risk whose rectification is still open is not yet resolved."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        risk.refresh_from_db()
        if risk.resolved:
            before = snapshot(risk)
            risk.resolved = False
            record_update(acting_user=self.cast.clerk, instance=risk, before=before)

    # -- 问题整改 -----------------------------------------------------------------------------------------
    def close_or_leave(self, rect: Any, found: date, *, standing: bool = False, weeks: int = 0) -> None:
        """Most rectifications are closed in time; some run late so the year has open problems (and
        one of a standing weakness stays open). A high risk's takes `weeks` more; deadlines and
        closings fall on working days."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        more = timedelta(weeks=weeks)
        rect.deadline = _next_workday(found + more + timedelta(days=self.rng.choice([30, 45, 60])))
        before = snapshot(rect)
        done_on = _next_workday(found + more + timedelta(days=self.rng.randint(10, 40)))
        if done_on <= self.today and self.rng.random() < 0.75 and not standing:
            rect.state = self.rng.choice([m.RectificationState.DONE, m.RectificationState.CLOSED])
            rect.completed_on = done_on
            rect.result = f"已按整改措施完成整改，建立长效机制，经{self.body}审核销号。"
        else:
            rect.state = m.RectificationState.IN_PROGRESS
        record_update(acting_user=self.cast.clerk, instance=rect, before=before)

    def owner(self, i: int) -> dict[str, Any]:
        """Who answers for a rectification: the district's leader in charge; at a sibling in turn the
        leader, the clerk and the outside leaders of the 领导小组; never the secretary (who supervises them)."""
        c = self.cast
        if c.leader and not self.profile.slot:
            return {"owner": c.leader}
        staff: list[dict[str, Any]] = [
            {"owner": p} for p in dict.fromkeys([c.leader, c.clerk]) if p and p != c.secretary
        ]
        staff += [{"owner": None, "owner_text": name} for name, _, _ in c.outside_leaders]
        return staff[i % len(staff)] if staff else {"owner": c.secretary}

    def rectifications(self) -> None:
        S = m.RectificationSource
        sources = [S.INSPECTION, S.SELF, S.SUPERIOR, S.LIFE_MEETING]
        problems = EVEN_YEAR_PROBLEMS if self.year % 2 == 0 else ODD_YEAR_PROBLEMS
        offset = 2 * self.profile.slot  # the siblings' lists start elsewhere
        if self.profile.problems and self.year % 2:  # a sibling's own problems in an odd year
            problems, offset = list(self.profile.problems), 0
        months = self.profile.rectify[:: 2 if self.light else 1]
        for i, month in enumerate(n for n in months if n <= self.last_month):
            found = self.day(month, "rectify")
            if not self.ok(found):
                continue
            source = sources[i % len(sources)]
            if source == S.LIFE_MEETING and _workday(self.year, *self.ev["life"]) >= found:
                source = S.SUPERIOR  # no problem comes out of a 生活会 not yet held that year
            rect = self.create(m.Rectification(
                unit=self.unit, source=source, found_on=found,
                problem=problems[(i + offset) % len(problems)],
                measures="明确责任人，制定整改清单，限期完成并报告整改结果。",
                deadline=_next_workday(found + timedelta(days=45)), **self.owner(i),
            ))  # fmt: skip
            self.close_or_leave(rect, found)

    # -- 宣传, 投稿, 征订 ----------------------------------------------------------------------------------
    def publicity(self) -> list[Any]:
        done = []
        moved = {} if self.year % 2 else {occasion: when for occasion, *when in self.profile.moved}
        events = self.profile.publicity[:: 3 if self.light else 1]
        for month, day, theme, occasion, channel, partner in events:
            d = _workday(self.year, *moved.get(occasion, (month, day)))
            if not self.ok(d):
                continue
            done.append(self.create(m.Publicity(
                unit=self.unit, held_on=d, theme=f"{self.year}年{theme}", occasion=occasion, channel=channel,
                partners=partner, reach=self.rng.randint(180, 2960) + _span(f"{self.unit.code}{self.year}{theme}", 1, 37),
                summary=f"围绕{occasion}开展宣传，发放宣传资料，现场解答群众咨询。",
            )))  # fmt: skip
        return done

    def submissions(self, publicity: list[Any]) -> None:
        n = 8 if self.light else self.profile.submissions[0]
        authors = [
            self.cast.clerk.full_name,
            *(p.full_name for p in self.cast.members if p != self.cast.clerk),
        ]
        names = (
            ["张晓燕", "刘洋", "张晓燕、刘洋", "办公室"]
            if not self.profile.slot
            else [*authors[:2], "办公室"]
        )
        for i in range(n):
            d = date(self.year, 1, 1) + timedelta(days=int(i * 360 / n) + self.rng.randint(0, 5))
            if not self.ok(d):
                continue
            title = self.headlines[i % len(self.headlines)].format(unit=self.unit.short_name)
            outlet, level = self.rng.choices(OUTLETS, weights=self.profile.outlets)[0]
            if level == m.SubmissionLevel.CENTRAL and any(w in title for w in ROUTINE):
                outlet, level = OUTLETS[6]  # a routine story is for the county's own media
            # a central outlet takes a county bureau's story seldom
            share = self.profile.submissions[1] * (0.3 if level == m.SubmissionLevel.CENTRAL else 1)
            adopted = self.rng.random() < share
            published = d + timedelta(days=self.rng.randint(2, 10))
            if published > self.today:
                adopted = False
            linked = next((p for p in publicity if abs((p.held_on - d).days) < 10), None)
            status = m.publicity.SubmissionStatus
            self.sent.append(self.create(m.Submission(
                unit=self.unit, title=title, authors=self.rng.choice(names), outlet=outlet.format(county=self.profile.county_media),
                level=level, submitted_on=d,
                status=status.ADOPTED if adopted else self.rng.choice([status.SUBMITTED, status.REJECTED]),
                published_on=published if adopted else None,
                page_or_url=f"第{self.rng.randint(1, 8)}版" if adopted else "", publicity=linked,
            )))  # fmt: skip

    def subscriptions(self) -> None:
        d = _workday(self.year, 1, 20)
        for pub, price, copies in self.profile.papers[: 2 if self.light else None]:
            done = self.ok(d)
            self.create(m.Subscription(
                unit=self.unit, year=self.year, publication=pub, copies=copies, amount=Decimal(copies * price),
                done=done, done_on=d if done else None,
            ))  # fmt: skip

    # -- 阵地, 检查, 发布审核 ------------------------------------------------------------------------------
    def positions(self) -> None:
        existing = list(m.Position.objects.filter(unit=self.unit))
        if not existing:
            specs = _position_specs(self.unit, self.year, self.profile)
            for kind, name, address, opened, last in specs[: 2 if self.light else None]:
                existing.append(self.create(m.Position(
                    unit=self.unit, kind=kind, name=name, address=address, owner=self.cast.clerk, opened_on=opened,
                    filed_on=opened + timedelta(days=14), last_update=min(last, self.today),
                )))  # fmt: skip
        for p in existing:
            self.inspect(p)
        self.reviews([p for p in existing if p.kind in (m.PositionKind.WEBSITE, m.PositionKind.WECHAT)])

    def inspect(self, p: Any) -> None:
        """A position's inspection every quarter, but for the one the unit let slip (a rule missed)."""
        for quarter in range(1, 5):
            if (quarter, p.kind) in self.profile.skipped:
                continue
            d = self.day(quarter * 3 - 1, "inspect")
            if not self.ok(d) or (self.light and quarter % 2 == 0):
                continue
            problems = self.rng.choice([0, 0, 0, 1, 2])
            found = "未发现问题。" if not problems else f"发现{problems}处内容更新不及时，已督促整改。"
            self.create(m.PositionInspection(
                unit=self.unit, position=p, inspected_on=d, inspector=self.cast.leader or self.cast.secretary,
                findings="检查发布内容、账号安全和更新频次，" + found, problems=problems,
            ))  # fmt: skip

    def reviews(self, positions: list[Any]) -> None:
        # three different people review each round; the clerk, the leader in charge, the secretary
        reviewers = list(
            dict.fromkeys([self.cast.clerk, self.cast.leader, self.cast.secretary, *self.cast.members])
        )
        reviewers = [r for r in reviewers if r is not None][:3]
        if not positions or len(reviewers) < 3:
            return
        for i, month in enumerate(range(1, self.last_month + 1, 6 if self.light else 1)):
            d = self.day(month, "review")
            if not self.ok(d):
                continue
            review = self.create(m.PublicationReview(
                unit=self.unit, position=positions[i % len(positions)],
                title=self.headlines[(i + 3) % len(self.headlines)].format(unit=self.unit.short_name),
                drafted_on=d, content="稿件介绍本局近期重点工作开展情况。",
            ))  # fmt: skip
            ledger_services.review_submit(acting_user=self.cast.clerk, review=review)
            self.decide(review, reviewers, d, rejected=month in self.profile.rejected)
        self.review_sent(positions[0], reviewers)

    def review_sent(self, position: Any, reviewers: list[Any]) -> None:
        """Every article sent out passes the 三审 first (and goes up on the unit's own site the day it is sent)."""
        for sub in [] if self.light else self.sent:
            d = max(sub.submitted_on - timedelta(days=3), date(self.year, 1, 1))
            if d + timedelta(days=3) > self.today:
                continue
            review = self.create(m.PublicationReview(
                unit=self.unit, position=position, title=sub.title, drafted_on=d,
                content=f"拟向{sub.outlet}投送的稿件。",
            ))  # fmt: skip
            ledger_services.review_submit(acting_user=self.cast.clerk, review=review)
            self.decide(review, reviewers, d, rejected=False)

    def decide(self, review: Any, reviewers: list[Any], d: date, *, rejected: bool) -> None:
        stages = [ReviewStage.FIRST, ReviewStage.SECOND, ReviewStage.FINAL]
        rejected_at = ReviewStage.SECOND if rejected else None
        for who, stage in zip(reviewers, stages, strict=True):
            verdict = Verdict.REJECT if stage == rejected_at else Verdict.PASS
            ledger_services.review_decide(
                acting_user=who, review=review, stage=stage, verdict=verdict,
                comment="个别数据需核实，请修改后重新送审。" if verdict == Verdict.REJECT else "同意。",
                at=_at(d + timedelta(days=stages.index(stage)), 10),
            )  # fmt: skip
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
        items = self.profile.opinions[0 if self.year % 2 else 1]
        for month, day, summary, source, response in sorted(items)[: 1 if self.light else None]:
            d = _workday(self.year, month, day)
            if not self.ok(d):
                continue
            closed_on = _next_workday(d + timedelta(days=_span(summary, 2, 6)))
            closed = closed_on <= self.today
            self.create(m.PublicOpinion(
                unit=self.unit, found_on=d, source=source, summary=summary, response=response, closed=closed,
                closed_on=closed_on if closed else None,
            ))  # fmt: skip

    def choose(self, options: list[str]) -> str:
        """The district draws; each sibling takes another text than the other sibling."""
        if not self.profile.slot:
            return self.rng.choice(options)
        return options[(self.profile.slot + self.year) % len(options)]

    def report_items(self) -> list[tuple[int, int, str, str, str]]:
        K, y, odd, ev = m.ReportKind, self.year, self.year % 2, self.ev
        inspected, self_check = self.profile.checks["inspected"], self.profile.checks["self"]
        return [
            (*ev["report1"], K.HALF_YEAR, f"关于{y}年上半年意识形态工作情况的报告", "市气象局党组"),
            (*ev["report2"], K.HALF_YEAR, f"关于{y}年下半年意识形态工作情况的报告", "市气象局党组"),
            (9, inspected[0 if odd else 1], K.INSPECTED, "接受市气象局意识形态工作专项检查", "市气象局"),
            (11, self_check[0 if odd else 1], K.INSPECTING, "开展意识形态工作责任制落实情况自查", ""),
            (*ev["debrief"], K.DEBRIEF, f"{y - 1}年度述职述责报告（意识形态部分）", "市气象局党组"),
            (*ev["lifereport"], K.LIFE_MEETING, "年度组织生活会意识形态工作对照检查", ""),
        ]

    def reports(self) -> None:
        K = m.ReportKind
        odd = self.year % 2
        for month, day, kind, title, recipient in self.report_items()[:: 2 if self.light else 1]:
            for late_year, late_month, late_day in self.profile.late:
                if kind == K.HALF_YEAR and (late_year, late_month) == (self.year, month) and not self.light:
                    day = late_day  # reported late: a due day the year misses
            d = _workday(self.year, month, day)
            if not self.ok(d):
                continue
            if kind == K.INSPECTED and self.profile.feedback:  # what the city found at this unit
                summary, found = self.profile.feedback[0 if odd else 1]
                FINDINGS.setdefault(summary, list(found))
            elif kind == K.INSPECTED:
                summary = self.choose(INSPECTION_FEEDBACK if odd else EVEN_YEAR_FEEDBACK)
            elif kind == K.INSPECTING:  # each unit's self-check its own, and another one each year
                checks = SELF_CHECK if odd else EVEN_YEAR_SELF_CHECK
                summary = checks[(self.profile.slot + self.year) % len(checks)]
            else:
                summary = "报告本单位意识形态工作责任制落实情况、存在问题和下一步措施。"
            # the year's numbers: 1号 last year's summary, 2号 the 领导小组, 3号 the 述职, then by the month
            no = 3 if kind == K.DEBRIEF else month
            number = f"{self.code}〔{self.year}〕{no}号" if recipient else ""
            report = self.create(m.ReportRecord(
                unit=self.unit, kind=kind, held_on=d, title=title, recipient=recipient, document_no=number,
                summary=summary,
            ))  # fmt: skip
            if not self.light and kind in (K.INSPECTED, K.INSPECTING):
                self.findings(report)
        if not self.light:
            self.annual_sent()

    def annual_sent(self) -> None:
        """Last year's 年度总结, sent to the city in this year's January: the summary of that year is
        then dated as sent, and says what it planned from the new year on."""
        d = _workday(self.year, *self.ev.get("annual", (1, 9)))
        if not self.ok(d):
            return
        org = (getattr(self.unit, "party_org_name", "") or self.unit.name).removeprefix("中共")
        self.create(m.ReportRecord(
            unit=self.unit, kind=m.ReportKind.ANNUAL, held_on=d, title=f"中共{org}{self.year - 1}年度意识形态工作总结",
            recipient="市气象局党组", document_no=f"{self.code}〔{self.year}〕1号",
            summary="总结上年度意识形态工作责任制落实情况、存在的问题和下一步打算。",
        ))  # fmt: skip

    def findings(self, report: Any) -> None:
        """The problems an inspection or a self-check found go into the 整改台账, so that the counts of
        the report, the inspection and the rectifications reconcile (no random draw: the rest of the
        year's records stay as they were)."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        inspected = report.kind == m.ReportKind.INSPECTED
        key = f"{self.unit.code}-{self.year}-{report.kind}"
        for i, problem in enumerate(FINDINGS.get(report.summary, [])):
            found = report.held_on
            rect = self.create(m.Rectification(
                unit=self.unit, source=m.RectificationSource.INSPECTION if inspected else m.RectificationSource.SELF,
                found_on=found, problem=problem, measures="对照检查反馈逐项制定整改措施，明确责任人和完成时限。",
                deadline=_next_workday(found + timedelta(days=_span(f"{key}-due", 40, 50))), **self.owner(i + 1),
            ))  # fmt: skip
            # closed some weeks after, each unit and year its own pace, the later items a little later
            done_on = _next_workday(found + timedelta(days=_span(key, 17, 30) + 3 * i))
            if done_on <= self.today:
                before = snapshot(rect)
                rect.state = m.RectificationState.CLOSED
                rect.completed_on = done_on
                rect.result = f"已按检查反馈完成整改，经{self.body}审核销号。"
                record_update(acting_user=self.cast.clerk, instance=rect, before=before)

    def workplan(self) -> None:
        number = 0
        # the district keeps its wording; each sibling takes another one than the other sibling
        turn = self.profile.slot + self.year
        own = lambda options: options[0] if not self.profile.slot else options[1 + turn % (len(options) - 1)]  # noqa: E731
        pick = self.rng.choice if not self.profile.slot else lambda options: options[turn % len(options)]
        sections = _plan_sections(pick, own, self.body)
        for section, tasks in sections[: 2 if self.light else None]:
            for text in tasks:
                number += 1
                due = date(self.year, 12, 31) if number % 2 == 0 else date(self.year, 6, 30)
                self.create(m.WorkPlanItem(
                    unit=self.unit, year=self.year, section=section, number=number, text=text,
                    owner=self.cast.leader or self.cast.secretary, due_on=due, done=due < self.today,
                ))  # fmt: skip

    def evidence(self) -> None:
        """Link records as evidence to the plan items they fulfil."""
        meetings = m.Meeting.objects.filter(unit=self.unit, held_at__year=self.year)
        studied = (
            meetings.filter(kind=m.MeetingKind.BRANCH_COMMITTEE, title__contains="意识形态")
            if self.branch
            else meetings.filter(kind=m.MeetingKind.PARTY_GROUP)
        )
        links = [  # by the items' numbers in _plan_sections
            (1, m.StudyPlan.objects.filter(unit=self.unit, year=self.year)),
            (3, m.ResponsibilityItem.objects.filter(unit=self.unit, year=self.year)[:1]),
            (4, studied),
            (7, m.Analysis.objects.filter(unit=self.unit, year=self.year)),
        ]
        for number, records in links:
            item = m.WorkPlanItem.objects.filter(unit=self.unit, year=self.year, number=number).first()
            if item is None:
                continue
            for record in records:
                ledger_services.evidence_attach(acting_user=self.cast.clerk, item=item, record=record)
                self.count += 1

    def carry(self) -> None:
        """A sibling closes last year's overdue items in the spring, late (a risk's stays open: it is a
        standing weakness), so that nothing is left 18 months overdue."""
        from taizhang.core.audit import snapshot
        from taizhang.core.services import record_update

        done_on = self.day(3, "rectify")
        if not self.profile.slot or self.light or not self.ok(done_on):
            return
        left = m.Rectification.objects.filter(
            unit=self.unit, found_on__year=self.year - 1, state=m.RectificationState.IN_PROGRESS
        ).exclude(source=m.RectificationSource.ANALYSIS)
        for rect in left:
            before = snapshot(rect)
            rect.state, rect.completed_on = m.RectificationState.CLOSED, done_on
            rect.result = (
                f"逾期后于{self.year}年{done_on.month}月完成整改，说明逾期原因，经{self.body}审核销号。"
            )
            record_update(acting_user=self.cast.clerk, instance=rect, before=before)
            self.count += 1

    def build(self) -> int:
        self.carry()
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
