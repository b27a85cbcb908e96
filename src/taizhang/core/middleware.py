from __future__ import annotations

import functools
import ipaddress
import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .context import acting

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # an IPv4 client seen through an IPv6 socket ("::ffff:192.0.2.1") is the IPv4 client
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the peer is one of settings.TRUSTED_PROXIES (none by default)."""
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    return peer is not None and any(peer in n for n in networks)


_warned: set[str] = set()


def _warn_untrusted_forwarder(peer: str) -> None:
    """Once per peer and process: a proxy not listed would put every client behind one address
    (one rate limit, one lockout for all), so say so where the operator looks."""
    if peer not in _warned and len(_warned) < 32:
        _warned.add(peer)
        log.warning(
            "%s 发来了 X-Forwarded-For，但不在 TAIZHANG_TRUSTED_PROXIES 中：按 %s 计算来源地址。"
            "如它是本系统的反向代理，请把它加入 TAIZHANG_TRUSTED_PROXIES。",
            peer,
            peer,
        )


def client_address(request: HttpRequest) -> str:
    """The client's address for the rate limit, the lockout and the audit rows.

    The peer, unless the peer is a trusted proxy: then X-Forwarded-For is read from the right
    (each proxy appends the address it saw) and the first hop that is not itself a trusted proxy
    is the client. Whatever a client writes further left is its own claim and is never believed.
    """
    peer_text = str(request.META.get("REMOTE_ADDR", ""))
    peer = _parse(peer_text)
    if peer is None:
        return peer_text[:64]
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    client = peer
    if not any(peer in n for n in networks):
        if "HTTP_X_FORWARDED_FOR" in request.META:
            _warn_untrusted_forwarder(peer_text)
    else:
        hops = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-20:]
        for hop in reversed(hops):
            address = _parse(hop)
            if address is None:
                break  # a malformed hop: keep the last address a trusted proxy vouched for
            client = address
            if not any(address in n for n in networks):
                break
    return str(client)[:64]


class RequestContextMiddleware:
    """Give every request an id (kept from a trusted proxy's X-Request-ID) and its client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # a client's own X-Request-ID would let it plant a chosen id in the audit rows
        incoming = request.META.get("HTTP_X_REQUEST_ID", "") if is_trusted_proxy(request) else ""
        with acting(
            request_id=incoming if _REQUEST_ID.match(incoming) else None,
            client_addr=client_address(request),
            channel="web",
        ) as ctx:
            request.request_id = ctx.request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
            response["X-Request-ID"] = ctx.request_id
            return response
