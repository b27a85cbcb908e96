"""Who is acting and from where, for the audit rows written during one request or command."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class ActorContext:
    request_id: str
    client_addr: str
    channel: str  # "web" or "cli"


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar("taizhang_actor", default=None)


def current() -> ActorContext:
    ctx = _current.get()
    if ctx is None:
        return ActorContext(request_id=uuid.uuid4().hex, client_addr="", channel="cli")
    return ctx


def active() -> ActorContext | None:
    """The request's or command's context, if one is running (logs outside one carry none)."""
    return _current.get()


@contextmanager
def acting(
    *, request_id: str | None = None, client_addr: str = "", channel: str = "web"
) -> Iterator[ActorContext]:
    ctx = ActorContext(request_id=request_id or uuid.uuid4().hex, client_addr=client_addr, channel=channel)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
