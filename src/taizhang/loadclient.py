"""A signed-in person's browser and a real server, for the load benchmark and the crash tests:
cookies and the CSRF token over plain urllib, multipart uploads, and `taizhang serve` started on a
free loopback port. Standard library only (no Django import), so the tools drive the server from
outside as a browser would."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


class HttpSession:
    """One person's browser: cookies, the CSRF token, timed requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def request(
        self, path: str, data: dict[str, str] | None = None, files: dict[str, tuple[str, bytes]] | None = None
    ) -> tuple[int, str, float]:
        """(status, body, seconds); `data` posts a form, with `files` as multipart."""
        body = None
        headers = {"Referer": self.base + path}
        if data is not None or files:
            fields = {**(data or {}), "csrfmiddlewaretoken": self._csrf()}
            if files:
                body, headers["Content-Type"] = _multipart(fields, files)
            else:
                body = urllib.parse.urlencode(fields, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310 (loopback http)
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=300) as resp:
                text = resp.read().decode("utf-8", "replace")
                status = resp.status
        except urllib.error.HTTPError as exc:
            text, status = exc.read().decode("utf-8", "replace"), exc.code
        return status, text, time.perf_counter() - start

    def login(self, username: str, password: str) -> None:
        self.request("/login/")
        status, text, _ = self.request("/login/", {"username": username, "password": password})
        if "退出" not in text:
            raise RuntimeError(f"{username} could not sign in ({status})")


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str], log: Path, workers: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    """`taizhang serve` in its own process group (so a test can SIGKILL all of it), once /healthz
    answers; returns the process and its base URL."""
    port = free_port()
    exe = str(Path(sys.executable).with_name("taizhang"))
    proc = subprocess.Popen(
        [exe, "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:  # noqa: S310 (loopback http)
                if resp.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, 9)
    raise RuntimeError("the server did not start: " + log.read_text(errors="replace")[-2000:])
