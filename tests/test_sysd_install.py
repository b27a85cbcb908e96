"""install.sh's wait for the service after `systemctl restart` (deploy/bundle/prove-systemd.sh runs
the whole systemd branch; this checks the wait's verdicts, with a stand-in for systemctl)."""

from __future__ import annotations

import http.server
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

INSTALL = Path(__file__).resolve().parent.parent / "deploy/bundle/install.sh"


def _wait_script() -> str:
    heredocs = re.findall(r"<<'PY'\n(.*?)\nPY\n", INSTALL.read_text(), re.S)
    return next(h for h in heredocs if "NRestarts" in h)


def _run(url: str, tmp_path: Path, restarts: str) -> tuple[int, float]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "systemctl"
    fake.write_text(f"#!/bin/sh\necho {restarts}\n")
    fake.chmod(0o755)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-", url],
        input=_wait_script(),
        text=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    return done.returncode, time.monotonic() - started


@pytest.fixture
def server() -> Iterator[tuple[str, list[int]]]:
    status = [200]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status[0])
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/healthz", status
    httpd.shutdown()


def test_a_service_that_answers_passes(server: tuple[str, list[int]], tmp_path: Path) -> None:
    url, status = server
    assert _run(url, tmp_path, "0")[0] == 0
    status[0] = 400  # answering, only not for the name localhost (TAIZHANG_ALLOWED_HOSTS)
    assert _run(url, tmp_path, "0")[0] == 0


def test_an_unhealthy_service_fails(server: tuple[str, list[int]], tmp_path: Path) -> None:
    url, status = server
    status[0] = 503
    assert _run(url, tmp_path, "0")[0] == 1


def test_a_crashing_service_fails_without_waiting_out_the_minute(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    code, seconds = _run(f"http://127.0.0.1:{port}/healthz", tmp_path, "1")
    assert code == 1 and seconds < 10
