"""Every record form and every upload, fed what a hostile or careless user sends: markup comes
back escaped, SQL metacharacters are stored as data, control characters, invisible marks, emoji,
malformed dates and oversized submissions get a Chinese message, path tricks and bombs are
refused — never a 500, never a half-written row."""

from __future__ import annotations

import html.parser as html_parser
import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from taizhang.core.views import REGISTRY

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE ledger_meeting; -- 100%_ \\ \" OR 1=1"
REFUSED = {"NUL": "会议\x00记录", "RTL": "会议\u202e录记", "零宽": "会\u200b议", "表情": "会议👍"}


def _sample(views: Any) -> Any:
    return views.model.objects.filter(unit__code="demo-dist", deleted_at__isnull=True).order_by("pk").first()


def _post_data(views: Any, obj: Any, user: Any) -> tuple[dict[str, Any], list[str]]:
    """What the edit form would post unchanged, and its free-text fields."""
    form = views.form_class(instance=obj, unit=obj.unit, user=user)
    data: dict[str, Any] = {}
    text: list[str] = []
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, datetime):
            value = (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(
                "%Y-%m-%dT%H:%M"
            )
        elif isinstance(value, date):
            value = value.isoformat()
        if isinstance(value, (list, tuple)):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = "" if value is None else str(value)
        if type(field) is forms.CharField:  # free text: not choices, e-mail, numbers or dates
            text.append(name)
    return data, text


def _kinds() -> list[str]:
    return sorted(REGISTRY)


@pytest.mark.parametrize("slug", _kinds())
def test_every_record_form_escapes_markup_stores_sql_as_data_and_refuses_hidden_characters(
    cast, client, slug
):
    views = REGISTRY[slug]
    obj = _sample(views)
    if obj is None:
        pytest.skip(f"the demo has no {slug} in demo-dist")
    client.force_login(cast.secretary)
    url = reverse(views.url("edit"), args=[obj.pk])
    data, text = _post_data(views, obj, cast.secretary)
    model = type(obj)
    before = model.objects.filter(pk=obj.pk).values().get()

    for payload in (XSS, SQL) if text else ():
        fields = [n for n in text if (views.form_class.base_fields[n].max_length or 10**6) >= len(payload)]
        response = client.post(url, {**data, **{n: payload for n in fields}})
        assert response.status_code in (200, 302), (slug, response.status_code)
        page = response.content.decode()
        assert "<script>alert" not in page
        if response.status_code == 302:
            detail = client.get(reverse(views.url("detail"), args=[obj.pk])).content.decode()
            assert "<script>alert" not in detail and "onerror=alert(1)>" not in detail
            stored = model.objects.filter(pk=obj.pk).values_list(fields[0], flat=True).get()
            assert stored == payload  # data, exactly as typed
            if payload is XSS:
                assert "&lt;script&gt;alert" in detail

        before = model.objects.filter(pk=obj.pk).values().get()
    for label, payload in REFUSED.items() if text else ():
        response = client.post(url, {**data, text[0]: payload})
        # NUL is turned away before any form (400); the other marks by the form's own check (200)
        assert response.status_code == (400 if label == "NUL" else 200), (slug, label, response.status_code)
        page = response.content.decode()
        assert "字符" in page or "表情" in page, (slug, label)
        assert model.objects.filter(pk=obj.pk).values().get() == before, (slug, label)

    dates = [
        n
        for n, f in views.form_class.base_fields.items()
        if isinstance(f, (forms.DateField, forms.DateTimeField))
    ]
    for bad in ("2025-13-45", "２０２５年", "0000-00-00", "9999999-01-01"):
        for name in dates:
            response = client.post(url, {**data, name: bad})
            assert response.status_code == 200, (slug, name, bad)
            assert model.objects.filter(pk=obj.pk).values().get() == before


def test_nul_in_any_query_or_form_parameter_is_refused_before_it_reaches_the_database(cast, client):
    client.force_login(cast.clerk)
    for url in (reverse("library:search"), reverse("ledger:meeting_list"), reverse("role_list")):
        response = client.get(url, {"q": "会议\x00"})
        assert response.status_code == 400 and "空字符" in response.content.decode()
    response = client.post(reverse("module_proofread"), {"text": "正文\x00"})
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_a_10_mb_text_field_is_refused_with_a_chinese_message(cast, client):
    from taizhang.ledger.models import Meeting

    client.force_login(cast.clerk)
    before = Meeting.objects.count()
    response = client.post(
        reverse("ledger:meeting_create"), {"title": "会", "summary": "字" * (10 * 1024 * 1024 // 3)}
    )
    assert response.status_code == 400 and "超过 2 MB 的上限" in response.content.decode()
    assert Meeting.objects.count() == before


def test_document_sections_refuse_hidden_characters_and_escape_markup(cast, client):
    from taizhang.reports import services
    from taizhang.reports.models import DocumentVersion

    doc = services.document_generate(
        acting_user=cast.clerk, unit=cast.units["demo-dist"], kind="annual", year=2025
    )
    client.force_login(cast.clerk)
    url = reverse("reports:section", args=[doc.pk, 1])
    version = DocumentVersion.objects.filter(document=doc).latest("pk")
    before = version.content
    response = client.post(url, {"text": "一是加强学习\u200b。"})
    assert response.status_code in (200, 302, 400)
    assert DocumentVersion.objects.get(pk=version.pk).content == before
    client.post(url, {"text": XSS})
    page = client.get(reverse("reports:detail", args=[doc.pk])).content.decode()
    assert "<script>alert" not in page


def _zip_bomb(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml" if name.endswith(".docx") else "xl/workbook.xml", "<x/>")
        for i in range(12):
            zf.writestr(f"word/media/part{i}.bin", b"0" * (20 * 1024 * 1024))
    return out.getvalue()


UPLOADS = {
    "traversal": ("../../../../etc/passwd.txt", "第一行\n第二行".encode()),
    "traversal-windows": ("..\\..\\boot.ini.txt", "第一行\n第二行".encode()),
    "nul-name": ("会议\x00.txt", "第一行\n第二行".encode()),
    "empty": ("空.txt", b""),
    "renamed-binary": ("照片.png", b"MZ\x90\x00" + bytes(3000)),
    "zip-bomb": ("报告.docx", None),
}


def _files(tmp_root: Path) -> set[Path]:
    return {p for p in tmp_root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(UPLOADS))
def test_every_upload_refuses_tricks_with_a_chinese_message(cast, client, case):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.ledger.models import Meeting

    name, data = UPLOADS[case]
    data = _zip_bomb(name) if data is None else data
    meeting = Meeting.objects.filter(unit__code="demo-dist").order_by("pk").first()
    endpoints = [
        (
            reverse("attachment_upload", args=[ContentType.objects.get_for_model(Meeting).pk, meeting.pk]),
            "file",
            {},
        ),
        (reverse("ledger:meeting_import"), "file", {}),
        (reverse("module_proofread"), "file", {}),
        (reverse("library:material_files"), "files", {"kind": "document"}),
    ]
    client.force_login(cast.clerk)
    media = Path(settings.MEDIA_ROOT)
    from taizhang.core.models import Attachment

    for url, field, extra in endpoints:
        upload = SimpleUploadedFile(name, data)
        known = set(Attachment.objects.values_list("pk", flat=True))
        response = client.post(url, {field: upload, **extra}, follow=True)
        assert response.status_code in (200, 400), (case, url, response.status_code)
        page = response.content.decode()
        for att in Attachment.objects.exclude(pk__in=known):  # accepted: under a harmless name
            assert not any(bad in att.original_name for bad in ("/", "\\", "..", "\x00")), att.original_name
        if not Attachment.objects.exclude(pk__in=known).exists():
            assert any(word in page for word in ("文件", "拒绝", "不支持", "为空", "压缩", "扩展名")), (
                case,
                url,
            )
    for stored in _files(media) if media.exists() else ():
        assert media in stored.resolve().parents  # nothing written outside the attachment root


class _Forms(html_parser.HTMLParser):
    """The forms of a page (not the navigation's sign-out and unit switch): each with its method,
    its fields' names and the first choice of each select, radio or hidden field."""

    NAVIGATION = ("/logout/", "/unit/switch/")

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "post": (a.get("method") or "").lower() == "post",
                "text": [],
                "fixed": {},
            }
            if self._form["action"] not in self.NAVIGATION:
                self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        if tag == "option" and self._select and a.get("value"):
            form["fixed"].setdefault(self._select, a["value"])
        name = a.get("name")
        if not name or name == "csrfmiddlewaretoken":
            return
        kind = a.get("type", "text")
        if tag == "textarea" or (
            tag == "input"
            and kind in ("text", "search", "email", "password", "number", "date", "datetime-local", "month")
        ):
            form["text"].append(name)
        elif tag == "input" and kind in ("hidden", "radio", "checkbox") and a.get("value") is not None:
            form["fixed"].setdefault(name, a["value"])
        elif tag == "select":
            self._select = name

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


# every other page with a form, and who fills it in
OTHER_FORMS = [
    ("login", "anon"),
    ("password_change", "clerk"),
    ("unit_create", "sysadmin"),
    ("account_create", "sysadmin"),
    ("role_list", "secadmin"),
    ("module_proofread", "clerk"),
    ("reports:index", "clerk"),
    ("library:search", "clerk"),
    ("audit_log", "auditor"),
]


@pytest.mark.parametrize(("name", "actor"), OTHER_FORMS)
def test_every_other_form_survives_hostile_input(cast, client, name, actor):
    """Each text field of each form on the page gets each payload in turn: never a 500, markup
    never comes back unescaped."""
    if actor != "anon":
        client.force_login(cast.users[actor])
    url = reverse(name)
    parser = _Forms()
    parser.feed(client.get(url).content.decode())
    assert any(form["text"] or form["fixed"] for form in parser.forms), name
    for form in parser.forms:
        target = form["action"] or url
        for payload in (XSS, SQL, *REFUSED.values(), "2025-13-45"):
            data = {**form["fixed"], **{field: payload for field in form["text"]}}
            response = client.post(target, data) if form["post"] else client.get(target, data)
            assert response.status_code < 500, (name, payload, response.status_code)
            assert "<script>alert" not in response.content.decode(errors="replace"), (name, payload)
