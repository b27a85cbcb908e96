"""Hostile uploads against a running server (issue 13, items 2, 3 and 7). Prints each figure beside
its target.

A real `taizhang serve` (one gunicorn worker) in a fresh data directory; a clerk signs in through
the login form and uploads, through the real pages:

2. an .xlsx of about 5 KB: the template's header row and one cell at XFD1048576 (import page);
3. a .docx of about 1 MB whose document part unpacks to 1 GB of zeros (proofreading page);
7. a PDF of a few KB whose 200 pages share one content stream of 860 KB (study-material import).

For each: the time to the refusal, the growth of the worker's resident memory at its peak (and of
the worker with its child processes, where the bounded parsers run), sampled every 5 ms from
/proc, and whether the same worker is still serving afterwards. Targets: a Chinese refusal within
10 s, worker RSS growth under 200 MB, the worker alive.

Run: .venv/bin/python bench/bench_hostile.py   (Linux: reads /proc)
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from benchtable import print_table
from taizhang.loadclient import HttpSession, start_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' hostile-file builders
from tests.hostile_files import PDF_TEXT_LINE, shared_stream_pdf

PASSWORD = "Hostile-Pass-2026"
SETUP = """
import django; django.setup()
from taizhang.core.context import acting
from taizhang.orgs import services
from taizhang.orgs.models import UnitKind
from taizhang.orgs.roles import Role
with acting(channel="cli"):
    unit = services.unit_create(acting_user=None, code="hostile", name="压力测试局", short_name="压力",
                                kind=UnitKind.COUNTY, parent=None)
    clerk = services.user_create(acting_user=None, username="hostileclerk", full_name="甲",
                                 password=%r, must_change_password=False)
    services.membership_grant(acting_user=None, user=clerk, unit=unit, role=Role.CLERK)
"""


def extent_bomb() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["类型*", "名称*", "时间*", "地点", "主持人", "应到人数*", "实到人数*", "参加人员"])
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def docx_bomb() -> bytes:
    out = io.BytesIO()
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(1024):
                part.write(zeros)
    return out.getvalue()


def pdf_bomb(pages: int = 200, lines: int = 20_000) -> bytes:
    return shared_stream_pdf(pages, PDF_TEXT_LINE * lines)


def _rss(pid: int) -> int:
    """Resident bytes of one process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        found = []
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
        return found
    except (FileNotFoundError, ProcessLookupError):
        return []


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


class Sampler(threading.Thread):
    """Peak RSS of a worker, and of the worker with its descendants, every 5 ms."""

    def __init__(self, worker: int) -> None:
        super().__init__(daemon=True)
        self.worker = worker
        self.peak_worker = self.peak_tree = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            own = _rss(self.worker)
            tree = own + sum(_rss(p) for p in _tree(self.worker)[1:])
            self.peak_worker, self.peak_tree = max(self.peak_worker, own), max(self.peak_tree, tree)
            time.sleep(0.005)


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="taizhang-hostile-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_DATABASE")}
    env.update(
        TAIZHANG_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="taizhang.settings",
        TAIZHANG_RATE_LIMIT="0",
    )
    exe = str(Path(sys.executable).with_name("taizhang"))
    subprocess.run([exe, "manage", "migrate", "--noinput"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP % PASSWORD], env=env, check=True, capture_output=True)
    server, base = start_server(env, data / "server.log", workers=1)
    cases = [
        ("2 xlsx extent bomb", "/ledger/meeting/import/", "file", "会议.xlsx", extent_bomb(), {}, "超过导入上限"),
        ("3 docx zip bomb", "/proofread/", "file", "报告.docx", docx_bomb(), {}, "压缩炸弹"),
        ("7 pdf shared stream", "/library/materials/files/", "files", "学习.pdf", pdf_bomb(), {"kind": "document"},
         "代价过高"),
    ]  # fmt: skip
    rows: list[tuple[object, ...]] = []
    try:
        browser = HttpSession(base)
        browser.login("hostileclerk", PASSWORD)
        (worker,) = _children(server.pid)
        for label, path, field, name, payload, fields, refusal in cases:
            browser.request(path)
            time.sleep(0.3)
            before = _rss(worker)
            tree_before = sum(_rss(p) for p in _tree(worker))
            sampler = Sampler(worker)
            sampler.start()
            status, body, seconds = browser.request(path, fields, files={field: (name, payload)})
            sampler.stop.set()
            sampler.join()
            alive = _children(server.pid) == [worker] and browser.request("/healthz")[0] == 200
            grown = (sampler.peak_worker - before) / 2**20
            tree_grown = (sampler.peak_tree - tree_before) / 2**20
            refused = refusal in body
            rows += [
                (f"item {label}: upload size (KB)", f"{len(payload) / 1024:,.0f}", "", ""),
                (
                    f"item {label}: Chinese refusal shown (HTTP {status})",
                    "yes" if refused else "no",
                    "yes",
                    refused,
                ),
                (f"item {label}: time to refusal (s)", f"{seconds:.2f}", "<= 10", seconds <= 10),
                (f"item {label}: worker peak RSS growth (MB)", f"{grown:.0f}", "< 200", grown < 200),
                (f"item {label}: worker + children peak RSS growth (MB)", f"{tree_grown:.0f}", "", ""),
                (f"item {label}: same worker alive afterwards", "yes" if alive else "no", "yes", alive),
            ]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
