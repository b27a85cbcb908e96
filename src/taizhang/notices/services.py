"""Writes and selectors of 通知下发与报送. Every write is one transaction with its audit row; the
messages it causes (a notice arriving, a 催办, a verdict) are written in the same transaction
through notify.notify_users, so nothing is announced that was rolled back."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.scope import scope_for
from taizhang.core.services import after_write, attachment_add, record_delete
from taizhang.core.textcheck import text_problem
from taizhang.ledger.models.report_records import ReportRecord
from taizhang.notify.todo import TodoItem
from taizhang.orgs.models import Unit, User
from taizhang.orgs.roles import Role
from taizhang.reports.models import DocumentVersion

from .models import Notice, NoticeTarget, Response, Submission, TargetState, Verdict

# who in a receiving unit hears of a notice and its 催办: those who answer it
ANSWERING_ROLES = (Role.CLERK, Role.SECRETARY, Role.LEADER)
ATTACHMENTS_MAX = 10
FIGURE_MAX = Decimal("1000000000")


def may_issue(user: Any, unit: Any) -> bool:
    """The unit's writers (clerk, secretary, leaders) issue to its subtree, when it has one."""
    return (
        unit is not None
        and scope_for(user).allows("add", unit)
        and Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(pk=unit.pk).exists()
    )


def units_below(unit: Any) -> Any:
    """The active units a notice of `unit` may be addressed to. Naming the units below is part of
    the right to issue to them (may_issue), which a clerk holds without reading their records."""
    return (
        Unit.objects.filter(path__startswith=unit.path, is_active=True).exclude(pk=unit.pk).order_by("path")
    )


def _answering_users(unit_ids: list[int]) -> Any:
    return User.objects.filter(
        is_active=True,
        memberships__unit_id__in=unit_ids,
        memberships__role__in=ANSWERING_ROLES,
        memberships__deleted_at__isnull=True,
    ).distinct()


def notify_users(**kwargs: Any) -> int:
    """notify's public API (messages and their outbox rows in this transaction), imported when
    used so this app loads beside any install order of the two."""
    from taizhang.notify.services import notify_users as send

    return send(**kwargs)


def _notify_units(unit_ids: list[int], **kwargs: Any) -> int:
    """Messages to the answering people of `unit_ids`; a unit with a group robot gets its own call
    so the post reaches its group too (notify sends a robot post for one named unit), the others one
    call together. `kwargs` are notify_users' (a dedupe_key keeps a person to one message)."""
    from taizhang.notify.models import ChannelSetting
    from taizhang.orgs.models import Unit

    robots = set(
        ChannelSetting.objects.filter(unit_id__in=unit_ids)
        .exclude(webhook_url="")
        .values_list("unit_id", flat=True)
    )
    sent = 0
    for unit in Unit.objects.filter(pk__in=robots).order_by("path"):
        sent += notify_users(users=_answering_users([unit.pk]), unit=unit, **kwargs)
    rest = [i for i in unit_ids if i not in robots]
    if rest:
        sent += notify_users(users=_answering_users(rest), **kwargs)
    return sent


def _link(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


@transaction.atomic
def notice_issue(
    *,
    acting_user: Any,
    unit: Unit,
    title: str,
    body: str,
    deadline: date,
    response: str,
    recipients: list[Unit] | None,
    document_kind: str = "",
    figures: str = "",
    report_kind: str = "",
    uploads: list[UploadedFile] | None = None,
    rule_id: str = "",
    rule_year: int | None = None,
) -> Notice:
    """Issue a notice to `recipients` (units below `unit`; None: all of them) and tell each unit's
    clerk, secretary and leader. The deadline may not lie before today."""
    if not scope_for(acting_user).allows("add", unit):
        raise PermissionDenied("您没有以本单位名义下发通知的权限。")
    targets = _recipient_units(unit, recipients)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": "报送时限不能早于今天。"})
    uploads = uploads or []
    if len(uploads) > ATTACHMENTS_MAX:
        raise ValidationError(f"附件最多{ATTACHMENTS_MAX}个。")
    now = timezone.now()
    notice = Notice(
        unit=unit,
        title=title.strip(),
        body=body.strip(),
        deadline=deadline,
        response=response,
        document_kind=document_kind,
        figures=figures,
        report_kind=report_kind,
        rule_id=rule_id,
        rule_year=rule_year,
        issued_at=now,
        issued_by=acting_user,
        created_by=acting_user,
        updated_by=acting_user,
    )
    notice.full_clean()
    notice.save()
    ids = _addressed(notice, targets, acting_user=acting_user)
    for upload in uploads:
        attachment_add(acting_user=acting_user, record=notice, upload=upload)
    _notify_units(
        ids,
        acting_user=acting_user,
        subject=f"{unit.short_name}通知：{notice.title}",
        body=f"请于{_cn(deadline)}前报送。",
        link=_link("notices:detail", notice.pk),
        dedupe_key=f"notice:{notice.pk}",
        cause=notice,
        category="通知",
    )
    return notice


def _recipient_units(unit: Unit, recipients: list[Unit] | None) -> list[Unit]:
    """The units a notice of `unit` goes to: the chosen ones, each of which must lie below it, or
    (None) every active unit below."""
    below = units_below(unit)
    if recipients is None:
        targets = list(below.only("pk", "path"))
    else:
        wanted = {u.pk for u in recipients}
        targets = list(below.filter(pk__in=wanted).only("pk", "path"))
        if len(targets) != len(wanted):
            raise ValidationError("只能向本单位的下级单位下发通知。")
    if not targets:
        raise ValidationError("请选择接收通知的下级单位。")
    return targets


def _addressed(notice: Notice, targets: list[Unit], *, acting_user: Any) -> list[int]:
    """One NoticeTarget per receiving unit, and the notice's audit row naming them; their ids."""
    NoticeTarget.objects.bulk_create(
        [
            NoticeTarget(notice=notice, unit_id=u.pk, created_by=acting_user, updated_by=acting_user)
            for u in targets
        ],
        batch_size=1000,
    )
    ids = [u.pk for u in targets]
    audit.record(
        action="create",
        actor=acting_user,
        obj=notice,
        after={**(audit.snapshot(notice) or {}), "recipients": ids},
    )
    return ids


def _checked_text(value: str, label: str) -> str:
    """Typed text (a note, a comment) under the house rule: no control characters, invisible marks
    or emoji."""
    value = value.strip()
    if problem := text_problem(value):
        raise ValidationError(f"{label}：{problem}")
    return value


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _locked_target(target: NoticeTarget) -> NoticeTarget:
    # of=self: answers of different units to one notice do not wait for each other on the notice row
    return (
        NoticeTarget.objects.select_for_update(of=("self",))
        .select_related("notice__unit", "unit")
        .get(pk=target.pk)
    )


def _figures(notice: Notice, raw: dict[str, str] | None) -> dict[str, str]:
    values: dict[str, str] = {}
    missing = []
    for name in notice.figure_names():
        text = (raw or {}).get(name, "").strip()
        if not text:
            missing.append(name)
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(f"“{name}”请填写数字。") from None
        if not number.is_finite() or number < 0 or number >= FIGURE_MAX:
            raise ValidationError(f"“{name}”请填写不小于0的数字。")
        values[name] = format(number.normalize(), "f")
    if missing:
        raise ValidationError(f"请填写：{'、'.join(missing)}。")
    return values


@transaction.atomic
def submission_create(
    *,
    acting_user: Any,
    target: NoticeTarget,
    version: DocumentVersion | None = None,
    upload: UploadedFile | None = None,
    figures: dict[str, str] | None = None,
    note: str = "",
) -> Submission:
    """The receiving unit answers: a finalised version of its own 文书 of the kind asked for, or an
    uploaded file, or the figures asked for. A unit answers again only after a withdrawal or return."""
    target = _locked_target(target)
    notice = target.notice
    _check_may_answer(acting_user, target)
    version, upload, values = _answer(acting_user, target, version=version, upload=upload, figures=figures)
    now = timezone.now()
    number = (target.submissions.aggregate(n=Max("number"))["n"] or 0) + 1
    sub = Submission(
        unit=target.unit,
        target=target,
        number=number,
        submitted_at=now,
        submitted_by=acting_user,
        version=version,
        figures=values,
        note=_checked_text(note, "说明"),
        created_by=acting_user,
        updated_by=acting_user,
    )
    sub.full_clean()
    sub.save()
    if upload is not None:
        attachment_add(acting_user=acting_user, record=sub, upload=upload)
    before = audit.snapshot(target)
    target.state, target.submitted_at, target.updated_by = TargetState.SUBMITTED, now, acting_user
    target.save(update_fields=["state", "submitted_at", "updated_by", "updated_at"])
    audit.record(action="create", actor=acting_user, obj=sub, after=audit.snapshot(sub))
    audit.record(action="change", actor=acting_user, obj=target, before=before, after=audit.snapshot(target))
    if notice.issued_by_id:
        notify_users(
            acting_user=acting_user,
            users=[notice.issued_by],
            subject=f"{target.unit.short_name}已报送：{notice.title}",
            link=_link("notices:target", target.pk),
            cause=sub,
            category="通知",
        )
    return sub


def _check_may_answer(acting_user: Any, target: NoticeTarget) -> None:
    """A unit's writers answer a live notice, once until it is withdrawn or returned."""
    if not scope_for(acting_user).allows("add", target.unit):
        raise PermissionDenied("您没有以本单位名义报送的权限。")
    if target.notice.deleted_at is not None:
        raise ValidationError("这份通知已撤销。")
    if target.state == TargetState.SUBMITTED:
        raise ValidationError("已经报送，正在等待审核；如需修改，请先撤回。")
    if target.state == TargetState.ACCEPTED:
        raise ValidationError("报送已通过审核，无需再报。")


def _answer(
    acting_user: Any,
    target: NoticeTarget,
    *,
    version: DocumentVersion | None,
    upload: UploadedFile | None,
    figures: dict[str, str] | None,
) -> tuple[DocumentVersion | None, UploadedFile | None, dict[str, str]]:
    """What the answer carries, as the notice asks: (version, upload, figures), one of them given."""
    notice = target.notice
    if notice.response == Response.FIGURES:
        return None, None, _figures(notice, figures)
    if notice.response == Response.DOCUMENT and version is not None:
        allowed = DocumentVersion.objects.restrict(acting_user, "view").filter(
            pk=version.pk, final=True, document__unit=target.unit, document__kind=notice.document_kind,
            document__deleted_at__isnull=True,
        )  # fmt: skip
        if not allowed.exists():
            raise ValidationError("请选择本单位已定稿的相应文书。")
        return version, None, {}
    if upload is None:
        raise ValidationError(
            "请选择已定稿的文书或上传文件。"
            if notice.response == Response.DOCUMENT
            else "请上传要报送的文件。"
        )
    return None, upload, {}


def _locked_submission(submission: Submission) -> tuple[Submission, NoticeTarget]:
    target = _locked_target(submission.target)
    return Submission.objects.select_for_update().get(pk=submission.pk), target


@transaction.atomic
def submission_withdraw(*, acting_user: Any, submission: Submission) -> Submission:
    """The receiving unit takes back an answer not yet reviewed; it may then answer again."""
    sub, target = _locked_submission(submission)
    if not scope_for(acting_user).allows("change", target.unit):
        raise PermissionDenied("您没有撤回本单位报送的权限。")
    if not sub.open:
        raise ValidationError("已审核或已撤回的报送不能撤回。")
    before_sub, before_target = audit.snapshot(sub), audit.snapshot(target)
    sub.withdrawn_at, sub.updated_by = timezone.now(), acting_user
    sub.save(update_fields=["withdrawn_at", "updated_by", "updated_at"])
    returned = target.submissions.filter(verdict=Verdict.RETURNED).exists()
    target.state = TargetState.RETURNED if returned else TargetState.PENDING
    target.submitted_at, target.updated_by = None, acting_user
    target.save(update_fields=["state", "submitted_at", "updated_by", "updated_at"])
    audit.record(action="withdraw", actor=acting_user, obj=sub, before=before_sub, after=audit.snapshot(sub))
    audit.record(
        action="change", actor=acting_user, obj=target, before=before_target, after=audit.snapshot(target)
    )
    return sub


def _registered_number(sub: Submission) -> str:
    """The 发文字号 the sent version bears once the 办公室 filled in its 序号 (区气党〔2026〕9号); a
    pattern still without its 序号 (区气党〔2026〕　号) is no number and is not recorded."""
    content = sub.version.content if sub.version is not None else None
    number = str(content.get("number", "")).strip() if isinstance(content, dict) else ""
    return number[:60] if re.search(r"〔\d{4}〕\d+号$", number) else ""


def _record_report(*, acting_user: Any, sub: Submission, target: NoticeTarget) -> ReportRecord:
    """The 报告与督查 entry of the submitting unit, dated the day it was sent, so the rule on reports
    to the superior is met by the act itself. Written here rather than through record_create: the
    reviewer writes it in the unit below, where their own role gives them no right to write."""
    notice = target.notice
    sent = timezone.localtime(sub.submitted_at).date()
    title = sub.version.document.title if sub.version is not None else notice.title
    issuer = notice.unit.party_org_name or notice.unit.name
    record = ReportRecord(
        unit=target.unit,
        kind=notice.report_kind,
        held_on=sent,
        title=title[:200],
        recipient=issuer[:100],
        document_no=_registered_number(sub),
        summary=f"按照{notice.unit.short_name}《{notice.title}》要求报送，经审核通过。",
        created_by=sub.submitted_by,
        updated_by=sub.submitted_by,
    )
    record.full_clean()
    record.save()
    audit.record(
        action="create",
        actor=acting_user,
        obj=record,
        after={**(audit.snapshot(record) or {}), "from_submission": sub.pk},
    )
    after_write(record)
    return record


@transaction.atomic
def submission_decide(
    *, acting_user: Any, submission: Submission, verdict: str, comment: str = ""
) -> Submission:
    """The issuing unit accepts an answer or returns it with its comments (the unit answers again).
    Accepting a report records it in the submitting unit's 报告与督查 ledger."""
    sub, target = _locked_submission(submission)
    notice = target.notice
    if not scope_for(acting_user).allows("change", notice.unit):
        raise PermissionDenied("您没有审核这份通知报送的权限。")
    if verdict not in Verdict.values:
        raise ValidationError("请选择通过或退回。")
    if not sub.open or target.state != TargetState.SUBMITTED:
        raise ValidationError("这次报送已撤回或已审核。")
    comment = _checked_text(comment, "审核意见")
    if verdict == Verdict.RETURNED and not comment:
        raise ValidationError("退回时请写明意见，便于下级单位修改后重新报送。")
    before_sub, before_target = audit.snapshot(sub), audit.snapshot(target)
    sub.verdict, sub.comment, sub.decided_at, sub.decided_by = (
        verdict,
        comment[:2000],
        timezone.now(),
        acting_user,
    )
    if verdict == Verdict.ACCEPTED and notice.report_kind:
        sub.report = _record_report(acting_user=acting_user, sub=sub, target=target)
    sub.updated_by = acting_user
    sub.full_clean()
    sub.save()
    target.state = TargetState.ACCEPTED if verdict == Verdict.ACCEPTED else TargetState.RETURNED
    target.updated_by = acting_user
    target.save(update_fields=["state", "updated_by", "updated_at"])
    audit.record(action=verdict, actor=acting_user, obj=sub, before=before_sub, after=audit.snapshot(sub))
    audit.record(
        action="change", actor=acting_user, obj=target, before=before_target, after=audit.snapshot(target)
    )
    word = "已通过" if verdict == Verdict.ACCEPTED else "被退回，请修改后重新报送"
    notify_users(
        acting_user=acting_user,
        users=_answering_users([target.unit_id]),
        subject=f"报送{word}：{notice.title}",
        body=comment,
        link=_link("notices:target", target.pk),
        cause=sub,
        unit=target.unit,
        category="通知",
    )
    return sub


@transaction.atomic
def notice_remind(*, acting_user: Any, notice: Notice) -> int:
    """催办: one message to each unit that has not answered (nothing standing, or returned), at most
    once a day per notice. Returns the number of units reminded."""
    if not scope_for(acting_user).allows("change", notice.unit):
        raise PermissionDenied("您没有催办这份通知的权限。")
    waiting = NoticeTarget.objects.filter(
        notice=notice, state__in=[TargetState.PENDING, TargetState.RETURNED]
    ).select_for_update()
    ids = list(waiting.values_list("unit_id", flat=True))
    if not ids:
        return 0
    today = timezone.localdate()
    sent = _notify_units(
        ids,
        acting_user=acting_user,
        subject=f"催办：{notice.title}",
        body=f"请于{_cn(notice.deadline)}前报送。"
        if notice.deadline >= today
        else f"报送时限{_cn(notice.deadline)}已过，请尽快报送。",
        link=_link("notices:detail", notice.pk),
        dedupe_key=f"notice-remind:{notice.pk}:{today.isoformat()}",
        cause=notice,
        category="催办",
    )
    if not sent:
        return 0
    NoticeTarget.objects.filter(notice=notice, unit_id__in=ids).update(
        reminded_at=timezone.now(), reminders=F("reminders") + 1
    )
    audit.record(action="remind", actor=acting_user, obj=notice, after={"units": ids, "messages": sent})
    return len(ids)


@transaction.atomic
def notice_deadline_set(*, acting_user: Any, notice: Notice, deadline: date) -> Notice:
    """延期 (or an earlier day): the issuing unit moves the deadline, not before today, and tells
    the units that have not answered. Answers already sent are judged against the new day."""
    if not scope_for(acting_user).allows("change", notice.unit):
        raise PermissionDenied("您没有调整这份通知时限的权限。")
    if deadline < timezone.localdate():
        raise ValidationError("报送时限不能早于今天。")
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if deadline == notice.deadline:
        return notice
    before = audit.snapshot(notice)
    notice.deadline, notice.updated_by = deadline, acting_user
    notice.full_clean()
    notice.save(update_fields=["deadline", "updated_by", "updated_at"])
    audit.record(action="change", actor=acting_user, obj=notice, before=before, after=audit.snapshot(notice))
    waiting = NoticeTarget.objects.filter(
        notice=notice, state__in=[TargetState.PENDING, TargetState.RETURNED]
    )
    notify_users(
        acting_user=acting_user,
        users=_answering_users(list(waiting.values_list("unit_id", flat=True))),
        subject=f"报送时限调整为{_cn(deadline)}：{notice.title}",
        link=_link("notices:detail", notice.pk),
        dedupe_key=f"notice-deadline:{notice.pk}:{deadline.isoformat()}",
        cause=notice,
        category="通知",
    )
    return notice


@transaction.atomic
def notice_cancel(*, acting_user: Any, notice: Notice) -> Notice:
    """撤销: the issuing unit takes a notice back (soft deletion, audited); it leaves every receiving
    unit's list and to-do, and answers to it can no longer be sent. Its managers can restore it."""
    if not scope_for(acting_user).allows("delete", notice.unit):
        raise PermissionDenied("您没有撤销这份通知的权限。")
    return record_delete(acting_user=acting_user, instance=notice)


# --- Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    target: NoticeTarget
    late: bool
    # a figures notice: the values of the answer now standing, in the notice's order ("" if none)
    figures: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        t = self.target
        if t.state == TargetState.PENDING:
            return "逾期未报" if self.late else "未报送"
        if t.state == TargetState.RETURNED:
            return "已退回"
        return "逾期报送" if self.late else "按时报送"


def table(notice: Notice, *, state: str = "") -> tuple[list[TableRow], dict[str, int]]:
    """The issuer's table over a notice's units (one query whatever their number, two for a
    figures notice): each unit's state, whether it answered in time and the figures it sent, and
    the counts: by state (pending, submitted, returned, accepted), answers on time and late, and
    pending units past the deadline."""
    today = timezone.localdate()
    rows = []
    counts: Counter[str] = Counter({k: 0 for k in ("on_time", "late", "pending_late", *TargetState.values)})
    targets = (
        NoticeTarget.objects.filter(notice=notice)
        .select_related("unit")
        .only("pk", "state", "submitted_at", "reminded_at", "reminders", "unit__name", "unit__path",
              "unit__depth", "unit__short_name", "notice_id")
        .order_by("unit__path")
    )  # fmt: skip
    standing: dict[int, dict[str, str]] = {}
    names = notice.figure_names() if notice.response == Response.FIGURES else []
    if names:  # one more query: the figures of every answer under review or accepted
        for target_id, values in (
            Submission.objects.filter(target__notice=notice, withdrawn_at__isnull=True)
            .exclude(verdict=Verdict.RETURNED)
            .order_by("number")
            .values_list("target_id", "figures")
        ):
            standing[target_id] = values
    for t in targets:
        t.notice = notice
        if t.submitted_at is None:
            late = t.state == TargetState.PENDING and today > notice.deadline
        else:
            late = timezone.localtime(t.submitted_at).date() > notice.deadline
        values = standing.get(t.pk, {})
        row = TableRow(target=t, late=late, figures=tuple(str(values.get(n, "")) for n in names))
        counts[t.state] += 1
        if t.state in (TargetState.SUBMITTED, TargetState.ACCEPTED):
            counts["late" if late else "on_time"] += 1
        elif t.state == TargetState.PENDING and late:
            counts["pending_late"] += 1
        if not state or t.state == state:
            rows.append(row)
    return rows, dict(counts)


def todo_items(user: Any, unit: Any) -> list[TodoItem]:
    """To-do: notices awaiting this unit's answer (or returned), and answers awaiting review."""
    scope = scope_for(user)
    items: list[TodoItem] = []
    if scope.allows("add", unit):
        for t in (
            NoticeTarget.objects.restrict(user)
            .filter(
                unit=unit,
                state__in=[TargetState.PENDING, TargetState.RETURNED],
                notice__deleted_at__isnull=True,
            )
            .select_related("notice__unit")
        ):
            returned = t.state == TargetState.RETURNED
            items.append(
                TodoItem(
                    title=f"{'重新报送' if returned else '报送'}：{t.notice.title}",
                    link=_link("notices:target", t.pk),
                    due=t.notice.deadline,
                    kind="通知",
                    detail=f"{t.notice.unit.short_name}下发{'，已退回' if returned else ''}",
                )
            )
    if scope.allows("change", unit):
        for n in (
            Notice.objects.restrict(user)
            .filter(unit=unit)
            .annotate(waiting=Count("targets", filter=Q(targets__state=TargetState.SUBMITTED)))
            .filter(waiting__gt=0)
        ):
            items.append(
                TodoItem(
                    title=f"审核报送：{n.title}",
                    link=f"{_link('notices:detail', n.pk)}?state={TargetState.SUBMITTED}",
                    due=None,
                    kind="报送审核",
                    detail=f"{n.waiting}个单位待审核",
                )
            )
    return items
