"""Parsers that cannot be bounded from outside run in a child process with hard limits.

python-calamine (Rust) aborts the whole process when an allocation fails, taking every request
of the worker with it; pypdf and openpyxl (on expat) can spend minutes on a file of a few KB.
Each runs in a fresh interpreter (`python -m taizhang.core.bounded TASK`) that first caps its own
address space, CPU time and file writes with resource.setrlimit, then reads the file from stdin
and answers in length-prefixed frames on stdout. The parent waits at most `Budget.wall` seconds in
total for the answers, kills the child past that, and turns any death into `Refused` with a
Chinese message, so the worker lives on. Answers are unpickled with nothing but the datetime types
allowed: a child subverted by its file still cannot make the parent run code.

No Django import here (the child starts fast, and the proofreader may use it).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import resource
import signal
import struct
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, NamedTuple

# What only the parent uses is imported where it is used: the child's start (an interpreter and
# these imports) is on the path to an import's first rows.
if TYPE_CHECKING:
    import subprocess


class Refused(Exception):
    """The file could not be read within the limits, or the parser gave up; Chinese message."""


class Budget(NamedTuple):
    memory: int  # bytes of address space for the child
    cpu: int  # seconds of CPU time for the child
    wall: float  # seconds the parent waits for answers, in total


# An import workbook: 200,000 rows read by calamine take a few seconds, by openpyxl under a minute.
XLSX = Budget(memory=1 << 30, cpu=60, wall=90)
# Text of a study-material PDF; what needs more than this is a hostile or a scanned file.
PDF = Budget(memory=768 << 20, cpu=10, wall=15)

MAX_FRAME = 64 << 20  # bytes of one answer frame
MAX_ANSWER = 512 << 20  # bytes of all answers of one run
MEMORY_EXIT = 3  # the child's exit status after a MemoryError
_HEADER = struct.Struct(">I")
_ALLOWED = {"date", "datetime", "time", "timedelta", "timezone"}


class _Answers(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _ALLOWED:
            import datetime

            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not an answer type")


def _child_env() -> dict[str, str]:
    """A small environment: the child needs no secret of the server, only to find its code."""
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENPYXL_DEFUSEDXML": "True",  # openpyxl parses with defusedxml: no DTD, no entities
        "LANG": "C.UTF-8",
    }
    if "PATH" in os.environ:
        env["PATH"] = os.environ["PATH"]
    return env


class _Frames:
    """Length-prefixed frames from the child's stdout, waiting at most `wall` seconds in all."""

    def __init__(self, proc: subprocess.Popen[bytes], wall: float) -> None:
        import selectors
        import time

        self.clock = time.monotonic
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        os.set_blocking(self.fd, False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.fd, selectors.EVENT_READ)
        self.left = wall
        self.buf = bytearray()
        self.received = 0

    def _fill(self, n: int) -> bool:
        while len(self.buf) < n:
            start = self.clock()
            ready = self.selector.select(timeout=max(self.left, 0))
            self.left -= self.clock() - start
            if not ready:
                raise TimeoutError
            try:
                chunk = os.read(self.fd, max(n - len(self.buf), 1 << 16))
            except BlockingIOError:
                continue
            if not chunk:
                return False
            self.buf += chunk
        return True

    def next(self) -> bytes | None:
        """The next frame's body, or None when the child closed its output."""
        if not self._fill(_HEADER.size):
            return None
        (size,) = _HEADER.unpack(self.buf[: _HEADER.size])
        self.received += size
        if size > MAX_FRAME or self.received > MAX_ANSWER:
            raise OverflowError
        del self.buf[: _HEADER.size]
        if not self._fill(size):
            return None
        body = bytes(self.buf[:size])
        del self.buf[:size]
        return body

    def close(self) -> None:
        self.selector.close()


def run(
    task: str,
    data: bytes | IO[bytes],
    *,
    budget: Budget,
    what: str,
    failed: str,
    options: dict[str, Any] | None = None,
) -> Iterator[Any]:
    """The answers of `task` on `data`, as the child sends them; the child starts when the first
    answer is asked for.

    `what` names the file in messages ("Excel 文件"); `failed` is the message when the parser
    itself rejects the file (damaged, not the format). Raises Refused; the child is gone when the
    iterator ends, fails or is closed early.
    """
    yield from start(task, data, budget=budget, what=what, failed=failed, options=options)


def start(
    task: str,
    data: bytes | IO[bytes],
    *,
    budget: Budget,
    what: str,
    failed: str,
    options: dict[str, Any] | None = None,
) -> Reading:
    """run(), with the child started at once: it reads while the caller does other work (an
    import checks the archive meanwhile). The child is gone when the iterator ends, fails, is
    closed, or is dropped without being read."""
    return Reading(_spawn(task, data, budget, options), budget, what, failed)


class Reading:
    """A started child's answers; close() (or losing the last reference) ends the child."""

    def __init__(self, proc: subprocess.Popen[bytes], budget: Budget, what: str, failed: str) -> None:
        import weakref

        self.proc = proc
        self.answers = _answers(proc, budget, what, failed)
        self._end = weakref.finalize(self, _end, proc)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        return next(self.answers)

    def close(self) -> None:
        self.answers.close()
        self._end()


def _answers(
    proc: subprocess.Popen[bytes], budget: Budget, what: str, failed: str
) -> Generator[Any, None, None]:
    frames = _Frames(proc, budget.wall)
    try:
        while True:
            kind, payload = _next_answer(frames, proc, what, budget)
            if kind == "item":
                yield payload
            elif kind == "done":
                return
            elif kind == "refuse":
                raise Refused(str(payload)[:500])
            else:
                name = "".join(c for c in str(payload) if c.isalnum() or c == "_")[:40]
                raise Refused(f"{failed}（{name}）。" if name else f"{failed}。")
    finally:
        frames.close()
        _end(proc)


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child if it still runs, reap it, close its pipe (safe to call twice)."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def _spawn(task: str, data: bytes | IO[bytes], budget: Budget, options: dict[str, Any] | None) -> Any:
    """The child, reading a private copy of `data` on its stdin (the caller's file is left as it was)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as source:
        if isinstance(data, bytes | bytearray):
            source.write(data)
        else:
            data.seek(0)
            while chunk := data.read(1 << 20):
                source.write(chunk)
            data.seek(0)
        source.seek(0)
        return subprocess.Popen(  # our own interpreter and module, fixed arguments
            [
                sys.executable,
                "-B",
                "-m",
                "taizhang.core.bounded",
                task,
                str(budget.memory),
                str(budget.cpu),
                json.dumps(options or {}),
            ],
            stdin=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
            close_fds=True,
        )


def _next_answer(
    frames: _Frames, proc: subprocess.Popen[bytes], what: str, budget: Budget
) -> tuple[str, Any]:
    """The child's next (kind, payload); Refused when it overran, died or answered garbage."""
    try:
        body = frames.next()
    except TimeoutError:
        raise Refused(f"{what}读取超时（超过 {budget.wall:.0f} 秒），文件可能过于复杂，已拒绝。") from None
    except OverflowError:
        raise Refused(f"{what}中的内容过多，超出读取上限，已拒绝。") from None
    if body is None:
        raise Refused(_death(proc, what, budget))
    try:
        kind, payload = _Answers(io.BytesIO(body)).load()
    except Exception:  # a garbled answer is the child's failure, not the parent's
        raise Refused(f"{what}无法读取（解析进程的应答无效），已拒绝。") from None
    return kind, payload


def _death(proc: subprocess.Popen[bytes], what: str, budget: Budget) -> str:
    """The message for a child that ended without answering."""
    import subprocess

    try:
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return f"{what}过于复杂，读取超过 {budget.cpu} 秒的计算时间上限，已拒绝。"
    if code in (MEMORY_EXIT, -signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        return f"{what}结构异常，读取时超出 {budget.memory >> 20} MB 的内存上限，已拒绝。"
    return f"{what}无法读取（解析进程意外退出），已拒绝。"


# --- The child ---------------------------------------------------------------------------------
Emit = Callable[[Any], None]


def _set(which: int, soft: int, hard: int) -> None:
    # never above what the server itself was given (a container's own limits)
    current = resource.getrlimit(which)[1]
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))


def _limit(memory: int, cpu: int) -> None:
    _set(resource.RLIMIT_AS, memory, memory)
    _set(resource.RLIMIT_CPU, cpu, cpu + 1)  # SIGXCPU, then SIGKILL a second later
    _set(resource.RLIMIT_CORE, 0, 0)  # no core file of a hostile input
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _set(resource.RLIMIT_FSIZE, 0, 0)  # the child writes no file


def _rows(rows: Iterable[Any], options: dict[str, Any], emit: Emit) -> None:
    """Rows in batches of about a megabyte, at most `max_rows` of them."""
    batch: list[list[Any]] = []
    size = 0
    for n, row in enumerate(rows):
        if n >= options["max_rows"]:
            break
        cells = list(row)
        batch.append(cells)
        size += 64 + sum(len(v) for v in cells if type(v) is str)
        if size >= 1 << 20 or len(batch) >= 2000:
            emit(batch)
            batch, size = [], 0
    if batch:
        emit(batch)


def _calamine_rows(data: bytes, options: dict[str, Any], emit: Emit) -> None:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    _rows(sheet.iter_rows(), options, emit)


def _openpyxl_rows(data: bytes, options: dict[str, Any], emit: Emit) -> None:
    import openpyxl

    if not openpyxl.DEFUSEDXML:
        raise Refused("服务器缺少 defusedxml，不能安全读取含公式的 Excel 文件。")
    # read_only streams the sheet; formulas come back as their text ("=SUM(A1)"), never evaluated
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        _rows(wb.worksheets[0].iter_rows(values_only=True), options, emit)
    finally:
        wb.close()


def _pdf_text(data: bytes, options: dict[str, Any], emit: Emit) -> None:
    """The text of every page, after bounding the work: pages × content stream size.

    Text extraction costs about a second per megabyte of content, for each page that shows it,
    so a few KB whose pages share one large stream cost minutes; measure first, refuse past it.
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, IndirectObject

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise Refused("PDF 文件已加密，无法提取文字。")
    pages = reader.pages
    if len(pages) > options["max_pages"]:
        raise Refused(f"PDF 文件有 {len(pages):,} 页，超过 {options['max_pages']:,} 页的上限，请拆分后导入。")
    sizes: dict[Any, int] = {}

    def size_of(ref: Any) -> int:
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
        if key not in sizes:
            sizes[key] = len(ref.get_object().get_data())
        return sizes[key]

    total = 0
    for page in pages:
        raw = page.raw_get("/Contents") if "/Contents" in page else None
        if raw is None:
            continue
        resolved = raw.get_object()
        refs = list(resolved) if isinstance(resolved, ArrayObject) else [raw]
        page_size = sum(size_of(ref) for ref in refs)
        total += page_size
        if page_size > options["max_page_content"] or total > options["max_content"]:
            raise Refused(
                f"PDF 文件的页面内容合计超过 {options['max_content'] >> 20} MB"
                f"（单页上限 {options['max_page_content'] >> 20} MB，多页共用的内容按页重复计算），"
                "提取文字的代价过高，已拒绝。"
            )
    texts = []
    length = 0
    for page in pages:
        text = page.extract_text() or ""
        length += len(text)
        if length > options["max_text"]:
            raise Refused(f"PDF 文件的文字超过 {options['max_text']:,} 字，请拆分后导入。")
        texts.append(text)
    emit("\n".join(texts))


TASKS: dict[str, Callable[[bytes, dict[str, Any], Emit], None]] = {
    "calamine-rows": _calamine_rows,
    "openpyxl-rows": _openpyxl_rows,
    "pdf-text": _pdf_text,
}


def _main(argv: list[str]) -> int:
    task, memory, cpu, options = argv[1], int(argv[2]), int(argv[3]), json.loads(argv[4])
    _limit(memory, cpu)
    data = sys.stdin.buffer.read()
    out = sys.stdout.buffer

    def send(kind: str, payload: Any) -> None:
        body = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(body)))
        out.write(body)
        out.flush()

    try:
        TASKS[task](data, options, lambda payload: send("item", payload))
    except Refused as exc:
        send("refuse", str(exc))
    except MemoryError:
        os._exit(MEMORY_EXIT)
    except Exception as exc:  # the parser rejected the file: the parent words the message
        send("fail", type(exc).__name__)
    else:
        send("done", None)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
