from __future__ import annotations

from datetime import datetime, time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import audit, query
from taizhang.core.downloads import xlsx_download
from taizhang.core.excel import workbook_bytes
from taizhang.core.models import AuditEntry
from taizhang.core.scope import forget_scope
from taizhang.core.views import admin_required, render_page, safe_next

from . import services
from .forms import (
    AccountEditForm,
    AccountForm,
    AdminRoleForm,
    AuditFilterForm,
    GrantForm,
    PasswordChangeForm,
    PasswordResetForm,
    UnitForm,
)
from .middleware import SESSION_UNIT_KEY
from .models import Membership, Unit, User
from .roles import AdminRole
from .signals import PASSWORD_CHECK


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# --- Everyone -------------------------------------------------------------------------------------
@login_required
@require_POST
def switch_unit(request: HttpRequest) -> HttpResponse:
    wanted = query.object_id(request.POST, "unit")
    units = {u.pk: u for u in getattr(request, "my_units", [])}
    if wanted is None or wanted not in units:
        raise PermissionDenied("您在该单位没有角色。")
    request.session[SESSION_UNIT_KEY] = wanted
    messages.info(request, f"已切换到{units[wanted].name}。")
    return redirect(safe_next(request, "/"))


@login_required
def unit_members(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=pk)
    memberships = Membership.objects.restrict(request.user).filter(unit=unit).select_related("user")
    return render(request, "orgs/members.html", {"unit": unit, "memberships": memberships})


def _locked_out(request: HttpRequest, credentials: dict[str, Any]) -> HttpResponse:
    """The lockout page; the session that guessed ends with it."""
    logout(request)
    return get_lockout_response(request, None, credentials)


def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user: User = request.user  # type: ignore[assignment]
    credentials = {"username": user.get_username()}
    if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request, credentials)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.has_error("old_password", "password_incorrect"):
        # A wrong current password is a guess like a failed login (an unattended session):
        # axes counts it toward the same lockout, and the audit log records it.
        user_login_failed.send(sender=PASSWORD_CHECK, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, credentials)
    elif request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=user, password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            # This session stays; every other session of the person fails the new hash and ends.
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。您在其他设备上的登录已失效。")
            return redirect("dashboard")
    return render(
        request, "registration/password_change.html", {"form": form, "forced": user.must_change_password}
    )


@login_required
def system_index(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/system_index.html", {})


# --- System administrator -----------------------------------------------------------------------
@admin_required(AdminRole.SYSTEM)
def unit_tree(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.annotate(
        members=Count("orgs_membership_set", filter=Q(orgs_membership_set__deleted_at__isnull=True))
    ).order_by("path")
    return render(request, "orgs/unit_tree.html", {"units": units})


@admin_required(AdminRole.SYSTEM)
def unit_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    initial = (
        {
            f: getattr(unit, f)
            for f in (
                "code",
                "name",
                "short_name",
                "kind",
                "party_org_name",
                "party_org_type",
                "parent",
                "is_active",
            )
        }
        if unit
        else {"parent": query.object_id(request.GET, "parent")}
    )
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if unit is None:
                data.pop("is_active")
                unit = services.unit_create(acting_user=request.user, **data)
            else:
                services.unit_update(acting_user=request.user, unit=unit, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已保存单位“{unit.name}”。")
            return redirect("unit_tree")
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": "编辑单位" if unit else "新增单位", "back": "unit_tree"},
    )


@admin_required(AdminRole.SYSTEM)
def account_list(request: HttpRequest) -> HttpResponse:
    q = query.text(request.GET, "q")
    users = User.objects.order_by("username")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    page = Paginator(users, 30).get_page(query.page(request.GET))
    return render_page(request, "orgs/accounts.html", {"page": page, "q": q})


@admin_required(AdminRole.SYSTEM)
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已创建账号 {user.username}，首次登录须修改密码。")
            return redirect("account_list")
    return render(request, "orgs/form.html", {"form": form, "title": "新增账号", "back": "account_list"})


@admin_required(AdminRole.SYSTEM)
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.account_guard(acting_user=request.user, user=user, attempted="change")  # 403, audited
    form = AccountEditForm(
        request.POST or None, initial={"full_name": user.full_name, "is_active": user.is_active}
    )
    if request.method == "POST" and form.is_valid():
        if user.pk == request.user.pk and not form.cleaned_data["is_active"]:
            form.add_error("is_active", "不能停用自己的账号。")
        else:
            services.user_update(acting_user=request.user, user=user, **form.cleaned_data)
            messages.success(request, f"已保存账号 {user.username}。")
            return redirect("account_list")
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": f"编辑账号 {user.username}", "back": "account_list"},
    )


@admin_required(AdminRole.SYSTEM)
def account_reset(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.account_guard(acting_user=request.user, user=user, attempted="password_reset")  # 403, audited
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset(
                acting_user=request.user, user=user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            messages.success(request, f"已重置 {user.username} 的密码，对方下次登录须修改。")
            return redirect("account_list")
    return render(
        request,
        "orgs/form.html",
        {"form": form, "title": f"重置密码：{user.username}", "back": "account_list"},
    )


# --- Security administrator ---------------------------------------------------------------------
@admin_required(AdminRole.SECURITY)
def role_list(request: HttpRequest) -> HttpResponse:
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.membership_grant(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            forget_scope(m.user)
            messages.success(request, f"已授予：{m}。")
            return redirect("role_list")
    q = query.text(request.GET, "q")
    memberships = Membership.objects.live().select_related("user", "unit").order_by("unit__path", "role")
    if q:
        memberships = memberships.filter(
            Q(user__username__icontains=q) | Q(user__full_name__icontains=q) | Q(unit__name__icontains=q)
        )
    page = Paginator(memberships, 50).get_page(query.page(request.GET))
    return render(
        request,
        "orgs/roles.html",
        {
            "form": form,
            "page": page,
            "q": q,
            "admins": User.objects.exclude(admin_role=""),
        },
    )


@admin_required(AdminRole.SECURITY)
@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    m = get_object_or_404(Membership.objects.live(), pk=pk)
    services.membership_revoke(acting_user=request.user, membership=m)
    messages.success(request, f"已撤销：{m}。")
    return redirect("role_list")


@admin_required(AdminRole.SECURITY)
@require_POST
def admin_role_set(request: HttpRequest) -> HttpResponse:
    form = AdminRoleForm(request.POST)
    if form.is_valid():
        target: User = form.cleaned_data["user"]
        # Refused, and audited, for every administrator on the web (三员分立): the form is gone
        # from the page, and a crafted post is recorded.
        try:
            services.user_set_admin_role(
                acting_user=request.user, user=target, admin_role=form.cleaned_data["admin_role"] or ""
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已设置 {target.username} 的管理员角色。")
    else:
        messages.error(request, "请选择账号和角色。")
    return redirect("role_list")


@admin_required(AdminRole.SECURITY)
def lockout_list(request: HttpRequest) -> HttpResponse:
    attempts = AccessAttempt.objects.order_by("-attempt_time")
    limit = settings.AXES_FAILURE_LIMIT
    return render(request, "orgs/lockouts.html", {"attempts": attempts, "limit": limit})


@admin_required(AdminRole.SECURITY)
@require_POST
def lockout_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    services.lockout_clear(acting_user=request.user, attempt=attempt)
    messages.success(request, f"已解锁 {attempt.username or attempt.ip_address}。")
    return redirect("lockout_list")


# --- Audit administrator ------------------------------------------------------------------------
def _audit_filtered(request: HttpRequest) -> tuple[Any, AuditFilterForm]:
    form = AuditFilterForm(request.GET or None, actions=audit.AUDIT_ACTIONS)
    qs = AuditEntry.objects.order_by("-seq")
    if form.is_valid():
        d = form.cleaned_data
        tz = timezone.get_current_timezone()
        if d["start"]:
            qs = qs.filter(at__gte=datetime.combine(d["start"], time.min, tzinfo=tz))
        if d["end"]:
            qs = qs.filter(at__lte=datetime.combine(d["end"], time.max, tzinfo=tz))
        if d["person"]:
            qs = qs.filter(actor_name__icontains=d["person"])
        if d["unit"]:
            qs = qs.filter(unit_id__in=Unit.objects.subtree(d["unit"]).values("pk"))
        if d["action"]:
            qs = qs.filter(action=d["action"])
    return qs, form


@admin_required(AdminRole.AUDIT)
def audit_log(request: HttpRequest) -> HttpResponse:
    qs, form = _audit_filtered(request)
    page = Paginator(qs, 50).get_page(query.page(request.GET))
    return render_page(request, "orgs/audit.html", {"page": page, "form": form})


IMPORT_ROWS_SHOWN = 200


@admin_required(AdminRole.AUDIT)
def audit_entry(request: HttpRequest, seq: int) -> HttpResponse:
    entry = get_object_or_404(AuditEntry, seq=seq)
    imported = None
    if entry.action == "import" and isinstance(entry.after, dict):
        # an import's row holds every created record as a table; the page shows its first rows
        after = dict(entry.after)
        if query.choice(request.GET, "rows", ["xlsx"]):
            rows = (
                [", ".join(map(str, v)) if isinstance(v, list) else v for v in r]
                for r in after.get("rows", [])
            )
            sheet = ("导入的记录", after.get("columns", []), rows)
            return xlsx_download(
                request,
                workbook_bytes([sheet]),
                f"审计日志第{entry.seq}条导入的记录.xlsx",
                what="导入的记录",
                obj=entry,
            )
        imported = {
            "columns": after.pop("columns", []),
            "rows": after.pop("rows", [])[:IMPORT_ROWS_SHOWN],
            "count": after.get("count", 0),
            "shown": IMPORT_ROWS_SHOWN,
        }
        entry.after = after
    keys = sorted(set(entry.before or {}) | set(entry.after or {}))
    changes = [
        (
            k,
            (entry.before or {}).get(k),
            (entry.after or {}).get(k),
            (entry.before or {}).get(k) != (entry.after or {}).get(k),
        )
        for k in keys
    ]
    return render(request, "orgs/audit_entry.html", {"e": entry, "changes": changes, "imported": imported})


@admin_required(AdminRole.AUDIT)
def audit_export(request: HttpRequest) -> HttpResponse:
    qs, _ = _audit_filtered(request)
    headers = [
        "序号",
        "时间",
        "操作人",
        "单位",
        "来源地址",
        "请求ID",
        "动作",
        "对象类型",
        "对象ID",
        "对象",
        "变更前",
        "变更后",
    ]
    rows = (
        [
            e.seq,
            e.at,
            e.actor_name,
            e.unit_label,
            e.client_addr,
            e.request_id,
            audit.ACTION_LABELS.get(e.action, e.action),
            audit.object_type_label(e.object_type),
            e.object_id,
            e.object_label,
            audit.json_text(e.before, audit.EXCEL_CELL_LIMIT),
            audit.json_text(e.after, audit.EXCEL_CELL_LIMIT),
        ]
        for e in qs.iterator(chunk_size=2000)
    )
    data = workbook_bytes([("审计日志", headers, rows)])
    return xlsx_download(
        request,
        data,
        f"审计日志{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        what="审计日志",
        object_type="audit",
    )
