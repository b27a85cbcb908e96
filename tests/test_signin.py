"""扫码签到: the signed link, who may sign, once, within the meeting's time; and the 签到表."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from taizhang.core.models import AuditEntry
from taizhang.core.services import record_create
from taizhang.ledger import signin
from taizhang.ledger.models import Meeting, MeetingSignIn


def make_meeting(cast: Any, *, started: timedelta, lasts: timedelta, guests: str = "") -> Meeting:
    start = timezone.now() - started
    return record_create(
        acting_user=cast.clerk,
        instance=Meeting(
            unit=cast.units["demo-dist"], kind="special", title="意识形态工作专题会议（扫码）",
            held_at=start, ends_at=start + lasts, place="三楼会议室", host=cast.secretary,
            expected=3, present=0, guests=guests,
        ),
    )  # fmt: skip


@pytest.fixture
def running(cast: Any) -> Meeting:
    """A meeting that began ten minutes ago and ends in an hour, with two named 列席."""
    return make_meeting(
        cast, started=timedelta(minutes=10), lasts=timedelta(minutes=70), guests="陈志强（市局）、高立国"
    )


def scan_url(meeting: Meeting) -> str:
    return reverse("ledger:signin_scan", args=[signin.token_for(meeting)])


def test_a_member_scans_signs_in_once_and_is_counted_present(
    running: Meeting, client: Any, cast: Any
) -> None:
    client.force_login(cast.member)
    page = client.get(scan_url(running)).content.decode()
    assert "确认签到" in page and "意识形态工作专题会议（扫码）" in page
    page = client.post(scan_url(running)).content.decode()
    assert "签到成功" in page
    running.refresh_from_db()
    assert running.present == 1 and list(running.attendees.all()) == [cast.member]
    row = MeetingSignIn.objects.get(meeting=running)
    assert row.person == cast.member and not row.observer
    assert abs(row.signed_at - timezone.now()) < timedelta(minutes=1)
    entry = AuditEntry.objects.filter(action="signin", object_id=str(running.pk)).get()
    assert entry.actor_name.startswith("刘洋") and entry.after["present"] == 1
    # a second scan (or a second tap) says so, and changes nothing
    again = client.get(scan_url(running)).content.decode()
    assert "您已于" in again and "无需重复签到" in again and "确认签到" not in again
    assert "无需重复签到" in client.post(scan_url(running)).content.decode()
    assert MeetingSignIn.objects.filter(meeting=running).count() == 1
    running.refresh_from_db()
    assert running.present == 1


def test_present_and_expected_never_disagree(cast: Any, running: Meeting) -> None:
    for person in (cast.member, cast.secretary, cast.clerk, cast.users["leader"]):
        signin.meeting_sign_in(acting_user=person, meeting=running)
    running.refresh_from_db()
    assert running.present == 4 and running.expected == 4  # 应到 grew with 实到 (it was set to 3)


def test_an_outsider_is_refused_and_nothing_is_written(running: Meeting, client: Any, cast: Any) -> None:
    client.force_login(cast.outsider)
    page = client.get(scan_url(running)).content.decode()
    assert "不是本单位人员" in page and "确认签到" not in page
    response = client.post(scan_url(running))
    assert response.status_code == 403 and "不能签到" in response.content.decode()
    assert not MeetingSignIn.objects.filter(meeting=running).exists()
    # the link shows the meeting's name, not its records: the meeting's own pages stay 404
    assert client.get(reverse("ledger:meeting_detail", args=[running.pk])).status_code == 404


def test_a_named_observer_signs_in_as_such_without_being_counted(
    running: Meeting, client: Any, cast: Any
) -> None:
    client.force_login(cast.inspector)  # 陈志强 of the city bureau, named under 列席
    assert "签到成功" in client.post(scan_url(running)).content.decode()
    row = MeetingSignIn.objects.get(meeting=running)
    assert row.observer and row.person == cast.inspector
    running.refresh_from_db()
    assert running.present == 0 and not running.attendees.exists()


def test_a_forwarded_link_past_its_time_says_so(cast: Any, client: Any) -> None:
    over = make_meeting(cast, started=timedelta(hours=3), lasts=timedelta(hours=2))
    client.force_login(cast.member)
    page = client.get(scan_url(over)).content.decode()
    assert "签到已结束" in page and "此签到链接已失效" in page and "确认签到" not in page
    assert client.post(scan_url(over)).status_code == 403
    assert not MeetingSignIn.objects.filter(meeting=over).exists()


def test_the_window_opens_thirty_minutes_before_the_start(cast: Any, running: Meeting) -> None:
    with pytest.raises(signin.SignInRefused, match="签到尚未开始"):
        signin.meeting_sign_in(
            acting_user=cast.member, meeting=running, now=running.held_at - timedelta(minutes=31)
        )
    signin.meeting_sign_in(
        acting_user=cast.member, meeting=running, now=running.held_at - timedelta(minutes=29)
    )


def test_a_link_cannot_be_made_up_and_dies_when_the_meeting_moves(
    running: Meeting, client: Any, cast: Any
) -> None:
    client.force_login(cast.member)
    token = signin.token_for(running)
    forged = signing.dumps({"m": running.pk, "t": 0}, salt="another-salt")
    assert client.get(reverse("ledger:signin_scan", args=[forged])).status_code == 404
    assert client.get(reverse("ledger:signin_scan", args=[token[:-2] + "xx"])).status_code == 404
    running.held_at -= timedelta(minutes=5)
    running.save(update_fields=["held_at"])
    response = client.get(reverse("ledger:signin_scan", args=[token]))
    assert response.status_code == 410 and "二维码已失效" in response.content.decode()


def test_scanning_before_logging_in_comes_back_to_the_meeting(running: Meeting, client: Any) -> None:
    url = scan_url(running)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_the_clerk_sees_the_code_and_the_member_only_the_count(
    running: Meeting, client: Any, cast: Any
) -> None:
    signin.meeting_sign_in(acting_user=cast.member, meeting=running)
    client.force_login(cast.clerk)
    page = client.get(reverse("ledger:meeting_detail", args=[running.pk])).content.decode()
    assert 'class="tz-qr-code"' in page and "已签到" in page and "刘洋" in page
    count = client.get(reverse("ledger:signin_count", args=[running.pk])).content.decode()
    assert 'id="signin-members">1<' in count and 'hx-trigger="every 5s"' in count
    client.force_login(cast.member)
    page = client.get(reverse("ledger:meeting_detail", args=[running.pk])).content.decode()
    assert "已签到" in page and "tz-qr-code" not in page


def test_the_sign_in_sheet_lists_the_expected_people_for_signatures(
    running: Meeting, client: Any, cast: Any
) -> None:
    from docx import Document

    signin.meeting_sign_in(acting_user=cast.member, meeting=running)
    client.force_login(cast.clerk)
    response = client.get(reverse("ledger:signin_sheet", args=[running.pk, "docx"]))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text == "会议签到表"
    info, people = doc.tables
    cells = [[c.text for c in r.cells] for r in info.rows]
    assert cells[0][0] == "会议名称" and set(cells[0][1:]) == {
        "意识形态工作专题会议（扫码）"
    }  # across the row
    assert any(r[:2] == ["地点", "三楼会议室"] for r in cells)
    rows = [[c.text for c in r.cells] for r in people.rows]
    assert rows[0] == ["序号", "姓名", "职务", "签名", "备注"]
    names = [r[1] for r in rows[1:]]
    assert names[:2] == ["罗建国", "梁明华"]  # the secretary first, then the leader
    assert {"张晓燕", "刘洋", "陈志强", "高立国"} <= set(names)
    member = next(r for r in rows if r[1] == "刘洋")
    assert member[2] == "预报员" and member[4].startswith("已扫码签到")
    assert next(r for r in rows if r[1] == "高立国")[2] == "列席"
    assert all(r[3] == "" for r in rows[1:])  # room for the wet signature
    assert rows[-1][1:] == ["", "", "", ""]  # blank rows for anyone not listed
    assert AuditEntry.objects.filter(action="download", object_id=str(running.pk)).exists()


def test_the_clerk_withdraws_a_sign_in_made_in_error(running: Meeting, client: Any, cast: Any) -> None:
    row = signin.meeting_sign_in(acting_user=cast.member, meeting=running)
    url = reverse("ledger:signin_cancel", args=[row.pk])
    for person, status in ((cast.member, 403), (cast.outsider, 404), (cast.inspector, 403)):
        client.force_login(person)
        assert client.post(url).status_code == status
    running.refresh_from_db()
    assert (
        running.present == 1
        and MeetingSignIn.objects.filter(meeting=running, deleted_at__isnull=True).count() == 1
    )
    client.force_login(cast.clerk)
    assert "撤销" in client.get(reverse("ledger:signin_count", args=[running.pk])).content.decode()
    assert client.post(url).status_code == 302
    running.refresh_from_db()
    assert running.present == 0 and not running.attendees.exists()
    assert AuditEntry.objects.filter(
        action="delete", object_id=str(row.pk), object_type="ledger.MeetingSignIn"
    ).exists()
    signin.meeting_sign_in(acting_user=cast.member, meeting=running)  # and may sign in again


def test_the_signed_sheets_scan_is_attached_from_the_panel(running: Meeting, client: Any, cast: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.demo_ledgers import png

    client.force_login(cast.clerk)
    page = client.get(reverse("ledger:meeting_detail", args=[running.pk])).content.decode()
    assert 'id="signin-scan-upload"' in page
    action = page.split('id="signin-scan-upload"')[0].rsplit('action="', 1)[1].split('"', 1)[0]
    scan = SimpleUploadedFile("签到表扫描件.png", png(), content_type="image/png")
    response = client.post(
        action, {"file": scan, "next": reverse("ledger:meeting_detail", args=[running.pk])}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "ledger:meeting_detail", args=[running.pk]
    )
    assert "签到表扫描件.png" in client.get(response["Location"]).content.decode()


def test_a_meeting_without_an_end_time_asks_for_one_and_shows_no_code(cast: Any, client: Any) -> None:
    today = make_meeting(cast, started=timedelta(minutes=1), lasts=timedelta(hours=1))
    today.ends_at = None
    today.save(update_fields=["ends_at"])
    client.force_login(cast.clerk)
    page = client.get(reverse("ledger:meeting_detail", args=[today.pk])).content.decode()
    assert "填写会议的“结束时间”后即可扫码签到" in page and "tz-qr-code" not in page
    client.force_login(cast.member)
    assert "未填写结束时间" in client.get(scan_url(today)).content.decode()


def test_a_branch_meetings_people_are_the_bureaus(cast: Any) -> None:
    start = timezone.now() - timedelta(minutes=5)
    branch = record_create(
        acting_user=cast.clerk,
        instance=Meeting(
            unit=cast.units["demo-dist-branch"], kind="members_assembly", title="党员大会", held_at=start,
            ends_at=start + timedelta(hours=1), host=cast.secretary, expected=5, present=0,
        ),
    )  # fmt: skip
    # a member of 区气象局, the bureau the branch belongs to
    signin.meeting_sign_in(acting_user=cast.member, meeting=branch)
    branch.refresh_from_db()
    assert (
        branch.present == 1 and not branch.attendees.exists()
    )  # counted; the branch's form cannot tick them
    signin.meeting_sign_in(acting_user=cast.clerk, meeting=branch)  # the branch's own officer: ticked too
    branch.refresh_from_db()
    assert branch.present == 2 and list(branch.attendees.all()) == [cast.clerk]
    names = [str(u) for u, _post in signin.expected_people(branch)]
    assert names[0] == "罗建国" and names.count("张晓燕") == 1 and "刘洋" in names
    with pytest.raises(signin.SignInRefused):
        signin.meeting_sign_in(acting_user=cast.outsider, meeting=branch)
