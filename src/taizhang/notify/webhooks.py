"""Group robots of 企业微信, 政务微信 and 钉钉: the address check, each one's JSON and the POST.

企业微信 and 政务微信 (企业微信's government edition, on its own host) take
`{"msgtype": "markdown", "markdown": {"content": …}}` at …/cgi-bin/webhook/send?key=…;
钉钉 takes `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}` at …/robot/send?access_token=…,
signed with `timestamp` and `sign` when the robot has 加签 on. All three answer
`{"errcode": 0, "errmsg": "ok"}`; anything else is a failed attempt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

# a robot's answer is a few dozen bytes; more than this is not a robot
RESPONSE_LIMIT = 64 * 1024
# 企业微信 refuses markdown over 4,096 bytes; 钉钉's limit is larger, one cut serves both
CONTENT_LIMIT = 3800


class DeliveryError(Exception):
    """One attempt failed; `permanent` when retrying cannot help (the address is refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def allowed_hosts() -> list[str]:
    return [h.lower() for h in getattr(settings, "NOTIFY_WEBHOOK_HOSTS", [])]


def check_webhook_url(url: str) -> None:
    """Only robots on the hosts the deployment names (TAIZHANG_NOTIFY_WEBHOOK_HOSTS), over HTTPS
    unless plain HTTP is allowed for an intranet: the server posts to no address a user picks."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        raise ValidationError("群机器人地址格式不正确。") from None
    allowed_schemes = (
        {"https", "http"} if getattr(settings, "NOTIFY_WEBHOOK_ALLOW_HTTP", False) else {"https"}
    )
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise ValidationError("群机器人地址须以 https:// 开头。")
    if parts.username or parts.password:
        raise ValidationError("群机器人地址不能包含用户名或密码。")
    if len(url) > 500:
        raise ValidationError("群机器人地址过长。")
    hosts = allowed_hosts()
    if parts.hostname.lower() not in hosts:
        listed = "、".join(hosts) or "（未配置）"
        raise ValidationError(f"群机器人地址的主机不在本系统允许的范围内（允许：{listed}）。")


def _content(subject: str, body: str, link: str) -> str:
    text = f"**{subject}**\n{body}".strip()
    if len(text.encode()) > CONTENT_LIMIT:
        text = text.encode()[:CONTENT_LIMIT].decode(errors="ignore") + "…"
    return f"{text}\n[打开台账]({link})" if link else text


def payload(robot: str, *, subject: str, body: str, link: str) -> dict[str, Any]:
    content = _content(subject, body, link)
    if robot == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": subject[:60], "text": content}}
    return {"msgtype": "markdown", "markdown": {"content": content}}


def signed_url(robot: str, url: str, secret: str, *, now_ms: int | None = None) -> str:
    """钉钉 加签: HMAC-SHA256 over "timestamp\\nsecret" keyed by the secret, in the query."""
    if robot != "dingtalk" or not secret:
        return url
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a robot never redirects; following one would post elsewhere


_opener = urllib.request.build_opener(_NoRedirect)


def post(robot: str, url: str, secret: str, data: dict[str, Any], *, timeout: float) -> None:
    """POST the JSON; raise DeliveryError unless the robot answers errcode 0."""
    try:
        check_webhook_url(url)
    except ValidationError as exc:
        raise DeliveryError(" ".join(exc.messages), permanent=True) from None
    request = urllib.request.Request(  # noqa: S310  (the scheme and host were checked above)
        signed_url(robot, url, secret),
        data=json.dumps(data, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            raw = response.read(RESPONSE_LIMIT + 1)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"群机器人返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"无法连接群机器人：{reason}") from None
    if len(raw) > RESPONSE_LIMIT:
        raise DeliveryError("群机器人的应答过长")
    try:
        answer = json.loads(raw)
    except ValueError:
        raise DeliveryError("群机器人的应答不是 JSON") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        message = answer.get("errmsg") if isinstance(answer, dict) else None
        raise DeliveryError(f"群机器人拒绝：errcode={code} {str(message or '')[:200]}".strip())
