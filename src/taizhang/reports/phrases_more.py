"""Wording of the quarter's analysis report, the assessment self-report and the roll-up: several
phrasings per sentence role and data condition, chosen by writer.Prose (deterministic per unit,
period and document), so that two units' reports do not read alike. Our own wording, written for
the records these documents read."""

from __future__ import annotations

import hashlib
from typing import Any

from .writer import Prose


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


def rollup_phrases(p: Any) -> dict[str, Any]:
    """The roll-up's sentences: single strings are chosen here, tuples per use by the writer."""
    guide = "以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大和二十届历次全会精神"
    return {
        "opening": p.pick(
            f"{{year}}年，{{org}}{guide}，督促所属单位落实意识形态工作责任制，{{as_of}}{{judged}}现将有关情况报告如下。",
            f"{{year}}年，{{org}}{guide}，把意识形态工作责任制落实情况作为督促指导所属单位的重要内容，{{as_of}}{{judged}}现将有关情况报告如下。",
        ),
        "average": p.pick(
            "{n}个单位各项工作要求平均按期完成率为{rate}。",
            "{n}个单位各项工作要求平均完成率为{rate}。",
        ),
        "full": p.pick(
            "{names}{n}个单位各项工作全部按期完成。",
            "其中，{names}各项工作均按期落实。",
        ),
        "low": p.pick(
            "{names}完成率低于80%，需重点督促。",
            "{names}完成率不足80%，落实情况相对滞后。",
        ),
        "empty": p.pick(
            "{names}本年度尚未录入台账记录，暂无法评价其落实情况，未列入排名。",
            "{names}台账中尚无本年度记录，本次不作排名，单独督促录入。",
        ),
        "ranking": p.pick(
            "按工作要求完成率由高到低排列，各单位落实情况如下（全年未开展的工作按未完成计算）。",
            "各单位按工作要求完成率排序如下，全年未开展的工作计入未完成。",
        ),
        "count": p.pick(
            "纳入汇总的所属单位共{n}个。",
            "本次汇总涉及所属单位{n}个。",
            "参加汇总的所属单位有{n}个。",
        ),
        "unit_full": (
            "{name}各项工作均按期完成，共落实{met}期。",
            "{name}落实各项工作{met}期，全部按期完成。",
        ),
        "unit_first": (
            "{name}完成率{rate}，位列第一，但{missed}。",
            "{name}以{rate}的完成率排在首位，不足之处是{missed}。",
        ),
        "unit_middle": (
            "{name}完成率{rate}，{missed}。",
            "{name}按期完成{rate}，主要差距在于{missed}。",
            "{name}完成率为{rate}，其中{missed}。",
        ),
        "unit_last": (
            "{name}完成率{rate}，排名靠后，{missed}。",
            "{name}完成率仅为{rate}，{missed}，落实情况在所属单位中最为滞后。",
        ),
        "unit_unrecorded": (
            "此外，该单位全年{rules}，组织生活制度执行严重缺位。",
            "更为突出的是，全年{rules}。",
            "该单位全年{rules}，基本制度没有落实。",
        ),
        "problem_common": (
            "部分工作要求落实不够到位。{names}{n}个单位均有{action}的情况，说明这项工作在基层还没有形成固定安排",
            "有的工作要求在多个单位都没有落实到位。{names}{n}个单位都出现{action}的情况，反映出对这项工作的日常督促还不够",
        ),
        "problem_single": (
            "工作要求落实还不够均衡，个别单位存在{actions}的情况",
            "少数单位存在{actions}的情况，落实不够及时",
        ),
        "problem_unrecorded": (
            "基层组织生活制度执行缺位。{names}全年有多项基本工作没有开展，支部建设亟待加强",
            "个别单位基本制度长期没有落实。{names}全年多项组织生活没有开展，责任制落实存在明显短板",
        ),
        "problem_empty": (
            "{names}本年度尚未录入任何台账记录，台账管理工作亟待加强",
            "{names}全年台账仍为空白，责任制落实情况无法检查",
        ),
        "no_problems": p.pick(
            "各所属单位各项工作均按期完成，未发现需要督促的问题。",
            "所属单位各项工作均已按期落实，暂无需要督促整改的问题。",
        ),
        "step_behind": p.pick(
            "抓好未落实事项的督办。由办公室牵头，{next}年1月底前向{names}反馈未落实的工作，明确责任人和完成时限，按月跟踪",
            "抓好未落实事项的督办。{next}年1月底前，由办公室向{names}印发督办提示，对未按期完成的工作明确整改时限，按月通报进度",
        ),
        "step_records": p.pick(
            "开展专项督导。{next}年第一季度内到{names}开展专项督导，查明组织生活制度没有落实的原因，约谈主要负责人，督促按月召开支委会、党小组会",
            "加强基层组织建设指导。{next}年3月底前对{names}开展专项督导，帮助建立组织生活年度计划，此后每季度检查一次落实情况",
        ),
        "step_check": p.pick(
            "强化督促检查。{next}年结合年度考核，对所属单位责任制落实情况每半年开展一次专项检查，检查结果纳入考核评分",
            "加强日常监督。{next}年每半年汇总一次所属单位落实情况并在系统内通报，对连续两次排名靠后的单位约谈主要负责人",
        ),
    }


def analysis_phrases(p: Any) -> dict[str, Any]:
    """The quarter's analysis report: single strings chosen here, tuples per use by the writer."""
    return {
        "opening": p.pick(
            "{day}，{org}{meeting}对{period}意识形态领域情况进行了分析研判。",
            "按照意识形态工作责任制要求，{org}于{day}{meeting}专题分析研判{period}意识形态领域形势。",
            "{day}，{org}{meeting}围绕{period}意识形态领域形势开展分析研判。",
            "为及时掌握意识形态领域动态，{org}于{day}{meeting}围绕{period}的情况开展了分析研判。",
        ),
        "opening_none": p.pick(
            "{org}对{period}意识形态领域情况进行了梳理。",
            "{org}梳理了{period}意识形态领域情况。",
        ),
        "situation_lead": (
            "{period}，",
            "{period}，全局",
            "{period}内，",
        ),
        "risks_total": (
            "研判共排查风险点{n}个，其中{levels}。",
            "本次研判梳理出风险点{n}个，研判等级为{levels}。",
        ),
        "risks_none": "本次研判未排查出需要重点防范的风险点。",
        "risk_one": "本次研判排查出风险点1个，为{level}风险。",
        "not_yet": "{period}的分析研判会议尚未召开，将在季度末前按要求完成。",
        "none_held": "本季度没有召开分析研判会议。",
        "risk_level": (
            "研判为{level}风险。",
            "本次研判风险等级为{level}。",
        ),
        "risk_cause": (
            "主要原因是{cause}。",
            "究其原因，在于{cause}。",
        ),
        "risk_recurring": (
            "自{first}年{m}研判起，已先后{n}次列入研判。",
            "这一风险点{first}年{m}首次列入研判，至今已是第{n}次。",
            "从{first}年{m}起，该风险点已在{n}次研判中出现。",
        ),
        "risk_new": (
            "该风险点为本季度新排查出的。",
            "这是本季度首次列入研判的风险点。",
            "此前的研判中没有这一风险点。",
        ),
        "risk_measure": (
            "防范措施为{measure}，由{office}负责落实。",
            "下一步将{measure}，责任科室为{office}。",
        ),
        "risk_measure_done": (
            "{office}采取{measure}等措施加以防范。",
            "针对这一风险，{office}已{measure}。",
            "通过{measure}，由{office}具体落实。",
        ),
        "risk_resolved": (
            "目前该风险已化解。",
            "经落实措施，该风险已经化解。",
            "措施落实后，这一风险已得到化解。",
            "截至报告时，该风险已化解。",
        ),
        "opinion_response": ("{response}。", "对此，{response}。", "发现后，{response}。"),
        "opinions_none": (
            "本季度没有发生涉及本单位的舆情。",
            "本季度未发现涉及本单位的舆情。",
        ),
        "changes_lead": "{day}的上次研判共排查风险点{n}个",
        "changes_down": (
            "仍列入的风险点等级有所下降，防范措施初见成效。",
            "仍列入的风险点等级较上次降低，说明前期措施发挥了作用。",
        ),
        "step_risk": (
            "由{office}负责，{next}内落实{risks}风险的防范措施，下次研判时报告进展",
            "{risks}风险由{office}牵头防范，{next}内完成相关措施，将落实情况报支部",
            "{office}对{risks}风险跟踪落实，{next}内报告落实情况",
        ),
        "step_opinion": "对尚未办结的{n}起舆情，明确专人跟踪，办结后及时报告处置结果",
        "step_next": p.pick(
            "{next}末召开分析研判会议，重点研判本次排查风险点的变化情况",
            "按季度开展分析研判，{next}末前完成下一次研判并报送研判情况",
            "{next}结束前再次组织分析研判，逐一核对本次风险点的防范效果",
        ),
        "conclusion": (
            "研判认为，{text}。",
            "综合研判，{text}。",
        ),
    }


def assessment_phrases(p: Any) -> dict[str, Any]:
    """The assessment self-report: single strings chosen here, tuples per use by the writer."""
    return {
        "opening": p.pick(
            "根据{superior}《{scheme}》，{org}对照考核细则所列{n}项考核指标（满分{points}分）逐项开展自评，自评得分{total}分。",
            "按照{superior}印发的《{scheme}》，{org}逐项对照{n}项考核指标进行了自查自评，自评总分{total}分，满分为{points}分。",
        ),
        "unscored": "其中{n}项指标尚未自评，未计入总分。",
        "not_ours": "这项要求不在本单位党组织适用的规定动作之内，按考核细则不扣分。",
        "named": ("台账记录了{events}，", "本年度有{events}，"),
        "events": (
            "全年开展相关工作{n}次（{days}），",
            "台账显示，本年度共开展{n}次（{days}），",
        ),
        "no_events": "本年度没有这项工作的记录，",
        "all_periods": ("各期均按要求完成。", "每一期都按期落实。"),
        "manual": "本项为评分项，评分标准为“{criteria}”。",
        "full": ("自评{score}分。", "自评得满分{score}分。"),
        "part": ("自评{score}分，扣{lost}分。", "自评得分{score}分，失分{lost}分。"),
        "no_score": "本项尚未自评，按考核细则计算可得{computed}分。",
        "improve": (
            "{next}年起由办公室逐期提醒，每期结束前一周检查落实情况，确保按期完成",
            "已把这项要求列入{next}年工作计划，明确专人负责，完成后及时做好记录",
            "{next}年由分管领导牵头，每季度末对照要求检查一次，未落实的当季补齐",
        ),
        "improve_manual": "{next}年起由办公室每月检查一次，发现问题当月整改到位",
        "all_full": p.pick(
            "各项考核指标均得满分。下一步将保持现有工作机制，按期落实各项工作要求。",
            "本年度各项指标均未扣分，将继续按期落实各项工作要求，做好工作记录。",
        ),
    }
