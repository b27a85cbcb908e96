"""The worker that empties the outbox: claim due rows, send each, record the attempt.

Claiming is a conditional UPDATE that sets a lease (`lease_until`, `lease_owner`) on rows that are
due and not leased; on PostgreSQL the candidates are first read with `select_for_update(skip_locked)`
so workers on several servers do not queue behind each other's rows. Just before each send the
worker renews that row's lease (and skips it if another worker has taken it meanwhile), and only
the worker holding the lease records the outcome, so two workers never both send one row; a
worker killed mid-batch leaves leases that expire after NOTIFY_LEASE_SECONDS, and the next run
resumes those rows.

Delivery is at least once in one narrow case: a worker killed after the receiver accepted a message
and before the attempt was recorded. E-mail carries a Message-ID fixed per row, so a mail client
shows a resent copy as the same message.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import webhooks
from .models import Channel, Delivery, DeliveryAttempt, DeliveryState
from .webhooks import DeliveryError

logger = logging.getLogger("taizhang.notify")

RETRY_CAP = timedelta(hours=6)


@dataclass
class Result:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def backoff(attempts: int) -> timedelta:
    """Wait before try `attempts + 1`: the base doubling each time, at most six hours."""
    base = int(getattr(settings, "NOTIFY_RETRY_SECONDS", 60))
    return min(RETRY_CAP, timedelta(seconds=base * 2 ** max(0, attempts - 1)))


def _due(now: datetime) -> Q:
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def claim(owner: str, *, limit: int, lease: timedelta, now: datetime) -> list[Delivery]:
    """Lease up to `limit` due rows to `owner`; returns the rows this owner holds."""
    with transaction.atomic():
        candidates = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        # the condition is checked again by the UPDATE itself: on SQLite, where nothing is locked
        # by the read, a row another worker leased meanwhile is simply not taken
        Delivery.objects.filter(_due(now), pk__in=ids).update(lease_until=now + lease, lease_owner=owner)
    return list(
        Delivery.objects.filter(pk__in=ids, lease_owner=owner, state=DeliveryState.PENDING)
        .select_related("message", "message__recipient")
        .order_by("next_attempt_at", "id")
    )


def _site_link(link: str) -> str:
    base = str(getattr(settings, "NOTIFY_SITE_URL", "") or "").rstrip("/")
    return f"{base}{link}" if base and link else ""


class Sender:
    """Sends rows over their channel; keeps one SMTP connection open for a batch."""

    def __init__(self) -> None:
        self.timeout = float(getattr(settings, "NOTIFY_TIMEOUT", 10))
        self._smtp: Any = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except Exception:
                logger.debug("closing the SMTP connection failed", exc_info=True)
            self._smtp = None

    def send(self, d: Delivery) -> None:
        if d.channel == Channel.EMAIL:
            self._email(d)
        elif d.channel == Channel.WEBHOOK:
            m = d.message
            data = webhooks.payload(d.robot, subject=m.subject, body=m.body, link=_site_link(m.link))
            webhooks.post(d.robot, d.target, d.secret, data, timeout=self.timeout)
        else:
            raise DeliveryError(f"未知的渠道 {d.channel}", permanent=True)

    def _email(self, d: Delivery) -> None:
        m = d.message
        link = _site_link(m.link)
        body = (
            m.body
            + (f"\n\n请登录台账办理：{link}" if link else "")
            + "\n\n（本邮件由台账系统自动发送，请勿直接回复。）"
        )
        sender = settings.DEFAULT_FROM_EMAIL
        domain = sender.rsplit("@", 1)[-1].strip("> ") or "taizhang.local"
        if self._smtp is None:
            self._smtp = get_connection(timeout=self.timeout)
        mail = EmailMessage(
            subject=f"【台账】{m.subject}",
            body=body,
            from_email=sender,
            to=[d.target],
            headers={"Message-ID": f"<taizhang.delivery.{d.pk}@{domain}>"},
            connection=self._smtp,
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            raise DeliveryError(f"邮件服务器拒收该地址：{_smtp_reason(exc)}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"邮件发送失败：{_smtp_reason(exc)}") from None


def _smtp_reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        ]
        return "；".join(codes)[:300]
    return (str(exc) or type(exc).__name__)[:300]


def _record(d: Delivery, owner: str, *, error: DeliveryError | None, started: datetime, ms: int) -> str:
    """Write the attempt and the row's new state, if this worker still holds the lease."""
    number = d.attempts + 1
    max_attempts = int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 6))
    if error is None:
        state, fields = (
            DeliveryState.SENT,
            {"sent_at": timezone.now(), "last_error": "", "next_attempt_at": None},
        )
    elif error.permanent or number >= max_attempts:
        state, fields = DeliveryState.FAILED, {"last_error": str(error)[:500], "next_attempt_at": None}
    else:
        state = DeliveryState.PENDING
        fields = {"last_error": str(error)[:500], "next_attempt_at": timezone.now() + backoff(number)}
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=d.pk, lease_owner=owner, state=DeliveryState.PENDING).update(
            state=state, attempts=number, lease_until=None, lease_owner="", **fields
        )
        if not updated:
            logger.warning("delivery %s: lease lost before the attempt was recorded", d.pk)
            return "lost"
        DeliveryAttempt.objects.create(
            delivery_id=d.pk,
            number=number,
            at=started,
            ok=error is None,
            error="" if error is None else str(error)[:500],
            worker=owner[:64],
            duration_ms=ms,
        )
    return state


def _renew(d: Delivery, owner: str, lease: timedelta) -> bool:
    """Extend this row's lease just before sending it; False if another worker holds it now (this
    worker's lease ran out while earlier rows of the batch were slow, and the row was taken)."""
    until = timezone.now() + lease
    return bool(
        Delivery.objects.filter(pk=d.pk, lease_owner=owner, state=DeliveryState.PENDING).update(
            lease_until=until
        )
    )


def deliver_due(*, limit: int = 100, owner: str | None = None, now: datetime | None = None) -> Result:
    """One batch: claim what is due, then for each row renew its lease, send it, record the try."""
    owner = owner or worker_name()
    lease = timedelta(seconds=int(getattr(settings, "NOTIFY_LEASE_SECONDS", 300)))
    result = Result()
    batch = claim(owner, limit=limit, lease=lease, now=now or timezone.now())
    if not batch:
        return result
    sender = Sender()
    try:
        for d in batch:
            if not _renew(d, owner, lease):
                continue
            started = timezone.now()
            t0 = time.monotonic()
            error: DeliveryError | None = None
            try:
                sender.send(d)
            except DeliveryError as exc:
                error = exc
            state = _record(d, owner, error=error, started=started, ms=int((time.monotonic() - t0) * 1000))
            if state == DeliveryState.SENT:
                result.sent += 1
            elif state == DeliveryState.FAILED:
                result.failed += 1
                logger.warning("delivery %s failed for good: %s", d.pk, error)
            elif state == DeliveryState.PENDING:
                result.retrying += 1
    finally:
        sender.close()
    return result


def deliver_all(*, limit: int = 100, budget_seconds: float = 50.0, now: datetime | None = None) -> Result:
    """Batches until nothing is due or the time budget is spent (a timer starts the next run)."""
    total = Result()
    owner = worker_name()
    stop = time.monotonic() + budget_seconds
    while time.monotonic() < stop:
        r = deliver_due(limit=limit, owner=owner, now=now)
        total.sent, total.retrying, total.failed = (
            total.sent + r.sent,
            total.retrying + r.retrying,
            total.failed + r.failed,
        )
        if r.handled == 0:
            break
    return total
