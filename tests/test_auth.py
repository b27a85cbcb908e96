"""Login and session policy: lockout and unlock, idle timeout, password rules, forced first change,
other sessions ended by a password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.core.models import AuditEntry
from taizhang.orgs import services
from taizhang.orgs.models import User

from .conftest import DEMO_PASSWORD


def _login(client: Client, username: str, password: str = DEMO_PASSWORD, ip: str = "192.0.2.10"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_and_logout_are_audited_and_logout_ends_the_session(cast, client):
    response = _login(client, "clerk")
    assert response.status_code == 302 and response.url == reverse("dashboard")
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stale.get(reverse("dashboard")).status_code == 302
    actions = list(
        AuditEntry.objects.filter(actor_id=cast.clerk.pk).order_by("seq").values_list("action", flat=True)
    )
    assert actions[-2:] == ["login", "logout"]


def test_five_failures_lock_the_account_until_unlocked(cast, client):
    for _ in range(4):
        assert _login(client, "clerk", "wrong-password").status_code == 200
    locked = _login(client, "clerk", "wrong-password")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # the right password no longer helps, from another address too
    assert _login(Client(), "clerk", ip="198.51.100.7").status_code == 429
    assert AuditEntry.objects.filter(action="login_failed").count() >= 5
    assert AuditEntry.objects.filter(action="lockout").exists()

    secadmin = Client()
    secadmin.force_login(cast.secadmin)
    page = secadmin.get(reverse("lockout_list")).content.decode()
    assert "clerk" in page and "已锁定" in page
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.filter(username="clerk").first()
    secadmin.post(reverse("lockout_unlock", kwargs={"pk": attempt.pk}))
    assert AuditEntry.objects.filter(action="unlock").exists()
    assert _login(Client(), "clerk").status_code == 302


def test_failures_from_one_address_lock_the_address(cast):
    client = Client()
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        _login(client, name, "nope", ip="203.0.113.5")
    # a correct password from that address is refused; from elsewhere it works
    assert _login(Client(), "member", ip="203.0.113.5").status_code == 429
    assert _login(Client(), "member", ip="203.0.113.99").status_code == 302


def test_lockout_expires_after_the_cool_off(cast, client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    for _ in range(5):
        _login(client, "member", "bad")
    assert _login(Client(), "member").status_code == 429
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    from axes.models import AccessAttemptExpiration

    AccessAttemptExpiration.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert _login(Client(), "member").status_code == 302


def test_idle_session_ends_after_thirty_minutes(cast, client):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    _login(client, "member")
    key = client.session.session_key
    assert client.get(reverse("dashboard")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "至少"),  # too short
        ("abcdefghij", "3 类"),  # one class
        ("abcdefgh12", "3 类"),  # two classes
        ("Member-2026x", "用户名"),  # contains the username
    ],
)
def test_password_rules(cast, password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, cast.member)
    assert message in " ".join(exc.value.messages)


def test_good_password_passes(cast):
    validate_password("Qixiang-2026", cast.member)


def test_first_login_forces_a_password_change(cast, client):
    services.user_create(
        acting_user=cast.sysadmin, username="newbie", full_name="新同志", password="Start-Pass-1"
    )
    response = _login(client, "newbie", "Start-Pass-1")
    assert client.get(reverse("dashboard")).url == reverse("password_change")
    assert client.get(reverse("ledger:index")).status_code == 302
    bad = client.post(
        reverse("password_change"),
        {"old_password": "Start-Pass-1", "new_password1": "simple", "new_password2": "simple"},
    )
    assert "至少" in bad.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": "Start-Pass-1", "new_password1": "Better-Pass-2", "new_password2": "Better-Pass-2"},
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert not User.objects.get(username="newbie").must_change_password


def test_reset_forces_change_again(cast, client):
    services.password_reset(acting_user=cast.sysadmin, user=cast.member, password="Temp-Pass-9")
    _login(client, "member", "Temp-Pass-9")
    assert client.get(reverse("dashboard")).url == reverse("password_change")


def test_password_change_ends_other_sessions(cast):
    laptop, phone = Client(), Client()
    _login(laptop, "clerk")
    _login(phone, "clerk", ip="192.0.2.11")
    assert phone.get(reverse("dashboard")).status_code == 200
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "Fresh-Pass-2026",
            "new_password2": "Fresh-Pass-2026",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("dashboard")).status_code == 200
    assert phone.get(reverse("dashboard")).status_code == 302


def test_admin_roles_are_exclusive(cast):
    with pytest.raises(ValidationError):
        services.user_set_admin_role(acting_user=None, user=cast.clerk, admin_role="audit")  # on the server
    with pytest.raises(ValidationError):
        services.membership_grant(
            acting_user=cast.secadmin, user=cast.auditor, unit=cast.units["demo-dist"], role="member"
        )
    # one field holds the role, so no account can be two administrators at once
    assert User._meta.get_field("admin_role").choices


def test_system_admin_cannot_read_the_audit_log(cast, client):
    client.force_login(cast.sysadmin)
    assert client.get(reverse("audit_log")).status_code == 403
    client.force_login(cast.auditor)
    assert client.get(reverse("audit_log")).status_code == 200
    assert client.get(reverse("account_list")).status_code == 403


def test_security_headers(cast, client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "csrftoken" in response.cookies or response.status_code == 200
