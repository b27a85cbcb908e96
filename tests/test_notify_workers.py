"""The outbox worker as it runs in production: `taizhang notify deliver` processes, two at once on
one queue (nothing sent twice, nothing lost), and one killed with SIGKILL in the middle of a send
(the next run resumes it once its lease has run out). The processes use a copy of the test
database (SQLite: a file; PostgreSQL: a database made from it), so both backends are exercised."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_notify import Mailbox, Receiver, robot_receiver, smtp_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SEED = """
import sys
from django.db import transaction
from taizhang.core.context import acting
from taizhang.notify.models import ChannelSetting
from taizhang.notify.services import notify_users
from taizhang.orgs import services
from taizhang.orgs.models import Unit, UnitKind, User
prefix, count, robot = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with acting(channel="cli"), transaction.atomic():
    unit = Unit.objects.filter(code="notify-w").first() or services.unit_create(
        acting_user=None, code="notify-w", name="外发测试局", short_name="外发", kind=UnitKind.COUNTY, parent=None)
    user = User.objects.filter(username="notify-w").first() or services.user_create(
        acting_user=None, username="notify-w", full_name="收件人", password="Notify-Pass-2026",
        must_change_password=False)
    User.objects.filter(pk=user.pk).update(email="notify-w@example.cn")
    user.refresh_from_db()
    if robot:
        ChannelSetting.objects.update_or_create(unit=unit, defaults={"robot": "wecom", "webhook_url": robot})
    for i in range(count):
        notify_users(acting_user=None, users=[user], subject=f"{prefix}{i:03d}", unit=unit)
"""


def _env(base: dict[str, str], **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAIZHANG_")}
    env.update(DJANGO_SETTINGS_MODULE="taizhang.settings", **base, **extra)
    return env


@pytest.fixture(scope="module")
def worker_db(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """A database of its own for the worker processes, copied from the test database."""
    from django.db import connection

    from taizhang.core import audit

    data = tmp_path_factory.mktemp("notify-workers")
    with django_db_blocker.unblock():
        env = {"TAIZHANG_DATA_DIR": str(data), "TAIZHANG_AUDIT_KEY": audit.installation_key().decode()}
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(data / "taizhang.sqlite3")
            connection.connection.backup(target)
            target.close()
            yield env
            return
        import psycopg

        s = connection.settings_dict
        source, name = s["NAME"], f"{s['NAME']}_workers"
        connection.close()
        dsn = f"host={s['HOST']} port={s['PORT'] or 5432} user={s['USER']} dbname=postgres"
        with psycopg.connect(
            dsn + (f" password={s['PASSWORD']}" if s["PASSWORD"] else ""), autocommit=True
        ) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        auth = f"{s['USER']}:{s['PASSWORD']}" if s["PASSWORD"] else s["USER"]
        env["TAIZHANG_DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT'] or 5432}/{name}"
        try:
            yield env
        finally:
            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    url = env.get("TAIZHANG_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url) as c:
            return list(c.execute(sql).fetchall())
    with sqlite3.connect(Path(env["TAIZHANG_DATA_DIR"]) / "taizhang.sqlite3") as c:
        return c.execute(sql).fetchall()


def _seed(env: dict[str, str], prefix: str, count: int, robot: str = "") -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{SEED}", prefix, str(count), robot],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    exe = Path(sys.executable).with_name("taizhang")
    return subprocess.Popen(
        [str(exe), "notify", "deliver", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


STATES = """SELECT d.state, count(*), sum(d.attempts) FROM notify_delivery d
JOIN notify_message m ON m.id = d.message_id WHERE m.subject LIKE '{p}%' GROUP BY d.state"""


def test_two_workers_at_once_send_every_mail_exactly_once(
    worker_db: dict[str, str],
    smtp_server: tuple[Mailbox, int],  # noqa: F811
) -> None:
    box, port = smtp_server
    box.delay = 0.02  # each mail takes a moment, so the two workers' batches interleave
    env = _env(
        worker_db,
        TAIZHANG_NOTIFY_EMAIL="1",
        TAIZHANG_EMAIL_HOST="127.0.0.1",
        TAIZHANG_EMAIL_PORT=str(port),
    )
    _seed(env, "并发", 40)
    workers = [_worker(env, "--limit", "4"), _worker(env, "--limit", "4")]
    for w in workers:
        _out, err = w.communicate(timeout=180)
        assert w.returncode == 0, err
    ids = Counter(m["Message-ID"] for m in box.received)
    assert len(ids) == 40 and set(ids.values()) == {1}  # every mail, none twice
    assert _rows(env, STATES.format(p="并发")) == [("sent", 40, 40)]
    by_worker = _rows(
        env,
        """SELECT count(DISTINCT a.worker), count(*) FROM notify_deliveryattempt a
        JOIN notify_delivery d ON d.id = a.delivery_id JOIN notify_message m ON m.id = d.message_id
        WHERE m.subject LIKE '并发%'""",
    )
    assert by_worker == [(2, 40)]  # both workers sent some; one attempt per mail


def test_a_killed_worker_is_resumed_by_the_next_run(
    worker_db: dict[str, str],
    robot_receiver: tuple[Receiver, str],  # noqa: F811
) -> None:
    receiver, base = robot_receiver
    env = _env(
        worker_db,
        TAIZHANG_NOTIFY_WEBHOOKS="1",
        TAIZHANG_NOTIFY_WEBHOOK_HOSTS="127.0.0.1",
        TAIZHANG_NOTIFY_WEBHOOK_ALLOW_HTTP="1",
        TAIZHANG_NOTIFY_LEASE_SECONDS="2",
    )
    _seed(env, "断点", 8, robot=f"{base}/cgi-bin/webhook/send?key=W")
    receiver.hold_at = 4  # the 4th post is received and never answered: the worker is killed then
    first = _worker(env, "--limit", "100")
    assert receiver.held.wait(60), "the worker never reached the 4th post"
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    states = dict((s, n) for s, n, _ in _rows(env, STATES.format(p="断点")))
    assert states == {"sent": 3, "pending": 5}
    receiver.release.set()
    time.sleep(2.5)  # the dead worker's leases run out
    second = _worker(env)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert "送达 5 条" in out
    assert _rows(env, STATES.format(p="断点")) == [("sent", 8, 8)]  # one recorded attempt each
    seen = Counter(body["markdown"]["content"].split("\n")[0] for _, body in receiver.requests)
    assert len(seen) == 8
    # the post cut off by the kill was received again: robots get a message at least once
    assert sorted(seen.values()) == [1] * 7 + [2]
