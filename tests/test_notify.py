"""Messages and their delivery: the outbox written with its cause, e-mail to a real SMTP server on
loopback, the group robots' JSON to a real HTTP receiver, retries with backoff, failure after the
last attempt, and what the security administrator sees of it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from taizhang.core.models import AuditEntry
from taizhang.notify import outbox
from taizhang.notify.models import Delivery, DeliveryAttempt, DeliveryState, Message
from taizhang.notify.services import notify_users, unit_robot_update


# --- a real SMTP server and a real HTTP receiver on loopback --------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """aiosmtpd's handler: keeps every accepted message; answers 451 to the first `refuse` ones."""

    def __init__(self) -> None:
        self.received: list[Any] = []
        self.refuse = 0
        self.delay = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.received.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(m["Subject"]))) for m in self.received]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


class Receiver:
    """A robot's endpoint: records each POST (path with query, JSON body) and answers `answers`
    in turn (an HTTP status and a JSON body), then errcode 0 for good. `hold` blocks answering
    the request number `hold_at` until released."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.requests.append((self.path, body))
                    number = len(receiver.requests)
                    status, answer = receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0})
                if receiver.hold_at == number:
                    receiver.held.set()
                    receiver.release.wait(30)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture
def robot_receiver() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def channels(settings: Any, smtp_server: tuple[Mailbox, int]) -> Mailbox:
    box, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.NOTIFY_EMAIL = True
    settings.NOTIFY_WEBHOOKS = True
    settings.NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.NOTIFY_WEBHOOK_ALLOW_HTTP = True
    settings.NOTIFY_SITE_URL = "https://taizhang.example.cn"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    return box


def with_email(*users: Any) -> None:
    for u in users:
        u.email = f"{u.username}@example.cn"
        u.save(update_fields=["email"])


def later(hours: float = 24) -> Any:
    """A moment past every backoff, to run the worker as it would run then."""
    return timezone.now() + timedelta(hours=hours)


# --- the outbox is written with its cause --------------------------------------------------------
def test_nothing_is_sent_for_a_cause_that_rolled_back(cast: Any, channels: Mailbox) -> None:
    with_email(cast.clerk)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_users(acting_user=cast.secretary, users=[cast.clerk], subject="将被撤回的通知", link="/")
        raise RuntimeError("the notice failed to save")
    assert not Message.objects.filter(subject="将被撤回的通知").exists()
    assert outbox.deliver_all(now=later()).sent == 0
    assert channels.received == []


def test_an_email_reaches_the_smtp_server_once(cast: Any, channels: Mailbox, client: Any) -> None:
    with_email(cast.clerk, cast.member)
    audit_before = AuditEntry.objects.count()
    n = notify_users(
        acting_user=cast.secretary,
        users=[cast.clerk, cast.member, cast.clerk],
        subject="请报送下半年专题报告",
        body="请于12月20日前报送。",
        link="/rules/",
        dedupe_key="notice:test:1",
    )
    assert n == 2
    assert AuditEntry.objects.count() == audit_before + 1  # one audit row for the call
    # the same key again writes nothing: a 催办 clicked twice reaches nobody twice
    assert (
        notify_users(
            acting_user=cast.secretary, users=[cast.clerk], subject="again", dedupe_key="notice:test:1"
        )
        == 0
    )

    result = outbox.deliver_all()
    assert (result.sent, result.failed) == (2, 0)
    assert sorted(channels.subjects()) == ["【台账】请报送下半年专题报告"] * 2
    mail = next(m for m in channels.received if m["To"] == "clerk@example.cn")
    text = mail.get_payload(decode=True).decode()
    assert "请于12月20日前报送。" in text and "https://taizhang.example.cn/rules/" in text
    assert outbox.deliver_all().sent == 0  # nothing sent twice
    assert len(channels.received) == 2
    assert DeliveryAttempt.objects.filter(ok=True).count() == 2

    client.force_login(cast.clerk)
    page = client.get(reverse("notify:inbox")).content.decode()
    assert "请报送下半年专题报告" in page and "未读 1" in page
    message = Message.objects.get(recipient=cast.clerk, dedupe_key="notice:test:1")
    assert client.get(reverse("notify:message_open", args=[message.pk])).url == "/rules/"
    assert "未读 0" in client.get(reverse("notify:inbox")).content.decode()


def test_a_person_who_switched_email_off_gets_the_message_only(
    cast: Any, channels: Mailbox, client: Any
) -> None:
    with_email(cast.member)
    client.force_login(cast.member)
    client.post(reverse("notify:my_setting"), {"email": "0"})
    notify_users(acting_user=None, users=[cast.member], subject="只在消息中心")
    assert Message.objects.filter(recipient=cast.member, subject="只在消息中心").exists()
    assert not Delivery.objects.filter(message__subject="只在消息中心").exists()


# --- group robots --------------------------------------------------------------------------------
def test_wecom_and_dingtalk_robots_get_their_own_json(
    cast: Any, channels: Mailbox, robot_receiver: tuple[Receiver, str]
) -> None:
    receiver, base = robot_receiver
    dist, east = cast.units["demo-dist"], cast.units["demo-east"]
    unit_robot_update(
        acting_user=cast.sysadmin, unit=dist, robot="wecom", webhook_url=f"{base}/cgi-bin/webhook/send?key=K1"
    )
    unit_robot_update(
        acting_user=cast.sysadmin,
        unit=east,
        robot="dingtalk",
        webhook_url=f"{base}/robot/send?access_token=T2",
        webhook_secret="SEC-demo",
    )
    notify_users(
        acting_user=None,
        users=[cast.clerk, cast.secretary],
        subject="区局提醒",
        body="内容甲",
        link="/x/",
        unit=dist,
    )
    notify_users(acting_user=None, users=[cast.outsider], subject="东区提醒", body="内容乙", unit=east)
    assert outbox.deliver_all().sent == 2  # one post per unit, not one per person
    by_path = {urllib.parse.urlsplit(path).path: (path, body) for path, body in receiver.requests}
    _, wecom = by_path["/cgi-bin/webhook/send"]
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("**区局提醒**\n内容甲")
    assert "https://taizhang.example.cn/x/" in wecom["markdown"]["content"]
    path, ding = by_path["/robot/send"]
    assert ding["markdown"]["title"] == "东区提醒" and "内容乙" in ding["markdown"]["text"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    expected = hmac.new(b"SEC-demo", f"{query['timestamp'][0]}\nSEC-demo".encode(), hashlib.sha256).digest()
    assert query["access_token"] == ["T2"]
    assert query["sign"] == [base64.b64encode(expected).decode()]


def test_a_robot_outside_the_allowed_hosts_is_refused(cast: Any, settings: Any) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    settings.NOTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com"]
    dist = cast.units["demo-dist"]
    with pytest.raises(ValidationError, match="不在本系统允许的范围内"):
        unit_robot_update(
            acting_user=cast.sysadmin, unit=dist, robot="wecom", webhook_url="https://10.0.0.5/hook"
        )
    with pytest.raises(ValidationError, match="https"):
        unit_robot_update(
            acting_user=cast.sysadmin, unit=dist, robot="wecom", webhook_url="http://qyapi.weixin.qq.com/x"
        )
    with pytest.raises(PermissionDenied):
        unit_robot_update(
            acting_user=cast.secretary, unit=dist, robot="wecom", webhook_url="https://qyapi.weixin.qq.com/x"
        )


# --- retries, backoff, failure -----------------------------------------------------------------------
def test_a_failing_robot_is_retried_then_marked_failed(
    cast: Any, channels: Mailbox, robot_receiver: tuple[Receiver, str], client: Any
) -> None:
    receiver, base = robot_receiver
    dist = cast.units["demo-dist"]
    unit_robot_update(
        acting_user=cast.sysadmin, unit=dist, robot="wecom", webhook_url=f"{base}/cgi-bin/webhook/send?key=K"
    )
    receiver.answers = [(500, {}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"}), (502, {})]
    notify_users(acting_user=None, users=[cast.clerk], subject="推送失败的提醒", unit=dist)
    first = outbox.deliver_all()
    assert (first.sent, first.retrying) == (0, 1)
    d = Delivery.objects.get(message__subject="推送失败的提醒")
    assert d.state == DeliveryState.PENDING and d.attempts == 1
    assert d.next_attempt_at > timezone.now() + timedelta(seconds=50)  # backed off, not retried at once
    assert outbox.deliver_all().handled == 0

    assert outbox.deliver_all(now=later()).failed == 1  # the 2nd and 3rd attempts fail too
    d.refresh_from_db()
    assert d.state == DeliveryState.FAILED and d.attempts == 3
    tries = list(d.tries.order_by("number").values_list("ok", "error"))
    assert [ok for ok, _ in tries] == [False, False, False]
    assert "HTTP 500" in tries[0][1] and "93000" in tries[1][1]
    assert len(receiver.requests) == 3

    client.force_login(cast.secadmin)
    listing = client.get(reverse("notify:deliveries") + "?state=failed").content.decode()
    assert "推送失败的提醒" in listing and "发送失败" in listing
    detail = client.get(reverse("notify:delivery_detail", args=[d.pk])).content.decode()
    assert detail.count("失败</span>") == 3 and "HTTP 502" in detail
    # the administrator sends it once more: this time the robot answers
    client.post(reverse("notify:delivery_retry", args=[d.pk]))
    assert outbox.deliver_all().sent == 1
    d.refresh_from_db()
    assert d.state == DeliveryState.SENT and d.attempts == 4


def test_an_smtp_server_that_defers_is_retried_and_the_mail_arrives_once(
    cast: Any, channels: Mailbox
) -> None:
    with_email(cast.clerk)
    channels.refuse = 1
    notify_users(acting_user=None, users=[cast.clerk], subject="稍后送达")
    assert outbox.deliver_all().retrying == 1
    assert outbox.deliver_all(now=later()).sent == 1
    assert channels.subjects() == ["【台账】稍后送达"]
    d = Delivery.objects.get(message__subject="稍后送达")
    assert list(d.tries.values_list("ok", flat=True)) == [False, True]


def test_inbox_and_outbox_pages_cost_the_same_queries_for_many_rows(
    cast: Any, channels: Mailbox, client: Any, django_assert_max_num_queries: Any
) -> None:
    with_email(cast.clerk)

    def pages() -> None:
        client.force_login(cast.clerk)
        client.get(reverse("notify:inbox"))
        client.force_login(cast.secadmin)
        client.get(reverse("notify:deliveries"))

    notify_users(acting_user=None, users=[cast.clerk], subject="第 0 条")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        pages()
    for i in range(1, 30):
        notify_users(acting_user=None, users=[cast.clerk], subject=f"第 {i} 条")
    with django_assert_max_num_queries(len(one)):
        pages()


def test_the_system_administrator_sets_a_units_robot_on_its_page(
    cast: Any, settings: Any, client: Any
) -> None:
    from taizhang.notify.models import ChannelSetting

    settings.NOTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com"]
    dist = cast.units["demo-dist"]
    client.force_login(cast.sysadmin)
    url = reverse("notify:robot_edit", args=[dist.pk])
    refused = client.post(url, {"robot": "wecom", "webhook_url": "https://robot.example.com/send?key=1"})
    assert "不在本系统允许的范围内" in refused.content.decode()
    assert not ChannelSetting.objects.filter(unit=dist).exists()
    hook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET-KEY"
    assert client.post(url, {"robot": "wecom", "webhook_url": hook}).status_code == 302
    listing = client.get(reverse("notify:robots")).content.decode()
    assert "企业微信" in listing
    entry = AuditEntry.objects.filter(object_type="notify.ChannelSetting").order_by("-seq").first()
    assert entry is not None and "SECRET-KEY" not in json.dumps(entry.after)  # the key stays out of the log


def test_the_bundles_timers_run_commands_the_cli_accepts() -> None:
    """The units install.sh enables on every server: each timer is persistent, each service's
    command line parses as `taizhang notify …`."""
    import shlex
    from pathlib import Path

    from taizhang.cli import build_parser

    systemd = Path(__file__).resolve().parent.parent / "deploy/bundle/systemd"
    for name, action in (("taizhang-notify", "deliver"), ("taizhang-remind", "remind")):
        timer = (systemd / f"{name}.timer").read_text()
        assert "OnCalendar=" in timer and "Persistent=true" in timer
        start = next(
            x for x in (systemd / f"{name}.service").read_text().splitlines() if x.startswith("ExecStart=")
        )
        argv = shlex.split(start.removeprefix("ExecStart="))[1:]
        args = build_parser().parse_args(argv)
        assert (args.command, args.action) == ("notify", action)
    assert "taizhang-notify.timer taizhang-remind.timer" in (systemd.parent / "install.sh").read_text()
