"""Login, logout, failed login and lockout each write one audit row.

These events come from Django's and django-axes' own signals (there is no service function of ours
in their path); every data write is audited in its service function instead.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from taizhang.core import audit
from taizhang.core.middleware import client_address

from .services import login_failures_forget

# The sender of user_login_failed when the change-password page was given a wrong current
# password: a guess like a failed login, so django-axes counts it toward the same lockout.
PASSWORD_CHECK = "taizhang.password_change"  # noqa: S105 (a signal sender's name, not a password)


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(action="login", actor=user, obj=user)
    if request is not None:
        login_failures_forget(username=user.get_username(), ip_address=client_address(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(action="logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = getattr(request, "user", None)
    if sender == PASSWORD_CHECK and user is not None and user.is_authenticated:
        audit.record(
            action="login_failed",
            actor=user,
            obj=user,
            object_label=f"{username}（修改密码时当前密码不正确）",
        )
        return
    audit.record(
        action="login_failed",
        actor_name=username or "（未填用户名）",
        object_type="orgs.User",
        object_label=username,
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any
) -> None:
    audit.record(
        action="lockout",
        actor_name=username or "（未填用户名）",
        object_type="orgs.User",
        object_label=f"{username} @ {ip_address}",
    )
