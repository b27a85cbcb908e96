"""Every ledger through its pages, the links between ledgers, and the checks a clerk trips over."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from taizhang.core.audit import snapshot
from taizhang.core.services import record_update
from taizhang.ledger import models as m
from taizhang.ledger import services
from taizhang.ledger.views import LEDGERS

TEXT_TYPES = ("CharField", "TextField")


def _post_data(views: Any, obj: Any, unit: Any, user: Any) -> dict[str, Any]:
    """What the edit form shows for `obj`, as the browser would post it back."""
    form = views.form_class(instance=obj, unit=unit, user=user)
    data: dict[str, Any] = {}
    for name, bound in ((n, form[n]) for n in form.fields):
        value = bound.value()
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            formatted = bound.field.widget.format_value(value)
            data[name] = "" if formatted is None else formatted
    return data


def _creatable(views: Any, sample: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The sample's form data made into a new record the checks accept."""
    if views.model is m.SubmissionScore:
        data["level"] = "county"  # one row per level: take a level the sample does not hold
    if views.model is m.Meeting:
        data["confirm_present"] = "on"  # the demo's 实到 counts staff without an account too
    if views.model is m.Rectification and sample.state in ("done", "closed"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["attachments"] = SimpleUploadedFile("整改佐证.txt", "整改完成情况说明".encode())  # its evidence
    return data


def _edit(views: Any) -> tuple[str, str, Any]:
    """A field to change on the edit page: the first free text, else the score table's points."""
    for name in views.form_class.base_fields:
        field = views.model._meta.get_field(name)
        if field.get_internal_type() in TEXT_TYPES and not field.choices and not name.endswith("_text"):
            return name, "修改后的内容", "修改后的内容"
    return "points", "0.8", Decimal("0.8")


@pytest.mark.parametrize("views", LEDGERS, ids=[v.slug for v in LEDGERS])
def test_clerk_creates_edits_deletes_and_secretary_restores(views, cast, client):
    sample = (
        views.model.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )
    client.force_login(cast.clerk)
    data = _creatable(views, sample, _post_data(views, sample, sample.unit, cast.clerk))
    count = views.model.objects.count()
    response = client.post(reverse(views.url("create")), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert views.model.objects.count() == count + 1
    data.pop("attachments", None)  # saved with the record; the edit sends none
    created = views.model.objects.order_by("-pk").first()
    assert created.created_by == cast.clerk and created.unit == cast.units["demo-dist"]

    field, posted, expected = _edit(views)
    data[field] = posted
    assert client.post(reverse(views.url("edit"), kwargs={"pk": created.pk}), data).status_code == 302
    created.refresh_from_db()
    assert getattr(created, field) == expected

    detail = client.get(reverse(views.url("detail"), kwargs={"pk": created.pk})).content.decode()
    # the history lists who created and who changed the record (the heading alone is always there),
    # by name: the account name stays on the audit administrator's pages
    who = cast.clerk.full_name
    assert f"{who} · 新增" in detail and f"{who} · 修改" in detail

    client.post(reverse(views.url("delete"), kwargs={"pk": created.pk}))
    assert views.model.objects.restrict(cast.member).filter(pk=created.pk).count() == 0
    client.force_login(cast.secretary)
    trash = client.get(reverse(views.url("trash"))).content.decode()
    assert str(created)[:10] in trash
    client.post(reverse(views.url("restore"), kwargs={"pk": created.pk}))
    assert views.model.objects.restrict(cast.member).filter(pk=created.pk).count() == 1

    client.force_login(cast.inspector)
    assert client.get(reverse(views.url("detail"), kwargs={"pk": created.pk})).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(reverse(views.url("detail"), kwargs={"pk": created.pk})).status_code == 404


def _more_rows(views: Any, unit: Any, n: int = 4) -> int:
    """Copies of the unit's newest rows of a kind, with their people, so the list page shows more
    rows of every column; the number of rows added."""
    from django.db import IntegrityError, transaction

    rows = list(views.model.objects.filter(unit=unit, deleted_at__isnull=True).order_by("-pk")[:n])
    added = 0
    for row in rows:
        m2m = {f.name: list(getattr(row, f.name).all()) for f in row._meta.many_to_many}
        row.pk = row.id = None
        try:
            with transaction.atomic():
                row.save()
                for name, values in m2m.items():
                    getattr(row, name).set(values)
        except IntegrityError:  # one row per unit and level (媒体级别分值): take a free level
            continue
        added += 1
    if not added and views.model is m.SubmissionScore:
        taken = set(views.model.objects.filter(unit=unit).values_list("level", flat=True))
        for level in [lv for lv in m.SubmissionLevel.values if lv not in taken][:n]:
            views.model.objects.create(unit=unit, level=level, points=Decimal("0.5"))
            added += 1
    return added


@pytest.mark.parametrize("views", LEDGERS, ids=[v.slug for v in LEDGERS])
def test_list_queries_do_not_grow_with_rows(views, cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.clerk)
    url = reverse(views.url("list"))
    client.get(url)

    def count(**extra: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, **extra).status_code == 200
        return len(queries)

    before = count(), count(data={"year": "2025", "q": "学习"}, HTTP_HX_REQUEST="true")
    shown = views.model.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True).count()
    added = _more_rows(views, cast.units["demo-dist"])
    assert added, f"{views.slug}: no row could be added"
    assert views.model.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True).count() > shown
    after = count(), count(data={"year": "2025", "q": "学习"}, HTTP_HX_REQUEST="true")
    assert after == before and max(after) <= 16


@pytest.mark.parametrize(
    ("model", "changes", "field", "message"),
    [
        (m.Rectification, {"deadline": "2000-01-01"}, "deadline", "不能早于发现问题的日期"),
        (m.Rectification, {"state": "done", "completed_on": "", "result": ""}, "completed_on", "完成日期"),
        (m.Publicity, {"held_on": "2099-01-01"}, "held_on", "不能晚于今天"),
        (m.Submission, {"status": "adopted", "published_on": ""}, "published_on", "刊发日期"),
        (m.PositionInspection, {"inspected_on": "2099-05-01"}, "inspected_on", "不能晚于今天"),
        (m.PublicOpinion, {"closed": "on", "response": ""}, "response", "处置情况"),
        (m.ReportRecord, {"kind": "half_year", "recipient": ""}, "recipient", "报送单位"),
        (m.Subscription, {"done": "on", "done_on": ""}, "done_on", "完成日期"),
        (m.LeadingGroupMember, {"person": "", "person_text": ""}, "person", "外单位人员"),
        (m.StudyPlanItem, {"month": "13"}, "month", "1 到 12"),
        (m.Meeting, {"kind": "central_study", "hours": "", "content": ""}, "hours", "须填写学时"),
        (m.Meeting, {"expected": "5", "present": "8"}, "present", "实到人数不能多于应到人数"),
    ],
)
def test_forms_refuse_what_clerks_get_wrong(model, changes, field, message, cast, client):
    views = next(v for v in LEDGERS if v.model is model)
    sample = model.objects.filter(unit=cast.units["demo-dist"]).order_by("pk").first()
    client.force_login(cast.clerk)
    data = {**_post_data(views, sample, sample.unit, cast.clerk), **changes}
    for key, value in changes.items():
        if value == "" and key in data and isinstance(data[key], str) and key in ("closed", "done"):
            data.pop(key)
    count = model.objects.count()
    response = client.post(reverse(views.url("create")), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert model.objects.count() == count


def test_person_outside_the_unit_is_refused(cast, client):
    views = next(v for v in LEDGERS if v.model is m.Rectification)
    sample = m.Rectification.objects.filter(unit=cast.units["demo-dist"]).first()
    client.force_login(cast.clerk)
    data = {**_post_data(views, sample, sample.unit, cast.clerk), "owner": str(cast.outsider.pk)}
    response = client.post(reverse(views.url("create")), data)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()


def test_rectification_knows_it_is_overdue(cast, client):
    rect = m.Rectification.objects.filter(unit=cast.units["demo-dist"]).first()
    before = snapshot(rect)
    rect.state, rect.completed_on, rect.result = m.RectificationState.IN_PROGRESS, None, ""
    rect.deadline = timezone.localdate() - timedelta(days=1)
    record_update(acting_user=cast.clerk, instance=rect, before=before)
    assert rect.is_overdue
    client.force_login(cast.clerk)
    listing = client.get(reverse("ledger:rectification_list"), {"state": "overdue"}, HTTP_HX_REQUEST="true")
    assert "已逾期" in listing.content.decode() and rect.problem[:20] in listing.content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert rect.problem[:20] in dashboard.split('id="overdue"')[1]


def test_risk_opens_a_rectification_in_one_click(cast, client):
    risk = m.Risk.objects.filter(unit=cast.units["demo-dist"], rectification__isnull=True).first()
    client.force_login(cast.clerk)
    response = client.post(reverse("ledger:risk_rectify", kwargs={"pk": risk.pk}))
    risk.refresh_from_db()
    assert risk.rectification is not None
    assert response.url == reverse("ledger:rectification_edit", kwargs={"pk": risk.rectification.pk})
    assert (
        risk.rectification.source == m.RectificationSource.ANALYSIS
        and risk.description in risk.rectification.problem
    )
    again = client.post(reverse("ledger:risk_rectify", kwargs={"pk": risk.pk}), follow=True)
    assert "已建立整改事项" in again.content.decode()
    assert m.Rectification.objects.filter(problem__contains=risk.description).count() == 1


def test_review_runs_three_stages_without_skipping(cast):
    position = m.Position.objects.filter(unit=cast.units["demo-dist"]).first()
    leader = type(cast.clerk).objects.get(username="leader")
    review = services.record_create(
        acting_user=cast.clerk,
        instance=m.PublicationReview(unit=position.unit, position=position, title="汛期服务稿件"),
    )
    with pytest.raises(services.LedgerError):
        services.review_decide(acting_user=cast.clerk, review=review, stage="first", verdict="pass")
    services.review_submit(acting_user=cast.clerk, review=review)
    with pytest.raises(services.LedgerError, match="跳过"):
        services.review_decide(acting_user=cast.clerk, review=review, stage="second", verdict="pass")
    services.review_decide(acting_user=cast.clerk, review=review, stage="first", verdict="pass")
    with pytest.raises(services.LedgerError, match="不同的人"):
        services.review_decide(acting_user=cast.clerk, review=review, stage="second", verdict="pass")
    with pytest.raises(services.LedgerError, match="意见"):
        services.review_decide(acting_user=leader, review=review, stage="second", verdict="reject")
    services.review_decide(
        acting_user=leader, review=review, stage="second", verdict="reject", comment="数据需核实"
    )
    review.refresh_from_db()
    assert review.stage == "draft"
    services.review_submit(acting_user=cast.clerk, review=review)
    for who, stage in [(cast.clerk, "first"), (leader, "second"), (cast.secretary, "final")]:
        services.review_decide(acting_user=who, review=review, stage=stage, verdict="pass", comment="同意")
    review.refresh_from_db()
    assert review.stage == "approved" and review.round == 2
    services.review_publish(acting_user=cast.clerk, review=review)
    review.refresh_from_db()
    assert review.stage == "published"
    steps = list(review.steps.values_list("round", "stage", "verdict", "reviewer__username"))
    assert steps == [
        (1, "first", "pass", "clerk"), (1, "second", "reject", "leader"),
        (2, "first", "pass", "clerk"), (2, "second", "pass", "leader"), (2, "final", "pass", "secretary"),
    ]  # fmt: skip


def test_study_session_fulfils_plan_items_and_shows_who_studied(cast, client):
    item = m.StudyPlanItem.objects.filter(unit=cast.units["demo-dist"], sessions__isnull=False).first()
    client.force_login(cast.member)
    page = client.get(reverse("ledger:studyitem_detail", kwargs={"pk": item.pk})).content.decode()
    session = item.sessions.first()
    assert session.title in page
    assert all(str(p) in page for p in session.attendees.all())


def test_any_record_can_be_evidence_for_a_work_plan_item(cast, client):
    item = m.WorkPlanItem.objects.filter(unit=cast.units["demo-dist"]).last()
    publicity = m.Publicity.objects.filter(unit=cast.units["demo-dist"]).first()
    client.force_login(cast.clerk)
    client.post(
        reverse("ledger:evidence_add", kwargs={"slug": "publicity", "pk": publicity.pk}),
        {"item": item.pk, "note": "宣传活动"},
    )
    page = client.get(reverse("ledger:workplan_detail", kwargs={"pk": item.pk})).content.decode()
    assert publicity.theme in page
    again = client.post(
        reverse("ledger:evidence_add", kwargs={"slug": "publicity", "pk": publicity.pk}),
        {"item": item.pk},
        follow=True,
    )
    assert "已是此工作要点的佐证" in again.content.decode()


def test_submission_points_follow_the_units_table(cast, client):
    unit = cast.units["demo-dist"]
    year = timezone.localdate().year - 1
    totals = services.submission_totals(unit=unit, year=year, user=cast.clerk)
    adopted = m.Submission.objects.filter(unit=unit, submitted_on__year=year, status="adopted")
    table = services.score_table(unit)
    assert totals["points"] == sum((table[s.level] for s in adopted), Decimal(0))
    assert table["county"] == Decimal("0.5") and table["central"] == Decimal("5")
    client.force_login(cast.clerk)
    page = client.get(reverse("ledger:submission_list"), {"year": year}).content.decode()
    assert f"采用 {adopted.count()} 篇" in page


def test_export_escapes_formula_injection(cast, client):
    views = next(v for v in LEDGERS if v.model is m.Publicity)
    p = m.Publicity.objects.filter(unit=cast.units["demo-dist"]).first()
    before = snapshot(p)
    p.theme = '=HYPERLINK("http://evil.example","点我")'
    record_update(acting_user=cast.clerk, instance=p, before=before)
    client.force_login(cast.clerk)
    response = client.get(reverse(views.url("export")), {"q": "HYPERLINK"})
    wb = load_workbook(BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","点我")'


def test_dashboard_shows_counts_and_chart_data(cast, client):
    client.force_login(cast.clerk)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="dash-charts"' in page and 'id="ledger-counts"' in page and 'id="due-this-month"' in page


def test_review_steps_through_the_pages(cast, client):
    position = m.Position.objects.filter(unit=cast.units["demo-dist"]).first()
    review = services.record_create(
        acting_user=cast.clerk,
        instance=m.PublicationReview(unit=position.unit, position=position, title="页面送审稿"),
    )
    client.force_login(cast.clerk)
    client.post(reverse("ledger:review_submit", kwargs={"pk": review.pk}))
    skipped = client.post(
        reverse("ledger:review_decide", kwargs={"pk": review.pk}),
        {"stage": "final", "verdict": "pass"},
        follow=True,
    )
    assert "不能跳过" in skipped.content.decode()
    client.post(
        reverse("ledger:review_decide", kwargs={"pk": review.pk}), {"stage": "first", "verdict": "pass"}
    )
    review.refresh_from_db()
    assert review.stage == "second"
    page = client.get(reverse("ledger:review_detail", kwargs={"pk": review.pk})).content.decode()
    assert "待复审" in page and "复审" in page
