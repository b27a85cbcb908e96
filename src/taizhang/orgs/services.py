"""Every write to units, accounts and roles: keyword-only, validated, audited in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from taizhang.core import audit

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
    parent: Unit | None = None,
) -> Unit:
    unit = Unit(
        code=code, name=name, short_name=short_name, kind=kind, party_org_name=party_org_name, parent=parent
    )
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


@transaction.atomic
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
    _check_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(action="create", actor=acting_user, obj=user, after=audit.snapshot(user))
    return user


@transaction.atomic
def user_update(*, acting_user: Any, user: User, full_name: str, is_active: bool) -> User:
    before = audit.snapshot(user)
    user.full_name, user.is_active = full_name, is_active
    user.full_clean()
    user.save()
    audit.record(action="change", actor=acting_user, obj=user, before=before, after=audit.snapshot(user))
    return user


@transaction.atomic
def user_set_admin_role(*, acting_user: Any, user: User, admin_role: str) -> User:
    """Make an account one of the three administrators (or none). Administrators hold no unit role."""
    if admin_role and user.memberships.filter(deleted_at__isnull=True).exists():
        raise ValidationError("该账号在单位中担任角色，管理员账号须与业务账号分开。")
    before = audit.snapshot(user)
    user.admin_role = admin_role
    user.full_clean()
    user.save(update_fields=["admin_role"])
    audit.record(action="grant", actor=acting_user, obj=user, before=before, after=audit.snapshot(user))
    return user


@transaction.atomic
def password_reset(*, acting_user: Any, user: User, password: str) -> User:
    """An administrator sets a temporary password; the person must change it at next login."""
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
@transaction.atomic
def membership_grant(*, acting_user: Any, user: User, unit: Unit, role: str, title: str = "") -> Membership:
    if user.admin_role:
        raise ValidationError("管理员账号不能在单位中担任角色。")
    if role not in Role.values:
        raise ValidationError("角色无效。")
    if Membership.objects.live().filter(user=user, unit=unit, role=role).exists():
        raise ValidationError(f"{user} 已在{unit.short_name}担任{Role(role).label}。")
    m = Membership(
        user=user, unit=unit, role=role, title=title, created_by=acting_user, updated_by=acting_user
    )
    m.full_clean()
    m.save()
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
