"""The ledgers' paper forms: what offices call each one, who signs under it, and the tables a record
prints beyond its fields (core/printing.py reads these; ledger/apps.py fills them at start-up)."""

from __future__ import annotations

from typing import Any

from taizhang.core import printing

TITLES = {
    "group": "意识形态工作领导小组成员登记表",
    "duty": "意识形态工作责任清单",
    "meeting": "会议（学习）记录表",
    "studyplan": "学习计划表",
    "studyitem": "学习计划条目登记表",
    "analysis": "意识形态领域形势分析研判记录表",
    "risk": "意识形态风险点登记表",
    "publicity": "宣传活动记录表",
    "subscription": "党报党刊征订登记表",
    "submission": "投稿登记表",
    "score": "投稿计分标准",
    "position": "意识形态阵地登记表",
    "inspection": "阵地检查表",
    "review": "信息发布审核表",
    "opinion": "舆情处置记录表",
    "rectification": "问题整改台账",
    "report": "报告与督查记录表",
    "workplan": "工作要点落实表",
}

SIGNATURES = {
    "meeting": ["记录人：", "主持人："],
    "analysis": ["记录人：", "主持人："],
    "inspection": ["检查人：", "阵地负责人："],
    "rectification": ["整改责任人：", "分管领导："],
    "review": ["经办人：", "终审人："],
    "duty": ["责任人：", "第一责任人："],
}


# where the model's order would pair a form's short fields oddly: 时间 beside 结束时间, 应到 beside 实到
FIELD_ORDER = {
    "meeting": ("kind", "hours", "held_at", "ends_at", "place", "host", "expected", "present"),
}

# the paper ledgers' columns, where they carry more than the page's list
LIST_COLUMNS = {
    "meeting": ("held_at", "kind", "title", "place", "host", "expected", "present"),
    "rectification": (
        "found_on",
        "source",
        "problem",
        "measures",
        "owner",
        "deadline",
        "state",
        "completed_on",
    ),
    "inspection": ("inspected_on", "position", "inspector", "findings", "problems"),
}


def review_steps(review: Any, user: Any) -> list[printing.Table]:
    """A publication's 三审 chain, each step with who decided, when and what."""
    from .models import ReviewStep
    from .models.positions import STAGE_NAMES

    steps = (
        ReviewStep.objects.restrict(user)
        .filter(review=review)
        .select_related("reviewer")
        .order_by("round", "reviewed_at", "pk")
    )
    rows = [
        [str(i), f"第{s.round}轮 {STAGE_NAMES.get(s.stage, s.get_stage_display())}", str(s.reviewer or ""), printing.text_of(s.reviewed_at),
         s.get_verdict_display(), s.comment]
        for i, s in enumerate(steps, 1)
    ]  # fmt: skip
    return [
        printing.Table(
            title="审核记录",
            headers=["序号", "审核环节", "审核人", "审核时间", "结论", "意见"],
            rows=rows,
            widths=[14, 26, 20, 34, 14, 48],
        )
    ]


def meeting_signins(meeting: Any, user: Any) -> list[printing.Table]:
    """Who signed in by phone, and when (only when anyone did)."""
    from .signin import signins_of

    signins = list(signins_of(meeting, user))
    if not signins:
        return []
    rows = [
        [str(i), str(s.person), "列席" if s.observer else "参会", printing.text_of(s.signed_at)]
        for i, s in enumerate(signins, 1)
    ]
    return [
        printing.Table(
            title="扫码签到", headers=["序号", "姓名", "身份", "签到时间"], rows=rows, widths=[14, 40, 30, 72]
        )
    ]


def install() -> None:
    printing.TITLES.update(TITLES)
    printing.SIGNATURES.update(SIGNATURES)
    printing.LIST_COLUMNS.update(LIST_COLUMNS)
    printing.FIELD_ORDER.update(FIELD_ORDER)
    printing.EXTRA_TABLES.update({"review": review_steps, "meeting": meeting_signins})
