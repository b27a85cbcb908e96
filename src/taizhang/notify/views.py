"""Pages of the notify app: 待办, 消息中心, the person's channel switch, the header badge, the
dashboard panel, and for the administrators the outbox (安全管理员) and the units' robots (系统管理员)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from taizhang.core import query
from taizhang.core.views import admin_required
from taizhang.orgs.models import Unit
from taizhang.orgs.roles import AdminRole

from . import services, todo
from .models import ChannelSetting, Delivery, DeliveryState, Message, RobotKind

PER_PAGE = 50


def _items(request: HttpRequest) -> list[todo.TodoItem]:
    """Asked once per request: the page, the panel and the badge may all want the list."""
    cached = getattr(request, "_notify_todo", None)
    if cached is None:
        cached = todo.items_for(request.user, getattr(request, "unit", None))
        request._notify_todo = cached  # type: ignore[attr-defined]
    return cached


@login_required
def todo_page(request: HttpRequest) -> HttpResponse:
    items = _items(request)
    return render(
        request,
        "notify/todo.html",
        {"items": items, "overdue": sum(i.overdue for i in items), "unit": getattr(request, "unit", None)},
    )


def todo_panel(request: HttpRequest, unit: Any) -> tuple[str, dict[str, Any]] | None:
    """The dashboard's 待办 card: the first items, and how many there are in all."""
    items = _items(request)
    return "notify/_todo_panel.html", {"todo_items": items[:8], "todo_total": len(items)}


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The header's counts, fetched after the page is shown so no page waits for the providers."""
    unread = Message.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).count()
    items = [] if getattr(request.user, "admin_role", "") else _items(request)
    return render(request, "notify/_badge.html", {"todo_total": len(items), "unread": unread})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    show = query.choice(request.GET, "show", ("unread",), default="")
    qs = Message.objects.filter(recipient_id=request.user.pk).select_related("sender", "unit")
    if show:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-id"), PER_PAGE).get_page(query.page(request.GET))
    unread = Message.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).count()
    person: Any = request.user
    setting = ChannelSetting.objects.filter(user=person).first()
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "show": show, "unread": unread, "email_on": setting is None or setting.email},
    )


@login_required
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a message marks it read and goes where it points (or back to 消息中心)."""
    message = get_object_or_404(Message, pk=pk, recipient_id=request.user.pk)
    services.message_mark_read(acting_user=request.user, message_ids=[message.pk])
    if services.is_local_link(message.link):
        return redirect(message.link)
    return redirect("notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    n = services.message_mark_read(acting_user=request.user)
    messages.success(request, f"已将 {n} 条消息标为已读。" if n else "没有未读消息。")
    return redirect("notify:inbox")


@login_required
@require_POST
def my_setting(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email") == "1"
    services.person_setting_update(acting_user=request.user, email=email)
    messages.success(request, "已开启邮件提醒。" if email else "已关闭邮件提醒，消息仍在消息中心显示。")
    return redirect("notify:inbox")


# --- 安全管理员: the outbox -----------------------------------------------------------------------


@admin_required(AdminRole.SECURITY)
def deliveries(request: HttpRequest) -> HttpResponse:
    state = query.choice(request.GET, "state", DeliveryState.values, default="")
    qs = Delivery.objects.select_related("message", "message__recipient", "message__unit").order_by(
        "-created_at", "-id"
    )
    if state:
        qs = qs.filter(state=state)
    totals = Delivery.objects.aggregate(**{s: Count("pk", filter=Q(state=s)) for s in DeliveryState.values})
    page = Paginator(qs, PER_PAGE).get_page(query.page(request.GET))
    return render(
        request,
        "notify/deliveries.html",
        {"page": page, "state": state, "states": DeliveryState.choices, "totals": totals},
    )


@admin_required(AdminRole.SECURITY)
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(
        Delivery.objects.select_related("message", "message__recipient", "message__unit"), pk=pk
    )
    return render(
        request, "notify/delivery.html", {"d": delivery, "tries": delivery.tries.order_by("number")}
    )


@admin_required(AdminRole.SECURITY)
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        services.delivery_retry(acting_user=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已重新排入发送队列。")
    return redirect("notify:delivery_detail", pk=delivery.pk)


# --- 系统管理员: the units' group robots ----------------------------------------------------------


class RobotForm(forms.Form):
    robot = forms.ChoiceField(
        label="群机器人类型", choices=[("", "（不使用）"), *RobotKind.choices], required=False
    )
    webhook_url = forms.CharField(label="群机器人地址（Webhook）", max_length=500, required=False)
    webhook_secret = forms.CharField(
        label="加签密钥（仅钉钉，可不填）",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )


@admin_required(AdminRole.SYSTEM)
def robots(request: HttpRequest) -> HttpResponse:
    units = Unit.objects.select_related("notify_setting").order_by("path")
    page = Paginator(units, PER_PAGE).get_page(query.page(request.GET))
    return render(request, "notify/robots.html", {"page": page})


@admin_required(AdminRole.SYSTEM)
def robot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk)
    setting = ChannelSetting.objects.filter(unit=unit).first()
    initial = {"robot": setting.robot, "webhook_url": setting.webhook_url} if setting else {}
    form = RobotForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        secret = d["webhook_secret"] or (
            setting.webhook_secret if setting and d["webhook_url"] == setting.webhook_url else ""
        )
        try:
            services.unit_robot_update(
                acting_user=request.user,
                unit=unit,
                robot=d["robot"],
                webhook_url=d["webhook_url"],
                webhook_secret=secret,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存{unit.short_name}的群机器人设置。")
            return redirect("notify:robots")
    return render(request, "notify/robot_form.html", {"form": form, "unit": unit, "setting": setting})
