"""The typed Kind registry (issue 14): every layer reads one declaration per kind, the start-up check
refuses a broken one, a throwaway kind (tests/kindapp) gets every page and service with no other
edit, and the bugs the scattered metadata caused stay fixed."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from openpyxl import load_workbook

from taizhang.core import kinds
from taizhang.core.kinds import DatedBy, Kind
from taizhang.core.services import record_create
from taizhang.ledger import models as m
from taizhang.library import search
from taizhang.rules.models import LocalAction, LocalRule

from .kindapp.models import DRILL, Drill


def _drills(cast: Any) -> Any:
    return Drill.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True)


# --- The start-up check -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": DatedBy("held_at")}, "日期定义 “held_at” 无法解析"),
        ({"date": DatedBy("title")}, "不是日期、日期时间或年度字段"),
        ({"date": DatedBy("host__held_at")}, "日期定义 “host__held_at” 无法解析"),
        ({"list_fields": ("title", "venue")}, "列表字段不存在：venue"),
        ({"fields": ("title", "summary")}, "表单字段不存在：summary"),
        ({"people_field": "title"}, "人数字段 “title” 不是整数字段"),
        ({"slug": "meeting", "search_code": 62}, "声明了两次"),
        ({"search_code": 3}, "使用同一搜索代码 3"),
    ],
)
def test_a_broken_kind_declaration_is_a_start_up_error(changes, message):
    declared = {**DRILL.__dict__, "slug": "drill-broken", "search_code": 61, **changes}
    broken = kinds.register(Kind(**declared))
    try:
        with pytest.raises(SystemCheckError) as refused:
            call_command("check")
        assert message in str(refused.value)
    finally:
        kinds.unregister(broken)
    call_command("check")  # sound again once the broken declaration is gone


def test_no_layer_asks_the_web_layer_what_a_kind_is():
    """Search, rules, the ledger book, documents, the command line read core.kinds; only pages,
    URLconfs and apps' ready() (dashboard panels) import a views module."""
    root = Path(__file__).resolve().parent.parent / "src" / "taizhang"
    offenders = []
    for path in root.rglob("*.py"):
        if path.name in ("views.py", "urls.py", "apps.py") or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if (
            "core.views import REGISTRY" in text
            or "ledger.views import" in text
            or ".views import LEDGERS" in text
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


# --- A new kind needs nothing but its model and its Kind ----------------------------------------------
def test_a_declared_kind_gets_its_pages_from_the_declaration(cast, client):
    client.force_login(cast.clerk)
    listing = client.get(reverse("ledger:drill_list"), {"kind": "fire"}).content.decode()
    assert "春季消防疏散演练" in listing and "汛前防汛应急演练" not in listing
    assert "参加人数" in listing  # a list column of the declaration
    fire = _drills(cast).get(kind="fire")
    detail = client.get(reverse("ledger:drill_detail", args=[fire.pk])).content.decode()
    assert "全体职工参加" in detail
    export = client.get(reverse("ledger:drill_export"))
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:4] == ["单位", "演练日期", "演练类型", "名称"]
    assert {r[3] for r in sheet.iter_rows(min_row=2, values_only=True)} == {
        "春季消防疏散演练",
        "汛前防汛应急演练",
    }


def test_a_declared_kind_imports_through_its_template(cast, client):
    client.force_login(cast.clerk)
    template = load_workbook(io.BytesIO(client.get(reverse("ledger:drill_template")).content)).worksheets[0]
    headers = [c.value for c in template[1]]
    assert headers[:3] == ["演练日期*", "演练类型*", "名称*"]
    csv = "演练日期,演练类型,名称,组织人,参加人数\n2025-09-12,消防演练,秋季消防演练,罗建国,21\n"
    preview = client.post(
        reverse("ledger:drill_import"), {"file": SimpleUploadedFile("演练.csv", csv.encode())}
    )
    assert "检查通过：共 1 条记录" in preview.content.decode()
    client.post(reverse("ledger:drill_import"), {"token": preview.context["token"]})
    new = _drills(cast).get(title="秋季消防演练")
    assert new.leader == cast.secretary and new.turnout == 21 and new.created_by == cast.clerk


def test_a_declared_kind_is_searched_by_its_own_date(cast):
    fire = _drills(cast).get(kind="fire")
    hits = search.search("疏散", user=cast.member, year=fire.held_on.year).hits
    assert [(h.kind, h.id, h.day) for h in hits] == [("drill", fire.pk, fire.held_on)]
    assert search.search("疏散", user=cast.outsider).hits == []


def test_a_local_rule_counts_people_in_the_kind_s_own_field(cast):
    """The engine read `present` whatever the kind: a people rule on another kind failed."""
    from taizhang.rules.services import evaluate_units

    dist = cast.units["demo-dist"]
    year = _drills(cast).first().held_on.year
    record_create(acting_user=cast.secretary, instance=LocalRule(
        unit=dist, action=LocalAction.ADD, rule_id="drill-people", name="演练参加人次", ledger="drill",
        period="year", measure="people", threshold=1, year=year,
    ))  # fmt: skip
    expected = sum(d.turnout for d in _drills(cast).filter(held_on__year=year))
    for with_evidence in (False, True):  # the grouped query and the per-record one
        [result] = evaluate_units([dist], year, user=cast.clerk, with_evidence=with_evidence)
        assert result.cells["drill-people"][0].value == expected == 30


def test_the_ledger_book_has_a_sheet_for_the_declared_kind(cast):
    from taizhang.ledger.book import ledger_sheets

    year = _drills(cast).first().held_on.year
    sheets = {
        title: list(rows) for title, _headers, rows in ledger_sheets(unit=cast.units["demo-dist"], year=year)
    }
    assert len(sheets["应急演练"]) == 2
    assert "投稿计分标准" not in sheets  # a kind that declares no sheet has none


# --- The bugs of the scattered metadata -----------------------------------------------------------------
@pytest.mark.parametrize("slug", ["risk", "studyitem", "indicator", "rating"])
def test_records_dated_through_a_relation_are_found_by_year(cast, slug):
    kind = kinds.REGISTRY[slug]
    obj = (
        kind.model.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )
    row = search.entry_rows([obj])[0][0]
    assert row is not None
    day = kind.day(obj)
    assert day is not None and row[COLUMNS_DAY] == day.isoformat()
    search.rebuild()
    entry = search.SearchEntry.objects.get(kind=slug, object_id=obj.pk)
    assert entry.day == day


COLUMNS_DAY = search.COLUMNS.index("day")


def test_key_points_state_the_branch_rules(cast):
    """A catch-all written ("") (a string, not a tuple) matched nothing: 支委会, 党员大会, 主题党日
    never reached the 工作要点."""
    from taizhang.reports import writer

    doc = writer.build("keypoints", cast.units["demo-dist"], 2026, day=date(2026, 1, 10))
    text = "\n".join(block.text for block in doc.blocks)
    for name, every in (("支委会", "每月"), ("党员大会", "每季度"), ("主题党日", "每月")):
        task = [s for s in re.split("[。\n]", text) if name in s and every in s]
        assert task, f"no task states {name} {every}"


def test_buttons_match_what_the_checks_allow(cast, client):
    client.force_login(cast.clerk)
    local = client.get(reverse("rules:local_list")).content.decode()
    assert 'id="record-new"' not in local and "/import/" not in local  # only managers write local rules
    rule = LocalRule.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True).first()
    detail = client.get(reverse("rules:local_detail", args=[rule.pk])).content.decode()
    assert "/edit/" not in detail and "/delete/" not in detail
    assert client.get(reverse("rules:local_edit", args=[rule.pk])).status_code == 403
    meetings = client.get(reverse("ledger:meeting_list")).content.decode()
    assert "回收站" not in meetings  # the bin is the managers'
    assert client.get(reverse("ledger:meeting_trash")).status_code == 403
    client.force_login(cast.secretary)
    assert "回收站" in client.get(reverse("ledger:meeting_list")).content.decode()
    local = client.get(reverse("rules:local_list")).content.decode()
    assert 'id="record-new"' in local
    assert "/edit/" in client.get(reverse("rules:local_detail", args=[rule.pk])).content.decode()


def _score_csv(*levels: str) -> bytes:
    return ("媒体级别,分值\n" + "".join(f"{level},1.5\n" for level in levels)).encode()


def test_an_import_breaking_a_unique_rule_is_refused_in_the_preview(cast, client):
    """A duplicate 媒体级别 passed the preview and failed at insert with an IntegrityError."""
    held = m.SubmissionScore.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True)
    taken = held.first().get_level_display()
    free = next(label for value, label in m.SubmissionLevel.choices if not held.filter(level=value).exists())
    client.force_login(cast.clerk)
    before = m.SubmissionScore.objects.count()
    for data, row in ((_score_csv(taken), 2), (_score_csv(free, free), 3)):
        page = client.post(reverse("ledger:score_import"), {"file": SimpleUploadedFile("分值.csv", data)})
        assert page.status_code == 200 and "token" not in page.context
        assert [(e.row, e.column) for e in page.context["result"].errors] == [(row, "媒体级别")]
    assert m.SubmissionScore.objects.count() == before


def test_an_import_as_a_person_needs_their_right_to_add(cast, tmp_path):
    """`taizhang import --user member` wrote records a member may not add."""
    import argparse

    from taizhang.cli import CommandError, cmd_import

    good = tmp_path / "演练.csv"
    good.write_text("演练日期,演练类型,名称,参加人数\n2025-09-12,消防演练,秋季消防演练,9\n", encoding="utf-8")
    before = Drill.objects.count()

    def run(user: str | None) -> None:
        cmd_import(
            argparse.Namespace(kind="drill", file=str(good), unit="demo-dist", user=user, dry_run=False)
        )

    for person in ("member", "inspector", "outsider"):
        with pytest.raises(CommandError, match=r"没有在.*导入"):
            run(person)
    assert Drill.objects.count() == before
    run("clerk")
    assert Drill.objects.count() == before + 1


def test_the_roll_up_lists_only_the_units_the_reader_may_see(cast):
    from taizhang.orgs.models import Unit
    from taizhang.reports import writer

    city = cast.units["demo-city"]
    # the district's secretary reads its own subtree, not its sibling units under the city
    dist_reader = cast.secretary
    visible = set(
        Unit.objects.restrict(dist_reader).filter(path__startswith=city.path).values_list("name", flat=True)
    )
    doc = writer.build("rollup", city, 2025, user=dist_reader, day=date(2026, 1, 10))
    text = "\n".join(block.text for block in doc.blocks)
    hidden = [u.name for u in Unit.objects.filter(path__startswith=city.path) if u.name not in visible]
    assert hidden and not any(f"{name}：" in text for name in hidden)


def test_an_import_row_reports_every_error_in_one_pass(cast, client):
    """A bad date hid a missing hours value until the date was fixed."""
    client.force_login(cast.clerk)
    csv = "类型,名称,时间,主持人,应到人数,实到人数\n理论学习中心组学习,学习,2025-13-40 09:00,罗建国,10,9\n"
    page = client.post(
        reverse("ledger:meeting_import"), {"file": SimpleUploadedFile("会议.csv", csv.encode())}
    )
    errors = {(e.row, e.column) for e in page.context["result"].errors}
    assert errors == {(2, "时间"), (2, "学时"), (2, "传达学习内容")}


def test_the_template_marks_columns_required_only_sometimes(cast, client):
    client.force_login(cast.clerk)
    ws = load_workbook(io.BytesIO(client.get(reverse("ledger:meeting_template")).content)).worksheets[0]
    notes = {c.value: c.comment.text if c.comment else "" for c in ws[1]}
    assert "学时" in notes and "学习" in notes["学时"] and "必填" in notes["学时"]


def test_scores_of_a_deleted_level_may_be_imported_again(cast, client):
    """The uniqueness check follows the constraint's own condition: a deleted row does not count."""
    from taizhang.core.services import record_delete

    held = m.SubmissionScore.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True).first()
    record_delete(acting_user=cast.secretary, instance=held)
    client.force_login(cast.clerk)
    data = _score_csv(held.get_level_display())
    page = client.post(reverse("ledger:score_import"), {"file": SimpleUploadedFile("分值.csv", data)})
    assert "token" in page.context
    client.post(reverse("ledger:score_import"), {"token": page.context["token"]})
    new = m.SubmissionScore.objects.get(unit=held.unit, level=held.level, deleted_at__isnull=True)
    assert new.points == Decimal("1.5")


# settings Django reads though global_settings does not list them
READ_BY_DJANGO_BACKENDS = {"EMAIL_FILE_PATH"}  # django.core.mail.backends.filebased


def test_every_setting_read_from_the_environment_is_used():
    """TAIZHANG_AUDIT_RETENTION_DAYS was documented and read by nothing: a knob that turns nothing."""
    import re

    from django.conf import global_settings

    root = Path(__file__).resolve().parent.parent / "src" / "taizhang"
    settings_text = (root / "settings.py").read_text(encoding="utf-8")
    elsewhere = "\n".join(
        p.read_text(encoding="utf-8") for p in root.rglob("*.py") if p.name != "settings.py"
    )
    unused = []
    for name in re.findall(r"^([A-Z][A-Z0-9_]*) = .*TAIZHANG_", settings_text, flags=re.M):
        if hasattr(global_settings, name) or name.startswith("AXES_") or name in READ_BY_DJANGO_BACKENDS:
            continue  # Django's or django-axes' own setting: read by them
        if re.search(rf"\b{name}\b", elsewhere) or len(re.findall(rf"\b{name}\b", settings_text)) > 1:
            continue
        unused.append(name)
    assert unused == []
