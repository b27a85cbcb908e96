"""Every file the product hands out — an attachment, a document version, a list export, the ledger
book, a subtree table, the audit log — leaves through `download_response`, which writes the
download's audit row first (who, which file, with which filter), so no download view can forget it.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from . import audit
from .excel import XLSX

QUERY_KEYS_KEPT = 30
QUERY_VALUE_CHARS = 200


def _query(request: HttpRequest) -> dict[str, str]:
    """The filter the file was made with, bounded: a hostile query string cannot bloat the row."""
    items = list(request.GET.items())[:QUERY_KEYS_KEPT]
    return {k[:QUERY_VALUE_CHARS]: str(v)[:QUERY_VALUE_CHARS] for k, v in items}


def disposition(filename: str, *, attachment: bool = True) -> str:
    """Content-Disposition per RFC 6266: the Chinese name as filename* (RFC 5987, UTF-8), and an
    ASCII filename beside it for clients that read only that one."""
    header = content_disposition_header(attachment, filename) or ""
    if "filename*=" not in header:
        return header  # an ASCII name: filename="…" says it all
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = "".join(
        ch for ch in (stem if dot else filename) if ch.isascii() and (ch.isalnum() or ch in "-_")
    )
    fallback = (ascii_stem or "taizhang") + (f".{ext}" if dot and ext.isascii() and ext.isalnum() else "")
    return f'{header.split(";", 1)[0]}; filename="{fallback}";{header.split(";", 1)[1]}'


def _record_download(
    request: HttpRequest, filename: str, what: str, obj: models.Model | None, unit: Any, object_type: str
) -> None:
    if unit is None and obj is None:
        unit = getattr(request, "unit", None)
    audit.record(
        action="download",
        actor=request.user,
        obj=obj,
        unit=unit,
        object_type=object_type or ("" if obj is not None else "export"),
        object_label="" if obj is not None else filename,
        after={"file": filename, "what": what, "query": _query(request)},
    )


def download_response(
    request: HttpRequest,
    content: bytes | str,
    *,
    filename: str,
    content_type: str,
    what: str,
    obj: models.Model | None = None,
    unit: Any = None,
    object_type: str = "",
) -> HttpResponse:
    """The response carrying `content` as a download named `filename`, after its audit row.

    `what` says in Chinese what was downloaded (台账汇编, 公文 …); `obj` is the record the file is
    (a document version), else `object_type` names the kind exported and `unit` whose it is
    (default: the person's current unit)."""
    _record_download(request, filename, what, obj, unit, object_type)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_download(
    request: HttpRequest, file: IO[bytes], *, filename: str, content_type: str, what: str, obj: models.Model
) -> FileResponse:
    """A stored file (an attachment) streamed as a download, after its audit row."""
    _record_download(request, filename, what, obj, None, "")
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["Content-Disposition"] = disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_download(
    request: HttpRequest,
    data: bytes,
    filename: str,
    *,
    what: str,
    obj: models.Model | None = None,
    unit: Any = None,
    object_type: str = "",
) -> HttpResponse:
    return download_response(
        request,
        data,
        filename=filename,
        content_type=XLSX,
        what=what,
        obj=obj,
        unit=unit,
        object_type=object_type,
    )
