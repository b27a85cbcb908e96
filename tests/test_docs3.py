"""The documents' house (issue 14) and what a secretary noticed in them (issue 15): one module per
document kind with no import circle, no long function, a report and next year's key points that
promise the same measure by the same time, a 支委会 that studied ideology work never reported as
a 支委会 not held, a roll-up that says where units stand rather than an average."""

from __future__ import annotations

import ast
import difflib
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from taizhang.core.services import record_create
from taizhang.ledger import models as m
from taizhang.proofread import check
from taizhang.reports import document as d
from taizhang.reports import writer

REPORTS = Path(writer.__file__).parent
WRITERS = ["writer", "prose", "year_work", "problems", "annual", "keypoints", "analysis", "assessment"]
WRITERS += ["compendium", "rollup", "phrases", "phrases_upward"]
YEAR = 2025
TIME = re.compile(r"(?:\d{4}年)?\d{1,2}月(?:底|\d{1,2}日)")


def _imports(path: Path) -> set[str]:
    """The reports modules a module imports, at its top or inside its functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names = [node.module] if node.module else [a.name for a in node.names]
            found.update(n.split(".")[0] for n in names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("taizhang.reports."):
            found.add(node.module.split(".")[2])
    return {n for n in found if (REPORTS / f"{n}.py").exists()}


def test_one_module_per_document_and_no_import_circle():
    graph = {p.stem: _imports(p) for p in REPORTS.glob("*.py")}
    assert "writers_more" not in graph and "phrases_more" not in graph

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph.get(start, ())
        )

    circles = sorted(name for name in graph if reaches(name, name, set()))
    assert circles == []
    # the dispatcher hands each kind to its own module
    assert {"annual", "keypoints", "analysis", "assessment", "compendium", "rollup"} <= graph["writer"]


def test_no_function_over_sixty_lines_in_the_writers():
    long = [
        (name, n.name, n.end_lineno - n.lineno + 1)
        for name in WRITERS
        for n in ast.walk(ast.parse((REPORTS / f"{name}.py").read_text()))
        if isinstance(n, ast.FunctionDef) and n.end_lineno - n.lineno + 1 > 60
    ]
    assert long == []


def _steps(doc: d.Document) -> list[str]:
    """The measures of 下一步 (一是…), not the work still due in the open period."""
    out, inside = [], False
    for b in doc.blocks:
        if b.style == d.H1:
            inside = "下一步" in b.text
        elif inside and b.style == d.BODY and re.match(r"[一二三四五六七八九十]是", b.text):
            out.append(b.text)
    return out


def _common(a: str, b: str) -> int:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size


def test_the_report_and_next_years_key_points_promise_the_same_measure_by_the_same_time(cast):
    dist = cast.units["demo-dist"]
    day = date(YEAR, 12, 1)
    report = writer.build("half-year", dist, YEAR, half=2, day=day)
    points = writer.build("keypoints", dist, YEAR + 1, day=day)
    tasks = [b.text for b in points.blocks if b.style == d.BODY and re.match(r"\d+\.", b.text)]
    steps = _steps(report)
    assert steps, report.plain()
    for step in steps:
        measure = step.split("。", 1)[1]  # after the headline (二是推动问题整改清零。)
        if "“" in measure and "整改" in measure:  # an overdue rectification: item by item below
            item = re.search(r"“[^”]+”", measure).group(0)
            task = next(t for t in tasks if item in t)
        else:
            bare = TIME.sub("", measure)  # the same measure, whatever its time limit
            task = max(tasks, key=lambda t: _common(bare, TIME.sub("", t)))
            assert _common(bare, TIME.sub("", task)) >= min(16, len(bare) // 2), (
                measure,
                task,
            )  # 由张晓燕: named once
        times = TIME.findall(measure)
        if times and all(not t.startswith(f"{YEAR + 1}年") for t in times) and "“" not in measure:
            # due before the key points' year: no task of that year carries the old date, but a
            # limit of its own in the new year
            assert TIME.search(task) and f"{YEAR}年12月" not in task, (measure, task)
            continue
        assert set(times) <= set(TIME.findall(task)), (measure, task)
    assert check(report.plain()) == [] and check(points.plain()) == []


def _committee_clause(doc: d.Document) -> str:
    """What the document says of the 支委会 that did not meet (8月、10月未召开支委会, 全年仅1个月召开支委会)."""
    return "；".join(re.findall(r"[^，。；]*未召开支委会|全年仅[^，。；]*?召开支委会", doc.plain()))


def test_a_committee_that_studied_ideology_work_is_a_committee_held(cast):
    dist = cast.units["demo-dist"]
    committees = m.Meeting.objects.filter(unit=dist, kind="branch_committee", held_at__year=YEAR)
    months = {timezone.localtime(x).month for x in committees.values_list("held_at", flat=True)}
    month = next(n for n in range(2, 12) if n not in months)  # a month with no 支委会
    day = date(YEAR + 1, 1, 15)
    before = _committee_clause(writer.build("annual", dist, YEAR, day=day))
    assert before, "the demo's year misses a 支委会 somewhere"
    record_create(
        acting_user=cast.users["clerk"],
        instance=m.Meeting(
            unit=dist, kind="party_group", title="支委会专题研究意识形态工作", expected=5, present=5, host_text="罗建国",
            held_at=timezone.make_aware(datetime(YEAR, month, 12, 9)),
        ),
    )  # fmt: skip
    annual = writer.build("annual", dist, YEAR, day=day)
    assert _committee_clause(annual) != before  # that month is no longer told as missed
    for doc in (
        annual,
        writer.build("half-year", dist, YEAR, half=1 if month <= 6 else 2, day=day),
        writer.build("keypoints", dist, YEAR + 1, day=date(YEAR, 12, 20)),
    ):
        said = _committee_clause(doc)
        assert not re.search(rf"(?<![\d年]){month}月(、[^，。；]*)?未召开支委会", said), (doc.title, said)


def test_the_roll_up_says_how_units_stand_not_an_average_of_a_few(cast):
    doc = writer.build("rollup", cast.units["demo-city"], YEAR, day=date(YEAR + 1, 1, 15))
    text = doc.plain()
    table = next(b for b in doc.blocks if b.style == "table")
    overview = next(
        b.text for b in doc.blocks if b.style == d.BODY and "所属单位" in b.text and "个" in b.text
    )
    assert "平均" not in text
    rate = table.rows[0].index("完成率")  # after the 自评得分 where the units have one (docC)
    for row in table.rows[1:]:
        if row[rate] != "—" and int(row[rate].rstrip("%")) < 80:  # a unit behind is named with its rate
            assert row[1] in overview and row[rate] in overview, overview
    assert check(text) == []


def test_a_units_own_positions_are_named_without_the_units_name(cast):
    dist = cast.units["demo-dist"]
    doc = writer.build("annual", dist, YEAR, day=date(YEAR + 1, 1, 15))
    own = [
        n
        for n in m.Position.objects.filter(unit=dist).values_list("name", flat=True)
        if n.startswith(dist.name)
    ]
    body = "\n".join(b.text for b in doc.blocks if b.style == d.BODY)
    for name in own:
        assert name not in body, name


@pytest.mark.parametrize("kind", ["annual", "half-year", "keypoints", "analysis", "assessment", "rollup"])
def test_every_document_still_builds_without_findings(cast, kind):
    unit = cast.units["demo-city" if kind == "rollup" else "demo-dist"]
    year = YEAR + 1 if kind == "keypoints" else YEAR
    doc = writer.build(kind, unit, year, half=2, quarter=3, day=date(YEAR + 1, 1, 15))
    assert doc.blocks and check(doc.plain()) == [], doc.title


def test_the_markdown_download_proofreads_as_clean_as_the_word_file(cast):
    """The .md a user downloads carries its headings as ### （二）……: the numbering of the tasks
    under each section restarts there, as in the Word file, so no 1. is a "duplicate"."""
    from taizhang.reports import render

    points = writer.build("keypoints", cast.units["demo-dist"], timezone.localdate().year + 1)
    text = render.to_markdown(points)
    assert "### （二）" in text and re.search(r"^1[.．]", text, re.MULTILINE)
    assert [f.rule for f in check(text)] == []
