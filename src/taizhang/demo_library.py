"""Demo study materials, written for this project: short factual accounts and summaries, and a few
personal study records. (More materials follow with the study library's remaining work.)"""

from __future__ import annotations

from datetime import date
from typing import Any

from .core.services import record_create
from .library.models import Material, MaterialKind, SelfStudy

MATERIALS: list[tuple[str, str, str, date | None, str, str]] = [
    (
        "红军长征的历程",
        MaterialKind.RED_STORY,
        "本单位整理",
        None,
        "长征,党史",
        "1934年10月，中央红军从江西瑞金、于都等地出发，开始战略转移。途中召开的遵义会议确立了毛泽东同志在党中央和红军的领导地位。"
        "红军四渡赤水，巧渡金沙江，强渡大渡河，飞夺泸定桥，翻越雪山、穿过草地。1935年10月，中央红军到达陕北吴起镇。"
        "1936年10月，红军三大主力在甘肃会宁、将台堡会师，长征胜利结束。",
    ),
    (
        "延安时期的整风运动",
        MaterialKind.RED_STORY,
        "本单位整理",
        None,
        "延安,党史,作风建设",
        "1942年，党在延安开展整风运动，主要内容是反对主观主义以整顿学风、反对宗派主义以整顿党风、反对党八股以整顿文风。"
        "整风运动以学习文件、联系实际、开展批评与自我批评为基本方法，使全党在马克思列宁主义同中国革命实际相结合的基础上达到新的团结。",
    ),
    (
        "《党政机关公文格式》要点摘编",
        MaterialKind.DOCUMENT,
        "GB/T 9704—2012",
        date(2012, 6, 29),
        "公文,格式",
        "公文用纸采用A4型纸；正文用3号仿宋体字，一般每面排22行，每行排28个字；标题一般用2号小标宋体字。"
        "文中结构层次序数依次可以用“一、”“（一）”“1.”“（1）”标注。页码一般用4号半角宋体阿拉伯数字，数字左右各放一条一字线。",
    ),
    (
        "意识形态工作责任制的主要内容",
        MaterialKind.DOCUMENT,
        "本单位整理",
        None,
        "责任制,意识形态",
        "党委（党组）对本地区本部门本单位的意识形态工作负主体责任，书记是第一责任人，分管领导是直接责任人，班子其他成员落实“一岗双责”。"
        "党委（党组）每年至少两次专题研究意识形态工作，定期分析研判意识形态领域情况，每半年向上级党委报告一次意识形态工作。",
    ),
    (
        "气象防灾减灾宣传中的典型做法",
        MaterialKind.CASE,
        "本单位整理",
        None,
        "宣传,科普,防灾减灾",
        "某县气象局在汛期前组织气象科普进社区、进校园活动，结合本地历史暴雨个例讲解预警信号含义，"
        "同时通过微信公众号发布预警解读，做到预警信息发布与科学解读同步，有效减少了误读误传。",
    ),
]


def build_library(unit: Any, clerk: Any, members: list[Any], year: int) -> list[Material]:
    made = [
        record_create(
            acting_user=clerk,
            instance=Material(unit=unit, title=t, kind=k, source=s, published_on=d, tags=tags, body=body),
        )
        for t, k, s, d, tags, body in MATERIALS
    ]
    for n, person in enumerate(members[:3]):
        record_create(
            acting_user=clerk,
            instance=SelfStudy(
                unit=unit,
                person=person,
                material=made[n % len(made)],
                studied_on=date(year, 3 + n, 10),
                minutes=45,
                note="通读全文，结合本职工作作了笔记。",
            ),
        )
    return made
