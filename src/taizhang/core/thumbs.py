"""Scaled copies of image attachments: a thumbnail for the record's page and a preview that fits a
screen, made with Pillow from files uploaded by anyone, so within fixed bounds.

An upload is already known to be PNG, JPEG, GIF or WebP by its content (core/files.py). Before any
pixel is decoded the header's size is checked: past MAX_PIXELS (JPEG: MAX_JPEG_PIXELS, decoded at
an eighth of its size by the codec's draft mode) no copy is made and the page shows a plain file
link. Only the first frame of an animation is read. Phone photos are turned upright from their
EXIF orientation; the copy carries no metadata. Copies are kept in `thumbs/` beside the attachments'
folder (not in backups) and made again if removed; a file Pillow cannot read gets no copy, never an error page.
"""

from __future__ import annotations

import logging
import uuid
import warnings
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
SIZES = {"thumb": 240, "preview": 1600}
MAX_PIXELS = 16_000_000  # 64 MB decoded as RGBA, about a second: the most one request may take
MAX_JPEG_PIXELS = 89_000_000  # JPEG is decoded at 1/8 scale (Pillow's own bomb limit still holds)
QUALITY = 82


def is_image(att: Any) -> bool:
    return att.mime_type in IMAGE_TYPES


def _folder() -> Path:
    # beside the attachments, not among them: a backup carries the originals, copies are remade
    return Path(settings.MEDIA_ROOT).parent / "thumbs"


def cached_path(att: Any, size: str) -> Path:
    return _folder() / f"{Path(att.stored_name).stem}-{size}.jpg"


def make(source: Any, longest: int) -> bytes | None:
    """A JPEG copy of the image in `source` (a binary file) whose longest side is at most
    `longest`; None when the image is too large to decode safely or cannot be read."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as img:
                width, height = img.size
                limit = MAX_JPEG_PIXELS if img.format == "JPEG" else MAX_PIXELS
                if width <= 0 or height <= 0 or width * height > limit:
                    return None
                if img.format == "JPEG":
                    img.draft("RGB", (longest, longest))  # the codec decodes at 1/2, 1/4 or 1/8 scale
                if img.size[0] * img.size[1] > MAX_PIXELS:
                    return None  # draft could not bring it under the bound
                if getattr(img, "n_frames", 1) > 1:
                    img.seek(0)
                frame = ImageOps.exif_transpose(img)
                frame = frame.convert("RGBA") if frame.mode in ("P", "LA", "PA") else frame
                if frame.mode == "RGBA":  # transparency on white, as a printed page shows it
                    white = Image.new("RGB", frame.size, "white")
                    white.paste(frame, mask=frame.getchannel("A"))
                    frame = white
                elif frame.mode != "RGB":
                    frame = frame.convert("RGB")
                frame.thumbnail((longest, longest), Image.Resampling.LANCZOS)
                out = BytesIO()
                frame.save(out, "JPEG", quality=QUALITY, optimize=True)
                return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except Exception:  # a codec bug on a hostile file is a missing thumbnail, not a broken page
        logger.warning("thumbnail failed for an attachment", exc_info=True)
        return None


def scaled(att: Any, size: str) -> bytes | None:
    """The attachment's copy at `size` ("thumb" or "preview"), made once and kept."""
    if not is_image(att) or size not in SIZES:
        return None
    path = cached_path(att, size)
    if path.is_file():
        return path.read_bytes()
    try:
        with att.file.open("rb") as source:
            data = make(source, SIZES[size])
    except OSError:
        return None
    if data is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # two requests making the same copy leave one whole file
    return data
