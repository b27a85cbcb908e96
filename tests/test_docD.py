"""docD: the quarterly analysis report reads as one judgement (no measures that both worked and
failed, no rumour cleared without a rumour, no set algebra), ties each risk to its overdue
rectification and names owners and dates; the .md export carries the 版头; a half-year report the
ledgers record as sent is dated as sent."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from taizhang.core.services import record_create
from taizhang.ledger import models as lm
from taizhang.proofread import check
from taizhang.reports import render, services, writer

THIS = timezone.localdate().year
LAST = THIS - 1
BANNED = (
    "没有取得预期效果",
    "须查明原因",
    "仍列为风险点的",
    "不再列为风险点的",
    "上次未列入、本季度列入",
    "第四季度内",
)


def _body(doc) -> list[str]:
    return [b.text for b in doc.blocks if b.style == "body"]


def _read_as_one(doc, opinions: list) -> None:
    text = doc.plain()
    for word in BANNED:
        assert word not in text, (doc.title, word)
    body = _body(doc)
    assert len(body) == len(set(body)), doc.title  # the same paragraph never twice
    sentences = [s for s in re.split("[。；]", "".join(body)) if len(s) > 12]
    assert len(sentences) == len(set(sentences)), doc.title
    worked = "发挥了作用" in text or "初见成效" in text
    assert not (worked and ("效果还不明显" in text or "没有落到实处" in text)), doc.title
    if "谣言" in text or "澄清" in text:
        assert any("谣" in o.summary or "不实" in o.summary for o in opinions), doc.title
    assert check(text) == [], doc.title


def test_every_quarter_of_a_full_year_reads_as_one_judgement(full_year):
    east = full_year("demo-east", [LAST, THIS])
    for year in (LAST, THIS):
        for quarter in (1, 2, 3, 4):
            doc = writer.build("analysis", east, year, quarter=quarter)
            again = writer.build("analysis", east, year, quarter=quarter)
            assert doc.plain() == again.plain()  # deterministic
            start = date(year, 3 * quarter - 2, 1)
            opinions = list(
                lm.PublicOpinion.objects.filter(unit=east, found_on__gte=start, found_on__lte=doc.day)
            )
            _read_as_one(doc, opinions)
            if lm.Analysis.objects.filter(unit=east, year=year, quarter=quarter).exists():
                assert "干部职工思想动态" in doc.plain()


def _quarter_3(cast):
    dist = cast.units["demo-dist"]
    held = lm.Analysis.objects.get(unit=dist, year=2025, quarter=3)
    before = lm.Analysis.objects.filter(unit=dist, held_on__lt=date(2025, 7, 1)).order_by("-held_on").first()
    return dist, held, before


def test_a_risk_back_in_a_quarters_opinion_is_reassessed_not_resolved(cast):
    dist, held, before = _quarter_3(cast)
    record_create(
        acting_user=cast.secretary,
        instance=lm.Risk(
            unit=dist, analysis=before, description="预警信息发布终端偶有离线", level="high", field="信息发布",
            cause="设备老化", responsible_office="业务科", measure="开展终端巡检，建立离线告警", resolved=True,
        ),
    )  # fmt: skip
    record_create(
        acting_user=cast.secretary,
        instance=lm.PublicOpinion(
            unit=dist, found_on=held.held_on - timedelta(days=20), source="12345热线", level="general",
            summary="群众反映社区预警信息发布终端显示内容未及时更新", response="派员检修终端。",
            closed=True, closed_on=held.held_on - timedelta(days=15),
        ),
    )  # fmt: skip
    doc = writer.build("analysis", dist, 2025, quarter=3, day=held.held_on)
    text = doc.plain()
    changes = text.split("与上次研判相比的变化")[1].split("下一步工作措施")[0]
    assert "预警信息发布终端偶有离线" in changes and "需重新评估" in changes
    assert "上次研判时已经化解" not in text
    assert "“预警信息发布终端偶有离线”重新排查" in text.split("下一步工作措施")[1]
    assert "与“预警信息发布终端偶有离线”风险点直接相关" in text


def test_a_recurring_risk_is_tied_to_its_overdue_rectification_with_owner_and_date(cast):
    dist, held, _ = _quarter_3(cast)
    risk = lm.Risk.objects.filter(analysis=held).first()
    record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=dist, source="superior", found_on=date(2025, 1, 10), problem=f"问题：{risk.description}",
            measures=risk.measure, deadline=date(2025, 3, 31), state="in_progress", owner_text="彭立新",
        ),
    )  # fmt: skip
    text = writer.build("analysis", dist, 2025, quarter=3, day=held.held_on).plain()
    months = (held.held_on.year - 2025) * 12 + held.held_on.month - 3 - (held.held_on.day < 31)
    assert f"原定2025年3月31日完成，至今已逾期{months}个月仍未完成" in text
    steps = text.split("下一步工作措施")[1]
    assert "彭立新" in steps and re.search(r"\d+月(?:\d+日|底)前完成", steps)


def test_the_markdown_carries_the_masthead_of_an_upward_report(cast):
    dist = cast.units["demo-dist"]
    doc = services.prepare("half-year", dist, 2025, half=1)
    doc.number, doc.signer = "区气党〔2025〕6号", "罗建国"
    text = render.to_markdown(doc)
    head, rest = text.split("\n---\n", 1)
    assert "区气党〔2025〕6号" in head and "签发人：罗建国" in head and doc.issuer in head
    assert rest.lstrip().startswith(f"# {doc.title}")
    annual = services.prepare("annual", dist, 2025)
    assert render.to_markdown(annual).startswith("# ")  # no 版头 on a document not sent up


def test_a_recorded_half_year_report_is_dated_as_sent_whatever_date_is_asked(cast, tmp_path, capsys):
    from taizhang.cli import main

    dist = cast.units["demo-dist"]
    recorded = lm.ReportRecord.objects.filter(unit=dist, kind="half_year", held_on__year=2025).order_by(
        "held_on"
    )
    sent = recorded.first()
    asked = sent.held_on + timedelta(days=7)
    doc = services.prepare("half-year", dist, 2025, half=1, day=asked)
    assert (
        doc.day == sent.held_on
        and doc.blocks[-1].text == f"{sent.held_on.year}年{sent.held_on.month}月{sent.held_on.day}日"
    )
    note = services.date_note(asked, doc.day, services.period_for("half-year", 2025, 1))
    assert "报送记录" in note and f"{asked.month}月{asked.day}日" in note
    out = tmp_path / "h.md"
    args = ["report", "half-year", "--unit", "demo-dist", "--year", "2025", "--half", "1", "--format", "md"]
    assert main([*args, "--date", asked.isoformat(), "-o", str(out)]) == 0
    assert "成文日期按报送记录定为" in capsys.readouterr().out
    assert main([*args, "-o", str(out)]) == 0
    assert "成文日期按报送记录" not in capsys.readouterr().out  # nothing asked, nothing to explain
    no_record = services.prepare("analysis", dist, 2025, quarter=3, day=date(2025, 10, 10))
    assert no_record.day == date(2025, 10, 10)  # no recorded report: the day asked for


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_the_light_casts_quarters_read_as_one(cast, quarter):
    dist = cast.units["demo-dist"]
    doc = writer.build("analysis", dist, 2025, quarter=quarter)
    start = date(2025, 3 * quarter - 2, 1)
    _read_as_one(
        doc, list(lm.PublicOpinion.objects.filter(unit=dist, found_on__gte=start, found_on__lte=doc.day))
    )
