"""The quarter's analysis report, the assessment self-report, the roll-up and the printable ledger
book, read as their readers read them: on the demo's records (the light cast, 2025)."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from docx import Document as Word
from docx.oxml.ns import qn

from taizhang.ledger import models as lm
from taizhang.proofread import check
from taizhang.proofread.files import read
from taizhang.reports import render, writer

DAY = date(2026, 1, 10)


def _findings(doc):
    """The proofreader on the Word file, as `taizhang proofread` reads it (tables included)."""
    return check(read("x.docx", render.to_docx(doc)).text)


def _sentences(doc):
    body = [b.text for b in doc.blocks if b.style == "body"]
    return [s for text in body for s in re.split(r"(?<=[。；])", text) if len(s) > 8]


# --- 台账汇编 -------------------------------------------------------------------------------------
@pytest.fixture
def book(cast):
    return writer.build("ledger-book", cast.units["demo-dist"], 2025, day=DAY)


def test_ledger_book_is_a_cover_contents_and_one_table_per_ledger(book, cast):
    word = Word(io.BytesIO(render.to_docx(book)))
    texts = [p.text for p in word.paragraphs if p.text.strip()]
    assert texts[:4] == ["区气象局", "2025年度意识形态工作台账汇编", "中共区气象局党支部", "2026年1月"]
    contents, *ledgers = word.tables
    headings = [p.text for p in word.paragraphs if p.style.name == "TZ h1"]
    # the contents name every part, with its count; each part is a real table under its heading
    assert [r.cells[1].text for r in contents.rows[1:]] == headings
    with_rows = [h for h, r in zip(headings, contents.rows[1:], strict=True) if r.cells[2].text != "0"]
    assert len(ledgers) == len(with_rows) >= 10
    risks = ledgers[with_rows.index("风险点")]
    count = lm.Risk.objects.filter(unit=cast.units["demo-dist"], analysis__year=2025).count()
    assert len(risks.rows) == count + 1
    header = [c.text for c in risks.rows[0].cells]
    assert header[0] == "序号" and "风险等级" in header and "责任科室" in header
    # the header row repeats on every page and no row breaks across a page
    assert risks.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in risks.rows)
    assert word.styles["TZ table"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert word.styles["TZ table head"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    # the cover page carries no page number
    assert word.sections[0]._sectPr.find(qn("w:titlePg")) is not None
    assert _findings(book) == []


def test_ledger_book_writes_each_person_once_as_the_units_own(book):
    group = next(b for b in book.blocks if b.style == "table" and b.rows and "小组职务" in b.rows[0])
    assert not any("外单位" in h for h in group.rows[0])
    assert not any(h in ("单位", "年度") for h in group.rows[0])
    names = [row[group.rows[0].index("人员")] for row in group.rows[1:]]
    assert "罗建国" in names and all(names)


def test_ledger_book_tables_in_markdown_and_html(book):
    md = render.to_markdown(book)
    assert md.startswith("# 区气象局2025年度意识形态工作台账汇编")
    assert "| 序号 | 台账 | 记录条数 |" in md
    page = render.to_html(book)
    assert page.count('<table class="tz-table">') == sum(b.style == "table" for b in book.blocks)
    assert "<th>序号</th>" in page


def test_a_table_survives_a_draft_round_trip(book):
    from taizhang.reports.document import Document

    again = Document.from_json(book.to_json())
    assert [b.rows for b in again.blocks] == [b.rows for b in book.blocks]


# --- 汇总报告 -------------------------------------------------------------------------------------
def test_rollup_counts_each_unit_once_ranks_and_names_them(cast):
    doc = writer.build("rollup", cast.units["demo-city"], 2025, day=DAY)
    text = doc.plain()
    table = next(b for b in doc.blocks if b.style == "table")
    listed = [row[1] for row in table.rows[1:]]
    # the city is not its own subordinate; the district's branch is the district's own organisation
    assert sorted(listed) == ["东区气象局", "区气象局", "西区气象局"]
    assert doc.figures["rollup_units"].value == 3 and "区气象局党支部" not in listed
    assert "不另行计数" not in text and "已录入台账的" not in text  # no internal note, no software words
    assert (
        "特此报告。" in text and "民主生活会（组织生活会）" not in text and "“每" not in text
    )  # what did not happen, not a rule's name
    rates = [int(row[2].rstrip("%")) for row in table.rows[1:] if row[0] != "—"]
    assert rates == sorted(rates, reverse=True)
    assert all(name in text for name in listed)
    assert doc.title == "中共市气象局党组关于2025年度系统意识形态工作责任制落实情况的报告"
    assert _findings(doc) == []
    sentences = _sentences(doc)
    assert len(sentences) == len(set(sentences))


def test_rollup_tells_a_unit_with_nothing_entered_from_one_that_missed(cast):
    from taizhang.orgs import services

    services.unit_create(
        acting_user=None, code="demo-north", name="北区气象局", short_name="北区气象局",
        kind="county", party_org_name="北区气象局党支部", parent=cast.units["demo-city"],
    )  # fmt: skip
    doc = writer.build("rollup", cast.units["demo-city"], 2025, day=DAY)
    table = next(b for b in doc.blocks if b.style == "table")
    north = next(row for row in table.rows[1:] if row[1] == "北区气象局")
    assert north[0] == "—" and north[-1] == "尚未录入"  # not ranked, not rated 0%
    text = doc.plain()
    assert "北区气象局本年度尚未录入" in text or "北区气象局台账中尚无本年度记录" in text
    assert "北区气象局完成率" not in text


# --- 季度研判报告 -----------------------------------------------------------------------------------
def test_analysis_states_each_risk_with_level_cause_measure_and_owner(cast):
    dist = cast.units["demo-dist"]
    doc = writer.build("analysis", dist, 2025, quarter=2, day=DAY)
    text = doc.plain()
    risks = lm.Risk.objects.filter(unit=dist, analysis__year=2025, analysis__quarter=2)
    assert risks
    for r in risks:
        assert r.measure.rstrip("。") in text and r.responsible_office in text
        assert f"{r.get_level_display()}风险" in text or f"风险等级为{r.get_level_display()}" in text
        if r.cause:
            assert r.cause.rstrip("。") in text
    assert doc.title.startswith("中共区气象局党支部关于2025年第二季度")
    assert "特此报告。" in text and _findings(doc) == []
    sentences = _sentences(doc)
    assert len(sentences) == len(set(sentences))


def test_analysis_tells_what_changed_and_the_quarter_in_its_own_words(cast):
    dist = cast.units["demo-dist"]
    q1 = writer.build("analysis", dist, 2025, quarter=1, day=DAY)
    q2 = writer.build("analysis", dist, 2025, quarter=2, day=DAY)
    last = lm.Analysis.objects.filter(unit=dist, year=2025, quarter=1).order_by("-held_on").first()
    assert (
        "与上次研判相比的变化" in q2.plain() and f"{last.held_on.month}月{last.held_on.day}日" in q2.plain()
    )
    situation = (
        [b.text for b in q1.blocks if b.style == "body"][1:3],
        [b.text for b in q2.blocks if b.style == "body"][1:3],
    )
    assert situation[0] != situation[1]
    # the quarter's 舆情 with how it was answered
    for o in lm.PublicOpinion.objects.filter(unit=dist, found_on__year=2025, found_on__month__in=[4, 5, 6]):
        assert o.response.rstrip("。") in q2.plain()


def test_an_open_quarter_is_told_as_of_yesterday_and_counts_nothing_later(cast):
    dist = cast.units["demo-dist"]
    held = lm.Analysis.objects.get(unit=dist, year=2025, quarter=4)
    assert held.held_on > date(2025, 11, 20)  # the demo's fourth-quarter meeting comes later
    text = writer.build("analysis", dist, 2025, quarter=4, day=date(2025, 11, 20)).plain()
    assert "截至11月19日" in text and "尚未召开" in text
    assert f"{held.held_on.month}月{held.held_on.day}日" not in text
    after = writer.build("analysis", dist, 2025, quarter=4, day=DAY).plain()
    assert "截至" not in after and f"{held.held_on.month}月{held.held_on.day}日" in after


# --- 考核自评报告 -----------------------------------------------------------------------------------
def test_assessment_reports_the_stored_self_scores_against_the_scheme(cast):
    from taizhang.rules.models import AssessmentScore

    dist = cast.units["demo-dist"]
    doc = writer.build("assessment", dist, 2025, day=DAY)
    text = doc.plain()
    scores = list(AssessmentScore.objects.filter(unit=dist, assessed=dist, indicator__scheme__year=2025))
    assert scores
    table = next(b for b in doc.blocks if b.style == "table")
    by_name = {row[1]: row for row in table.rows[1:]}
    for s in scores:
        assert by_name[s.indicator.name][3] == f"{s.score.normalize():f}"
    total = sum((s.score for s in scores), Decimal(0))
    points = sum((s.indicator.points for s in scores), Decimal(0))
    assert by_name["合计"][2:4] == [f"{points.normalize():f}", f"{total.normalize():f}"]
    assert f"自评总分{total.normalize():f}分" in text or f"自评得分{total.normalize():f}分" in text
    # evidence in plain words, never the software's
    assert not re.search(r"应完成\d+期|台账记录\d+次", text)
    assert "《" in text and _findings(doc) == []


def test_assessment_follows_a_changed_self_score(cast):
    from taizhang.rules.models import AssessmentScore
    from taizhang.rules.services import score_set

    dist = cast.units["demo-dist"]
    row = AssessmentScore.objects.filter(
        unit=dist, assessed=dist, indicator__method="manual", indicator__name__contains="阵地"
    ).first()
    score_set(
        acting_user=cast.secretary, indicator=row.indicator, assessed=dist, scorer_unit=dist,
        score=Decimal("12"), note="两个公众号栏目更新不及时",
    )  # fmt: skip
    text = writer.build("assessment", dist, 2025, day=DAY).plain()
    assert "两个公众号栏目更新不及时" in text and f"“{row.indicator.name}”扣" in text


def test_the_ledger_book_draft_previews_its_tables_in_the_browser(cast, client):
    from taizhang.reports.models import OfficialDocument

    client.force_login(cast.clerk)
    response = client.post("/reports/", {"kind": "ledger-book", "year": "2025"})
    doc = OfficialDocument.objects.get(kind="ledger-book", unit=cast.units["demo-dist"])
    assert response.status_code == 302
    page = client.get(f"/reports/{doc.pk}/").content.decode()
    assert page.count('<table class="tz-table">') >= 10 and "<th>风险等级</th>" in page
    word = client.get(f"/reports/{doc.pk}/versions/1/docx/")
    assert len(Word(io.BytesIO(word.content)).tables) >= 10


def test_no_self_scores_and_no_units_below_say_so_briefly(cast):
    east = writer.build("assessment", cast.units["demo-east"], 2025, day=DAY).plain()
    assert "尚未对照" in east and "自评得分0分" not in east and "均未失分" not in east
    # the district's only child is its own party branch: nothing below it to roll up
    dist = writer.build("rollup", cast.units["demo-dist"], 2025, day=DAY).plain()
    assert "没有所属单位" in dist and "区气象局党支部本年度" not in dist


# --- what the reviewer of the demo's documents found (REVIEW.md, sections 5–7) -------------------
def _years_named(text: str) -> list[date]:
    """The deadlines a text sets: 2026年1月底前, 2026年3月底前, 2026年第一季度内 → their month."""
    found = [date(int(y), int(m), 1) for y, m in re.findall(r"(20\d\d)年(\d{1,2})月底前", text)]
    return found + [date(int(y), 1, 1) for y in re.findall(r"(20\d\d)年(?:起|第一季度|结合)", text)]


def test_assessment_tells_a_late_report_from_a_missing_one_and_cites_the_branch_meetings(cast):
    from taizhang.core.services import record_create

    dist = cast.units["demo-dist"]
    record_create(
        acting_user=cast.secretary,
        instance=lm.ReportRecord(
            unit=dist, kind="half_year", held_on=date(2025, 12, 26), recipient="市气象局党组",
            title="关于2025年下半年意识形态工作情况的报告",
        ),
    )  # fmt: skip
    doc = writer.build("assessment", dist, 2025)
    text = doc.plain()
    assert doc.day == min(date.today(), date(2026, 1, 15))  # the January after the year, not today
    assert "下半年专题报告12月26日报送，晚于12月20日时限" in text and "下半年未按时" not in text
    assert "全年未召开支委会" in text and "全年各期均" not in text and "未按期完成" not in text
    # the branch's 支委会 studies ideology work (the light cast holds none): scored by its minutes
    item_1 = next(  # not the year in brief before the table, which names the indicators (docC)
        b.text
        for b in doc.blocks
        if b.style == "body"
        and "专题研究意识形态工作" in b.text
        and not re.search("扣分集中在|有扣分", b.text)
    )
    assert "全年未召开支委会专题研究意识形态工作" in item_1 and "不适用" not in text
    for word in ("失5分", "失分", "本项为评分项", "规定动作"):
        assert word not in text
    body = [b.text for b in doc.blocks if b.style == "body"]
    assert body[-1] == "特此报告。" and all(d >= date(doc.day.year, 1, 1) for d in _years_named(text))
    # each shortfall a paragraph of its own (一是……。 二是……。), not one line joined by semicolons
    assert sum(t.startswith(("一是", "二是", "三是")) for t in body) >= 2
    assert _findings(doc) == []


def test_analysis_is_dated_at_its_meeting_and_opens_with_the_judgement(cast):
    from taizhang.reports import services

    dist = cast.units["demo-dist"]
    held = lm.Analysis.objects.get(unit=dist, year=2025, quarter=3)
    doc = services.prepare("analysis", dist, 2025, quarter=3)
    assert doc.day == held.held_on  # not the day it happens to be generated
    text = doc.plain()
    body = [b.text for b in doc.blocks if b.style == "body"]
    assert held.conclusion.rstrip("。") in body[1]
    # the situation's words on staff thinking go to 干部职工思想动态, the rest opens the report
    staff = [c for c in held.situation.rstrip("。").split("，") if "干部" in c or "思想" in c]
    assert all(c in body[1] for c in held.situation.rstrip("。").split("，") if c not in staff)
    assert staff and all(c in text.split("干部职工思想动态")[1].split("风险点研判")[0] for c in staff)
    assert text.count(held.conclusion.rstrip("。")) == 1 and body[-1] == "特此报告。"
    for word in ("台账", "领域，研判", "该风险点属", "这一风险点涉及", "（9月"):
        assert word not in text
    assert _findings(doc) == []


def test_rollup_counts_what_was_never_done_and_is_dated_after_the_year(cast):
    from taizhang.reports import services
    from taizhang.reports.facts_more import standings

    city = cast.units["demo-city"]
    doc = services.prepare("rollup", city, 2025)
    assert doc.day == min(date.today(), date(2026, 1, 15))
    text = doc.plain()
    table = next(b for b in doc.blocks if b.style == "table")
    rows = {row[1]: row for row in table.rows[1:]}
    rate = table.rows[0].index("完成率")  # after the 自评得分 where the units have one (docC)
    for s in standings(city, 2025):
        if s.rate is None:
            continue
        never = len(s.unrecorded)
        assert never  # the light cast's district holds no 支委会 all year
        # a requirement with no record all year is a shortfall, not left out of the rate
        assert rows[s.unit.name][rate] == f"{s.met / (s.met + len(s.missed) + never):.0%}"
        assert rows[s.unit.name][rate + 2] == str(len(s.missed) + never)
    assert "全年未召开支委会" in text
    for word in ("核实", "不另行计数", "落后单位", "逐一反馈", "依据各单位"):
        assert word not in text
    assert [b.text for b in doc.blocks if b.style == "body"][-1] == "特此报告。"
    assert all(d >= date(doc.day.year, 1, 1) for d in _years_named(text))
    assert "专项检查" in text and "自评" in text  # what the 党组 itself did over its units


def test_analysis_tells_a_rectification_as_it_stood_on_the_meeting_day(cast):
    from taizhang.core.services import record_create
    from taizhang.ledger.models.rectification import RectificationSource

    dist = cast.units["demo-dist"]
    held = lm.Analysis.objects.get(unit=dist, year=2025, quarter=3)
    risk = lm.Risk.objects.filter(analysis=held).first()
    rect = record_create(
        acting_user=cast.secretary,
        instance=lm.Rectification(
            unit=dist, source=RectificationSource.values[0], found_on=held.held_on, problem=risk.description,
            measures=risk.measure, deadline=date(2025, 11, 30), state="done", completed_on=date(2025, 11, 20),
            owner_text="李明", result="已签订保密承诺书",
        ),
    )  # fmt: skip
    lm.Risk.objects.filter(pk=risk.pk).update(rectification=rect, resolved=True)
    on_the_day = writer.build("analysis", dist, 2025, quarter=3, day=held.held_on).plain()
    # completed in November: on the September meeting's day it was still under way, not 化解
    assert "整改时限为2025年11月30日，整改仍在推进" in on_the_day
    # (a risk of the last analysis that this one dropped was 化解 then: that is not this risk)
    dropped = rf"上次列入的“(?!{re.escape(risk.description)})[^”]+”本次未再列入。[^。]*化解。"
    assert "化解" not in re.sub(dropped, "", on_the_day)
    steps = on_the_day.split("下一步工作措施")[-1]
    assert f"{risk.responsible_office}落实" in steps or f"{risk.responsible_office}负责" in steps
    later = writer.build("analysis", dist, 2025, quarter=3, day=DAY).plain()
    assert "整改已经完成" in later
