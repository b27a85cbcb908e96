"""The demo's reminders. The demo people get e-mail addresses on a reserved domain (.invalid, so no
real mail server ever accepts them); the district has one rectification that became overdue
yesterday; and the reminder pass runs looking 30 days ahead (a real install looks
TAIZHANG_REMIND_DAYS ahead), so that 消息中心, the header count and the security administrator's
outbox page show reminders whatever the day. `make demo` then runs `taizhang notify loop` beside
the server, which delivers them (to files in DATA_DIR/mail unless an SMTP server is configured)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from taizhang.core import audit
from taizhang.core.services import record_create

from . import reminders

DOMAIN = "demo.taizhang.invalid"
PEOPLE = [
    "secretary",
    "leader",
    "clerk",
    "member",
    "city_secretary",
    "outsider",
    "east_secretary",
    "west_clerk",
]
DEMO_LOOKAHEAD_DAYS = 30


def build_reminders(units: dict[str, Any]) -> Any:
    from taizhang.ledger.models import Rectification
    from taizhang.orgs.models import User

    missing = list(User.objects.filter(username__in=PEOPLE, email=""))
    for user in missing:
        user.email = f"{user.username}@{DOMAIN}"
        user.save(update_fields=["email"])
    if missing:
        audit.record(
            action="change",
            actor_name="演示数据",
            object_type="orgs.User",
            object_label="演示账号登记电子邮箱",
            after={"users": [u.username for u in missing], "domain": DOMAIN},
        )
    today = timezone.localdate()
    people = {u.username: u for u in User.objects.filter(username__in=["clerk", "leader"])}
    record_create(
        acting_user=people["clerk"],
        instance=Rectification(
            unit=units["demo-dist"],
            source="inspection",
            found_on=today - timedelta(days=20),
            problem="门户网站“党建动态”栏目两个月未更新",
            measures="明确栏目责任人，每月至少更新两次，稿件按三审程序发布",
            owner=people["leader"],
            deadline=today - timedelta(days=1),
        ),
    )
    return reminders.remind(today=today, days=DEMO_LOOKAHEAD_DAYS)
