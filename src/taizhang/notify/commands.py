"""`taizhang notify …`: the worker and the daily pass as one-shot commands a systemd timer starts,
and a loop for the demo (and for a machine without systemd)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils import timezone

from taizhang.core.context import acting

from . import outbox, reminders
from .models import Delivery, DeliveryState


def deliver(*, budget: float, limit: int) -> str:
    with acting(channel="cli"):
        r = outbox.deliver_all(limit=limit, budget_seconds=budget)
    return f"外发：送达 {r.sent} 条，待重试 {r.retrying} 条，失败 {r.failed} 条。"


def remind(*, day: date | None, days: int | None) -> str:
    with acting(channel="cli"):
        r = reminders.remind(today=day, days=days)
    return (
        f"事前提醒（{(day or timezone.localdate()).isoformat()}）：新提醒 {r.reminders} 项，"
        f"涉及 {len(r.units)} 个单位，消息 {r.messages} 条，外发 {r.deliveries} 条。"
    )


def status() -> str:
    counts = dict(Delivery.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    parts = [f"{label} {counts.get(value, 0)} 条" for value, label in DeliveryState.choices]
    return "外发队列：" + "，".join(parts) + "。"


def loop(*, interval: float, limit: int, echo: Any = print) -> None:
    """Deliver every `interval` seconds and run the reminder pass once a day, until SIGTERM/SIGINT."""
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    last_pass: date | None = None
    while not stopping:
        today = timezone.localdate()
        if last_pass != today:
            echo(remind(day=today, days=None))
            last_pass = today
        line = deliver(budget=max(1.0, interval - 1), limit=limit)
        if not line.startswith("外发：送达 0 条，待重试 0 条，失败 0 条"):
            echo(line)
        slept = 0.0
        while slept < interval and not stopping:
            time.sleep(0.5)
            slept += 0.5


def start_loop() -> subprocess.Popen[bytes]:
    """`taizhang notify loop` as a child process (the demo runs it beside the server)."""
    code = "import sys; from taizhang.cli import main; sys.exit(main(['notify', 'loop']))"
    return subprocess.Popen([sys.executable, "-c", code])
