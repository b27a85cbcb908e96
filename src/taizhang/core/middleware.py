from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .context import acting

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def client_address(request: HttpRequest) -> str:
    """The client's address; behind the proxy the first X-Forwarded-For hop, which nginx sets."""
    if "HTTP_X_FORWARDED_FOR" in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


class RequestContextMiddleware:
    """Give every request an id (kept from a trusted proxy's X-Request-ID) and its client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        with acting(
            request_id=incoming if _REQUEST_ID.match(incoming) else None,
            client_addr=client_address(request),
            channel="web",
        ) as ctx:
            request.request_id = ctx.request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
            response["X-Request-ID"] = ctx.request_id
            return response
