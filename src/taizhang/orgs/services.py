"""Every write to units, accounts and roles: keyword-only, validated, audited in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from taizhang.core import audit, context

from .models import Membership, Unit, User
from .roles import AdminRole, Role


# --- Units ----------------------------------------------------------------------------------------
def _set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2


@transaction.atomic
def unit_create(
    *,
    acting_user: Any,
    code: str,
    name: str,
    short_name: str,
    kind: str,
    party_org_name: str = "",
    party_org_type: str = "",
    parent: Unit | None = None,
) -> Unit:
    unit = Unit(
        code=code, name=name, short_name=short_name, kind=kind, party_org_name=party_org_name,
        party_org_type=party_org_type, parent=parent,
    )  # fmt: skip
    unit.full_clean(exclude=["path"])
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit.record(action="create", actor=acting_user, obj=unit, after=audit.snapshot(unit))
    return unit


# Called with (old path, new path) when a unit moves; data keyed by path (the search index) follows.
UNIT_MOVE_HOOKS: list[Callable[[str, str], None]] = []


@transaction.atomic
def unit_update(*, acting_user: Any, unit: Unit, **fields: Any) -> Unit:
    before = audit.snapshot(unit)
    old_path = unit.path
    for name, value in fields.items():
        setattr(unit, name, value)
    if unit.parent is not None and unit.parent.path.startswith(old_path):
        raise ValidationError({"parent": "不能把单位移到它自己或它的下级单位之下。"})
    unit.full_clean(exclude=["path"])
    _set_path(unit)
    unit.save()
    if unit.path != old_path:
        # Moving a unit moves its whole subtree: rewrite the descendants' stored paths.
        for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).order_by("depth"):
            child.path = unit.path + child.path[len(old_path) :]
            child.depth = child.path.count("/") - 2
            child.save(update_fields=["path", "depth"])
        for hook in UNIT_MOVE_HOOKS:
            hook(old_path, unit.path)
    audit.record(action="change", actor=acting_user, obj=unit, before=before, after=audit.snapshot(unit))
    return unit


# --- Accounts -------------------------------------------------------------------------------------
def _check_password(password: str, user: User) -> None:
    validate_password(password, user)


# 三员分立: administrator accounts are made, and their passwords reset, only on the server.
ADMIN_ON_SERVER = "管理员账号只能在服务器上用 taizhang createadmin 创建，由本人修改。"
ADMIN_RESET_ON_SERVER = "管理员账号的密码只能在服务器上用 taizhang createadmin --reset 重置。"


def _on_server(acting_user: Any) -> bool:
    """The command line on the server acts as no one; every web write names its administrator."""
    return acting_user is None and context.current().channel == "cli"


def _refuse(*, acting_user: Any, user: User, attempted: str, reason: str) -> NoReturn:
    """Audit the refusal, then raise it. Called before any transaction of the refused write opens,
    so the row stays although the write does not happen."""
    audit.record(
        action="refuse", actor=acting_user, obj=user, after={"attempted": attempted, "reason": reason}
    )
    raise PermissionDenied(reason)


def account_guard(*, acting_user: Any, user: User, attempted: str) -> None:
    """Refuse (audited) an administrator's edit or password reset of an administrator account:
    no administrator manages another on the web, so none can sign in as another."""
    if not user.admin_role or _on_server(acting_user):
        return
    if attempted == "password_reset":
        _refuse(acting_user=acting_user, user=user, attempted=attempted, reason=ADMIN_RESET_ON_SERVER)
    if getattr(acting_user, "pk", None) != user.pk:
        _refuse(acting_user=acting_user, user=user, attempted=attempted, reason="不能修改其他管理员的账号。")


def user_create(
    *,
    acting_user: Any,
    username: str,
    full_name: str,
    password: str,
    admin_role: str = AdminRole.NONE,
    must_change_password: bool = True,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        admin_role=admin_role,
        must_change_password=must_change_password,
    )
    if admin_role and not _on_server(acting_user):
        _refuse(acting_user=acting_user, user=user, attempted="create", reason=ADMIN_ON_SERVER)
    with transaction.atomic():
        _check_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit.record(action="create", actor=acting_user, obj=user, after=audit.snapshot(user))
    return user


def user_update(*, acting_user: Any, user: User, full_name: str, is_active: bool) -> User:
    account_guard(acting_user=acting_user, user=user, attempted="change")
    with transaction.atomic():
        before = audit.snapshot(user)
        user.full_name, user.is_active = full_name, is_active
        user.full_clean()
        user.save()
        audit.record(action="change", actor=acting_user, obj=user, before=before, after=audit.snapshot(user))
    return user


def user_set_admin_role(*, acting_user: Any, user: User, admin_role: str) -> User:
    """Make an account one of the three administrators (or none), on the server only.
    Administrators hold no unit role; the account's row lock makes that hold under concurrency."""
    if acting_user is not None and getattr(acting_user, "pk", None) == user.pk:
        _refuse(acting_user=acting_user, user=user, attempted="grant", reason="不能修改自己的管理员角色。")
    if not _on_server(acting_user):
        _refuse(acting_user=acting_user, user=user, attempted="grant", reason=ADMIN_ON_SERVER)
    with transaction.atomic():
        locked = _lock_account(user)
        if admin_role and locked.memberships.filter(deleted_at__isnull=True).exists():
            raise ValidationError("该账号在单位中担任角色，管理员账号须与业务账号分开。")
        before = audit.snapshot(locked)
        locked.admin_role = admin_role
        locked.full_clean()
        locked.save(update_fields=["admin_role"])
        audit.record(
            action="grant", actor=acting_user, obj=locked, before=before, after=audit.snapshot(locked)
        )
    user.admin_role = admin_role
    return locked


def password_reset(*, acting_user: Any, user: User, password: str) -> User:
    """An administrator sets a temporary password; the person must change it at next login.
    An administrator's own password is reset only on the server (`taizhang createadmin --reset`)."""
    account_guard(acting_user=acting_user, user=user, attempted="password_reset")
    with transaction.atomic():
        _check_password(password, user)
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record(action="password_reset", actor=acting_user, obj=user)
    return user


@transaction.atomic
def password_change(*, user: User, password: str) -> User:
    """The person's own change. Changing the hash ends their other sessions."""
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(action="password_change", actor=user, obj=user)
    return user


# --- Roles ----------------------------------------------------------------------------------------
def _lock_account(user: User) -> User:
    """The account's row, locked to the end of the transaction and read afresh. Every grant path
    takes it first, so a role grant and an administrator grant to one account run one after the
    other and each sees what the other committed (SQLite serialises every writer anyway)."""
    return User.objects.select_for_update().get(pk=user.pk)


def membership_grant(*, acting_user: Any, user: User, unit: Unit, role: str, title: str = "") -> Membership:
    if acting_user is not None and getattr(acting_user, "pk", None) == user.pk:
        _refuse(acting_user=acting_user, user=user, attempted="grant", reason="不能给自己的账号授予角色。")
    if role not in Role.values:
        raise ValidationError("角色无效。")
    with transaction.atomic():
        locked = _lock_account(user)
        if locked.admin_role:
            raise ValidationError("管理员账号不能在单位中担任角色。")
        duplicate = f"{locked} 已在{unit.short_name}担任{Role(role).label}。"
        if Membership.objects.live().filter(user=locked, unit=unit, role=role).exists():
            raise ValidationError(duplicate)
        m = Membership(
            user=locked, unit=unit, role=role, title=title, created_by=acting_user, updated_by=acting_user
        )
        m.full_clean(validate_constraints=False)  # the unique index decides, below
        try:
            with transaction.atomic():
                m.save()
        except IntegrityError as exc:  # a writer that took no lock: still no 500
            raise ValidationError(duplicate) from exc
        audit.record(action="grant", actor=acting_user, obj=m, after=audit.snapshot(m))
    return m


@transaction.atomic
def membership_revoke(*, acting_user: Any, membership: Membership) -> Membership:
    before = audit.snapshot(membership)
    membership.deleted_at = timezone.now()
    membership.deleted_by = acting_user
    membership.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(
        action="revoke", actor=acting_user, obj=membership, before=before, after=audit.snapshot(membership)
    )
    return membership


def login_failures_forget(*, username: str, ip_address: str) -> int:
    """After a successful login: the account's own failures from that address, nothing else. (The
    login's own audit row records it.) Failures of other accounts from the address, and of this
    account from elsewhere, still count toward their lockouts until the cool-off ends."""
    removed, _ = AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
    return removed


@transaction.atomic
def lockout_clear(*, acting_user: Any, attempt: AccessAttempt) -> int:
    """Unlock the account and the address of one locked-out attempt before the cool-off ends."""
    before = {
        "username": attempt.username,
        "ip_address": attempt.ip_address,
        "failures": attempt.failures_since_start,
    }
    label = f"{attempt.username or '-'} @ {attempt.ip_address or '-'}"
    removed, _ = AccessAttempt.objects.filter(
        Q(username=attempt.username) | Q(ip_address=attempt.ip_address)
    ).delete()
    audit.record(
        action="unlock",
        actor=acting_user,
        object_type="axes.AccessAttempt",
        object_id=str(attempt.pk),
        object_label=label,
        before=before,
    )
    return removed
