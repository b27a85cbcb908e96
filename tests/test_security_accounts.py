"""Issue 13, accounts and login: the lockout a colleague cannot reset, 三员分立 that no administrator
can get round, the client address and request id taken only from a trusted proxy, grants that
hold under concurrency, common passwords refused, wrong current passwords counted."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from taizhang.cli import main
from taizhang.core.models import AuditEntry
from taizhang.orgs import services
from taizhang.orgs.models import Membership, User

from .conftest import DEMO_PASSWORD


def _login(username: str, password: str = DEMO_PASSWORD, **meta: Any) -> Any:
    return Client().post(reverse("login"), {"username": username, "password": password}, **meta)


def _last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _refusals(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=since, action="refuse").order_by("seq"))


# --- 1. A colleague's login does not reset the lockout ----------------------------------------------
def test_a_colleagues_logins_from_the_same_address_do_not_reset_the_lockout(cast):
    office = {"REMOTE_ADDR": "192.0.2.50"}
    for _ in range(4):
        assert _login("clerk", "wrong-guess", **office).status_code == 200
        assert _login("member", **office).status_code == 302  # a colleague signs in between guesses
    assert _login("clerk", "wrong-guess", **office).status_code == 429
    assert _login("clerk", REMOTE_ADDR="198.51.100.20").status_code == 429  # the account stays locked


def test_a_success_clears_only_the_accounts_own_failures_from_that_address(cast):
    office, elsewhere = {"REMOTE_ADDR": "192.0.2.51"}, {"REMOTE_ADDR": "203.0.113.77"}
    for _ in range(3):
        _login("member", "typo", **office)
    _login("member", "guess", **elsewhere)
    _login("clerk", "guess", **office)
    assert _login("member", **office).status_code == 302
    left = set(AccessAttempt.objects.values_list("username", "ip_address"))
    assert left == {("member", "203.0.113.77"), ("clerk", "192.0.2.51")}


# --- 22 (part). Wrong current passwords on the change page count and are audited -------------------
def test_wrong_current_passwords_on_the_change_page_lock_the_account_and_are_audited(cast):
    session = Client()
    session.force_login(cast.clerk)
    start = _last_seq()
    new = {"new_password1": "Xk7#pLm2-Rqv", "new_password2": "Xk7#pLm2-Rqv"}
    for i in range(4):
        page = session.post(
            reverse("password_change"), {"old_password": f"guess-{i}", **new}, REMOTE_ADDR="192.0.2.60"
        )
        assert page.status_code == 200 and "当前密码不正确" in page.content.decode()
    rows = AuditEntry.objects.filter(seq__gt=start, action="login_failed")
    assert rows.count() == 4 and {r.actor_id for r in rows} == {cast.clerk.pk}
    assert {r.client_addr for r in rows} == {"192.0.2.60"}
    locked = session.post(
        reverse("password_change"), {"old_password": "guess-5", **new}, REMOTE_ADDR="192.0.2.60"
    )
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert AuditEntry.objects.filter(seq__gt=start, action="lockout").exists()
    assert session.get(reverse("dashboard")).status_code == 302  # the guessing session is over
    assert _login("clerk", REMOTE_ADDR="198.51.100.30").status_code == 429
    assert User.objects.get(pk=cast.clerk.pk).check_password(DEMO_PASSWORD)


# --- 4. 三员分立 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", ["secadmin", "auditor"])
def test_the_system_administrator_cannot_reset_edit_or_deactivate_another_administrator(cast, target):
    admin = Client()
    admin.force_login(cast.sysadmin)
    victim = cast.users[target]
    start = _last_seq()
    reset = reverse("account_reset", kwargs={"pk": victim.pk})
    assert admin.get(reset).status_code == 403
    refused = admin.post(reset, {"password": "Taken-Over-77x"})
    assert refused.status_code == 403 and "createadmin --reset" in refused.content.decode()
    edit = reverse("account_edit", kwargs={"pk": victim.pk})
    assert admin.post(edit, {"full_name": "已接管", "is_active": ""}).status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(DEMO_PASSWORD) and victim.is_active and victim.full_name != "已接管"
    assert _login(target, "Taken-Over-77x", REMOTE_ADDR="192.0.2.70").status_code == 200  # not signed in
    rows = _refusals(start)
    assert len(rows) == 3 and {r.actor_id for r in rows} == {cast.sysadmin.pk}
    assert {r.object_id for r in rows} == {str(victim.pk)}
    # the account list offers no such links for administrators
    page = admin.get(reverse("account_list")).content.decode()
    assert reset not in page and edit not in page
    assert reverse("account_reset", kwargs={"pk": cast.member.pk}) in page


def test_no_administrator_makes_an_administrator_on_the_web(cast):
    fresh = services.user_create(
        acting_user=cast.sysadmin, username="fresh", full_name="新同志", password="Start-Pass-1"
    )
    start = _last_seq()
    with pytest.raises(PermissionDenied):
        services.user_create(
            acting_user=cast.sysadmin,
            username="shadow",
            full_name="影子",
            password="Start-Pass-1",
            admin_role="audit",
        )
    sec = Client()
    sec.force_login(cast.secadmin)
    sec.post(reverse("admin_role_set"), {"user": fresh.pk, "admin_role": "audit"})
    sec.post(reverse("admin_role_set"), {"user": cast.auditor.pk, "admin_role": ""})
    fresh.refresh_from_db()
    assert fresh.admin_role == "" and User.objects.get(pk=cast.auditor.pk).admin_role == "audit"
    assert not User.objects.filter(username="shadow").exists()
    assert len(_refusals(start)) == 3
    page = sec.get(reverse("role_list")).content.decode()
    assert "createadmin" in page and reverse("admin_role_set") not in page


def test_the_security_administrator_cannot_grant_to_its_own_account(cast):
    sec = Client()
    sec.force_login(cast.secadmin)
    start = _last_seq()
    sec.post(reverse("admin_role_set"), {"user": cast.secadmin.pk, "admin_role": ""})
    with pytest.raises(PermissionDenied):
        services.user_set_admin_role(acting_user=cast.secadmin, user=cast.secadmin, admin_role="")
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            acting_user=cast.secadmin, user=cast.secadmin, unit=cast.units["demo-dist"], role="secretary"
        )
    assert User.objects.get(pk=cast.secadmin.pk).admin_role == "security"
    assert not Membership.objects.filter(user=cast.secadmin).exists()
    rows = _refusals(start)
    assert len(rows) == 3 and {r.object_id for r in rows} == {str(cast.secadmin.pk)}


def test_createadmin_reset_sets_an_administrators_password_on_the_server_and_is_audited(
    cast, monkeypatch, capsys
):
    monkeypatch.setenv("TAIZHANG_ADMIN_PASSWORD", "Fresh-Audit-Key-93")
    start = _last_seq()
    assert main(["createadmin", "--username", "auditor", "--reset"]) == 0
    auditor = User.objects.get(username="auditor")
    assert auditor.check_password("Fresh-Audit-Key-93") and auditor.must_change_password
    [row] = AuditEntry.objects.filter(seq__gt=start, action="password_reset")
    assert row.object_id == str(auditor.pk) and "命令行" in row.actor_name
    assert main(["createadmin", "--username", "member", "--reset"]) == 1  # not an administrator
    assert main(["createadmin", "--username", "nobody", "--reset"]) == 1
    err = capsys.readouterr().err
    assert "不是管理员账号" in err and "不存在" in err
    assert User.objects.get(username="member").check_password(DEMO_PASSWORD)


# --- 19 and 13 (part). The client address and the request id come only from a trusted proxy ------
def test_behind_a_trusted_proxy_the_anonymous_rate_limit_counts_each_client(cast, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.RATE_LIMIT_PER_MINUTE = 5
    cache.clear()
    via_proxy: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2"}
    got = [
        Client().get(reverse("login"), HTTP_X_FORWARDED_FOR="198.51.100.1", **via_proxy).status_code
        for _ in range(6)
    ]
    assert got[:5] == [200] * 5 and got[5] == 429
    other = Client().get(reverse("login"), HTTP_X_FORWARDED_FOR="198.51.100.2", **via_proxy)
    assert other.status_code == 200
    # a client that is not the proxy cannot choose its own key with the header
    direct = [
        Client().get(reverse("login"), HTTP_X_FORWARDED_FOR=f"203.0.113.{i}", REMOTE_ADDR="192.0.2.99")
        for i in range(6)
    ]
    assert direct[5].status_code == 429


def test_behind_a_trusted_proxy_lockout_and_audit_use_the_client_address(cast, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    via_proxy: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2"}
    for name in ["x1", "x2", "x3", "x4", "x5"]:
        # the client forged a first hop; the proxy appended the address it saw
        _login(name, "nope", HTTP_X_FORWARDED_FOR="10.0.0.9, 198.51.100.60", **via_proxy)
    row = AuditEntry.objects.filter(action="login_failed").latest("seq")
    assert row.client_addr == "198.51.100.60"
    assert _login("member", HTTP_X_FORWARDED_FOR="198.51.100.60", **via_proxy).status_code == 429
    assert _login("member", HTTP_X_FORWARDED_FOR="198.51.100.61", **via_proxy).status_code == 302


def test_forwarded_headers_and_request_ids_count_only_from_a_trusted_proxy(cast, settings):
    settings.TRUSTED_PROXIES = []
    forged = {"HTTP_X_FORWARDED_FOR": "10.9.9.9", "HTTP_X_REQUEST_ID": "forged-request-0001"}
    response = _login("nobody", "x", REMOTE_ADDR="192.0.2.77", **forged)
    row = AuditEntry.objects.filter(action="login_failed").latest("seq")
    assert row.client_addr == "192.0.2.77" and row.request_id != "forged-request-0001"
    assert response["X-Request-ID"] == row.request_id
    settings.TRUSTED_PROXIES = ["192.0.2.77"]
    _login("nobody", "x", REMOTE_ADDR="192.0.2.77", **forged)
    row = AuditEntry.objects.filter(action="login_failed").latest("seq")
    assert row.client_addr == "10.9.9.9" and row.request_id == "forged-request-0001"


# --- 21. Common passwords ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "password",
    [
        "Aa123456!",
        "Admin@123",
        "Qwer1234!",
        "Huawei@123",
        "Woaini@1314",
        "Taizhang@2025",
        "P@ssw0rd!",
        "1qaz@WSX3edc",
        "Zhang@19900101",
        "Wang.Li.888",
        "TAIZHANG#2030",
        "台账Ab@2026",
        "Adm1n!2024",
    ],
)
def test_common_passwords_are_refused(cast, password):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, cast.member)
    assert "常见" in " ".join(exc.value.messages)


@pytest.mark.parametrize(
    "password", [DEMO_PASSWORD, "Qixiang-2026", "Real-Admin-2026", "Xk7#pLm2-Rqv", "Lantern-Kite-47"]
)
def test_uncommon_passwords_pass(cast, password):
    validate_password(password, cast.member)


def test_the_change_page_refuses_a_common_password(cast):
    session = Client()
    session.force_login(cast.clerk)
    page = session.post(
        reverse("password_change"),
        {"old_password": DEMO_PASSWORD, "new_password1": "Taizhang@2025", "new_password2": "Taizhang@2025"},
    )
    assert page.status_code == 200 and "常见" in page.content.decode()


# --- 20. Grants and administrator roles exclude each other, under concurrency too ----------------
def _fresh_account(username: str) -> User:
    return services.user_create(
        acting_user=None, username=username, full_name=username, password="Start-Pass-1"
    )


def test_a_grant_reads_the_account_as_it_is_now_not_as_the_caller_loaded_it(cast):
    fresh = _fresh_account("fresh2")
    stale = User.objects.get(pk=fresh.pk)
    services.user_set_admin_role(acting_user=None, user=fresh, admin_role="audit")
    with pytest.raises(ValidationError):
        services.membership_grant(
            acting_user=cast.secadmin, user=stale, unit=cast.units["demo-dist"], role="secretary"
        )
    assert not Membership.objects.filter(user=fresh).exists()


def _in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = target()
        except Exception as exc:  # the test inspects what the other connection saw
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _race(first: Any, second: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """`first` writes and holds its transaction open; `second` runs meanwhile; then `first` commits."""
    wrote, release = threading.Event(), threading.Event()

    def hold() -> Any:
        with transaction.atomic():
            value = first()
            wrote.set()
            release.wait(10)
        return value

    t1, out1 = _in_thread(hold)
    assert wrote.wait(10)
    t2, out2 = _in_thread(second)
    t2.join(0.3)  # unfixed, `second` finishes at once; fixed, it waits on the account's row lock
    release.set()
    t1.join(10)
    t2.join(10)
    return out1, out2


@pytest.mark.django_db(transaction=True)
def test_concurrent_role_and_administrator_grants_cannot_meet_on_one_account():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (SQLite serialises every writer)")
    unit = services.unit_create(
        acting_user=None, code="race", name="并发单位", short_name="并发", kind="other"
    )

    def grant(user: User, role: str = "secretary") -> Any:
        return lambda: services.membership_grant(
            acting_user=None, user=User.objects.get(pk=user.pk), unit=unit, role=role
        )

    def make_auditor(user: User) -> Any:
        return lambda: services.user_set_admin_role(
            acting_user=None, user=User.objects.get(pk=user.pk), admin_role="audit"
        )

    for n, (first, second) in enumerate([(make_auditor, grant), (grant, make_auditor)]):
        account = _fresh_account(f"race{n}")
        out1, out2 = _race(first(account), second(account))
        account.refresh_from_db()
        both = bool(account.admin_role) and Membership.objects.live().filter(user=account).exists()
        assert not both, (out1, out2)
        assert "error" not in out1 and isinstance(out2.get("error"), ValidationError), (out1, out2)

    # the same grant twice at once: one succeeds, the other is told so (no IntegrityError, no 500)
    account = _fresh_account("race-dup")
    out1, out2 = _race(grant(account, "member"), grant(account, "member"))
    assert "error" not in out1 and isinstance(out2.get("error"), ValidationError), (out1, out2)
    assert Membership.objects.live().filter(user=account).count() == 1
