"""Import and export: a template to fill, every error by row and column, all rows or none."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from taizhang.cli import main
from taizhang.core.models import AuditEntry
from taizhang.ledger import models as m


def _meeting_rows(n: int, **overrides: object) -> list[list[object]]:
    rows = []
    for i in range(n):
        row = {
            "类型": "分析研判会议",
            "名称": f"导入的研判会议{i}",
            "时间": f"2025-03-{i % 28 + 1:02d} 09:30",
            "地点": "会议室",
            "主持人": "罗建国",
            "应到人数": 10,
            "实到人数": 9,
            "参加人员": "张晓燕、刘洋",
        }
        row.update(overrides)
        rows.append(row)
    return rows


def _xlsx(rows: list[dict[str, object]], bad: dict[tuple[int, str], object] | None = None) -> bytes:
    headers = ["类型*", "名称*", "时间*", "地点", "主持人", "应到人数*", "实到人数*", "参加人员"]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for i, row in enumerate(rows, start=2):
        values = [row.get(h.rstrip("*")) for h in headers]
        for (r, h), v in (bad or {}).items():
            if r == i:
                values[[x.rstrip("*") for x in headers].index(h)] = v
        ws.append(values)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client, data: bytes, name: str = "会议.xlsx"):
    return client.post(reverse("ledger:meeting_import"), {"file": SimpleUploadedFile(name, data)})


def test_template_has_headers_example_and_drop_downs(cast, client):
    client.force_login(cast.clerk)
    response = client.get(reverse("ledger:meeting_template"))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["类型*", "名称*", "时间*"] and headers[-1] == "模板说明"
    assert "示例行" in ws.cell(row=2, column=len(headers)).value
    validations = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "A2" in validations and validations["A2"].startswith("=选项!")
    options = [c.value for c in wb["选项"]["A"]]
    assert "分析研判会议" in options and wb["选项"].sheet_state == "hidden"
    client.force_login(cast.member)
    assert client.get(reverse("ledger:meeting_template")).status_code == 403


def test_good_file_previews_then_commits_with_audit(cast, client):
    client.force_login(cast.clerk)
    before, audits = m.Meeting.objects.count(), AuditEntry.objects.count()
    preview = _upload(client, _xlsx(_meeting_rows(5)))
    page = preview.content.decode()
    assert "检查通过：共 5 条记录" in page and m.Meeting.objects.count() == before
    token = preview.context["token"]
    done = client.post(reverse("ledger:meeting_import"), {"token": token}, follow=True)
    assert "已导入 5 条" in done.content.decode()
    assert m.Meeting.objects.count() == before + 5
    new = m.Meeting.objects.get(title="导入的研判会议0")
    assert new.host == cast.secretary and {p.username for p in new.attendees.all()} == {"clerk", "member"}
    assert new.created_by == cast.clerk and new.unit == cast.units["demo-dist"]
    # one audit row for the import: the file by name and SHA-256, every record's values
    assert AuditEntry.objects.count() == audits + 1
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "import" and entry.actor_id == cast.clerk.pk
    assert entry.after["file"] == "会议.xlsx" and len(entry.after["sha256"]) == 64
    assert entry.after["count"] == 5 and len(entry.after["rows"]) == 5
    row = dict(zip(entry.after["columns"], entry.after["rows"][0], strict=True))
    assert row["id"] == new.pk and row["title"] == "导入的研判会议0" and row["host_id"] == cast.secretary.pk
    assert sorted(row["attendees"]) == sorted([cast.clerk.pk, cast.member.pk])
    from taizhang.core.audit import verify

    assert verify().ok
    # the record's history shows the import that created it; the auditor's page lists its rows
    detail = client.get(reverse("ledger:meeting_detail", args=[new.pk])).content.decode()
    assert "导入" in detail and "会议.xlsx" in detail
    client.force_login(cast.auditor)
    page = client.get(reverse("audit_entry", args=[entry.seq])).content.decode()
    assert "导入的研判会议4" in page and entry.after["sha256"] in page
    rows = load_workbook(
        io.BytesIO(client.get(f"{reverse('audit_entry', args=[entry.seq])}?rows=xlsx").content)
    )
    assert rows.worksheets[0].max_row == 1 + 5


def test_three_bad_rows_are_all_reported_and_nothing_written(cast, client):
    client.force_login(cast.clerk)
    before = m.Meeting.objects.count()
    data = _xlsx(
        _meeting_rows(6), bad={(3, "实到人数"): 20, (5, "主持人"): "许丽", (7, "时间"): "2099-01-01"}
    )
    response = _upload(client, data)
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(3, "实到人数"), (5, "主持人"), (7, "时间")]
    page = response.content.decode()
    assert "实到人数不能多于应到人数" in page and "不是本单位人员" in page and "不能晚于今天" in page
    assert m.Meeting.objects.count() == before and "token" not in response.context


def test_zip_bomb_and_renamed_binary_are_refused(cast, client):
    client.force_login(cast.clerk)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(12):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", b"0" * (20 * 1024 * 1024))
    response = _upload(client, bomb.getvalue())
    assert "压缩炸弹" in response.content.decode()
    renamed = _upload(client, b"MZ\x90\x00" + bytes(2000), "会议.xlsx")
    assert "不是 Excel 工作簿" in renamed.content.decode()
    text_as_xlsx = _upload(client, "类型,名称\n".encode(), "会议.xlsx")
    assert "不是 Excel 工作簿" in text_as_xlsx.content.decode()


def test_formulas_are_text_and_csv_is_accepted(cast, client):
    client.force_login(cast.clerk)
    csv_text = "类型,名称,时间,主持人,应到人数,实到人数\n分析研判会议,=1+1,2025年3月5日,罗建国,5,5\n"
    preview = _upload(client, csv_text.encode("gb18030"), "会议.csv")
    assert "检查通过" in preview.content.decode()
    client.post(reverse("ledger:meeting_import"), {"token": preview.context["token"]})
    assert m.Meeting.objects.filter(title="=1+1").exists()


def test_xlsx_formulas_arrive_as_text(cast, client):
    rows = _meeting_rows(2)
    rows[1]["名称"] = '=HYPERLINK("http://evil.example")'
    rows[0]["应到人数"] = "=5+5"
    client.force_login(cast.clerk)
    response = _upload(client, _xlsx(rows))
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(2, "应到人数")]  # "=5+5" is text, not the number 10
    rows[0]["应到人数"] = 10
    preview = _upload(client, _xlsx(rows))
    client.post(reverse("ledger:meeting_import"), {"token": preview.context["token"]})
    assert m.Meeting.objects.filter(title__startswith="=HYPERLINK").exists()


def test_cli_import_dry_run_errors_and_commit(cast, tmp_path: Path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx(_meeting_rows(4), bad={(2, "应到人数"): "十"}))
    assert main(["import", "meeting", str(bad), "--unit", "demo-dist"]) == 1
    err = capsys.readouterr().err
    assert "第 2 行“应到人数”" in err and "未导入任何记录" in err
    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx(_meeting_rows(4)))
    before = m.Meeting.objects.count()
    assert main(["import", "meeting", str(good), "--unit", "demo-dist", "--dry-run"]) == 0
    assert m.Meeting.objects.count() == before
    assert main(["import", "会议学习", str(good), "--unit", "demo-dist", "--user", "clerk"]) == 0
    assert m.Meeting.objects.count() == before + 4
    assert "已导入 4 条" in capsys.readouterr().out
    assert main(["import", "nothing", str(good), "--unit", "demo-dist"]) == 1
    assert main(["import", "meeting", str(good), "--unit", "no-such-unit"]) == 1


def test_ledger_book_has_one_sheet_per_ledger(cast, client, tmp_path: Path):
    year = m.Meeting.objects.filter(unit=cast.units["demo-dist"]).first().held_at.year
    out = tmp_path / "book.xlsx"
    assert main(["export", "ledger-book", "--unit", "demo-dist", "--year", str(year), "-o", str(out)]) == 0
    wb = load_workbook(out)
    assert "会议学习" in wb.sheetnames and "问题整改" in wb.sheetnames and "工作要点" in wb.sheetnames
    meetings = m.Meeting.objects.filter(unit=cast.units["demo-dist"], held_at__year=year).count()
    assert wb["会议学习"].max_row == meetings + 1
    client.force_login(cast.inspector)  # the inspector reads the subtree but has no unit of its own there
    client.force_login(cast.clerk)
    response = client.get(reverse("ledger:book"), {"year": year})
    assert load_workbook(io.BytesIO(response.content)).sheetnames == wb.sheetnames


@pytest.mark.parametrize("name", ["会议.txt", "../会议.xlsx"])
def test_wrong_kinds_of_file_are_refused(cast, client, name):
    client.force_login(cast.clerk)
    response = _upload(client, b"abc", name)
    assert response.status_code == 200
    assert "只能导入" in response.content.decode() or "不是 Excel" in response.content.decode()
