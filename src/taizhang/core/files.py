"""What an uploaded file really is, read from its bytes; the name is never trusted."""

from __future__ import annotations

import re
import unicodedata
from typing import IO, Any

from django.core.exceptions import ValidationError

from . import safezip

# family -> (mime type, extensions that may carry it)
KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "png": ("image/png", frozenset({"png"})),
    "jpeg": ("image/jpeg", frozenset({"jpg", "jpeg"})),
    "gif": ("image/gif", frozenset({"gif"})),
    "webp": ("image/webp", frozenset({"webp"})),
    "pdf": ("application/pdf", frozenset({"pdf"})),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", frozenset({"docx"})),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", frozenset({"xlsx"})),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        frozenset({"pptx"}),
    ),
    "ole": ("application/x-ole-storage", frozenset({"doc", "xls", "ppt", "wps", "et", "dps"})),
    "text": ("text/plain", frozenset({"txt", "csv", "md"})),
}

_BAD_NAME = re.compile(r"[\x00-\x1f\x7f]")


def clean_filename(name: str) -> str:
    """The original name as data: refused when it tries to name a path."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if (
        not name
        or "/" in name
        or "\\" in name
        or name in {".", ".."}
        or ".." in name
        or _BAD_NAME.search(name)
    ):
        raise ValidationError("文件名无效：不能包含路径、“..”或控制字符。")
    # Bidirectional and zero-width marks disguise extensions (“evil‮fdp.exe”).
    if any(unicodedata.category(c) == "Cf" for c in name):
        raise ValidationError("文件名无效：含有不可见的格式控制字符。")
    if len(name) > 200:
        raise ValidationError("文件名过长（最多 200 个字符）。")
    return name


def _ooxml_kind(data: IO[Any]) -> str | None:
    try:
        names = set(safezip.check(data, safezip.ATTACHMENT, "文件"))
    except safezip.ArchiveDamaged:
        return None
    except safezip.ArchiveRefused as exc:
        raise ValidationError(str(exc)) from exc
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    return None


def _is_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # a multi-byte character cut by the sample's end is still text
            if encoding == "utf-8" and exc.start >= len(sample) - 3:
                return True
    return False


def sniff(f: IO[Any]) -> str | None:
    """The file's family from its first bytes (and, for Office files, its zip directory)."""
    f.seek(0)
    head = f.read(4096)
    f.seek(0)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        kind = _ooxml_kind(f)
        f.seek(0)
        return kind
    if head and _is_text(head):
        return "text"
    return None


def check_upload(name: str, f: IO[Any], size: int, max_bytes: int) -> tuple[str, str]:
    """Validate an upload; returns (clean original name, mime type) or raises a Chinese message."""
    name = clean_filename(name)
    if size <= 0:
        raise ValidationError("文件为空。")
    if size > max_bytes:
        raise ValidationError(f"文件超过大小上限（{max_bytes // (1024 * 1024)} MB）。")
    kind = sniff(f)
    if kind is None:
        raise ValidationError("不支持的文件类型：只接受图片、PDF、Office 文档和文本文件。")
    mime, extensions = KINDS[kind]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in extensions:
        raise ValidationError(f"文件扩展名“.{ext}”与文件内容不符，已拒绝。" if ext else "文件缺少扩展名。")
    return name, mime
