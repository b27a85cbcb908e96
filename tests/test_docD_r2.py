"""docD round 2: the quarterly analysis names the person for each measure, re-lists the year's
earlier high risks whose rectification is still open, answers the missing staff-thinking analysis
with a 谈心谈话 measure, and tells a resolved-but-unclosed risk in plain words."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from taizhang.core.services import record_create
from taizhang.ledger import models as lm
from taizhang.proofread import check
from taizhang.reports import writer

THIS = timezone.localdate().year
LAST = THIS - 1


def _steps(text: str) -> str:
    return text.split("下一步工作措施")[1]


def test_every_quarter_answers_its_gaps_in_plain_words(full_year):
    east = full_year("demo-east", [LAST, THIS])
    for year in (LAST, THIS):
        for quarter in (1, 2, 3, 4):
            text = writer.build("analysis", east, year, quarter=quarter).plain()
            assert "同名整改" not in text and "的记录看" not in text and "没有谈心谈话的记录" not in text
            assert "会议议定：明确责任分工" not in text
            assert "未开展谈心谈话" not in text  # the ledgers keep no 谈心谈话: nothing is said of them
            if "了解还不够深入" in text:
                assert "通过谈心谈话了解" in _steps(text) and "研判时作专门分析" in _steps(text)
            assert check(text) == [], (year, quarter)


def _quarter_3(cast):
    dist = cast.units["demo-dist"]
    held = lm.Analysis.objects.get(unit=dist, year=2025, quarter=3)
    before = lm.Analysis.objects.filter(unit=dist, held_on__lt=date(2025, 7, 1)).order_by("held_on")
    return dist, held, list(before)


def test_an_earlier_high_risk_with_an_open_rectification_gets_a_measure(cast):
    dist, held, before = _quarter_3(cast)
    first = before[0]
    rect = record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=dist, source="analysis", found_on=first.held_on, problem="对外合作：外聘人员保密教育缺失",
            measures="开展保密教育", deadline=first.held_on + timedelta(days=30), state="in_progress",
            owner_text="张晓燕",
        ),
    )  # fmt: skip
    record_create(
        acting_user=cast.secretary,
        instance=lm.Risk(
            unit=dist, analysis=first, description="外聘人员保密教育缺失", level="high", field="对外合作",
            cause="培训缺位", responsible_office="办公室", measure="开展保密教育", rectification=rect,
        ),
    )  # fmt: skip
    text = writer.build("analysis", dist, 2025, quarter=3, day=held.held_on).plain()
    if len(before) < 2:
        return  # the risk was the last analysis's own: no earlier high risk to re-list
    steps = _steps(text)
    assert "外聘人员保密教育缺失" in steps and "张晓燕" in steps and "重新评估这一风险" in steps
    assert "外聘人员保密教育缺失" in text.split("与上次研判相比的变化")[1] and "至今未完成" in text


def test_a_risk_taken_off_as_resolved_while_its_item_is_open_is_told_plainly(cast):
    dist, held, before = _quarter_3(cast)
    last = before[-1]
    record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=dist, source="analysis", found_on=last.held_on - timedelta(days=60),
            problem="信息发布：预警信息发布终端偶有离线", measures="巡检", deadline=last.held_on,
            state="in_progress", owner_text="彭立新",
        ),
    )  # fmt: skip
    record_create(
        acting_user=cast.secretary,
        instance=lm.Risk(
            unit=dist, analysis=last, description="预警信息发布终端偶有离线", level="medium", field="信息发布",
            cause="设备老化", responsible_office="业务科", measure="开展终端巡检，建立离线告警", resolved=True,
        ),
    )  # fmt: skip
    text = writer.build("analysis", dist, 2025, quarter=3, day=held.held_on).plain()
    changes = text.split("与上次研判相比的变化")[1].split("下一步工作措施")[0]
    assert "上次研判认为经开展终端巡检、建立离线告警，这一风险已经化解" in changes
    assert "没有验收销号，还不能视为化解" in changes and "同名" not in changes
