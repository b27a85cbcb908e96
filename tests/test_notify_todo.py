"""待办 and 事前提醒 as the people of the demo's 区气象局 meet them: items appear where something
is waiting for the reader and disappear once it is done; the daily pass reminds the people who hold
the responsible roles, once per item and period, even when its read of what was sent is stale."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from taizhang.core.services import record_create, record_update
from taizhang.ledger import models as lm
from taizhang.ledger import services as ledger_services
from taizhang.notify import reminders
from taizhang.notify.models import Delivery, Message, Reminder

DAY = date(2026, 6, 15)  # five days before the first half-year report is due (06-20)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    real = timezone.localdate

    def localdate(value: Any = None, tz: Any = None) -> date:
        return DAY if value is None else real(value, tz)

    monkeypatch.setattr(timezone, "localdate", localdate)
    return DAY


def _todo(client: Any, user: Any, unit: Any) -> str:
    client.force_login(user)
    client.post(reverse("switch_unit"), {"unit": unit.pk})
    return client.get(reverse("notify:todo")).content.decode()


def _rectification(c: Any, *, owner: Any, deadline: date, problem: str) -> lm.Rectification:
    return record_create(
        acting_user=c.clerk,
        instance=lm.Rectification(
            unit=c.units["demo-dist"],
            source="self",
            found_on=date(2026, 6, 1),
            problem=problem,
            measures="立即整改",
            owner=owner,
            deadline=deadline,
        ),
    )


def test_requirements_and_rectifications_leave_the_todo_once_done(
    cast: Any, client: Any, today: date
) -> None:
    dist = cast.units["demo-dist"]
    page = _todo(client, cast.clerk, dist)
    assert "每半年向上级党组织专题报告（上半年）" in page  # due 06-20, nothing reported yet
    badge = client.get(reverse("notify:badge")).content.decode()
    assert 'id="todo-count"' in badge and "badge text-bg-danger" in badge

    record_create(
        acting_user=cast.clerk,
        instance=lm.ReportRecord(
            unit=dist,
            kind="half_year",
            held_on=date(2026, 6, 12),
            title="上半年专题报告",
            recipient="市气象局党组",
        ),
    )
    assert "每半年向上级党组织专题报告（上半年）" not in _todo(client, cast.clerk, dist)

    rect = _rectification(cast, owner=cast.member, deadline=date(2026, 6, 18), problem="宣传栏内容未及时更新")
    assert "整改：宣传栏内容未及时更新" in _todo(client, cast.member, dist)  # its 责任人, though a 成员
    assert "宣传栏内容未及时更新" not in _todo(client, cast.clerk, dist)  # not overdue, not the clerk's
    from taizhang.core import audit

    before = audit.snapshot(rect)
    rect.state, rect.completed_on, rect.result = "done", date(2026, 6, 14), "已更新"
    record_update(acting_user=cast.clerk, instance=rect, before=before)
    assert "宣传栏内容未及时更新" not in _todo(client, cast.member, dist)


def test_a_review_waits_for_each_reviewer_in_turn(cast: Any, client: Any, today: date) -> None:
    dist = cast.units["demo-dist"]
    position = lm.Position.objects.filter(unit=dist, deleted_at__isnull=True).first()
    review = record_create(
        acting_user=cast.clerk,
        instance=lm.PublicationReview(
            unit=dist, position=position, title="六月党建简报", drafted_on=date(2026, 6, 10)
        ),
    )
    ledger_services.review_submit(acting_user=cast.clerk, review=review)
    assert "待初审：六月党建简报" in _todo(client, cast.secretary, dist)
    assert "待初审：六月党建简报" in _todo(client, cast.clerk, dist)
    assert "六月党建简报" not in _todo(client, cast.member, dist)  # a 成员 reviews nothing

    ledger_services.review_decide(acting_user=cast.clerk, review=review, stage="first", verdict="pass")
    assert "六月党建简报" not in _todo(client, cast.clerk, dist)  # one person, one stage per round
    page = _todo(client, cast.secretary, dist)
    assert "待复审：六月党建简报" in page
    ledger_services.review_decide(
        acting_user=cast.secretary, review=review, stage="second", verdict="reject", comment="标题需修改"
    )
    assert "退回修改：六月党建简报" in _todo(client, cast.clerk, dist)
    dashboard = (client.get(reverse("dashboard"))).content.decode()
    assert 'id="todo-panel"' in dashboard and "退回修改：六月党建简报" in dashboard


def test_the_daily_pass_reminds_the_responsible_roles_once(cast: Any, settings: Any, today: date) -> None:
    settings.NOTIFY_EMAIL = True
    dist = cast.units["demo-dist"]
    for u in (cast.clerk, cast.leader):
        u.email = f"{u.username}@example.cn"
        u.save(update_fields=["email"])
    _rectification(cast, owner=cast.member, deadline=date(2026, 6, 14), problem="门户网站栏目长期未更新")

    first = reminders.remind(today=DAY, days=7)
    assert first.reminders >= 2 and first.messages > 0
    due = Message.objects.filter(unit=dist, category="事前提醒")
    assert sorted(m.recipient.username for m in due) == ["clerk", "leader"]  # 联络员, 直接责任人
    assert "每半年向上级党组织专题报告（上半年），6月20日到期" in due[0].body
    assert due[0].link == reverse("rules:cell", args=[dist.pk, "half-year-report", 2026, 1])
    overdue = Message.objects.filter(unit=dist, category="逾期提醒")
    assert sorted(m.recipient.username for m in overdue) == ["clerk", "leader", "member", "secretary"]
    assert "门户网站栏目长期未更新" in overdue[0].body
    assert Delivery.objects.filter(message__in=[*due, *overdue]).count() == 4  # clerk and leader have e-mail
    assert Reminder.objects.filter(unit=dist, item="rule:half-year-report", period="2026-half-1").count() == 1

    counts = (Reminder.objects.count(), Message.objects.count(), Delivery.objects.count())
    again = reminders.remind(today=DAY, days=7)
    assert (again.reminders, again.messages) == (0, 0)
    tomorrow = reminders.remind(today=date(2026, 6, 16), days=7)
    assert tomorrow.reminders == 0  # the same items and periods: not reminded again
    assert (Reminder.objects.count(), Message.objects.count(), Delivery.objects.count()) == counts


def test_a_pass_that_read_a_stale_list_is_stopped_by_the_database(
    cast: Any, today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another server's pass committed between this pass's read and its insert: the unique key
    refuses the duplicates, the chunk is redone without them, and nobody is reminded twice."""
    reminders.remind(today=DAY, days=7)
    counts = (Reminder.objects.count(), Message.objects.count())
    real = reminders._existing
    calls = []

    def stale_once(items: list[Any]) -> set[Any]:
        calls.append(1)
        return set() if len(calls) == 1 else real(items)

    monkeypatch.setattr(reminders, "_existing", stale_once)
    result = reminders.remind(today=DAY, days=7)
    assert len(calls) >= 2 and result.reminders == 0
    assert (Reminder.objects.count(), Message.objects.count()) == counts
