"""通知 pages: the list (received and issued), issuing, the issuer's table over the units' answers
with its Excel export and 催办, one unit's answers with submit / withdraw / accept / return, and the
downloads of a notice's attachments and of an answer's file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from taizhang.core import query
from taizhang.core.downloads import download_response, file_download, xlsx_download
from taizhang.core.excel import workbook_bytes
from taizhang.core.models import Attachment
from taizhang.core.scope import scope_for
from taizhang.orgs.models import Unit
from taizhang.reports import render as renderer
from taizhang.reports import services as report_services
from taizhang.reports.models import DocumentVersion

from . import services
from .forms import NoticeForm
from .models import Notice, NoticeTarget, Response, Submission, TargetState, Verdict

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _unit(request: HttpRequest) -> Any:
    unit = getattr(request, "unit", None)
    if unit is None:
        raise Http404("没有可用的单位")
    return unit


def _attachments(obj: Any) -> Any:
    """A notice's or answer's files. Read only after the notice or answer itself was found through
    its restrict(): they belong to it, and a receiving unit reads them without reading the issuer's
    other records. An answer keeps the file it was sent with, even one later deleted on the generic
    attachment page (deletion is soft): what was submitted does not change under review."""
    files = Attachment.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    return files if isinstance(obj, Submission) else files.filter(deleted_at__isnull=True)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    received = (
        NoticeTarget.objects.restrict(request.user)
        .filter(unit=unit, notice__deleted_at__isnull=True)
        .select_related("notice__unit")
        .order_by("-notice__issued_at")[:200]
    )
    issued = (
        Notice.objects.restrict(request.user)
        .filter(unit=unit)
        .select_related("issued_by")
        .order_by("-issued_at")[:200]
    )
    return render(request, "notices/index.html", {
        "unit": unit, "received": received, "issued": issued, "can_issue": services.may_issue(request.user, unit),
        "today": timezone.localdate(),
    })  # fmt: skip


def _urge_initial(request: HttpRequest, unit: Any, below: Any) -> dict[str, Any]:
    """督办 from a missed requirement: the unit, the rule and the year prefill the notice."""
    from taizhang.rules import services as rule_services

    target_pk = query.integer(request.GET, "unit", lo=1, hi=query.MAX_ID)
    rule_id = request.GET.get("rule", "")[:64]
    year = query.year(request.GET, default=timezone.localdate().year)
    if target_pk is None or not rule_id:
        return {}
    # the gap is read as the person reads it: only someone who reads that unit's records urges it
    target = Unit.objects.restrict(request.user).filter(pk__in=below.filter(pk=target_pk)).first()
    if target is None:
        raise Http404("没有这个下级单位")
    # the rule as it applies to that unit (its own and inherited local rules)
    [result] = rule_services.evaluate_units([target], year, user=request.user)
    rule = next((r for r in result.rules if r.id == rule_id), None)
    if rule is None:
        raise Http404("没有这条要求")
    missed = [c.period.label for c in result.cells.get(rule_id, []) if c.status == "missed"]
    when = f"{year}年" + ("、".join(missed) if missed else "")
    deadline = timezone.localdate() + timedelta(days=15)
    return {
        "title": f"关于督促落实“{rule.name}”的通知",
        "body": (
            f"{target.party_org_name or target.name}：\n经查，你单位{when}未达到“{rule.name}”的要求"
            f"（{rule.description.replace(' ', '')}"
            f"{'，依据' + rule.source if rule.source else ''}）。请对照要求抓紧整改落实，"
            f"于{deadline.year}年{deadline.month}月{deadline.day}日前报送落实情况，并在台账中如实登记。"
        ),
        "deadline": deadline,
        "response": Response.FILE,
        "recipients": [str(target.pk)],
        "rule_id": rule_id,
        "rule_year": year,
    }


@login_required
def create(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    if not services.may_issue(request.user, unit):
        raise PermissionDenied("您没有以本单位名义向下级单位下发通知的权限。")
    below = services.units_below(unit)
    if request.method == "POST":
        form = NoticeForm(request.POST, request.FILES, units=below)
        if form.is_valid():
            data = form.cleaned_data
            try:
                notice = services.notice_issue(
                    acting_user=request.user, unit=unit, title=data["title"], body=data["body"],
                    deadline=data["deadline"], response=data["response"], recipients=form.chosen_units(),
                    document_kind=data["document_kind"], figures=data["figures"], report_kind=data["report_kind"],
                    uploads=data["attachments"], rule_id=data["rule_id"], rule_year=data["rule_year"],
                )  # fmt: skip
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, f"已向{notice.targets.count()}个单位下发通知。")
                return redirect("notices:detail", pk=notice.pk)
    else:
        initial = {
            "deadline": timezone.localdate() + timedelta(days=15),
            **_urge_initial(request, unit, below),
        }
        form = NoticeForm(initial=initial, units=below)
    return render(request, "notices/form.html", {"unit": unit, "form": form})


def _notice(request: HttpRequest, pk: int) -> Notice:
    return get_object_or_404(Notice.objects.restrict(request.user).select_related("unit", "issued_by"), pk=pk)


def _issued_notice(request: HttpRequest, pk: int) -> Notice:
    """A notice seen from the issuing side (its table, export, deadline, cancellation): an addressed
    unit reads the notice but none of this, and is answered as if it did not exist."""
    notice = _notice(request, pk)
    if not scope_for(request.user).allows("view", notice.unit):
        raise Http404("没有这份通知")
    return notice


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice; for the issuing side, the table over every unit's answer."""
    notice = _notice(request, pk)
    scope = scope_for(request.user)
    issuer_side = scope.allows("view", notice.unit)
    ctx: dict[str, Any] = {
        "notice": notice,
        "attachments": _attachments(notice),
        "notice_type": ContentType.objects.get_for_model(Notice).pk,
        "issuer_side": issuer_side,
        "can_review": scope.allows("change", notice.unit),
        "can_cancel": scope.allows("delete", notice.unit),
    }
    if issuer_side:
        state = query.choice(request.GET, "state", TargetState.values) or ""
        rows, counts = services.table(notice, state=state)
        ctx.update(rows=rows, counts=counts, state=state, states=TargetState.choices)
        ctx["figure_names"] = notice.figure_names() if notice.response == Response.FIGURES else []
    # the answer the unit the person works in owes, if the notice is addressed to it
    ctx["mine"] = (
        NoticeTarget.objects.restrict(request.user).filter(notice=notice, unit=_unit(request)).first()
    )
    return render(request, "notices/detail.html", ctx)


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _issued_notice(request, pk)
    rows, _ = services.table(notice)
    names = notice.figure_names() if notice.response == Response.FIGURES else []
    data = workbook_bytes([("报送情况", ["单位", "状态", "是否按时", "报送时间", "催办次数", *names], [
        [r.target.unit.name, r.target.get_state_display(), r.label,
         r.target.submitted_at or "", r.target.reminders, *[_number(v) for v in r.figures]] for r in rows
    ])])  # fmt: skip
    return xlsx_download(request, data, f"{notice.title}报送情况.xlsx", what="通知报送情况", obj=notice)


def _number(value: str) -> Any:
    """A figure as a number in the workbook, so the issuer can sum the column."""
    try:
        return int(value) if value.isdigit() else float(value) if value else ""
    except ValueError:
        return value


@login_required
@require_POST
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    try:
        count = services.notice_remind(acting_user=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if count:
            messages.success(request, f"已向{count}个未报送的单位发出催办。")
        else:
            messages.info(request, "没有需要催办的单位（今天已催办过的不再重复发送）。")
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def deadline(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _issued_notice(request, pk)
    try:
        day = parse_date(request.POST.get("deadline", "").strip())
    except ValueError:
        day = None
    if day is None:
        messages.error(request, "请填写有效的日期。")
        return redirect("notices:detail", pk=notice.pk)
    try:
        services.notice_deadline_set(acting_user=request.user, notice=notice, deadline=day)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已调整报送时限，并通知了尚未报送的单位。")
    return redirect("notices:detail", pk=notice.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _issued_notice(request, pk)
    services.notice_cancel(acting_user=request.user, notice=notice)
    messages.success(request, f"已撤销通知“{notice.title}”，各接收单位不再看到它。")
    return redirect("notices:index")


def _target(request: HttpRequest, pk: int) -> NoticeTarget:
    return get_object_or_404(
        NoticeTarget.objects.restrict(request.user).select_related("notice__unit", "unit"),
        pk=pk,
        notice__deleted_at__isnull=True,
    )


@login_required
def target(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit's answers to a notice: its history, the form to answer, and the verdict."""
    t = _target(request, pk)
    notice = t.notice
    scope = scope_for(request.user)
    submissions = list(
        Submission.objects.restrict(request.user)
        .filter(target=t)
        .select_related("submitted_by", "decided_by", "version__document", "report")
    )
    for s in submissions:
        s.files = list(_attachments(s))  # type: ignore[attr-defined]
    can_submit = scope.allows("add", t.unit) and t.state in (TargetState.PENDING, TargetState.RETURNED)
    versions = []
    if can_submit and notice.response == Response.DOCUMENT:
        versions = list(
            DocumentVersion.objects.restrict(request.user)
            .filter(final=True, document__unit=t.unit, document__kind=notice.document_kind,
                    document__deleted_at__isnull=True)
            .select_related("document").order_by("-document__year", "-finalised_at")[:30]
        )  # fmt: skip
    return render(request, "notices/target.html", {
        "t": t, "notice": notice, "submissions": submissions, "can_submit": can_submit, "versions": versions,
        "can_withdraw": scope.allows("change", t.unit), "can_review": scope.allows("change", notice.unit),
        "notice_attachments": _attachments(notice), "figure_names": notice.figure_names(),
    })  # fmt: skip


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    t = _target(request, pk)
    if not scope_for(request.user).allows("add", t.unit):
        raise PermissionDenied("您没有以本单位名义报送的权限。")
    version = None
    version_pk = query.integer(request.POST, "version", lo=1, hi=query.MAX_ID)
    if version_pk is not None:
        version = DocumentVersion.objects.restrict(request.user).filter(pk=version_pk).first()
        if version is None:
            messages.error(request, "请选择本单位已定稿的相应文书。")
            return redirect("notices:target", pk=t.pk)
    figures = {name: request.POST.get(f"figure-{i}", "") for i, name in enumerate(t.notice.figure_names())}
    try:
        services.submission_create(
            acting_user=request.user, target=t, version=version, upload=request.FILES.get("file"),
            figures=figures, note=request.POST.get("note", "")[:2000],
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已报送，等待上级审核。审核前可以撤回。")
    return redirect("notices:target", pk=t.pk)


def _submission(request: HttpRequest, pk: int) -> Submission:
    return get_object_or_404(
        Submission.objects.restrict(request.user).select_related("target__notice__unit", "unit", "version"),
        pk=pk,
        target__notice__deleted_at__isnull=True,
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    try:
        services.submission_withdraw(acting_user=request.user, submission=sub)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已撤回，可以修改后重新报送。")
    return redirect("notices:target", pk=sub.target_id)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    sub = _submission(request, pk)
    verdict = query.choice(request.POST, "verdict", Verdict.values) or ""
    try:
        services.submission_decide(
            acting_user=request.user, submission=sub, verdict=verdict, comment=request.POST.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if verdict == Verdict.ACCEPTED:
            recorded = "，已记入该单位报告与督查台账" if sub.target.notice.report_kind else ""
            messages.success(request, f"已通过{sub.unit.short_name}的报送{recorded}。")
        else:
            messages.success(request, f"已退回{sub.unit.short_name}的报送。")
    return redirect("notices:target", pk=sub.target_id)


@login_required
def submission_file(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The document an answer carries, as the version it picked renders (a final version never
    changes), or the file it uploaded."""
    sub = _submission(request, pk)
    if sub.version_id:
        version = sub.version
        assert version is not None
        document = report_services.as_document(version)
        return download_response(
            request, renderer.to_docx(document), filename=f"{sub.unit.short_name}-{document.title}.docx",
            content_type=DOCX, what="通知报送", obj=sub,
        )  # fmt: skip
    att = _attachments(sub).first()
    if att is None:
        raise Http404("这次报送没有文件")
    return file_download(
        request,
        att.file.open("rb"),
        filename=att.original_name,
        content_type=att.mime_type,
        what="通知报送",
        obj=att,
    )


@login_required
def attachment(request: HttpRequest, pk: int, att: int) -> FileResponse:
    notice = _notice(request, pk)
    found = get_object_or_404(_attachments(notice), pk=att)
    return file_download(
        request,
        found.file.open("rb"),
        filename=found.original_name,
        content_type=found.mime_type,
        what="通知附件",
        obj=found,
    )


def urge_url(unit: Unit, rule_id: str, year: int) -> str:
    return f"{reverse('notices:create')}?unit={unit.pk}&rule={rule_id}&year={year}"
