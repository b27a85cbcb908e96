"""Every write leaves one audit row in its own transaction; the chain shows any later tampering."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from taizhang.cli import main
from taizhang.core import audit
from taizhang.core.models import AuditEntry
from taizhang.ledger.models import Meeting


def _new_rows(since: int):
    return list(AuditEntry.objects.filter(seq__gt=since).order_by("seq"))


def _last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_create_change_delete_restore_each_write_one_row(cast, client):
    client.force_login(cast.clerk)
    start = _last_seq()
    data = {
        "kind": "analysis",
        "title": "第四季度分析研判",
        "held_at": "2026-11-20T15:00",
        "host": cast.secretary.pk,
        "expected": 10,
        "present": 9,
        "attendees": [cast.member.pk],
        "confirm_present": "on",  # 9 present, one of them with an account
    }
    response = client.post(reverse("ledger:meeting_create"), data, REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 302
    m = Meeting.objects.get(title="第四季度分析研判")
    [row] = _new_rows(start)
    assert (row.action, row.actor_id, row.object_id, row.unit_label) == (
        "create",
        cast.clerk.pk,
        str(m.pk),
        "区气象局",
    )
    assert (
        row.before is None
        and row.after["title"] == "第四季度分析研判"
        and row.after["attendees"] == [cast.member.pk]
    )
    assert row.client_addr == "192.0.2.50"
    assert row.request_id == response["X-Request-ID"]
    assert "张晓燕" in row.actor_name

    start = _last_seq()
    client.post(reverse("ledger:meeting_edit", kwargs={"pk": m.pk}), {**data, "present": 10})
    [row] = _new_rows(start)
    assert row.action == "change" and row.before["present"] == 9 and row.after["present"] == 10

    start = _last_seq()
    client.post(reverse("ledger:meeting_delete", kwargs={"pk": m.pk}))
    client.force_login(cast.secretary)
    client.post(reverse("ledger:meeting_restore", kwargs={"pk": m.pk}))
    rows = _new_rows(start)
    assert [r.action for r in rows] == ["delete", "login", "restore"]
    assert rows[0].after["deleted_at"] and rows[2].after["deleted_at"] is None
    assert audit.verify().ok


def test_invalid_input_writes_nothing(cast, client):
    client.force_login(cast.clerk)
    start, count = _last_seq(), Meeting.objects.count()
    response = client.post(
        reverse("ledger:meeting_create"),
        {
            "kind": "analysis",
            "title": "人数有误",
            "held_at": "2026-11-20T15:00",
            "host": cast.secretary.pk,
            "expected": 5,
            "present": 8,
        },
    )
    assert response.status_code == 200
    assert "实到人数不能多于应到人数" in response.content.decode()
    assert Meeting.objects.count() == count and _last_seq() == start


def test_person_outside_the_unit_cannot_be_chosen(cast, client):
    client.force_login(cast.clerk)
    response = client.post(
        reverse("ledger:meeting_create"),
        {
            "kind": "analysis",
            "title": "外单位主持",
            "held_at": "2026-11-20T15:00",
            "host": cast.outsider.pk,
            "expected": 5,
            "present": 5,
        },
    )
    assert response.status_code == 200 and not Meeting.objects.filter(title="外单位主持").exists()


def test_rows_cannot_be_edited_or_deleted_through_the_application(cast):
    row = AuditEntry.objects.first()
    row.object_label = "篡改"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()


def test_verify_names_the_first_row_changed_in_the_database(cast, capsys):
    assert main(["audit", "verify"]) == 0
    assert "审计链完好" in capsys.readouterr().out
    victim = AuditEntry.objects.order_by("seq")[5]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_name = %s WHERE seq = %s", ["他人", victim.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == victim.seq
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"第 {victim.seq} 条" in err and "Traceback" not in err


def test_verify_notices_a_deleted_row(cast):
    victim = AuditEntry.objects.order_by("seq")[3]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [victim.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == victim.seq


def test_verify_notices_a_truncated_tail(cast):
    last = AuditEntry.objects.order_by("-seq").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = %s", [last.seq])
    assert not audit.verify().ok


def test_auditor_filters_and_exports(cast, client):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(cast.auditor)
    page = client.get(reverse("audit_log"), {"action": "grant"}).content.decode()
    assert "授权" in page
    response = client.get(reverse("audit_export"), {"person": "张晓燕"})
    wb = load_workbook(BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and len(rows) > 1
    assert all("张晓燕" in r[2] for r in rows[1:])


def test_export_escapes_formula_cells():
    from taizhang.core.excel import safe_cell

    for dangerous in ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"]:
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("正常文字") == "正常文字"
