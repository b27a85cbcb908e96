"""Wording of the quarter's analysis report, the assessment self-report and the roll-up: several
phrasings per sentence role and data condition, so that two units' reports do not read alike.
Each table comes in two parts: ..._ONCE holds the roles phrased once per document (the phrasing
chosen by prose.Rotating.pick for the unit and period), ..._EACH the roles phrased at each use
(one option per sentence, chosen by the writer). Our own wording, written for the records these
documents read."""

from __future__ import annotations

_GUIDE = "以习近平新时代中国特色社会主义思想为指导，深入贯彻党的二十大和二十届历次全会精神"

# The roll-up's sentences
ROLLUP_ONCE: dict[str, tuple[str, ...]] = {
    "opening": (
        "{year}年，{org}"
        + _GUIDE
        + "，督促所属单位落实意识形态工作责任制，{as_of}{judged}现将有关情况报告如下。",
        "{year}年，{org}"
        + _GUIDE
        + "，把意识形态工作责任制落实情况作为督促指导所属单位的重要内容，{as_of}{judged}现将有关情况报告如下。",
    ),
    "bands": (
        "从完成率看，{bands}。",
        "按完成率分，{bands}。",
        "从各项工作按期完成情况看，{bands}。",
    ),
    "full": (
        "{names}{n}个单位各项工作全部按期完成。",
        "其中，{names}各项工作均按期落实。",
    ),
    "low": (
        "{names}完成率低于80%（{rates}），需重点督促。",
        "{names}完成率不足80%，{rates}，落实情况相对滞后。",
    ),
    "empty": (
        "{names}本年度尚未录入台账记录，暂无法评价其落实情况，未列入排名。",
        "{names}台账中尚无本年度记录，本次不作排名，单独督促录入。",
    ),
    "ranking": (
        "各单位按期完成规定动作（会议、学习、研判、报告等按月按季的工作）的情况见下表，按完成率排列，逾期整改事项不在其内。",
        "下表按规定动作（会议、学习、研判、报告等按月按季的工作）的按期完成率排列，逾期整改事项另作分析。",
    ),
    "by_score": (
        "各单位考核得分和各项工作按期完成情况见下表，按考核得分排列。",
        "下表按各单位考核得分排列，并列出自评得分和各项工作按期完成率。",
    ),
    "count": (
        "{names}{n}个所属单位全年落实意识形态工作责任制的情况如下。",
        "对照全年工作要求，{names}{n}个所属单位的落实情况如下。",
    ),
    "no_problems": (
        "各所属单位各项工作均按期完成，未发现需要督促的问题。",
        "所属单位各项工作均已按期落实，暂无需要督促整改的问题。",
    ),
    "step_behind": (
        "抓好未落实事项的督办。由办公室牵头，{next}年1月底前向{names}反馈未落实的工作，明确责任人和完成时限，按月跟踪",
        "抓好未落实事项的督办。{next}年1月底前，由办公室向{names}印发督办提示，对未按期完成的工作明确整改时限，按月通报进度",
    ),
    "step_records": (
        "开展专项督导。{next}年第一季度内到{names}开展专项督导，查明组织生活制度没有落实的原因，约谈主要负责人，督促按月召开支委会、党小组会",
        "加强基层组织建设指导。{next}年3月底前对{names}开展专项督导，帮助建立组织生活年度计划，此后每季度检查一次落实情况",
    ),
    "step_check": (
        "强化督促检查。{next}年结合年度考核，对所属单位责任制落实情况每半年开展一次专项检查，检查结果纳入考核评分",
        "加强日常监督。{next}年每半年汇总一次所属单位落实情况并在系统内通报，对连续两次排名靠后的单位约谈主要负责人",
    ),
}
ROLLUP_EACH: dict[str, str | tuple[str, ...]] = {
    "ranking_unrecorded": "台账中全年没有记录的工作，按未完成计。",
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
        "{name}完成率{rate}，差距主要在于{missed}。",
        "{name}完成率为{rate}，其中{missed}。",
    ),
    "unit_last": (
        "{name}完成率{rate}，排名靠后，{missed}。",
        "{name}完成率仅为{rate}，{missed}，落实情况在所属单位中最为滞后。",
    ),
    "unit_unrecorded": (
        "此外，该单位全年{rules}，组织生活制度执行存在明显短板。",
        "更为突出的是，全年{rules}。",
        "该单位全年{rules}，基本制度没有落实。",
    ),
    "problem_common": (
        "部分工作要求落实不够到位。{names}{n}个单位均有{action}的情况，说明这类工作在基层还没有形成固定安排",
        "有的工作要求在多个单位都没有落实到位。{names}{n}个单位都出现{action}的情况，反映出对这类工作的日常督促还不够",
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
}

# The quarter's analysis report
ANALYSIS_ONCE: dict[str, tuple[str, ...]] = {
    "step_next": (
        "{next}末召开分析研判会议，重点研判本次排查风险点的变化情况",
        "按季度开展分析研判，{next}末前完成下一次研判并报送研判情况",
        "{next}末前再次组织分析研判，逐一核对本次风险点的防范效果",
    ),
}
ANALYSIS_EACH: dict[str, str | tuple[str, ...]] = {
    "situation_lead": (
        "{period}，",
        "{period}，全局",
        "{period}内，",
    ),
    "risks_total": (
        "研判共排查风险点{n}个，{levels}。",
        "本次研判梳理出风险点{n}个，{levels}。",
    ),
    "risks_none": "本次研判未排查出需要重点防范的风险点。",
    "risk_one": "本次研判排查出风险点1个，为{level}风险。",
    "not_yet": "{period}的分析研判会议尚未召开，将在季度末前按要求完成。",
    "none_held": "本季度没有召开分析研判会议。",
    "risk_level": (
        "研判为{level}风险。",
        "本次研判风险等级为{level}。",
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
        "下一步将{measure}，由{office}具体落实。",
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
    "changes_down": (
        "仍列入的风险点等级有所下降，防范措施初见成效。",
        "仍列入的风险点等级较上次降低，说明前期措施发挥了作用。",
    ),
    "step_opinion": "对尚未办结的{n}起舆情，明确专人跟踪，办结后及时报告处置结果",
    "conclusion": (
        "研判认为，{text}。",
        "综合研判，{text}。",
    ),
}

# The assessment self-report
ASSESSMENT_ONCE: dict[str, tuple[str, ...]] = {
    "opening": (
        "根据{superior}《{scheme}》，{org}对照考核细则所列{n}项考核指标（满分{points}分）逐项开展自评，自评得分{total}分。",
        "按照{superior}印发的《{scheme}》，{org}逐项对照{n}项考核指标进行了自查自评，自评总分{total}分，满分为{points}分。",
    ),
    "all_full": (
        "各项考核指标均得满分。下一步将保持现有工作机制，按期落实各项工作要求。",
        "本年度各项指标均未扣分，将继续按期落实各项工作要求，做好工作记录。",
    ),
}
ASSESSMENT_EACH: dict[str, str | tuple[str, ...]] = {
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
        "{next}年初由{sec}确定全年会议和活动安排，办公室在每期结束前10日核对落实情况，未落实的当期补齐",
        "{next}年起由办公室在每期截止前10日提醒，分管领导在截止前3日核查，确保当期落实",
        "已把这项要求列入{next}年工作计划，由办公室主任具体负责，每期截止前一周核对一次，发现缺项当期补上",
    ),
    "improve_report": "{next}年起，半年专题报告按上级规定的报送时限倒排，时限前10日形成初稿，报{sec}审定后按时报送",
    "improve_month": "{next}年1月底前由{sec}排定全年各月{action}的时间，办公室每月初提醒，每月20日前仍未{action}的由{sec}督促在当月完成，不留空月",
    "improve_positions": "{next}年起每轮阵地检查发现的问题，由办公室列出清单、限期整改，下一轮检查时逐项复核销号",
    "improve_manual": "{next}年起对照考核细则逐月自查，发现问题当月整改到位",
    "improve_publicity": "{next}年起由分管宣传工作的班子成员牵头，每季度初排定选题，围绕防灾减灾和重大气象服务组织重点稿件，逐季统计省级以上媒体采用情况",
    "improve_rectify": "未完成的整改事项按年度总结确定的责任人和时限逐项销号；{next}年起办公室每月对照整改台账逐项跟踪，临近时限未完成的提前提醒责任人，逾期事项报{sec}督办",
}
