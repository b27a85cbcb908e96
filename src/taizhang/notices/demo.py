"""The demo's notices: the city asks its units for this half-year's 专题报告. The district answered on
time and was accepted (its 报告与督查 ledger holds the report), the east bureau was returned and
answered again, the west answered late, the district's party branch has not answered and was
reminded. Written through the services as the people would; only the dates are moved back, so the
notice reads as issued three weeks ago."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from taizhang.orgs.models import Unit, User
from taizhang.reports import services as reports

from . import services
from .models import Notice, NoticeTarget, Response, Submission


def _final_report(unit: Unit, clerk: Any, secretary: Any, year: int, half: int) -> Any:
    doc = reports.document_generate(acting_user=clerk, unit=unit, kind="half-year", year=year, half=half)
    return reports.version_finalise(acting_user=secretary, version=_registered(clerk, doc.versions.get()))


def _registered(clerk: Any, draft: Any) -> Any:
    """The 办公室 fills in the 序号 of the 发文字号 before the secretary signs (区气党〔2026〕11号, the
    demo's serial being the month, as in its ledgers), so the report record of the sending bears it."""
    content = draft.content
    pattern = str(content.get("number", ""))
    if not pattern.endswith("〕\u3000号") or "day" not in content:
        return draft
    return reports.version_header_update(
        acting_user=clerk, version=draft, day=date.fromisoformat(content["day"]),
        number=pattern.replace("\u3000号", f"{timezone.localdate().month}号"),
        signer=str(content.get("signer", "")), addressee=str(content.get("addressee", "")),
    )  # fmt: skip


def _sent(sub: Submission, when: Any) -> None:
    """Move an answer (and its unit's standing answer) back to the day it was sent."""
    Submission.objects.filter(pk=sub.pk).update(submitted_at=when)
    NoticeTarget.objects.filter(pk=sub.target_id).update(submitted_at=when)
    sub.refresh_from_db()


def _decided(sub: Submission, when: Any) -> None:
    Submission.objects.filter(pk=sub.pk).update(decided_at=when)


def _answers(
    units: dict[str, Unit], people: dict[str, Any], targets: dict[str, Any], year: int, half: int
) -> None:
    """Each county bureau's answer, as its clerk sent it and the city decided it."""
    now = timezone.now()
    city = people["city_secretary"]
    # 区气象局: on time, accepted; the report is in its ledger with the day it was sent
    v = _final_report(units["demo-dist"], people["clerk"], people["secretary"], year, half)
    sub = services.submission_create(acting_user=people["clerk"], target=targets["demo-dist"], version=v)
    _sent(sub, now - timedelta(days=8))
    _decided(
        services.submission_decide(acting_user=city, submission=sub, verdict="accepted"),
        now - timedelta(days=7),
    )

    # 东区气象局: returned with comments, revised and answered again before the deadline
    v = _final_report(units["demo-east"], people["outsider"], people["east_secretary"], year, half)
    sub = services.submission_create(acting_user=people["outsider"], target=targets["demo-east"], version=v)
    _sent(sub, now - timedelta(days=12))
    returned = services.submission_decide(
        acting_user=city, submission=sub, verdict="returned",
        comment="阵地管理部分只有数字，请补充公众号“三审”执行情况和检查发现问题的整改情况。",
    )  # fmt: skip
    _decided(returned, now - timedelta(days=10))
    draft = reports.version_revise(acting_user=people["outsider"], version=v)
    v2 = reports.version_finalise(acting_user=people["east_secretary"], version=draft)
    sub = services.submission_create(
        acting_user=people["outsider"], target=targets["demo-east"], version=v2,
        note="已按市局意见补充阵地管理和整改情况。",
    )  # fmt: skip
    _sent(sub, now - timedelta(days=6))

    # 西区气象局: answered two days after the deadline, accepted
    v = _final_report(units["demo-west"], people["west_clerk"], people["west_secretary"], year, half)
    sub = services.submission_create(acting_user=people["west_clerk"], target=targets["demo-west"], version=v)
    _sent(sub, now - timedelta(days=3))
    _decided(
        services.submission_decide(acting_user=city, submission=sub, verdict="accepted"),
        now - timedelta(days=2),
    )


def build_notices(units: dict[str, Unit]) -> Notice:
    today = timezone.localdate()
    now = timezone.now()
    year, half = today.year, (1 if today.month <= 6 else 2)
    half_name = "上半年" if half == 1 else "下半年"
    people = {u.username: u for u in User.objects.filter(username__in=[
        "city_secretary", "clerk", "secretary", "outsider", "east_secretary", "west_clerk", "west_secretary",
    ])}  # fmt: skip
    city = people["city_secretary"]
    notice = services.notice_issue(
        acting_user=city,
        unit=units["demo-city"],
        title=f"关于报送{year}年{half_name}意识形态工作专题报告的通知",
        body=(
            f"各县（区）气象局党支部：\n根据《党委（党组）意识形态工作责任制实施办法》要求，请各单位认真总结{year}年"
            f"{half_name}落实意识形态工作责任制情况，重点报告理论学习、阵地管理、分析研判和问题整改情况，"
            "经本单位第一责任人审定后按时报送。报告经市局审核通过后，自动记入各单位报告与督查台账。"
        ),
        deadline=today + timedelta(days=1),
        response=Response.DOCUMENT,
        document_kind="half-year",
        report_kind="half_year",
        recipients=None,
    )
    deadline = today - timedelta(days=5)
    Notice.objects.filter(pk=notice.pk).update(issued_at=now - timedelta(days=20), deadline=deadline)
    notice.refresh_from_db()
    targets = {t.unit.code: t for t in notice.targets.select_related("unit")}
    _answers(units, people, targets, year, half)

    # 区气象局党支部: nothing yet; the city reminded it
    services.notice_remind(acting_user=city, notice=notice)
    return notice
