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


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(action="login", actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(action="logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
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
