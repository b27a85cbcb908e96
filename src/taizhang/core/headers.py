"""Response headers that depend on who asked: what a signed-in person sees is never cached."""

from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


def is_download(response: HttpResponse) -> bool:
    disposition = response.get("Content-Disposition") or ""
    return isinstance(response, FileResponse) or disposition.startswith("attachment")


class NoStoreMiddleware:
    """Every response to a signed-in person, and every file handed out, says `Cache-Control:
    no-store` (with `Pragma: no-cache` for HTTP/1.0 proxies): a shared office computer's browser
    cache, the back button after signing out, or a caching proxy on the way keeps no ledger page,
    export or attachment. Anonymous pages (the login form) and static files keep their caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or is_download(response):
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private, max-age=0
            response["Pragma"] = "no-cache"
        return response
