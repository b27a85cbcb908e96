"""The documents' content (issue 15): named and dated events from the records, problems from every
signal answered by measures with owner and time limit, open periods written as such, no
placeholder, the organisation's own words, and variety that survives masking figures and names."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from taizhang.core.audit import snapshot
from taizhang.core.services import record_update
from taizhang.ledger import models as m
from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

from .conftest import built_for_module
from .prose_measure import masked_sentences, names_of, overlap

pytestmark = pytest.mark.django_db

THIS = timezone.localdate().year
LAST = THIS - 1
# who answers for a measure: 由办公室负责, 业务科牵头, 由支部书记排出……
OWNER = re.compile(r"负责|牵头|责任人|由[\u4e00-\u9fff]{2,12}(排出|落实|对|明确|完善|组建|改进|修订)")
PLACEHOLDERS = re.compile(r"党组（党委）|党委（党组）|XX|ＸＸ|××|某某|\{|\}")


def _running(doc: d.Document) -> str:
    return "\n".join(b.text for b in doc.blocks if b.style in (d.BODY, d.LEAD))


def _section(doc: d.Document, heading: str) -> list[str]:
    """The paragraphs under a 一、 heading, up to the next one."""
    out, inside = [], False
    for b in doc.blocks:
        if b.style == d.H1:
            inside = heading in b.text
        elif inside and b.style == d.BODY:
            out.append(b.text)
    return out


@pytest.fixture(scope="module")
def _siblings_of_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two sibling units with the full demo's records, 东区 for two years, built once for the module."""
    files = tmp_path_factory.mktemp("siblings")
    yield from built_for_module(django_db_blocker, files, {"demo-east": [LAST, THIS], "demo-west": [LAST]})


def test_variety_between_siblings_and_years_and_no_sentence_twice(siblings):
    east, west = siblings
    names = names_of()
    closed = date(THIS, 1, 15)
    e1 = writer.build("annual", east, LAST, day=closed)
    w1 = writer.build("annual", west, LAST, day=closed)
    e2 = writer.build("annual", east, THIS, day=timezone.localdate())
    ke = writer.build("keypoints", east, THIS + 1, day=timezone.localdate())
    kw = writer.build("keypoints", west, THIS + 1, day=timezone.localdate())
    se1, sw1, se2 = (masked_sentences(x, names) for x in (e1, w1, e2))
    assert overlap(se1, sw1) <= 0.15, sorted(set(se1) & set(sw1))
    assert overlap(masked_sentences(ke, names), masked_sentences(kw, names)) <= 0.15
    assert overlap(se1, se2) <= 0.30, sorted(set(se1) & set(se2))
    for doc in (e1, w1, e2, ke, kw):
        sentences = [s for s in re.split(r"[。！？]", _running(doc)) if len(s) > 8]
        assert len(sentences) == len(set(sentences)), doc.title
        assert check(doc.plain()) == [], doc.title
    # the full year reads like a real summary, not a skeleton
    assert len(_running(e1)) >= 2500
    assert len(_running(ke)) >= 1500


def test_annual_summary_names_dated_events_partners_materials_and_outlets(cast):
    unit = cast.units["demo-dist"]
    doc = writer.build("annual", unit, LAST, day=date(THIS, 1, 15))
    text = doc.plain()
    assert doc.title == f"中共区气象局党支部{LAST}年度意识形态工作总结"
    assert doc.blocks[-2].text == "中共区气象局党支部"
    lecture = m.Meeting.objects.get(unit=unit, kind="party_lecture", held_at__year=LAST)
    topic = lecture.title.split("：", 1)[1]
    day = timezone.localtime(lecture.held_at).date()
    assert f"{day.month}月{day.day}日" in text and topic in text and "罗建国" in text
    partner = m.Publicity.objects.filter(unit=unit, held_on__year=LAST).exclude(partners="").first()
    if partner is not None:
        assert f"联合{partner.partners}" in text or partner.partners in text
    assert re.search(r"《[^》]+》", _running(doc))  # a material studied, by its title
    adopted = m.Submission.objects.filter(unit=unit, status="adopted", level__in=["central", "province"])
    assert any(s.title in text and s.outlet in text for s in adopted)
    # the branch's own words: its committee met, never a placeholder or a label with a colon
    assert "支委会" in text and not PLACEHOLDERS.search(text)
    unquoted = re.sub(r"《[^》]*》", "《》", _running(doc))  # a title's own colon is not a label
    assert not re.search(r"[\u4e00-\u9fff]{2,6}：[\u4e00-\u9fff]", unquoted.replace("如下：", ""))


def test_problems_carry_evidence_and_each_is_answered_by_a_measure(cast):
    unit = cast.units["demo-dist"]
    doc = writer.build("annual", unit, LAST, day=date(THIS, 1, 15))
    problems = _section(doc, "存在的主要问题")
    steps = [s for s in _section(doc, "下一步") if re.match(r"[一二三四五六七八九十]+是", s)]
    assert problems and len(steps) >= len(problems)
    for problem in problems:
        assert re.search(r"\d", problem), problem  # its evidence, with figures or dates
    for step in steps:
        assert OWNER.search(step) and re.search(r"\d+月底前|\d+月\d+日前", step), step
    # the rectification still open at the year's end is named with its owner and deadline
    late = m.Rectification.objects.filter(
        unit=unit, found_on__year=LAST, state__in=["pending", "in_progress"], deadline__lt=date(THIS, 1, 1)
    ).first()
    if late is not None:
        assert "逾期" not in "".join(problems) or any(str(late.deadline.year) in p for p in problems)


def test_an_open_year_says_until_when_and_lists_what_is_still_due_as_planned(cast):
    unit = cast.units["demo-dist"]
    from taizhang.demo import _cast_of
    from taizhang.demo_ledgers import build_unit_years

    build_unit_years(unit, _cast_of(unit, []), [THIS], light=True)
    day = date(THIS, 12, 1)
    doc = writer.build("annual", unit, THIS, day=day)
    work = []
    for b in doc.blocks:
        if b.style == d.H1 and "问题" in b.text:
            break
        work.append(b.text)
    assert "截至11月30日" in _running(doc) and "全年" not in "".join(work)
    steps = _section(doc, "下一步")
    # what is due in December is planned work, never a shortfall
    assert any("12月" in s and "前" in s for s in steps)
    assert "12月未" not in "".join(_section(doc, "存在的主要问题"))


def test_figures_are_counted_as_of_the_documents_date(cast):
    unit, clerk = cast.units["demo-dist"], cast.users["clerk"]
    rect = m.Rectification.objects.filter(unit=unit, found_on__year=LAST).order_by("found_on").first()
    before = snapshot(rect)
    rect.state, rect.completed_on = m.RectificationState.DONE, date(THIS, 1, 20)
    rect.result = "已整改。"
    record_update(acting_user=clerk, instance=rect, before=before)
    from taizhang.reports.facts import collect, year_period

    dated_end = writer.build("annual", unit, LAST, day=date(LAST, 12, 31))
    assert rect in dated_end.figures["rectifications_open"].records
    later = collect(unit, year_period(LAST), as_of=date(THIS, 2, 1))
    assert rect in later.figure("rectifications_closed").records
    assert rect not in later.figure("rectifications_open").records


def test_keypoints_hold_every_rule_once_with_owner_and_deadline_and_answer_last_year(cast):
    unit = cast.units["demo-dist"]
    from taizhang.reports.facts import rules_of

    doc = writer.build("keypoints", unit, THIS, day=date(LAST, 12, 20))
    sections = [b.text for b in doc.blocks if b.style == d.H2 and "（" in b.text]
    tasks = [b.text for b in doc.blocks if b.style == d.BODY and re.match(r"\d+\.", b.text)]
    assert 5 <= len([s for s in sections if not s.startswith("（一）加强") or True]) <= 10
    assert doc.title == f"中共区气象局党支部{THIS}年意识形态工作要点"
    keywords = {
        "analysis-quarterly": "研判", "half-year-report": "专题报告", "life-meeting": "组织生活会",
        "debrief": "述职述责", "special-inspection": "专项督查", "positions-inspected": "阵地",
        "branch-committee": "支委会", "party-group-meeting": "党小组", "members-assembly": "党员大会",
        "theme-day": "主题党日", "party-lecture": "党课",
    }  # fmt: skip
    rules = rules_of(unit, THIS)
    ids = {r.id for r in rules}
    assert "central-study-days" not in ids and "branch-committee" in ids  # a branch's rules
    for rule_id, word in keywords.items():
        if rule_id in ids:
            assert any(word in t for t in tasks), rule_id
    for task in tasks:
        # the 党课 is the secretary's own task: its subject is its owner (not 由支部书记负责 again)
        assert OWNER.search(task) or task.split(".", 1)[1].startswith("支部书记"), task
        for per in ("每月", "每季度", "每半年", "每年"):
            assert task.count(per) <= 1, task
    assert any(f"{LAST}年" in t for t in tasks)  # a task answering last year's problem
    assert len(_running(doc)) >= 1200 and not PLACEHOLDERS.search(doc.plain())
    assert check(doc.plain()) == []


def test_half_year_report_is_addressed_upward_and_ends_as_a_report(cast):
    unit = cast.units["demo-dist"]
    doc = writer.build("half-year", unit, LAST, half=1, day=date(LAST, 6, 18))
    assert doc.title == f"中共区气象局党支部关于{LAST}年上半年意识形态工作情况的报告"
    body = [b.text for b in doc.blocks if b.style == d.BODY]
    assert "报告如下" in body[0] and body[-1] == "特此报告。"
    assert check(doc.plain()) == []


def test_a_party_group_is_named_as_such(cast):
    unit = cast.units["demo-dist"]
    unit.party_org_type = "party_group"
    unit.party_org_name = "区气象局党组"
    unit.save(update_fields=["party_org_type", "party_org_name"])
    # as a 党组 records it, the year's work is laid out at a 党组会议 (a branch holds a 专题会议)
    m.Meeting.objects.filter(unit=unit, kind="special").update(
        kind="party_group", title="党组会议专题研究部署工作"
    )
    doc = writer.build("annual", unit, LAST, day=date(THIS, 1, 15))
    text = doc.plain()
    assert doc.title.startswith("中共区气象局党组") and "党组会议" in text and "支委会专题研究" not in text
    assert not PLACEHOLDERS.search(text)
    day = timezone.localdate() - timedelta(days=0)
    assert writer.build("keypoints", unit, THIS + 1, day=day).title.startswith("中共区气象局党组")


def test_figures_reviewed_before_signing_count_each_thing_once(siblings):
    """The secretary's review (REVIEW.md): a risk raised at four analyses is one risk point, a topic in
    two study plans one topic, 集中学习 is the staff's sessions only, a late report is never 按时, the
    high risk is named, and a half-year report neither cites itself nor repeats 下半年以来."""
    east, _west = siblings
    doc = writer.build("annual", east, LAST, day=date(THIS, 1, 15))
    text = _running(doc)
    risks = m.Risk.objects.filter(unit=east, analysis__held_on__year=LAST, deleted_at__isnull=True)
    kinds = {r.description.strip() for r in risks}
    assert risks.count() > len(kinds)  # the demo raises some risks more than once
    assert f"风险点{len(kinds)}个，各次研判累计提出{risks.count()}次" in text
    high = {r.description for r in risks.filter(level="high")}
    if len(high) <= 3:
        assert all(x in text for x in high), high
    items = m.StudyPlanItem.objects.filter(plan__unit=east, plan__year=LAST, deleted_at__isnull=True)
    assert doc.figures["plan_items"].value == len({i.topic.strip() for i in items}) < items.count()
    staff = m.Meeting.objects.filter(
        unit=east, kind="staff_study", held_at__year=LAST, deleted_at__isnull=True
    )
    said = {x.figure for x in doc.mentions()}
    assert "staff_study" in said and "study" not in said  # not the 中心组, 读书会 and 党课 again
    assert doc.figures["staff_study"].value == staff.count()
    assert "按时向上级党组织报告" not in text and "组织生活规范有序" not in text
    # 7月以来 once, at the start; no report citing its own submission
    half = writer.build("half-year", east, THIS, half=1, day=date(THIS, 6, 25))
    assert f"报送《关于{THIS}年上半年" not in _running(half)
    open_half = writer.build("half-year", east, THIS, half=2, day=date(THIS, 11, 23))
    assert _running(open_half).count("以来") <= 1
    for x in (doc, half, open_half):
        assert check(x.plain()) == [], x.title
