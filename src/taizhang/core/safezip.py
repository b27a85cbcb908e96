"""The one way the product opens a zip archive (.docx, .xlsx, .pptx, study materials).

A 1 MB .docx can hold a part that unpacks to gigabytes, and the sizes in the zip directory are
whatever the sender wrote. So the directory is checked first (cheap, and enough to refuse the
honest bombs at once), and then every part is inflated in small chunks and *counted as it comes*:
the total unpacked size, each part's size, the number of parts and each part's compression ratio
are held to the limits whatever the directory claims. Only an archive that passed is handed to a
reader (python-docx, calamine, openpyxl), which then cannot unpack more than what was counted.

Pure Python with no Django import: the proofreader (taizhang.proofread) uses it too.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

CHUNK = 1 << 20  # bytes inflated at a time: the memory a check costs, whatever the archive holds
RATIO_FLOOR = 1 << 20  # parts smaller than this are not ratio-checked (small XML packs very well)
_MB = 1024 * 1024


class ArchiveRefused(ValueError):
    """The archive is refused; the message says why, in Chinese."""


class ArchiveDamaged(ArchiveRefused):
    """The bytes are not a readable zip archive."""


@dataclass(frozen=True)
class Limits:
    total: int  # bytes unpacked, all parts together
    part: int  # bytes unpacked, one part
    parts: int  # number of parts
    ratio: int  # unpacked / packed size of one part (above RATIO_FLOOR)


# A Word document: the proofreader and python-docx keep every part in memory.
DOCX = Limits(total=100 * _MB, part=40 * _MB, parts=2_000, ratio=100)
# An import workbook: 200,000 rows of inline strings is about 120 MB of sheet XML.
XLSX = Limits(total=200 * _MB, part=200 * _MB, parts=10_000, ratio=100)
# Any Office attachment (only its type is read, but it is still an archive the product opens).
ATTACHMENT = Limits(total=300 * _MB, part=300 * _MB, parts=5_000, ratio=100)

_UNSAFE = re.compile(r"[^\w./\[\]-]")


def _shown(name: str) -> str:
    """A part name fit for a message: the sender chose it, so keep it short and plain."""
    name = _UNSAFE.sub("?", name)
    return name if len(name) <= 60 else name[:57] + "..."


class CheckedZip:
    """A zip archive whose directory passed the limits; `chunks()` inflates a part under them.

    Every byte inflated through this object counts against `limits.total`, so a part read twice
    counts twice: read each part once (`check_all()` reads them all).
    """

    def __init__(self, data: bytes | IO[bytes], limits: Limits, what: str = "文件") -> None:
        self.limits, self.what = limits, what
        self.unpacked = 0
        source: IO[bytes] = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        try:
            self.zip = zipfile.ZipFile(source)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise ArchiveDamaged(f"{what}已损坏，不是有效的压缩包，无法读取。") from exc
        if len(infos) > limits.parts:
            raise ArchiveRefused(
                f"{what}内部包含 {len(infos):,} 个部件，超过 {limits.parts:,} 个的上限，疑似压缩炸弹，已拒绝。"
            )
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            # readers disagree on which of two same-named parts counts: one could hide the other
            raise ArchiveRefused(f"{what}内部有重名的部件，结构异常，已拒绝。")
        declared = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise ArchiveRefused(f"{what}已加密，无法读取。")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ArchiveRefused(f"{what}使用了不支持的压缩方式，已拒绝。")
            self._check_part(info, info.file_size)
            declared += info.file_size
        if declared > limits.total:
            raise ArchiveRefused(self._total_message())
        self.infos = infos

    def _total_message(self) -> str:
        return f"{self.what}解压后超过 {self.limits.total // _MB} MB，疑似压缩炸弹，已拒绝。"

    def _check_part(self, info: zipfile.ZipInfo, size: int) -> None:
        if size > self.limits.part:
            raise ArchiveRefused(
                f"{self.what}中的部件“{_shown(info.filename)}”解压后超过 {self.limits.part // _MB} MB，"
                "疑似压缩炸弹，已拒绝。"
            )
        if size > RATIO_FLOOR and size > self.limits.ratio * max(info.compress_size, 1):
            raise ArchiveRefused(
                f"{self.what}中的部件“{_shown(info.filename)}”压缩比超过 {self.limits.ratio} 倍，"
                "疑似压缩炸弹，已拒绝。"
            )

    def names(self) -> list[str]:
        return [i.filename for i in self.infos]

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part's bytes, inflated a chunk at a time and counted against every limit."""
        size = 0
        try:
            with self.zip.open(info) as part:
                while chunk := part.read(CHUNK):
                    size += len(chunk)
                    self.unpacked += len(chunk)
                    self._check_part(info, size)
                    if self.unpacked > self.limits.total:
                        raise ArchiveRefused(self._total_message())
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise ArchiveDamaged(
                f"{self.what}已损坏（部件“{_shown(info.filename)}”无法解压），无法读取。"
            ) from exc

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(self.zip.getinfo(name)))

    def check_all(self) -> None:
        """Inflate every part once, so that a reader opening the archive afterwards stays within
        the limits whatever the directory says."""
        for info in self.infos:
            for _ in self.chunks(info):
                pass

    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> CheckedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check(data: bytes | IO[bytes], limits: Limits, what: str = "文件") -> list[str]:
    """Refuse an archive past the limits (ArchiveRefused, Chinese message); its part names.
    A file object is left at its start."""
    with CheckedZip(data, limits, what) as archive:
        archive.check_all()
        names = archive.names()
    if not isinstance(data, bytes | bytearray):
        data.seek(0)
    return names
