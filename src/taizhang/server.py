"""Run Taizhang under gunicorn, a production-grade WSGI server."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from taizhang.wsgi import application

        return application


def serve(*, host: str, port: int, workers: int) -> None:
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "worker_class": "gthread",
            "threads": 4,
            "timeout": 120,
            "graceful_timeout": 20,
            # JSON logs carry one line per request from Taizhang itself (taizhang.core.ops)
            "accesslog": None if os.environ.get("TAIZHANG_LOG_FORMAT") == "json" else "-",
            "errorlog": "-",
            "loglevel": "warning",
            "limit_request_line": 8190,
        }
    ).run()
