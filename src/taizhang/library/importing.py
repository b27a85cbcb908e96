"""Study materials from files: .docx, .txt, .md and .pdf, text extracted. The first line that says
something becomes the title (a Markdown heading loses its marks), the rest the body. Several
files become several materials in one transaction: all of them, or none when any file is bad."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from taizhang.core import bounded
from taizhang.core.files import check_upload
from taizhang.core.services import attachment_add, record_create
from taizhang.proofread.files import Unreadable, read

from .models import Material

EXTENSIONS = ("docx", "txt", "md", "pdf")
MAX_TEXT = 2_000_000  # characters of one material's body
# Extraction costs about a second per MB of page content (more on one dense page), counted for
# every page that shows it; past these a PDF is refused before any text is extracted.
MAX_PDF_PAGES = 2_000
MAX_PDF_CONTENT = 8 * 1024 * 1024
MAX_PDF_PAGE_CONTENT = 2 * 1024 * 1024


@dataclass
class Extracted:
    name: str
    title: str
    body: str


def _pdf_text(data: bytes) -> str:
    """The PDF's text, extracted in a child process with memory and CPU limits (pypdf can spend
    minutes on a few KB whose pages share one large content stream), after bounding the work by
    pages × content size there."""
    try:
        texts = list(
            bounded.run(
                "pdf-text",
                data,
                budget=bounded.PDF,
                what="PDF 文件",
                failed="PDF 文件已损坏或已加密，无法提取文字",
                options={
                    "max_pages": MAX_PDF_PAGES,
                    "max_content": MAX_PDF_CONTENT,
                    "max_page_content": MAX_PDF_PAGE_CONTENT,
                    "max_text": MAX_TEXT * 2,
                },
            )
        )
    except bounded.Refused as exc:
        raise Unreadable(str(exc)) from exc
    return "".join(texts)


def extract(name: str, data: bytes) -> Extracted:
    """Title and body of one file; Unreadable with a Chinese message when there is no text."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in EXTENSIONS:
        raise Unreadable(f"不支持的文件类型“.{ext}”：只能导入 .docx、.txt、.md 和 .pdf 文件。")
    text = _pdf_text(data) if ext == "pdf" else read(name, data).text
    lines = [line.strip().replace("\u2028", "") for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise Unreadable("文件中没有可提取的文字（扫描版 PDF 需先做文字识别）。")
    title = lines[0].lstrip("#").strip() if ext == "md" else lines[0]
    body = "\n".join(lines[1:]) or lines[0]
    if len(body) > MAX_TEXT:
        raise Unreadable(f"正文超过 {MAX_TEXT:,} 字，请拆分后导入。")
    return Extracted(name, title[:200], body)


def import_files(
    *, acting_user: Any, unit: Any, files: list[Any], kind: str, shared: bool, max_bytes: int
) -> list[Material]:
    """One material per file, each with its file attached; every write through the audited
    services. Raises ValidationError listing every bad file (nothing is written then)."""
    errors: list[str] = []
    extracted: list[tuple[Extracted, Any]] = []
    for upload in files:  # Django Files: uploads, or File(open(...), name=...)
        try:
            clean, _ = check_upload(upload.name, upload.file, upload.size, max_bytes)
            upload.seek(0)
            extracted.append((extract(clean, upload.read()), upload))
        except (ValidationError, Unreadable) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            errors.append(f"{upload.name}：{message}")
    if not files:
        errors.append("请选择要导入的文件。")
    if errors:
        raise ValidationError(errors)
    made = []
    with transaction.atomic():
        for item, upload in extracted:
            material = record_create(
                acting_user=acting_user,
                instance=Material(
                    unit=unit, title=item.title, kind=kind, source=item.name, body=item.body, shared=shared
                ),
            )
            upload.seek(0)
            attachment_add(acting_user=acting_user, record=material, upload=upload)
            made.append(material)
    return made
