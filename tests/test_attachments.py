"""Attachments: checked by content, stored under generated names, served only through restrict()."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.core.models import Attachment
from taizhang.ledger.models import Meeting

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def _upload(client, meeting, name: str, data: bytes):
    url = reverse(
        "attachment_upload", kwargs={"ct": ContentType.objects.get_for_model(Meeting).pk, "pk": meeting.pk}
    )
    return client.post(
        url, {"file": SimpleUploadedFile(name, data), "next": f"/ledger/meeting/{meeting.pk}/"}, follow=True
    )


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_and_download(cast, meeting, client):
    client.force_login(cast.clerk)
    response = _upload(client, meeting, "会议照片.png", PNG)
    assert "已上传附件" in response.content.decode()
    att = Attachment.objects.get()
    assert att.original_name == "会议照片.png" and att.mime_type == "image/png"
    assert att.sha256 == hashlib.sha256(PNG).hexdigest()
    [stored] = _stored_files()
    assert stored.name != "会议照片.png" and stored.read_bytes() == PNG
    client.force_login(cast.member)
    download = client.get(reverse("attachment_download", kwargs={"pk": att.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil\u202egnp.exe", PNG, "不符"),  # Django drops the invisible mark; the extension then betrays it
        ("报告.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "不支持"),  # a Windows program posing as a PDF
        ("照片.png", PDF, "不符"),  # a PDF posing as a picture
        ("脚本.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "不支持"),
        ("空文件.txt", b"", "为空"),
        ("炸弹.docx", _docx({"word/bomb.xml": b"0" * 5_000_000}), "压缩炸弹"),
    ],
)
def test_refused_uploads(cast, meeting, client, name, data, message):
    client.force_login(cast.clerk)
    response = _upload(client, meeting, name, data)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert _stored_files() == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd.txt", "路径"),
        ("..\\..\\boot.ini.txt", "路径"),
        ("/etc/passwd.txt", "路径"),
        ("a\x00.txt", "控制字符"),
        ("evil\u202egnp.exe", "不可见"),
        ("zero\u200bwidth.txt", "不可见"),
        ("..", "路径"),
    ],
)
def test_traversal_and_disguised_names_are_refused(name, message):
    from django.core.exceptions import ValidationError

    from taizhang.core.files import clean_filename

    with pytest.raises(ValidationError) as exc:
        clean_filename(name)
    assert message in exc.value.messages[0]


def test_traversal_name_over_http_never_leaves_the_attachment_directory(cast, meeting, client, tmp_path):
    """Django's parser already cuts a posted name to its last part; the file is stored under a
    generated name inside the attachment directory and the name is kept only as data."""
    client.force_login(cast.clerk)
    _upload(client, meeting, "../../../../tmp/pwned.txt", b"hello")
    att = Attachment.objects.get()
    assert "/" not in att.original_name and ".." not in att.original_name
    [stored] = _stored_files()
    assert stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert stored.name != att.original_name
    assert not Path("/tmp/pwned.txt").exists()


def test_oversize_is_refused(cast, meeting, client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(cast.clerk)
    response = _upload(client, meeting, "大文件.txt", b"a" * 2048)
    assert "超过大小上限" in response.content.decode()
    assert not Attachment.objects.exists()


def test_office_documents_are_accepted(cast, meeting, client):
    client.force_login(cast.clerk)
    _upload(client, meeting, "纪要.docx", _docx())
    _upload(client, meeting, "扫描件.pdf", PDF)
    _upload(client, meeting, "说明.txt", "学习贯彻落实".encode("gb18030"))
    assert sorted(Attachment.objects.values_list("mime_type", flat=True)) == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
    ]


def test_another_units_file_does_not_exist_for_outsider(cast, meeting, client):
    from taizhang.core.services import attachment_add

    att = attachment_add(acting_user=cast.clerk, record=meeting, upload=SimpleUploadedFile("签到表.png", PNG))
    client.force_login(cast.outsider)
    assert client.get(reverse("attachment_download", kwargs={"pk": att.pk})).status_code == 404
    assert _upload(client, meeting, "x.png", PNG).status_code == 404
    assert Attachment.objects.count() == 1


def test_attachment_of_deleted_attachment_is_gone(cast, meeting, client):
    from taizhang.core.services import attachment_add

    att = attachment_add(acting_user=cast.clerk, record=meeting, upload=SimpleUploadedFile("a.png", PNG))
    client.force_login(cast.clerk)
    client.post(reverse("attachment_delete", kwargs={"pk": att.pk}))
    client.force_login(cast.member)
    assert client.get(reverse("attachment_download", kwargs={"pk": att.pk})).status_code == 404
