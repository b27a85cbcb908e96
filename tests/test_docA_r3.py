"""The half-year report's and open summary's "还将抓好" list (issue 15, docA round 3): a monthly
rule left in two months is said once, as planned work; no wording a reader flagged stays."""

from __future__ import annotations

from datetime import date

from taizhang.reports.annual import _each
from taizhang.reports.phrases import PHRASES


def test_monthly_rule_left_in_two_months_is_said_once() -> None:
    text = _each("开展主题党日活动", [date(2026, 11, 30), date(2026, 12, 31)])
    assert text == "11月、12月各开展一次主题党日活动"
    assert text.count("主题党日") == 1


def test_flagged_wordings_are_gone() -> None:
    flagged = ("较高层级", "研判会议通报", "研判结论是", "总体可控", "学习成效逐步显现", "补上学习计划缺项")
    lines = [
        x
        for role in ("pub.high", "ana.situation", "open.judge", "h.study", "h.study.gap")
        for x in PHRASES[role]
    ]
    assert not [x for x in lines if any(w in x for w in flagged)]
