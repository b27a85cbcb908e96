"""通知下发与报送: a city notice travels down to the districts, their answers come back, the city
accepts or returns them, and an accepted half-year report meets the rule by itself."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from taizhang.core.models import AuditEntry
from taizhang.ledger.models import ReportRecord
from taizhang.notices import services
from taizhang.notices.models import Notice, NoticeTarget, Response, Submission, TargetState
from taizhang.notify import todo
from taizhang.notify.models import Message
from taizhang.orgs import services as org_services
from taizhang.orgs.roles import Role
from taizhang.reports import services as report_services

from .test_browser import page  # noqa: F401 (the page fixture)


def _notice(cast: Any, *, to: tuple[str, ...] = ("demo-dist", "demo-east"), **kw: Any) -> Notice:
    args: dict[str, Any] = {
        "title": "关于报送2026年下半年意识形态工作专题报告的通知",
        "body": "请各单位于时限前报送下半年专题报告。",
        "deadline": timezone.localdate() + timedelta(days=10),
        "response": Response.DOCUMENT,
        "document_kind": "half-year",
        "report_kind": "half_year",
        **kw,
    }
    return services.notice_issue(
        acting_user=cast.users["city_secretary"],
        unit=cast.units["demo-city"],
        recipients=[cast.units[c] for c in to],
        **args,
    )


def _final_half_year(cast: Any) -> Any:
    today = timezone.localdate()
    doc = report_services.document_generate(
        acting_user=cast.clerk, unit=cast.units["demo-dist"], kind="half-year", year=today.year,
        half=1 if today.month <= 6 else 2,
    )  # fmt: skip
    return report_services.version_finalise(acting_user=cast.secretary, version=doc.versions.get())


def _target(notice: Notice, code: str) -> NoticeTarget:
    return NoticeTarget.objects.get(notice=notice, unit__code=code)


def test_notice_reaches_only_the_units_it_is_addressed_to(cast, client):
    notice = _notice(cast)
    url = reverse("notices:detail", args=[notice.pk])
    # the district's clerk and the east's clerk have it in their to-do and their 通知 list
    for user, unit in ((cast.clerk, "demo-dist"), (cast.outsider, "demo-east")):
        items = todo.items_for(user, cast.units[unit])
        assert [i.title for i in items if i.kind == "通知"] == [f"报送：{notice.title}"]
        client.force_login(user)
        assert notice.title in client.get(reverse("notices:index")).content.decode()
        assert client.get(url).status_code == 200
    # the west was not addressed: for its clerk the notice does not exist, nor any answer to it
    client.force_login(cast.users["west_clerk"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("notices:target", args=[_target(notice, "demo-dist").pk])).status_code == 404
    assert notice.title not in client.get(reverse("notices:index")).content.decode()
    # a unit sees its own answer page, never its sibling's
    client.force_login(cast.outsider)
    assert client.get(reverse("notices:target", args=[_target(notice, "demo-dist").pk])).status_code == 404
    # the addressed units' people got a message, the others none
    told = set(
        Message.objects.filter(cause=f"notices.Notice:{notice.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"clerk", "secretary", "leader", "outsider", "east_secretary"} <= told
    assert not told & {"member", "west_clerk", "inspector"}


def test_issue_is_refused_outside_the_subtree_and_without_the_right(cast):
    with pytest.raises(Exception, match="下级单位"):
        services.notice_issue(
            acting_user=cast.users["city_secretary"], unit=cast.units["demo-city"], title="x", body="y",
            deadline=timezone.localdate(), response=Response.FILE, recipients=[cast.units["demo-prov"]],
        )  # fmt: skip
    with pytest.raises(Exception, match="权限"):
        services.notice_issue(
            acting_user=cast.inspector, unit=cast.units["demo-city"], title="x", body="y",
            deadline=timezone.localdate(), response=Response.FILE, recipients=None,
        )  # fmt: skip
    assert not Notice.objects.exists()


def test_report_answer_withdrawn_returned_resubmitted_and_accepted_records_the_ledger_entry(cast, client):
    notice = _notice(cast)
    version = _final_half_year(cast)
    t = _target(notice, "demo-dist")
    answer = reverse("notices:target", args=[t.pk])
    client.force_login(cast.clerk)
    assert version.document.title in client.get(answer).content.decode()  # offered in the picker
    client.post(reverse("notices:submit", args=[t.pk]), {"version": version.pk})
    first = Submission.objects.get(target=t)
    assert (first.version_id, _target(notice, "demo-dist").state) == (version.pk, TargetState.SUBMITTED)
    # withdrawn before review, the unit may answer again
    client.post(reverse("notices:withdraw", args=[first.pk]))
    assert _target(notice, "demo-dist").state == TargetState.PENDING
    client.post(reverse("notices:submit", args=[t.pk]), {"version": version.pk})
    second = Submission.objects.get(target=t, number=2)
    # the city reads the answer as the Word file of the picked version
    city = cast.users["city_secretary"]
    client.force_login(city)
    response = client.get(reverse("notices:file", args=[second.pk]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    # returning needs a comment; with one the unit sees it and has the notice in its to-do again
    client.post(reverse("notices:review", args=[second.pk]), {"verdict": "returned", "comment": ""})
    assert _target(notice, "demo-dist").state == TargetState.SUBMITTED
    client.post(
        reverse("notices:review", args=[second.pk]),
        {"verdict": "returned", "comment": "请补充阵地管理情况。"},
    )
    assert _target(notice, "demo-dist").state == TargetState.RETURNED
    client.force_login(cast.clerk)
    assert "请补充阵地管理情况。" in client.get(answer).content.decode()
    assert [i.title for i in todo.items_for(cast.clerk, cast.units["demo-dist"]) if i.kind == "通知"] == [
        f"重新报送：{notice.title}"
    ]
    upload = SimpleUploadedFile("专题报告（修改稿）.txt", "下半年意识形态工作专题报告（修改稿）".encode())
    client.post(reverse("notices:submit", args=[t.pk]), {"file": upload})
    third = Submission.objects.get(target=t, number=3)
    # the city has it waiting in its to-do, then accepts it
    waiting = [i for i in todo.items_for(city, cast.units["demo-city"]) if i.kind == "报送审核"]
    assert [i.detail for i in waiting] == ["1个单位待审核"]
    client.force_login(city)
    client.post(reverse("notices:review", args=[third.pk]), {"verdict": "accepted"})
    third.refresh_from_db()
    assert _target(notice, "demo-dist").state == TargetState.ACCEPTED
    # the district's 报告与督查 ledger holds the report, dated the day it was sent, so the rule is met
    record = ReportRecord.objects.get(unit=cast.units["demo-dist"], pk=third.report_id)
    assert record.held_on == timezone.localdate(third.submitted_at)
    assert record.kind == "half_year" and record.recipient == "市气象局党组"
    from taizhang.rules.services import evaluate_units

    today = timezone.localdate()
    [result] = evaluate_units([cast.units["demo-dist"]], today.year, user=cast.secretary)
    cell = result.cells["half-year-report"][0 if today.month <= 6 else 1]
    assert record.pk in cell.evidence or cell.status == "met"
    # nothing is waiting any more, on either side
    assert not [i for i in todo.items_for(cast.clerk, cast.units["demo-dist"]) if i.kind == "通知"]
    assert not [i for i in todo.items_for(city, cast.units["demo-city"]) if i.kind == "报送审核"]
    # every step is in the audit log
    actions = list(
        AuditEntry.objects.filter(object_type="notices.Submission").values_list("action", flat=True)
    )
    assert {"create", "withdraw", "returned", "accepted"} <= set(actions)


def test_table_counts_late_and_missing_answers_and_exports_them(cast, client):
    notice = _notice(
        cast, to=("demo-dist", "demo-east", "demo-west"), response=Response.FILE, document_kind=""
    )
    services.submission_create(
        acting_user=cast.clerk,
        target=_target(notice, "demo-dist"),
        upload=SimpleUploadedFile("a.txt", b"report"),
    )
    # the deadline passes; the west answers late, the east not at all
    Notice.objects.filter(pk=notice.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    NoticeTarget.objects.filter(notice=notice, unit__code="demo-dist").update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    services.submission_create(
        acting_user=cast.users["west_clerk"], target=_target(notice, "demo-west"),
        upload=SimpleUploadedFile("b.txt", b"report"),
    )  # fmt: skip
    client.force_login(cast.inspector)  # reads the city's table, may not act on it
    html = client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "按时报送 <strong>1</strong>" in html and "逾期报送 <strong>1</strong>" in html
    assert "其中已过时限 <strong>1</strong>" in html
    assert "一键催办" not in html
    from openpyxl import load_workbook

    response = client.get(reverse("notices:export", args=[notice.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in rows[1:]] == [
        ("区气象局", "按时报送"),
        ("东区气象局", "逾期未报"),
        ("西区气象局", "逾期报送"),
    ]
    # the districts' own people cannot open the issuer's table
    client.force_login(cast.clerk)
    assert client.get(reverse("notices:export", args=[notice.pk])).status_code == 404
    assert "报送情况" not in client.get(reverse("notices:detail", args=[notice.pk])).content.decode()


def test_remind_reaches_the_units_that_have_not_answered_once_a_day(cast, client):
    notice = _notice(cast, to=("demo-dist", "demo-east"), response=Response.FILE, document_kind="")
    services.submission_create(
        acting_user=cast.clerk, target=_target(notice, "demo-dist"), upload=SimpleUploadedFile("a.txt", b"x")
    )
    client.force_login(cast.users["city_secretary"])
    client.post(reverse("notices:remind", args=[notice.pk]))
    reminded = set(Message.objects.filter(category="催办").values_list("recipient__username", flat=True))
    assert reminded == {"outsider", "east_secretary", "east_leader"}
    client.post(reverse("notices:remind", args=[notice.pk]))  # a second click the same day sends nothing
    assert Message.objects.filter(category="催办").count() == 3
    assert _target(notice, "demo-east").reminders == 1
    assert AuditEntry.objects.filter(action="remind", object_id=str(notice.pk)).count() == 1


def test_figures_are_checked_and_shown(cast, client):
    notice = _notice(
        cast, to=("demo-dist",), response=Response.FIGURES, document_kind="", report_kind="",
        figures="集中学习次数\n参学人次",
    )  # fmt: skip
    t = _target(notice, "demo-dist")
    client.force_login(cast.clerk)
    response = client.post(
        reverse("notices:submit", args=[t.pk]), {"figure-0": "12", "figure-1": "-3"}, follow=True
    )
    assert "“参学人次”请填写不小于0的数字。" in response.content.decode()
    assert not Submission.objects.exists()
    client.post(reverse("notices:submit", args=[t.pk]), {"figure-0": "12", "figure-1": "268"})
    assert Submission.objects.get().figures == {"集中学习次数": "12", "参学人次": "268"}
    client.force_login(cast.users["city_secretary"])
    assert "参学人次：268" in client.get(reverse("notices:target", args=[t.pk])).content.decode()
    # the issuer's table and its workbook carry the figures, one column each, as numbers
    assert "<th>参学人次</th>" in client.get(reverse("notices:detail", args=[notice.pk])).content.decode()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(reverse("notices:export", args=[notice.pk])).content))
    header, row = list(book.active.iter_rows(values_only=True))
    assert (header[-2:], row[-2:]) == (("集中学习次数", "参学人次"), (12, 268))


def test_a_clerk_above_issues_and_reviews_without_reading_the_units_records(cast, client):
    """A city clerk holds no right to read the districts' ledgers, yet issues and reviews."""
    clerk = org_services.user_create(
        acting_user=None,
        username="city_clerk",
        full_name="孙晓",
        password="Xx-12345678a",
        must_change_password=False,
    )
    org_services.membership_grant(acting_user=None, user=clerk, unit=cast.units["demo-city"], role=Role.CLERK)
    client.force_login(clerk)
    response = client.post(reverse("notices:create"), {
        "title": "关于报送第四季度学习情况的通知", "body": "请填报。", "deadline": timezone.localdate().isoformat(),
        "response": "file", "recipients": [cast.units["demo-dist"].pk],
        "attachments": [SimpleUploadedFile("通知附件.txt", "填报说明".encode())],
    })  # fmt: skip
    notice = Notice.objects.get()
    assert response.status_code == 302 and notice.issued_by == clerk
    [att] = notice_attachments = list(services_attachments(notice))
    assert notice_attachments
    sub = services.submission_create(
        acting_user=cast.clerk, target=_target(notice, "demo-dist"), upload=SimpleUploadedFile("r.txt", b"x")
    )
    assert client.get(reverse("notices:file", args=[sub.pk])).status_code == 200
    client.force_login(cast.clerk)  # the district reads the city's attachment through the notice
    assert client.get(reverse("notices:attachment", args=[notice.pk, att.pk])).status_code == 200
    assert client.get(reverse("attachment_download", args=[att.pk])).status_code == 404


def services_attachments(notice: Notice) -> Any:
    from taizhang.notices.views import _attachments

    return _attachments(notice)


@pytest.mark.parametrize(
    ("actor", "name", "status"),
    [
        ("member", "submit", 403),  # a member reads the notice but answers nothing
        ("west_clerk", "submit", 404),  # not addressed
        ("clerk", "review", 403),  # the district reviews nothing of the city's
        ("inspector", "review", 403),
        ("inspector", "remind", 403),
        ("outsider", "withdraw", 404),
    ],
)
def test_forbidden_notice_writes_change_nothing(cast, client, actor, name, status):
    notice = _notice(cast, to=("demo-dist",), response=Response.FILE, document_kind="")
    t = _target(notice, "demo-dist")
    sub = services.submission_create(
        acting_user=cast.clerk, target=t, upload=SimpleUploadedFile("a.txt", b"x")
    )
    pk = {"submit": t.pk, "remind": notice.pk}.get(name, sub.pk)
    before = (
        list(Submission.objects.values_list("pk", "verdict", "withdrawn_at")),
        _target(notice, "demo-dist").state,
    )
    client.force_login(cast.users[actor])
    data = {"verdict": "accepted", "file": io.BytesIO(b"x")} if name != "remind" else {}
    assert client.post(reverse(f"notices:{name}", args=[pk]), data).status_code == status
    after = (
        list(Submission.objects.values_list("pk", "verdict", "withdrawn_at")),
        _target(notice, "demo-dist").state,
    )
    assert after == before
    assert not Message.objects.filter(category="催办").exists()


def test_urge_from_a_missed_requirement_prefills_a_notice_to_that_unit(cast, client):
    west = cast.units["demo-west"]
    year = timezone.localdate().year - 1
    client.force_login(cast.users["city_secretary"])
    url = f"{reverse('notices:create')}?unit={west.pk}&rule=analysis-quarterly&year={year}"
    html = client.get(url).content.decode()
    assert "关于督促落实" in html and f"你单位{year}年" in html
    assert f'value="{west.pk}"' in html and "checked" in html
    # the subtree table links its missed cells to this page
    table = client.get(reverse("rules:subtree") + f"?year={year}").content.decode()
    assert f"unit={west.pk}&amp;rule=" in table
    # a unit out of reach is not hinted
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 403


def test_demo_notice_holds_every_state(cast, client):
    from taizhang.notices.demo import build_notices

    notice = build_notices(cast.units)
    rows, _ = services.table(notice)
    by_unit = {r.target.unit.code: (r.target.state, r.label) for r in rows}
    assert by_unit == {
        "demo-dist": ("accepted", "按时报送"),
        "demo-dist-branch": ("pending", "逾期未报"),
        "demo-east": ("submitted", "按时报送"),
        "demo-west": ("accepted", "逾期报送"),
    }
    east = _target(notice, "demo-east").submissions.order_by("number")
    assert [s.verdict for s in east] == ["returned", ""]
    assert _target(notice, "demo-dist-branch").reminders == 1
    # the accepted reports are in the districts' ledgers, dated the day they were sent
    dist = Submission.objects.get(target__unit__code="demo-dist", verdict="accepted")
    assert dist.report.held_on == timezone.localdate() - timedelta(days=8)


def test_cancelled_notice_leaves_every_list_and_takes_no_answer(cast, client):
    notice = _notice(cast, to=("demo-dist",), response=Response.FILE, document_kind="")
    t = _target(notice, "demo-dist")
    client.force_login(cast.clerk)  # the district cannot take back the city's notice
    assert client.post(reverse("notices:cancel", args=[notice.pk])).status_code == 404
    client.force_login(cast.users["city_secretary"])
    client.post(reverse("notices:cancel", args=[notice.pk]))
    assert Notice.objects.get().deleted_at is not None
    assert not [i for i in todo.items_for(cast.clerk, cast.units["demo-dist"]) if i.kind == "通知"]
    client.force_login(cast.clerk)
    assert client.get(reverse("notices:target", args=[t.pk])).status_code == 404
    assert notice.title not in client.get(reverse("notices:index")).content.decode()
    with pytest.raises(Exception, match="撤销"):
        services.submission_create(acting_user=cast.clerk, target=t, upload=SimpleUploadedFile("a.txt", b"x"))


def test_table_page_reads_in_a_fixed_number_of_queries(cast, client, django_assert_max_num_queries):
    notice = _notice(cast, to=("demo-dist",), response=Response.FILE, document_kind="")
    client.force_login(cast.users["city_secretary"])
    url = reverse("notices:detail", args=[notice.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    # three more units answering change nothing in the count
    notice2 = _notice(cast, to=("demo-dist", "demo-dist-branch", "demo-east", "demo-west"), response=Response.FILE,
                      document_kind="")  # fmt: skip
    for code, user in (("demo-dist", cast.clerk), ("demo-east", cast.outsider)):
        services.submission_create(
            acting_user=user, target=_target(notice2, code), upload=SimpleUploadedFile("a.txt", b"x")
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("notices:detail", args=[notice2.pk]))


def test_gap_page_of_a_missed_period_offers_urging_to_the_units_superior_only(cast, client):
    west = cast.units["demo-west"]
    year = timezone.localdate().year - 1
    url = reverse("rules:cell", args=[west.pk, "analysis-quarterly", year, 1])
    client.force_login(cast.users["city_secretary"])
    html = client.get(url).content.decode()
    assert "督办：向西区气象局发通知" in html
    client.force_login(cast.inspector)  # reads the gap, issues nothing
    assert "督办" not in client.get(url).content.decode()


def test_an_answer_keeps_the_file_it_was_sent_with(cast, client):
    from django.contrib.contenttypes.models import ContentType

    notice = _notice(cast, to=("demo-dist",), response=Response.FILE, document_kind="")
    sub = services.submission_create(
        acting_user=cast.clerk,
        target=_target(notice, "demo-dist"),
        upload=SimpleUploadedFile("报告.txt", "原稿".encode()),
    )
    [att] = services_attachments(sub)
    client.force_login(cast.clerk)
    ct = ContentType.objects.get_for_model(Submission).pk
    upload = {"file": SimpleUploadedFile("改稿.txt", "改稿".encode())}
    assert client.post(reverse("attachment_upload", args=[ct, sub.pk]), upload).status_code == 403
    client.post(reverse("attachment_delete", args=[att.pk]))  # the unit deletes the file on the generic page
    client.force_login(cast.users["city_secretary"])
    response = client.get(reverse("notices:file", args=[sub.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == "原稿".encode()
    # the issuer adds a file to its notice through the project's attachment page; the unit reads it
    ct = ContentType.objects.get_for_model(Notice).pk
    more = {"file": SimpleUploadedFile("补充说明.txt", "补充".encode()), "next": "/"}
    client.post(reverse("attachment_upload", args=[ct, notice.pk]), more)
    client.force_login(cast.clerk)
    assert "补充说明.txt" in client.get(reverse("notices:detail", args=[notice.pk])).content.decode()


def test_deadline_moved_tells_the_units_still_to_answer(cast, client):
    notice = _notice(cast, to=("demo-dist", "demo-east"), response=Response.FILE, document_kind="")
    services.submission_create(
        acting_user=cast.clerk, target=_target(notice, "demo-dist"), upload=SimpleUploadedFile("a.txt", b"x")
    )
    url = reverse("notices:deadline", args=[notice.pk])
    later = timezone.localdate() + timedelta(days=30)
    client.force_login(cast.inspector)
    assert client.post(url, {"deadline": later.isoformat()}).status_code == 403
    client.force_login(cast.users["city_secretary"])
    html = client.post(url, {"deadline": "2026-02-30"}, follow=True).content.decode()
    assert "请填写有效的日期。" in html
    client.post(url, {"deadline": later.isoformat()})
    assert Notice.objects.get().deadline == later
    told = set(
        Message.objects.filter(subject__startswith="报送时限调整").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"outsider", "east_secretary", "east_leader"}


def _login(page: Any, username: str) -> None:  # noqa: F811
    from .conftest import DEMO_PASSWORD

    page.goto("about:blank")  # no request of the last page still in flight sets its cookie again
    page.context.clear_cookies()
    for _ in range(3):  # the live server's one shared SQLite connection can fail a request that meets
        page.goto(page.base + "/login/")  # another's open transaction (a real server has one per thread)
        if page.locator("#id_username").count():
            break
        page.wait_for_timeout(500)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    # the login's answer must arrive (and set its cookie) before the next goto replaces it: a loaded
    # machine is slow enough for a bare wait_for_load_state() to return on the login page itself
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.mark.browser
def test_browser_notice_from_issue_to_acceptance_across_three_accounts(
    page: Any,  # noqa: F811
    cast: Any,
    tmp_path: Any,
) -> None:
    # the city's secretary issues a notice asking the district for its half-year report
    _login(page, "city_secretary")
    page.goto(page.base + reverse("notices:create"))
    page.fill("#id_title", "关于报送下半年专题报告的通知")
    page.fill("#id_body", "请于时限前报送下半年意识形态工作专题报告。")
    page.select_option("#id_response", "file")
    page.select_option("#id_report_kind", "half_year")
    page.check(f"input[name=recipients][value='{cast.units['demo-dist'].pk}']")
    assert page.inner_text("[data-check-count]") == "已勾选 1 个单位"
    page.click("button:has-text('下发')")
    page.wait_for_selector("#notice-table")
    assert "未报送 <strong>1</strong>" in page.inner_html("#notice-counts")
    # the district's clerk finds it in the 通知 list and answers with a file
    _login(page, "clerk")
    page.goto(page.base + reverse("notices:index"))
    page.click("#received a:has-text('关于报送下半年专题报告的通知')")
    report = tmp_path / "区气象局下半年专题报告.txt"
    report.write_text("中共区气象局党支部关于下半年意识形态工作情况的报告", encoding="utf-8")
    page.set_input_files("#id_file", str(report))
    page.click("#submit-button")
    page.wait_for_selector("#target-state:has-text('待审核')")
    # the city accepts it from its table
    _login(page, "city_secretary")
    notice = Notice.objects.get(title="关于报送下半年专题报告的通知")
    page.goto(page.base + reverse("notices:detail", args=[notice.pk]))
    page.click("#notice-table a:has-text('区气象局')")
    page.click(".review-form button:has-text('通过')")
    page.wait_for_selector("#target-state:has-text('已通过')")
    # the district's secretary sees the verdict and the report recorded in its ledger
    _login(page, "secretary")
    page.goto(page.base + reverse("notices:target", args=[_target(notice, "demo-dist").pk]))
    assert "已通过" in page.inner_text("#target-state")
    assert "已记入报告与督查台账" in page.inner_text(".submission")
    assert page.console_errors == []


def test_a_unit_with_a_group_robot_gets_the_notice_and_the_reminder_in_its_group(cast, client, settings):
    from taizhang.notify.models import Channel, ChannelSetting, Delivery, RobotKind

    settings.NOTIFY_WEBHOOKS = True
    ChannelSetting.objects.create(
        unit=cast.units["demo-east"],
        robot=RobotKind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    notice = _notice(cast, to=("demo-dist", "demo-east"), response=Response.FILE, document_kind="")
    robot_posts = Delivery.objects.filter(channel=Channel.WEBHOOK)
    assert robot_posts.count() == 1 and robot_posts.get().message.unit == cast.units["demo-east"]
    recipients = set(Message.objects.filter(category="通知").values_list("recipient__username", flat=True))
    assert {"outsider", "east_secretary", "clerk"} <= recipients  # everyone once, robot or not
    assert Message.objects.filter(category="通知", recipient__username="outsider").count() == 1
    client.force_login(cast.users["city_secretary"])
    client.post(reverse("notices:remind", args=[notice.pk]))
    assert robot_posts.count() == 2
