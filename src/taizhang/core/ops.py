"""What operations needs from every application server: a request log line per request
(structured as JSON when TAIZHANG_LOG_FORMAT=json), a rate limit per person (or per address before
login) kept in the shared cache (Redis in a province), and the health check's probes."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .context import active
from .middleware import client_address

request_log = logging.getLogger("taizhang.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request's context."""

    FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user", "unit", "client")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ctx = active()
        if ctx is not None:
            out["request_id"] = ctx.request_id
        for name in self.FIELDS:
            if hasattr(record, name):
                out[name] = getattr(record, name)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


class RequestLogMiddleware:
    """After the response: one log line with what was asked, by whom, the status and the time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        if not request_log.isEnabledFor(logging.INFO):  # off unless asked for (JSON logs turn it on)
            return response
        user = getattr(request, "user", None)
        unit = getattr(request, "unit", None)
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": getattr(request, "request_id", None),
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "user": user.pk if user is not None and user.is_authenticated else None,
                "unit": unit.code if unit is not None else None,
                "client": ctx.client_addr if (ctx := active()) else "",
            },
        )
        return response


def clock() -> float:
    """The wall clock the rate limit counts minutes by (one place, so a test can hold it still)."""
    return time.time()


class RateLimitMiddleware:
    """At most TAIZHANG_RATE_LIMIT requests a minute per signed-in person (per address before
    signing in); more get 429 with a Chinese message. Counted in the cache, which every server
    shares in a province (Redis); 0 turns the limit off. /healthz, /ping and static files are not counted."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.RATE_LIMIT_PER_MINUTE
        if limit and not request.path.startswith(("/healthz", "/ping", settings.STATIC_URL)):
            user = getattr(request, "user", None)
            who = (
                f"u{user.pk}"
                if user is not None and user.is_authenticated
                else f"a{client_address(request)}"  # behind the proxy: the client, not the proxy
            )
            now = clock()
            key = f"rate:{who}:{int(now // 60)}"
            cache.add(key, 0, timeout=120)
            try:
                count = cache.incr(key)
            except ValueError:  # evicted between add and incr
                cache.set(key, 1, timeout=120)
                count = 1
            if count > limit:
                response = HttpResponse(
                    "请求过于频繁，请稍后再试。", status=429, content_type="text/plain; charset=utf-8"
                )
                response["Retry-After"] = str(60 - int(now) % 60)
                return response
        return self.get_response(request)


def probes() -> dict[str, str]:
    """Each dependency's state: "ok" or what went wrong."""
    from django.db import connection

    out: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        out["database"] = "ok"
    except Exception as exc:  # the probe reports any failure rather than raising it
        out["database"] = f"error: {type(exc).__name__}"
    try:
        key = f"healthz:{uuid.uuid4().hex}"
        cache.set(key, "1", timeout=10)
        out["cache"] = "ok" if cache.get(key) == "1" else "error: value not kept"
        cache.delete(key)
    except Exception as exc:
        out["cache"] = f"error: {type(exc).__name__}"
    try:
        root = Path(settings.MEDIA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".healthz-{uuid.uuid4().hex}"
        probe.write_bytes(b"ok")
        probe.unlink()
        out["storage"] = "ok"
    except OSError as exc:
        out["storage"] = f"error: {type(exc).__name__}"
    return out


class RefuseNulMiddleware:
    """A NUL character in any query or form parameter is refused up front (400, in Chinese):
    PostgreSQL cannot hold or even compare it, and no form of Taizhang has a use for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = [request.GET] if request.method in ("GET", "HEAD") else [request.GET, request.POST]
        if any(
            "\x00" in key or any("\x00" in v for v in values) for p in params for key, values in p.lists()
        ):
            from django.shortcuts import render

            reason = "提交的内容含有空字符（NUL，U+0000），多由复制粘贴带入，已拒绝。请删除后重试。"
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)
