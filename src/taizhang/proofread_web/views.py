"""Paste text or upload a file, see every finding highlighted in place, accept or ignore each (or
all), download the fixed text. Nothing is stored: the text travels with the form, an uploaded
.docx waits in the data directory under a random name until its fixed copy is downloaded."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from taizhang.core import query
from taizhang.proofread import RULES, Finding, check
from taizhang.proofread.files import Source, Unreadable, fixed_bytes, read

MAX_CHARS = 200_000  # beyond this the page gets slow to read; the command line has no limit
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


PENDING_HOURS = 24


def _pending_dir() -> Path:
    path = Path(settings.DATA_DIR) / "proofread"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _keep(data: bytes) -> str:
    """Store an uploaded .docx until its fixed copy is downloaded; older ones are removed."""
    folder = _pending_dir()
    cutoff = time.time() - PENDING_HOURS * 3600
    for old in folder.glob("*.docx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.docx").write_bytes(data)
    return token


def _segments(text: str, findings: list[Finding]) -> list[dict[str, Any]]:
    """The text cut into plain pieces and findings, for highlighting in place."""
    out: list[dict[str, Any]] = []
    pos = 0
    for i, f in enumerate(findings):
        if f.start > pos:
            out.append({"text": text[pos : f.start]})
        out.append({"text": f.text, "finding": f, "index": i})
        pos = f.end
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


class _Refused(Exception):
    """What the page says instead of a result: the input cannot be checked as sent."""


def _input(request: HttpRequest) -> tuple[str, str, str, Source | None]:
    """The text to check, the file name, the pending .docx token and the file read (if any)."""
    text = request.POST.get("text", "")
    token = request.POST.get("token", "")
    name = request.POST.get("name", "") or "校对结果.txt"
    upload = request.FILES.get("file")
    source: Source | None = None
    try:
        if upload is not None:
            if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
                raise Unreadable(f"文件超过大小上限（{settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB）。")
            data = upload.read()
            source = read(upload.name or "", data)
            name = upload.name or name
            if source.kind == "docx":
                token = _keep(data)
            text = source.text
        elif token and len(token) == 32 and token.isalnum():
            path = _pending_dir() / f"{token}.docx"
            if path.is_file():
                source = read(name, path.read_bytes())
                text = source.text
    except Unreadable as exc:
        raise _Refused(str(exc)) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _Refused("请粘贴要校对的文字，或上传 .txt、.md、.docx 文件。")
    if len(text) > MAX_CHARS:
        raise _Refused(f"文字超过 {MAX_CHARS:,} 字，请分段校对，或使用命令行 taizhang proofread。")
    return text, name, token, source


def _accepted(request: HttpRequest, findings: list[Finding]) -> set[int]:
    """The fixes the person keeps: all or none in bulk, the ticked ones, or every fix at first."""
    fixable = {i for i, f in enumerate(findings) if f.suggestion is not None}
    bulk = request.POST.get("bulk")
    if bulk == "accept":
        return fixable
    if bulk == "ignore":
        return set()
    if "decided" in request.POST:
        numbers = (query.parse_int(v, lo=0, hi=len(findings)) for v in request.POST.getlist("accept"))
        return {n for n in numbers if n is not None} & fixable
    return fixable  # first look: every fix is proposed


def _download(name: str, source: Source | None, text: str, chosen: list[Finding]) -> HttpResponse:
    """The fixed file, named after the original with （已校对）."""
    if source is not None and source.kind == "docx":
        response = HttpResponse(fixed_bytes(source, chosen), content_type=DOCX_TYPE)
        filename = Path(name).stem + "（已校对）.docx"
    else:
        data = fixed_bytes(source or Source(name, "txt", text), chosen)
        response = HttpResponse(data, content_type="text/plain; charset=utf-8")
        suffix = Path(name).suffix if Path(name).suffix in (".md", ".txt") else ".txt"
        filename = Path(name).stem + "（已校对）" + suffix
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def proofread_page(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"max_chars": MAX_CHARS, "rules": RULES}
    if request.method != "POST":
        return render(request, "proofread_web/page.html", ctx)
    try:
        text, name, token, source = _input(request)
    except _Refused as exc:
        ctx["error"] = str(exc)
        return render(request, "proofread_web/page.html", ctx, status=400)
    findings = check(text)
    accepted = _accepted(request, findings)
    if "download" in request.POST:
        return _download(name, source, text, [findings[i] for i in sorted(accepted)])
    located = source or Source(name, "txt", text)
    ctx.update(
        text=text,
        name=name,
        token=token if source is not None and source.kind == "docx" else "",
        findings=[
            {
                "f": f,
                "index": i,
                "where": located.locate(f.start),
                "label": RULES[f.rule].label,
                "accepted": i in accepted,
            }
            for i, f in enumerate(findings)
        ],
        segments=_segments(text, findings),
        accepted=accepted,
        errors=sum(1 for f in findings if f.severity == "error"),
    )
    return render(request, "proofread_web/page.html", ctx)
