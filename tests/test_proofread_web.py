"""The 校对 page (taizhang.proofread_web): paste or upload, findings in place, accept or ignore, download."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

DAMAGED = "-是要统-部署，贯彻.落实好会议精神,己经完成。"
# the dot in 贯彻.落实 may stand for deleted words: it is flagged for a person, never deleted (#16)
FIXED = "一是要统一部署，贯彻.落实好会议精神，已经完成。"


def test_pasted_text_shows_every_finding_in_place(cast, client):
    client.force_login(cast.member)
    page = client.post(reverse("module_proofread"), {"text": DAMAGED}).content.decode()
    assert "发现 5 处问题" in page
    assert page.count('class="tz-finding') == 5
    assert "第 1 段第 1 字" in page and "“己经”应为“已经”" in page


def test_download_applies_the_accepted_fixes_only(cast, client):
    client.force_login(cast.clerk)
    url = reverse("module_proofread")
    everything = client.post(url, {"text": DAMAGED, "download": "1"})
    assert everything["Content-Type"].startswith("text/plain")
    assert everything.content.decode() == FIXED
    assert "attachment" in everything["Content-Disposition"]
    some = client.post(url, {"text": DAMAGED, "decided": "1", "accept": ["0", "1"], "download": "1"})
    assert some.content.decode() == "一是要统一部署，贯彻.落实好会议精神,己经完成。"
    ignored = client.post(url, {"text": DAMAGED, "bulk": "ignore"})
    assert "checked" not in ignored.content.decode()
    none = client.post(url, {"text": DAMAGED, "decided": "1", "download": "1"})
    assert none.content.decode() == DAMAGED


def test_docx_upload_gives_back_a_fixed_word_file(cast, client):
    client.force_login(cast.clerk)
    doc = Document()
    run = doc.add_paragraph().add_run("统-部署")
    run.bold = True
    buf = io.BytesIO()
    doc.save(buf)
    url = reverse("module_proofread")
    page = client.post(url, {"file": SimpleUploadedFile("稿件.docx", buf.getvalue())})
    token = page.context["token"]
    assert len(token) == 32 and "Word 文件" in page.content.decode()
    download = client.post(url, {"token": token, "name": "稿件.docx", "download": "1"})
    fixed = Document(io.BytesIO(download.content))
    assert fixed.paragraphs[0].text == "统一部署" and fixed.paragraphs[0].runs[0].bold
    assert quote("稿件（已校对）.docx") in download["Content-Disposition"]


def test_unreadable_or_empty_input_gets_a_clear_message(cast, client):
    client.force_login(cast.clerk)
    url = reverse("module_proofread")
    renamed = client.post(url, {"file": SimpleUploadedFile("稿件.docx", b"\x89PNG\r\n\x1a\n" + bytes(64))})
    assert renamed.status_code == 400 and "不是 Word 文档" in renamed.content.decode()
    pdf = client.post(url, {"file": SimpleUploadedFile("稿件.pdf", b"%PDF-1.4")})
    assert pdf.status_code == 400 and "不支持的文件类型" in pdf.content.decode()
    empty = client.post(url, {"text": "   "})
    assert empty.status_code == 400 and "请粘贴" in empty.content.decode()
    script = client.post(url, {"text": "<script>alert(1)</script>统-部署"}).content.decode()
    assert "<script>alert(1)</script>" not in script and "&lt;script&gt;" in script
