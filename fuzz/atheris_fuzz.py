"""Coverage-guided fuzzing (atheris, libFuzzer) of the two parsers that read what users paste or
upload: the proofreader and the import reader. Any exception other than the documented Chinese
refusals is a crash and stops the run with the input that caused it.

    .venv/bin/python fuzz/atheris_fuzz.py proofread -runs=200000
    .venv/bin/python fuzz/atheris_fuzz.py import -max_total_time=300

The import target reads in memory only (no database): the file checks and the row reader.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile

import atheris

TARGET = sys.argv.pop(1) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "proofread"

with atheris.instrument_imports():
    from taizhang import proofread


def fuzz_proofread(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(4096)
    findings = proofread.check(text)
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text) and text[f.start : f.end] == f.text
    fixed = proofread.apply(text, findings)
    assert isinstance(fixed, str)


def _django() -> None:
    os.environ.setdefault("TAIZHANG_DATA_DIR", tempfile.mkdtemp(prefix="taizhang-fuzz-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    import django

    django.setup()


imports = None  # taizhang.core.imports, instrumented once Django is set up


def fuzz_import(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = ["会议.xlsx", "会议.csv"][fdp.ConsumeIntInRange(0, 1)]
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        for _ in imports.read_rows(name, io.BytesIO(body), len(body), 20 * 1024 * 1024):
            pass
    except imports.ImportRefused as exc:
        assert any("\u4e00" <= c <= "\u9fff" for c in str(exc)), str(exc)


def _seeds() -> str:
    """A corpus to start from: a small CSV and a small workbook of the meeting template."""
    from openpyxl import Workbook

    corpus = tempfile.mkdtemp(prefix="taizhang-fuzz-corpus-")
    header = ["类型", "名称", "时间", "地点", "主持人", "应到人数", "实到人数"]
    row = ["分析研判会议", "第一季度分析研判", "2025-03-26 09:30", "会议室", "张晓燕", 10, 9]
    with open(os.path.join(corpus, "csv"), "wb") as f:
        f.write(b"\x01" + (",".join(header) + "\n" + ",".join(map(str, row)) + "\n").encode())
    wb = Workbook()
    wb.active.append(header)
    wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    with open(os.path.join(corpus, "xlsx"), "wb") as f:
        f.write(b"\x00" + out.getvalue())
    return corpus


def main() -> None:
    global imports
    if TARGET == "import":
        _django()  # its apps already import the reader, so instrument what is loaded
        from taizhang.core import imports as module

        atheris.instrument_all()
        imports = module
        if not any(not a.startswith("-") for a in sys.argv[1:]):
            sys.argv.append(_seeds())
        atheris.Setup(sys.argv, fuzz_import)
    else:
        atheris.Setup(sys.argv, fuzz_proofread)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
