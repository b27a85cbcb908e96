"""What operations relies on: the health check, the rate limit (shared through Redis), and one
structured log line per request."""

from __future__ import annotations

import json
import logging
import os
import uuid

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/15"


def _redis_or_skip(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            # a prefix of this test's own, never a flush: CI runs the SQLite and PostgreSQL passes at
            # once against the one Redis, and their keys expire within the minute
            "KEY_PREFIX": f"tz-test-{uuid.uuid4().hex}",
        }
    }


def test_health_reports_each_dependency_and_fails_with_503(client, settings, tmp_path):
    body = client.get(reverse("healthz")).json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok"}
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["storage"].startswith("error")


def test_health_through_redis(client, settings):
    _redis_or_skip(settings)
    assert client.get(reverse("healthz")).json()["cache"] == "ok"


def test_rate_limit_per_person_shared_by_every_server_through_redis(cast, client, settings, monkeypatch):
    from django.test import Client

    from taizhang.core import ops

    _redis_or_skip(settings)
    # the count is per clock minute: hold the clock inside one minute, or a loaded machine that
    # crosses a minute boundary mid-test starts a fresh count and the sixth request passes
    monkeypatch.setattr(ops, "clock", lambda: 1_800_000_030.0)
    settings.RATE_LIMIT_PER_MINUTE = 5
    other_server = Client()  # another application server: its own process, the same Redis
    client.force_login(cast.clerk)
    other_server.force_login(cast.clerk)
    statuses = [c.get(reverse("dashboard")).status_code for c in (client, other_server) * 3]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    limited = other_server.get(reverse("dashboard"))
    assert "请求过于频繁" in limited.content.decode() and int(limited["Retry-After"]) <= 60
    member = Client()
    member.force_login(cast.member)
    assert member.get(reverse("dashboard")).status_code == 200  # counted per person
    assert client.get(reverse("healthz")).status_code == 200  # the load balancer is never limited


def test_one_json_log_line_per_request(cast, client, caplog, settings):
    from taizhang.core.ops import JsonFormatter

    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the request id is kept only from a trusted proxy
    client.force_login(cast.clerk)
    with caplog.at_level(logging.INFO, logger="taizhang.request"):
        response = client.get(reverse("ledger:meeting_list"), HTTP_X_REQUEST_ID="req-12345678")
    (record,) = [r for r in caplog.records if r.name == "taizhang.request"]
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/ledger/meeting/" and line["status"] == response.status_code == 200
    assert line["user"] == cast.clerk.pk and line["unit"] == "demo-dist" and line["method"] == "GET"
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["request_id"] == "req-12345678"
