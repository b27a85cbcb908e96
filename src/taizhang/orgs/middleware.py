from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import Unit


class PasswordChangeRequiredMiddleware:
    """After first login or a reset, nothing but the password change page (and logout) is reachable."""

    ALLOWED = ("password_change", "logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and getattr(user, "must_change_password", False):
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


SESSION_UNIT_KEY = "taizhang_unit"


class CurrentUnitMiddleware:
    """The unit the person is working in: chosen in the header among the units where they hold a role."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.unit = None  # type: ignore[attr-defined]
        request.my_units = []  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated and not user.admin_role:  # type: ignore[union-attr]
            units = list(
                Unit.objects.filter(
                    orgs_membership_set__user=user,
                    orgs_membership_set__deleted_at__isnull=True,
                    is_active=True,
                )
                .distinct()
                .order_by("path")
            )
            request.my_units = units  # type: ignore[attr-defined]
            wanted = request.session.get(SESSION_UNIT_KEY)
            request.unit = next((u for u in units if u.pk == wanted), units[0] if units else None)  # type: ignore[attr-defined]
        return self.get_response(request)
