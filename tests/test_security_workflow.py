"""Issue 13, items 5, 8 and 22 (修订): workflows an ordinary user could break or bypass.

- A local rule the engine cannot evaluate is refused by the form and the service; one already in
  the database is skipped and shown as 无法计算, never a 500 for the unit, its children or superiors.
- Editing reviewed content after 送审 returns a publication review to draft and restarts the 三审.
- Revising a final document version twice (or concurrently) gives one draft, never two or a 500.
"""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from taizhang.cli import main
from taizhang.core.services import record_create
from taizhang.rules.models import LocalAction, LocalRule

YEAR = date.today().year - 1  # the demo's full year of records


# --- Item 5: rules the engine cannot evaluate ---------------------------------------------------------
BAD_RULES = [
    # (form data, the field that must carry the refusal, a fragment of the Chinese message)
    ({"action": "override", "rule_id": "analysis-quarterly", "due": "02-30"}, "due", "2月没有30日"),
    (
        {"action": "add", "rule_id": "group-yearly", "name": "领导小组", "ledger": "group", "period": "year",
         "threshold": "1"},
        "ledger", "只记年度",
    ),
    (
        {"action": "add", "rule_id": "study-items", "name": "学习计划条目", "ledger": "studyitem",
         "period": "quarter", "threshold": "1"},
        "ledger", "无法按日期统计",
    ),
    (
        {"action": "add", "rule_id": "inspect-kind", "name": "阵地检查", "ledger": "inspection", "kind": "x",
         "period": "quarter", "threshold": "1"},
        "kind", "没有类型",
    ),
    (
        {"action": "add", "rule_id": "publicity-people", "name": "宣传人次", "ledger": "publicity",
         "measure": "people", "period": "year", "threshold": "100"},
        "measure", "没有到会人数",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("data", "field", "message"), BAD_RULES)
def test_the_rule_form_and_service_refuse_a_rule_the_engine_cannot_evaluate(
    cast, client, data, field, message
):
    client.force_login(cast.secretary)
    before = LocalRule.objects.count()
    page = client.post(reverse("rules:local_create"), data)
    assert page.status_code == 200 and message in page.content.decode()
    assert LocalRule.objects.count() == before
    fields = dict(data)
    if "threshold" in fields:
        fields["threshold"] = int(fields["threshold"])
    with pytest.raises(ValidationError) as refused:
        record_create(acting_user=cast.secretary, instance=LocalRule(unit=cast.units["demo-dist"], **fields))
    assert any(message in m for m in refused.value.message_dict[field])
    assert LocalRule.objects.count() == before


def test_an_evaluable_local_rule_is_accepted(cast, client):
    client.force_login(cast.secretary)
    response = client.post(reverse("rules:local_create"), {
        "action": "add", "rule_id": "publicity-half", "name": "每半年开展宣传", "ledger": "publicity",
        "period": "half", "threshold": "1", "due": "06-30,12-31",
    })  # fmt: skip
    assert response.status_code == 302
    assert LocalRule.objects.filter(rule_id="publicity-half", unit=cast.units["demo-dist"]).exists()
    leap = client.post(reverse("rules:local_create"), {
        "action": "override", "rule_id": "branch-committee", "due": "02-29",
    })  # fmt: skip
    assert leap.status_code == 302  # 2月29日 exists in leap years; other years use 28 February


def test_every_shipped_rule_can_be_evaluated_and_days_count_on_a_date_only_ledger(cast):
    from taizhang.core.kinds import REGISTRY
    from taizhang.rules import engine
    from taizhang.rules.services import evaluate_units

    assert all(not engine.rule_problems(rule, REGISTRY) for rule in engine.default_rules(YEAR))
    dist = cast.units["demo-dist"]
    record_create(acting_user=cast.secretary, instance=LocalRule(
        unit=dist, action=LocalAction.ADD, rule_id="report-days", name="报告天数", ledger="report",
        period="year", measure="days", threshold=1,
    ))  # fmt: skip
    for with_evidence in (False, True):  # the grouped query and the per-record one
        [result] = evaluate_units([dist], YEAR, with_evidence=with_evidence)
        assert result.cells["report-days"][0].value > 0


@pytest.fixture
def bad_rules(cast):
    """Rules written before the check existed (rows as an old database may hold them), on demo-dist:
    an impossible due day, a ledger dated by year only and one dated by a related path."""
    dist = cast.units["demo-dist"]
    LocalRule.objects.create(
        unit=dist, action=LocalAction.OVERRIDE, rule_id="analysis-quarterly", due="02-30"
    )
    LocalRule.objects.create(
        unit=dist,
        action=LocalAction.ADD,
        rule_id="group-yearly",
        name="领导小组年度调整",
        ledger="group",
        period="year",
        threshold=1,
    )
    LocalRule.objects.create(unit=dist, action=LocalAction.ADD, rule_id="study-items", name="学习计划条目",
                             ledger="studyitem", period="quarter", threshold=1)  # fmt: skip
    return dist


def test_a_stored_bad_rule_is_skipped_and_shown_as_uncomputable_on_every_page(cast, client, bad_rules):
    dist, branch = bad_rules, cast.units["demo-dist-branch"]
    client.force_login(cast.secretary)
    grid = client.get(reverse("rules:grid"), {"year": YEAR})
    page = grid.content.decode()
    assert grid.status_code == 200 and page.count("无法计算") >= 3
    assert "2月没有30日" in page and "只记年度" in page and "无法按日期统计" in page
    assert "tz-met" in page  # the other rules are still evaluated
    cell = client.get(reverse("rules:cell", args=[dist.pk, "analysis-quarterly", YEAR, 1]))
    assert cell.status_code == 200 and "无法计算" in cell.content.decode()
    assert client.get(reverse("dashboard")).status_code == 200  # this year's upcoming deadlines
    # the child inherits the rules: its grid too
    child = client.get(reverse("rules:unit_grid", args=[branch.pk]), {"year": YEAR})
    assert child.status_code == 200 and "无法计算" in child.content.decode()
    # the superior's subtree table and its export
    client.force_login(cast.inspector)
    table = client.get(reverse("rules:subtree"), {"year": YEAR})
    assert table.status_code == 200 and "无法计算" in table.content.decode()
    assert "区气象局党支部" in table.content.decode()
    export = client.get(reverse("rules:subtree"), {"year": YEAR, "format": "xlsx"})
    assert export.status_code == 200
    # the assessment sheet scored from rules
    client.force_login(cast.secretary)
    from taizhang.rules.models import AssessmentScheme

    scheme = AssessmentScheme.objects.get(unit=dist, indicators__rule_id="analysis-quarterly")
    sheet = client.get(reverse("rules:assessment", args=[scheme.pk, dist.pk]))
    assert sheet.status_code == 200 and "无法计算" in sheet.content.decode()  # not full points


def test_a_stored_bad_rule_is_reported_by_the_cli(cast, capsys, bad_rules):
    assert main(["rules", "check", "--unit", "demo-dist", "--year", str(YEAR), "--subtree"]) == 0
    out = capsys.readouterr().out
    assert "无法计算" in out and "2月没有30日" in out and "区气象局党支部" in out
    assert main(["rules", "check", "--unit", "demo-city", "--year", str(YEAR), "--subtree", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    dist = next(u for u in data["units"] if u["code"] == "demo-dist")
    broken = {r["id"]: r for r in dist["rules"] if r.get("problem")}
    assert set(broken) == {"analysis-quarterly", "group-yearly", "study-items"}
    assert broken["analysis-quarterly"]["periods"] == []
    assert any(r["periods"] for r in dist["rules"])  # the others were evaluated


@pytest.mark.parametrize("kind", ["assessment", "keypoints", "annual", "half-year", "rollup"])
def test_documents_that_read_the_rules_are_generated_despite_a_stored_bad_rule(cast, client, bad_rules, kind):
    from taizhang.reports.models import OfficialDocument

    client.force_login(cast.secretary)
    year = YEAR + 1 if kind == "keypoints" else YEAR
    response = client.post(reverse("reports:index"), {"kind": kind, "year": year, "half": "2"})
    assert response.status_code == 302, response.content.decode()[-500:]
    doc = OfficialDocument.objects.filter(unit=bad_rules, kind=kind).latest("pk")
    text = json.dumps(doc.versions.get().content, ensure_ascii=False)
    if kind == "assessment":
        assert "无法计算" in text


# --- Item 8: editing after 送审 restarts the 三审 ---------------------------------------------------------
def _approved_review(cast):
    from taizhang.ledger import models as m
    from taizhang.ledger import services

    position = m.Position.objects.filter(unit=cast.units["demo-dist"]).first()
    review = record_create(
        acting_user=cast.clerk,
        instance=m.PublicationReview(
            unit=position.unit, position=position, title="汛期服务稿件", content="原稿"
        ),
    )
    services.review_submit(acting_user=cast.clerk, review=review)
    leader = type(cast.clerk).objects.get(username="leader")
    for who, stage in [(cast.clerk, "first"), (leader, "second"), (cast.secretary, "final")]:
        services.review_decide(acting_user=who, review=review, stage=stage, verdict="pass", comment="同意")
    review.refresh_from_db()
    assert review.stage == "approved"
    return review, leader


def _edit(client, review, **changes):
    data = {"position": review.position_id, "title": review.title, "drafted_on": review.drafted_on.isoformat(),
            "content": review.content, **changes}  # fmt: skip
    return client.post(reverse("ledger:review_edit", args=[review.pk]), data)


def test_editing_approved_content_returns_it_to_draft_and_the_history_shows_what_changed(cast, client):
    review, _leader = _approved_review(cast)
    client.force_login(cast.clerk)
    assert _edit(client, review, content="审核通过后悄悄改过的内容").status_code == 302
    review.refresh_from_db()
    assert review.content == "审核通过后悄悄改过的内容" and review.stage == "draft"
    refused = client.post(reverse("ledger:review_publish", args=[review.pk]), follow=True).content.decode()
    assert "只有经过初审、复审、终审的稿件才能发布" in refused
    review.refresh_from_db()
    assert review.stage == "draft" and review.published_on is None
    page = client.get(reverse("ledger:review_detail", args=[review.pk])).content.decode()
    assert "内容摘要" in page and "已通过→草稿" in page  # the history names the changed field
    # the 三审 restarts: a new round, every stage again
    from taizhang.ledger import services

    services.review_submit(acting_user=cast.clerk, review=review)
    review.refresh_from_db()
    assert review.stage == "first" and review.round == 2
    with pytest.raises(services.LedgerError, match="跳过"):
        services.review_decide(acting_user=cast.secretary, review=review, stage="final", verdict="pass")


def test_editing_during_review_restarts_it_but_a_date_fix_keeps_the_approval(cast, client):
    from taizhang.ledger import services

    review, _leader = _approved_review(cast)
    client.force_login(cast.clerk)
    earlier = review.drafted_on.replace(day=1)
    assert _edit(client, review, drafted_on=earlier.isoformat()).status_code == 302
    review.refresh_from_db()
    assert review.stage == "approved" and review.drafted_on == earlier  # not reviewed content
    _edit(client, review, title="改过的标题")
    review.refresh_from_db()
    assert review.stage == "draft"
    services.review_submit(acting_user=cast.clerk, review=review)
    services.review_decide(acting_user=cast.clerk, review=review, stage="first", verdict="pass")
    _edit(client, review, content="复审前又改了")  # between 初审 and 复审
    review.refresh_from_db()
    assert review.stage == "draft"


def test_a_file_added_after_approval_restarts_the_review(cast, client):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    review, _leader = _approved_review(cast)
    client.force_login(cast.clerk)
    ct = ContentType.objects.get_for_model(review)
    upload = SimpleUploadedFile("改过的稿件.txt", "审核后换上的稿件".encode())
    client.post(reverse("attachment_upload", args=[ct.pk, review.pk]), {"file": upload})
    from taizhang.core.models import Attachment

    assert Attachment.objects.filter(content_type=ct, object_id=review.pk).exists()
    review.refresh_from_db()
    assert review.stage == "draft"


def test_published_content_cannot_be_changed(cast, client):
    from taizhang.ledger import services

    review, _leader = _approved_review(cast)
    services.review_publish(acting_user=cast.clerk, review=review)
    client.force_login(cast.clerk)
    page = _edit(client, review, content="发布后改稿").content.decode()
    assert "已发布的稿件不能修改" in page
    review.refresh_from_db()
    assert review.content == "原稿" and review.stage == "published"


# --- Item 22: 修订 of a final version is idempotent ---------------------------------------------------
def _final_document(cast):
    from taizhang.reports import services

    doc = services.document_generate(
        acting_user=cast.clerk, unit=cast.units["demo-dist"], kind="rollup", year=YEAR
    )
    services.version_finalise(acting_user=cast.secretary, version=doc.versions.get())
    return doc


def _drafts(doc):
    return list(doc.versions.filter(final=False, deleted_at__isnull=True).values_list("number", flat=True))


def test_revising_a_final_version_again_gives_the_same_draft(cast, client):
    from taizhang.reports import services

    doc = _final_document(cast)
    final = doc.versions.get()
    client.force_login(cast.clerk)
    first = client.post(reverse("reports:revise", args=[doc.pk]), follow=True).content.decode()
    assert "已生成第2版草稿" in first
    again = client.post(reverse("reports:revise", args=[doc.pk]), follow=True)
    assert again.status_code == 200 and "第2版草稿已经存在" in again.content.decode()
    # a second tab still showing the final version 1 (the service given the stale final version)
    for _ in range(2):
        assert services.version_revise(acting_user=cast.clerk, version=final).number == 2
    assert _drafts(doc) == [2]


@pytest.mark.skipif(
    not __import__("os").environ.get("TAIZHANG_DATABASE_URL", "").startswith("postgres"),
    reason="real concurrent transactions need PostgreSQL (SQLite serialises writers)",
)
@pytest.mark.django_db(transaction=True)
def test_three_concurrent_revisions_make_one_draft_and_no_500(cast):
    from django.test import Client

    doc = _final_document(cast)
    barrier = threading.Barrier(3)
    statuses: list[int] = []

    def revise() -> None:
        try:
            browser = Client(raise_request_exception=False)
            browser.force_login(cast.clerk)
            barrier.wait()
            statuses.append(browser.post(reverse("reports:revise", args=[doc.pk])).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=revise) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert statuses == [302, 302, 302]
    assert _drafts(doc) == [2]
