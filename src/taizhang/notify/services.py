"""Writes of the notify app. The public API other apps call is `notify_users`: it writes the
in-app messages and their outbox rows inside the caller's transaction, with one audit row, so a
message exists exactly when what caused it was committed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from taizhang.core import audit

from .models import Channel, ChannelSetting, Delivery, DeliveryState, Message, RobotKind
from .webhooks import check_webhook_url

SUBJECT_MAX = 200
BODY_MAX = 4000


def is_local_link(link: str) -> bool:
    """A path on this site: "/rules/…", never "//host", "/\\host" or a scheme."""
    return (
        link.startswith("/")
        and not link.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(link, allowed_hosts=None)
    )


def _cause_label(cause: Any) -> str:
    if cause is None:
        return ""
    if isinstance(cause, str):
        return cause[:120]
    if isinstance(cause, models.Model):
        return f"{cause._meta.label}:{cause.pk}"[:120]
    raise TypeError("cause 须为模型实例或文字")


class Channels:
    """What recipients and units get beside the in-app message, read once for a whole batch (a
    call of notify_users, or the daily pass over every unit)."""

    def __init__(self, user_ids: Iterable[int], unit_ids: Iterable[int]) -> None:
        self.email = bool(getattr(settings, "NOTIFY_EMAIL", False))
        self.email_off: set[int] = (
            set(
                ChannelSetting.objects.filter(user__in=list(user_ids), email=False).values_list(
                    "user_id", flat=True
                )
            )
            if self.email
            else set()
        )
        self.robots: dict[int, ChannelSetting] = {}
        if getattr(settings, "NOTIFY_WEBHOOKS", False):
            ids = [i for i in unit_ids if i is not None]
            for setting in (
                ChannelSetting.objects.filter(unit__in=ids).exclude(webhook_url="").exclude(robot="")
            ):
                self.robots[setting.unit_id] = setting  # type: ignore[index]

    def rows(self, messages: list[Message], unit_id: int | None) -> list[Delivery]:
        """The outbox rows for messages just written about one unit: an e-mail for each recipient
        with an address, one post to the unit's group robot for all of them."""
        now = timezone.now()
        rows = [
            Delivery(message=m, channel=Channel.EMAIL, target=m.recipient.email, next_attempt_at=now)
            for m in messages
            if self.email and m.recipient.email and m.recipient_id not in self.email_off
        ]
        robot = self.robots.get(unit_id) if unit_id is not None else None
        if robot is not None and messages:
            rows.append(
                Delivery(
                    message=messages[0],
                    channel=Channel.WEBHOOK,
                    robot=robot.robot,
                    target=robot.webhook_url,
                    secret=robot.webhook_secret,
                    next_attempt_at=now,
                )
            )
        return rows


def _insert_messages(rows: list[Message]) -> list[Message]:
    """Insert the messages; a recipient who already holds the same dedupe key (written meanwhile by
    another request or server) is skipped, the others are written."""
    try:
        with transaction.atomic():
            return Message.objects.bulk_create(rows)
    except IntegrityError:
        written = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue
            written.append(row)
        return written


def _checked_subject(subject: str, link: str) -> str:
    """The subject on one line within its length; refused when empty, or when the link leads off
    this site."""
    subject = " ".join(subject.split())[:SUBJECT_MAX]
    if not subject:
        raise ValidationError("消息标题不能为空。")
    if link and not is_local_link(link):
        raise ValidationError("消息链接须为本系统内的地址。")
    return subject


def _recipients(users: Iterable[Any], dedupe_key: str | None) -> list[Any]:
    """The active accounts among `users`, each once in the given order, less those already holding
    a message with `dedupe_key`."""
    seen: set[int] = set()
    people = []
    for u in users:
        if u.pk not in seen and u.is_active:
            seen.add(u.pk)
            people.append(u)
    if dedupe_key:
        already = set(
            Message.objects.filter(recipient__in=[u.pk for u in people], dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        people = [u for u in people if u.pk not in already]
    return people


@transaction.atomic
def notify_users(
    *,
    acting_user: Any,
    users: Iterable[Any],
    subject: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
    cause: Any = None,
    unit: Any = None,
    category: str = "",
) -> int:
    """Write one message to each of `users` (inactive accounts and duplicates skipped) and the outbox
    rows for their e-mail and, when `unit` has a group robot, one post to it. Runs inside the caller's
    transaction: if the caller rolls back, nothing was sent. `dedupe_key`: a person already holding a
    message with this key gets no second one. `link`: a path inside Taizhang ("/rules/…").
    Returns the number of messages written."""
    subject = _checked_subject(subject, link)
    people = _recipients(users, dedupe_key)
    if not people:
        return 0
    cause_label = _cause_label(cause)
    sender = acting_user if getattr(acting_user, "pk", None) else None
    rows = [
        Message(
            recipient=u,
            sender=sender,
            unit=unit,
            subject=subject,
            body=body[:BODY_MAX],
            link=link[:500],
            category=category[:32],
            cause=cause_label,
            dedupe_key=dedupe_key or None,
        )
        for u in people
    ]
    written = _insert_messages(rows)
    if not written:
        return 0
    queue_deliveries(written, unit=unit)
    audit.record(
        action="create",
        actor=sender,
        unit=unit,
        object_type="notify.Message",
        object_id=str(written[0].pk),
        object_label=f"消息：{subject}"[:300],
        after={
            "recipients": [m.recipient_id for m in written],
            "count": len(written),
            "cause": cause_label,
            "dedupe_key": dedupe_key,
            "link": link,
        },
    )
    return len(written)


def queue_deliveries(messages: list[Message], *, unit: Any) -> int:
    """The outbox rows for freshly written messages, in their transaction."""
    unit_id = getattr(unit, "pk", None)
    rows = Channels([m.recipient_id for m in messages], [unit_id] if unit_id else []).rows(messages, unit_id)
    Delivery.objects.bulk_create(rows)
    return len(rows)


# -- 消息中心 ---------------------------------------------------------------------------------------


def message_mark_read(*, acting_user: Any, message_ids: Iterable[int] | None = None) -> int:
    """Mark the acting user's own messages read (all unread ones when no ids are given). Reading is
    not audited: it changes nothing but the reader's own view."""
    qs = Message.objects.filter(recipient=acting_user, read_at__isnull=True)
    if message_ids is not None:
        qs = qs.filter(pk__in=list(message_ids))
    return qs.update(read_at=timezone.now())


# -- channel settings ------------------------------------------------------------------------------


@transaction.atomic
def person_setting_update(*, acting_user: Any, email: bool) -> ChannelSetting:
    """A person switches e-mail copies of their messages on or off (for themselves only)."""
    setting, _ = ChannelSetting.objects.select_for_update().get_or_create(user=acting_user)
    before = audit.snapshot(setting)
    setting.email = email
    setting.full_clean()
    setting.save()
    audit.record(
        action="change", actor=acting_user, obj=setting, before=before, after=audit.snapshot(setting)
    )
    return setting


@transaction.atomic
def unit_robot_update(
    *, acting_user: Any, unit: Any, robot: str, webhook_url: str, webhook_secret: str = ""
) -> ChannelSetting:
    """The system administrator names a unit's group robot (or clears it with an empty address)."""
    if getattr(acting_user, "admin_role", "") != "system":
        raise PermissionDenied("只有系统管理员可以设置单位的群机器人。")
    webhook_url = webhook_url.strip()
    if webhook_url:
        if robot not in RobotKind.values:
            raise ValidationError("请选择群机器人类型。")
        check_webhook_url(webhook_url)
    else:
        robot, webhook_secret = "", ""
    setting, _ = ChannelSetting.objects.select_for_update().get_or_create(unit=unit)
    before = _robot_snapshot(setting)
    setting.robot, setting.webhook_url, setting.webhook_secret = robot, webhook_url, webhook_secret.strip()
    setting.full_clean()
    setting.save()
    audit.record(
        action="change",
        actor=acting_user,
        obj=setting,
        unit=unit,
        before=before,
        after=_robot_snapshot(setting),
    )
    return setting


def _robot_snapshot(setting: ChannelSetting) -> dict[str, Any]:
    """The robot's address up to its path: the key in its query and the signing secret are
    credentials and stay out of the audit log."""
    return {
        "robot": setting.robot,
        "webhook_url": setting.webhook_url.split("?", 1)[0],
        "has_secret": bool(setting.webhook_secret),
    }


@transaction.atomic
def delivery_retry(*, acting_user: Any, delivery: Delivery) -> Delivery:
    """The security administrator sends a failed row once more (after the address was fixed, say):
    it goes back to the queue with its attempts so far kept, and may be tried once more."""
    if getattr(acting_user, "admin_role", "") != "security":
        raise PermissionDenied("只有安全管理员可以重新发送。")
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != DeliveryState.FAILED:
        raise ValidationError("只有发送失败的投递可以重新发送。")
    before = {"state": delivery.state, "attempts": delivery.attempts}
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.lease_until, delivery.lease_owner = None, ""
    delivery.save(update_fields=["state", "next_attempt_at", "lease_until", "lease_owner"])
    audit.record(
        action="change",
        actor=acting_user,
        unit=delivery.message.unit,
        object_type="notify.Delivery",
        object_id=str(delivery.pk),
        object_label=f"重新发送：{delivery.message.subject}"[:300],
        before=before,
        after={"state": delivery.state, "attempts": delivery.attempts},
    )
    return delivery
