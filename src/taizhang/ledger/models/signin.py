"""扫码签到: who signed in to a meeting, and when (see taizhang.ledger.signin)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from taizhang.core.models import UnitOwned


class MeetingSignIn(UnitOwned):
    """One person signed in to one meeting: by scanning its code, at `signed_at`. A member of the
    meeting's unit is also ticked among its attendees; a person named as 列席 is not counted in
    应到/实到 and is marked `observer`."""

    meeting = models.ForeignKey(
        "ledger.Meeting", on_delete=models.PROTECT, related_name="signins", verbose_name="会议"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签到人"
    )
    signed_at = models.DateTimeField("签到时间")
    observer = models.BooleanField("列席", default=False)

    class Meta:
        verbose_name = "会议签到"
        verbose_name_plural = "会议签到"
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=models.Q(deleted_at__isnull=True),
                name="meeting_signin_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} 签到"
