"""Forms and lists as a clerk meets them: the meeting form (plans grouped, 请选择, 实到 against the
attendees, photos saved with the record), 完成/销号 with its evidence, overdue rows, bulk export and
delete, thumbnails and the image preview, Chinese download names and history."""

from __future__ import annotations

import io
import re
import struct
import zlib
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from taizhang.core.models import Attachment, AuditEntry
from taizhang.demo_ledgers import png
from taizhang.ledger import models as lm
from taizhang.ledger import services as ledger_services

pytestmark = pytest.mark.django_db


def _as(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def _meeting_data(cast: Any, **extra: Any) -> dict[str, Any]:
    now = timezone.localtime() - timedelta(hours=1)
    return {
        "kind": "theme_day",
        "title": "主题党日：重温入党誓词",
        "held_at": now.strftime("%Y-%m-%dT%H:%M"),
        "host": cast.secretary.pk,
        "expected": 6,
        "present": 2,
        "attendees": [cast.secretary.pk, cast.clerk.pk],
        **extra,
    }


# --- the meeting form ------------------------------------------------------------------------------
def test_meeting_form_groups_plan_items_under_their_plan_and_says_please_choose(
    cast: Any, client: Any
) -> None:
    html = _as(client, cast.clerk).get(reverse("ledger:meeting_create")).content.decode()
    year = timezone.localdate().year
    plans = lm.StudyPlan.objects.filter(unit=cast.units["demo-dist"], year__gte=year - 1)
    assert plans.exists()
    for plan in plans:  # each plan is a labelled group; the newest year's plans are open
        assert re.search(rf"<details[^>]* open><summary[^>]*>{re.escape(plan.title)}</summary>", html)
    item = lm.StudyPlanItem.objects.filter(plan__in=plans).order_by("month").first()
    assert f'value="{item.pk}"' in html and f">{item.month}月</span>{item.topic}" in html
    assert "<legend" in html and "落实的学习计划" in html
    assert "请选择" in html and "---------" not in html
    assert 'enctype="multipart/form-data"' in html and 'name="attachments"' in html


def test_present_is_compared_with_the_attendees_ticked(cast: Any, client: Any) -> None:
    c = _as(client, cast.clerk)
    url = reverse("ledger:meeting_create")
    before = lm.Meeting.objects.count()
    too_few = c.post(url, _meeting_data(cast, present=1)).content.decode()
    assert "勾选的参加人员有 2 人，多于实到人数 1 人" in too_few
    more = c.post(url, _meeting_data(cast, present=5)).content.decode()
    assert "实到人数为 5 人，勾选的参加人员只有 2 人" in more
    assert 'type="checkbox" name="confirm_present"' in more  # the confirmation is offered now
    assert lm.Meeting.objects.count() == before
    saved = c.post(url, _meeting_data(cast, present=5, confirm_present="on"))
    assert saved.status_code == 302
    assert c.post(url, _meeting_data(cast, title="人数一致的会议")).status_code == 302
    assert lm.Meeting.objects.count() == before + 2


def test_a_photo_is_saved_with_the_new_meeting_and_a_bad_file_writes_nothing(cast: Any, client: Any) -> None:
    c = _as(client, cast.clerk)
    url = reverse("ledger:meeting_create")
    meetings, files = lm.Meeting.objects.count(), Attachment.objects.count()
    fake = SimpleUploadedFile("照片.png", b"MZ not a picture at all", content_type="image/png")
    refused = c.post(url, {**_meeting_data(cast), "attachments": [fake]}).content.decode()
    assert "附件“照片.png”" in refused and "刚才选择的附件也未上传" in refused
    assert (lm.Meeting.objects.count(), Attachment.objects.count()) == (meetings, files)

    photo = SimpleUploadedFile("现场照片.png", png(), content_type="image/png")
    sheet = SimpleUploadedFile("签到表.txt", "签到：张三、李四".encode(), content_type="text/plain")
    response = c.post(url, {**_meeting_data(cast), "attachments": [photo, sheet]})
    assert response.status_code == 302
    meeting = lm.Meeting.objects.latest("pk")
    names = sorted(
        a.original_name for a in Attachment.objects.filter(object_id=meeting.pk, unit=meeting.unit)
    )
    assert names == ["现场照片.png", "签到表.txt"]
    assert AuditEntry.objects.filter(object_type="core.Attachment", action="create").count() >= 2
    page = c.get(response["Location"]).content.decode()
    assert "附件 2 个已上传" in page and 'class="tz-thumb border"' in page


# --- rectification ----------------------------------------------------------------------------------
def _open_rectification(cast: Any) -> Any:
    from taizhang.core.services import record_create

    found = timezone.localdate() - timedelta(days=30)
    return record_create(
        acting_user=cast.clerk,
        instance=lm.Rectification(
            unit=cast.units["demo-dist"], source=lm.RectificationSource.SELF, found_on=found,
            problem="公众号转载内容未履行审核程序", measures="修订发布审核办法", owner=cast.clerk,
            deadline=found + timedelta(days=60),
        ),
    )  # fmt: skip


def test_rectification_is_closed_in_one_step_with_its_evidence_and_links_back_to_its_risk(
    cast: Any, client: Any
) -> None:
    risk = lm.Risk.objects.filter(unit=cast.units["demo-dist"], rectification__isnull=True).first()
    rect = ledger_services.risk_open_rectification(acting_user=cast.clerk, risk=risk)
    c = _as(client, cast.clerk)
    detail = c.get(reverse("ledger:rectification_detail", args=[rect.pk])).content.decode()
    assert f'href="{reverse("ledger:risk_detail", args=[risk.pk])}"' in detail and "来源风险点" in detail
    assert "整改完成并销号" in detail

    url = reverse("ledger:rectification_complete", args=[rect.pk])
    today = timezone.localdate().isoformat()
    c.post(url, {"completed_on": today, "result": "已完成整改。", "close": "1"})
    rect.refresh_from_db()
    assert rect.state == lm.RectificationState.PENDING  # no evidence: nothing changed
    page = c.get(reverse("ledger:rectification_detail", args=[rect.pk])).content.decode()
    assert "请上传整改佐证材料" in page

    evidence = SimpleUploadedFile("整改照片.png", png(), content_type="image/png")
    c.post(
        url,
        {
            "completed_on": today,
            "result": "已完成整改，制度已印发。",
            "close": "1",
            "attachments": [evidence],
        },
    )
    rect.refresh_from_db()
    risk.refresh_from_db()
    assert rect.state == lm.RectificationState.CLOSED and rect.result == "已完成整改，制度已印发。"
    assert rect.completed_on == timezone.localdate() and risk.resolved
    assert Attachment.objects.filter(object_id=rect.pk, original_name="整改照片.png").exists()
    change = AuditEntry.objects.filter(object_type="ledger.Rectification", object_id=str(rect.pk)).latest(
        "seq"
    )
    assert change.after["state"] == "closed"


def test_member_and_inspector_cannot_close_a_rectification(cast: Any, client: Any) -> None:
    rect = _open_rectification(cast)
    url = reverse("ledger:rectification_complete", args=[rect.pk])
    for who, status in (("member", 403), ("inspector", 403), ("outsider", 404)):
        evidence = SimpleUploadedFile("照片.png", png(), content_type="image/png")
        data = {"completed_on": timezone.localdate().isoformat(), "result": "完成", "close": "1"}
        assert (
            _as(client, cast.users[who]).post(url, {**data, "attachments": [evidence]}).status_code == status
        )
    rect.refresh_from_db()
    assert rect.state in lm.rectification.OPEN_STATES


def test_overdue_rectifications_stand_out_in_the_list(cast: Any, client: Any) -> None:
    rect = _open_rectification(cast)
    lm.Rectification.objects.filter(pk=rect.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    html = (
        _as(client, cast.clerk).get(reverse("ledger:rectification_list") + "?state=overdue").content.decode()
    )
    row = re.search(
        rf'<tr class="table-danger"><td\s+class="tz-select-col"><input\s[^>]*value="{rect.pk}"', html
    )
    assert row, "an overdue rectification's row is marked"
    assert "已逾期" in html


# --- bulk actions ---------------------------------------------------------------------------------
def _meetings(cast: Any, n: int) -> list[Any]:
    return list(
        lm.Meeting.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True).order_by("pk")[:n]
    )


def test_bulk_export_holds_exactly_the_selected_records(cast: Any, client: Any) -> None:
    chosen = _meetings(cast, 3)
    c = _as(client, cast.member)
    list_html = c.get(reverse("ledger:meeting_list")).content.decode()
    assert 'id="bulk-export"' in list_html and 'id="bulk-delete"' not in list_html  # a member exports only
    response = c.post(reverse("ledger:meeting_bulk"), {"action": "export", "ids": [m.pk for m in chosen]})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert titles == {m.title for m in chosen}
    assert quote("会议学习（所选3条）.xlsx") in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="download").latest("seq").after["what"] == "会议学习所选记录3条"


def test_bulk_delete_is_for_managers_all_or_none_with_an_audit_row_each(cast: Any, client: Any) -> None:
    chosen = _meetings(cast, 2)
    ids = [m.pk for m in chosen]
    url = reverse("ledger:meeting_bulk")
    assert (
        _as(client, cast.clerk).post(url, {"action": "delete", "ids": ids, "confirm": "1"}).status_code == 403
    )
    c = _as(client, cast.secretary)
    assert 'id="bulk-delete"' in c.get(reverse("ledger:meeting_list")).content.decode()
    confirm = c.post(url, {"action": "delete", "ids": ids}).content.decode()
    assert "删除所选的 2 条会议学习" in confirm and chosen[0].title in confirm
    assert lm.Meeting.objects.filter(pk__in=ids, deleted_at__isnull=True).count() == 2  # not yet

    # a record outside the secretary's unit in the selection: nothing is deleted
    from taizhang.core.services import record_create

    east = lm.Meeting(
        unit=cast.units["demo-east"], kind="branch_committee", title="东区支委会",
        held_at=timezone.now() - timedelta(days=1), host=cast.outsider, expected=3, present=3,
    )  # fmt: skip
    other = record_create(acting_user=cast.outsider, instance=east)
    c.post(url, {"action": "delete", "ids": [*ids, other.pk], "confirm": "1"})
    assert lm.Meeting.objects.filter(pk__in=ids, deleted_at__isnull=True).count() == 2

    seq = AuditEntry.objects.latest("seq").seq
    response = c.post(
        url, {"action": "delete", "ids": ids, "confirm": "1", "next": "/ledger/meeting/?year=2025"}
    )
    assert response.status_code == 302 and response["Location"] == "/ledger/meeting/?year=2025"
    assert lm.Meeting.objects.filter(pk__in=ids, deleted_at__isnull=True).count() == 0
    rows = AuditEntry.objects.filter(seq__gt=seq, action="delete", object_type="ledger.Meeting")
    assert sorted(int(r.object_id) for r in rows) == sorted(ids)


def test_a_hostile_selection_is_refused_without_reading_it(cast: Any, client: Any) -> None:
    c = _as(client, cast.secretary)
    url = reverse("ledger:meeting_bulk")
    many = c.post(url, {"action": "export", "ids": [str(i) for i in range(1, 700)]}, follow=True)
    assert "一次最多选择 500 条记录" in many.content.decode()
    odd = c.post(url, {"action": "export", "ids": ["1", "²"]}, follow=True)
    assert "所选记录无法识别" in odd.content.decode()


# --- thumbnails and preview ---------------------------------------------------------------------------
def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge picture (a decompression bomb's first bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_thumbnails_are_scaled_copies_and_huge_images_get_none(cast: Any, client: Any, meeting: Any) -> None:
    from PIL import Image

    from taizhang.core.services import attachment_add

    big = attachment_add(
        acting_user=cast.clerk, record=meeting,
        upload=SimpleUploadedFile("大照片.png", png(1200, 800), content_type="image/png"),
    )  # fmt: skip
    bomb = attachment_add(
        acting_user=cast.clerk, record=meeting,
        upload=SimpleUploadedFile("炸弹.png", _png_header_only(30000, 30000), content_type="image/png"),
    )  # fmt: skip
    c = _as(client, cast.member)
    thumb = c.get(reverse("attachment_image", args=[big.pk, "thumb"]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 240
    assert c.get(reverse("attachment_image", args=[bomb.pk, "thumb"])).status_code == 404
    preview = c.get(reverse("attachment_preview", args=[big.pk])).content.decode()
    assert reverse("attachment_image", args=[big.pk, "preview"]) in preview and "下载原图" in preview
    assert "style=" not in preview and "<script>" not in preview  # nothing the CSP would refuse
    # out of reach: the outsider sees neither copy nor page
    outsider = _as(client, cast.outsider)
    assert outsider.get(reverse("attachment_image", args=[big.pk, "thumb"])).status_code == 404
    assert outsider.get(reverse("attachment_preview", args=[big.pk])).status_code == 404


# --- no English or technical words ------------------------------------------------------------------
def test_downloads_are_named_in_chinese_and_history_shows_names_only(
    cast: Any, client: Any, meeting: Any
) -> None:
    c = _as(client, cast.clerk)
    template = c.get(reverse("ledger:meeting_template"))
    header = template["Content-Disposition"]
    assert "filename*=utf-8''" + quote("会议学习导入模板.xlsx") in header and 'filename="' in header
    assert quote("会议学习.xlsx") in c.get(reverse("ledger:meeting_export"))["Content-Disposition"]
    c.post(reverse("ledger:meeting_edit", args=[meeting.pk]), {**_meeting_data(cast), "title": "改过的标题"})
    html = c.get(reverse("ledger:meeting_detail", args=[meeting.pk])).content.decode()
    assert "(clerk)" not in html and "SHA-256" not in html
    assert cast.clerk.full_name in html


def test_a_phone_photo_is_turned_upright_and_a_large_jpeg_is_read_in_draft() -> None:
    from PIL import Image

    from taizhang.core import thumbs

    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held upright: the pixels lie on their side
    photo = io.BytesIO()
    Image.new("RGB", (400, 200), (176, 42, 55)).save(photo, "JPEG", exif=exif.tobytes())
    upright = Image.open(io.BytesIO(thumbs.make(io.BytesIO(photo.getvalue()), 240)))
    assert upright.size == (120, 240) and not upright.getexif()
    large = io.BytesIO()
    Image.new("RGB", (7000, 5000), (10, 90, 30)).save(large, "JPEG", quality=60)  # 35 megapixels
    assert max(Image.open(io.BytesIO(thumbs.make(io.BytesIO(large.getvalue()), 240))).size) == 240


def test_a_meeting_page_names_the_plan_of_each_item_it_carried_out(cast: Any, client: Any) -> None:
    meeting = lm.Meeting.objects.filter(unit=cast.units["demo-dist"], plan_items__isnull=False).first()
    item = meeting.plan_items.select_related("plan").first()
    html = _as(client, cast.member).get(reverse("ledger:meeting_detail", args=[meeting.pk])).content.decode()
    assert f"{item.plan.title}：{item.month}月 {item.topic}" in html
