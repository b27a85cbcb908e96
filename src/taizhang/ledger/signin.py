"""扫码签到: a meeting signed in by phone, and its printable 签到表.

The meeting's page shows a QR code of a signed link (django.core.signing, its own salt: an HMAC over
the meeting and its start time, so no id can be guessed and a link dies when the meeting is moved).
An attendee scans it, signs in to Taizhang if needed and comes back, and confirms with one tap:
`meeting_sign_in` records the time, ticks them among the attendees and counts them present, with its
audit rows. The link works from 30 minutes before the start until the meeting's end time; only the
unit's own people and those the clerk named as 列席 may sign. The clerk's page polls the count.
When phones are not allowed, the 签到表 prints the expected people for wet signatures (Word or PDF);
its scan is attached to the meeting as evidence through the ordinary attachments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import audit, printing
from taizhang.core.scope import scope_for
from taizhang.core.views import get_restricted, render_page
from taizhang.orgs.models import Membership, UnitKind
from taizhang.orgs.roles import Role

from .models import Meeting, MeetingSignIn

SALT = "taizhang.ledger.signin"
OPENS_BEFORE = timedelta(minutes=30)
POLL_SECONDS = 5
# who is expected, in the order a sign-in sheet lists them
ROLE_ORDER = [Role.SECRETARY, Role.LEADER, Role.BOARD, Role.CLERK, Role.MEMBER]
_NAME_SPLIT = re.compile(r"[、，,；;：:\s（）()]+")


class SignInRefused(Exception):
    """A sign-in that cannot be made; the message says why, in Chinese, to the person scanning."""


class AlreadySigned(SignInRefused):
    def __init__(self, signin: MeetingSignIn) -> None:
        self.signin = signin
        super().__init__(f"您已于{_clock(signin.signed_at)}签到，无需重复签到。")


def _clock(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.hour}:{local.minute:02d}"


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"


# --- The link ------------------------------------------------------------------------------------
def token_for(meeting: Meeting) -> str:
    """The signed part of the meeting's sign-in link: the meeting and its start, under our salt."""
    return signing.dumps({"m": meeting.pk, "t": int(meeting.held_at.timestamp())}, salt=SALT)


def meeting_for_token(token: str) -> Meeting:
    """The meeting a link was signed for. The signature is the capability: a person named as 列席
    from another unit reads nothing else of the unit. A bad or outdated link is one 404."""
    try:
        data = signing.loads(token, salt=SALT)
        pk, start = int(data["m"]), int(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404("签到链接无效。") from exc
    # not restrict(): the signature is the capability (a named 列席 belongs to another unit)
    meeting = Meeting.objects.filter(pk=pk, deleted_at__isnull=True).select_related("unit").first()
    if meeting is None:
        raise Http404("该会议不存在或已删除。")
    if int(meeting.held_at.timestamp()) != start:
        raise SignInRefused("会议时间已调整，此签到二维码已失效，请扫描会场展示的新二维码。")
    return meeting


@dataclass(frozen=True)
class Window:
    opens: datetime
    closes: datetime | None

    def state(self, now: datetime) -> str:
        if self.closes is None:
            return "no_end"
        if now < self.opens:
            return "early"
        if now > self.closes:
            return "closed"
        return "open"


def window(meeting: Meeting) -> Window:
    return Window(opens=meeting.held_at - OPENS_BEFORE, closes=meeting.ends_at)


def window_message(meeting: Meeting, now: datetime) -> str:
    w = window(meeting)
    state = w.state(now)
    if state == "early":
        return (
            f"签到尚未开始：会议{_when(meeting.held_at)}开始，开始前30分钟（{_clock(w.opens)}起）可以签到。"
        )
    if state == "closed":
        assert w.closes is not None
        return f"签到已结束：会议已于{_when(w.closes)}结束，此签到链接已失效。如需补签，请联系会议记录人。"
    if state == "no_end":
        return "该会议未填写结束时间，暂不能扫码签到。请联系会议记录人。"
    return ""


# --- Who may sign --------------------------------------------------------------------------------
def named_observers(meeting: Meeting) -> set[str]:
    """The names the clerk wrote under 列席或外单位人员 (separated by 、，; or spaces)."""
    return {n for n in _NAME_SPLIT.split(meeting.guests or "") if len(n) >= 2}


def people_units(meeting: Meeting) -> list[int]:
    """Whose people attend: the meeting's unit; for a 党支部 kept as a unit below its bureau (which
    holds only its officers' roles), the bureau's people too, since they are the branch's members."""
    unit = meeting.unit
    if unit.kind == UnitKind.BRANCH and unit.parent_id:
        return [unit.pk, unit.parent_id]
    return [unit.pk]


def standing(meeting: Meeting, user: Any) -> str | None:
    """ "member" for the unit's own people, "observer" for a person named as 列席, else None."""
    own = (
        Membership.objects.live()
        .filter(unit_id__in=people_units(meeting), user=user)
        .exclude(role=Role.INSPECTOR)
        .exists()
    )
    if own:
        return "member"
    if user.full_name and user.full_name in named_observers(meeting):
        return "observer"
    return None


def expected_people(meeting: Meeting) -> list[tuple[Any, str]]:
    """The unit's live people (not 上级检查), leaders first, each once, with their post (a person
    with roles in both a branch and its bureau is listed once, by the higher one)."""
    seen: dict[int, tuple[Any, str, int]] = {}
    for m in (
        Membership.objects.live()
        .filter(unit_id__in=people_units(meeting), user__is_active=True, role__in=ROLE_ORDER)
        .select_related("user")
    ):
        rank = ROLE_ORDER.index(Role(m.role))
        known = seen.get(m.user_id)
        if known is None or rank < known[2]:
            seen[m.user_id] = (m.user, m.title or m.get_role_display(), rank)
    rows = sorted(seen.values(), key=lambda r: (r[2], r[0].full_name or r[0].username))
    return [(user, post) for user, post, _rank in rows]


# --- The write -----------------------------------------------------------------------------------
@transaction.atomic
def meeting_sign_in(*, acting_user: Any, meeting: Meeting, now: datetime | None = None) -> MeetingSignIn:
    """Sign `acting_user` in to `meeting` now: inside the window, once, only the unit's people and
    the named 列席. A member is ticked among the attendees and counted in 实到 (应到 grows with it
    if the clerk set it too low); a 列席 is recorded but not counted."""
    now = now or timezone.now()
    # one sign-in at a time per meeting: the counts below are read and written under this lock
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    message = window_message(meeting, now)
    if message:
        raise SignInRefused(message)
    kind = standing(meeting, acting_user)
    if kind is None:
        raise SignInRefused(
            "您不是本单位人员，也未被列为本次会议的列席人员，不能签到。如需列席，请联系会议记录人。"
        )
    existing = own_signin(meeting, acting_user)
    if existing is not None:
        raise AlreadySigned(existing)
    signin = MeetingSignIn(
        unit_id=meeting.unit_id,
        meeting=meeting,
        person=acting_user,
        signed_at=now,
        observer=kind == "observer",
        created_by=acting_user,
        updated_by=acting_user,
    )
    try:
        signin.full_clean()
    except ValidationError as exc:
        raise SignInRefused("签到未能保存，请重试。") from exc
    signin.save()
    audit.record(action="create", actor=acting_user, obj=signin, after=audit.snapshot(signin))
    if kind == "member":
        before = audit.snapshot(meeting)
        # ticked only where the meeting's form can show the person (its own unit's people): a bureau
        # member at its branch's meeting is counted, not ticked, so editing the meeting loses nothing
        if Membership.objects.live().filter(unit_id=meeting.unit_id, user=acting_user).exists():
            meeting.attendees.add(acting_user)
        ticked = set(meeting.attendees.values_list("pk", flat=True))
        signed = set(
            MeetingSignIn.objects.filter(
                meeting=meeting, observer=False, deleted_at__isnull=True
            ).values_list("person_id", flat=True)
        )
        meeting.present = max(meeting.present, len(ticked | signed))
        meeting.expected = max(meeting.expected, meeting.present)
        meeting.save(update_fields=["present", "expected", "updated_at"])
        audit.record(
            action="signin", actor=acting_user, obj=meeting, before=before, after=audit.snapshot(meeting)
        )
    else:
        audit.record(
            action="signin",
            actor=acting_user,
            obj=meeting,
            after={"列席签到": str(acting_user), "时间": timezone.localtime(now).isoformat()},
        )
    return signin


@transaction.atomic
def meeting_sign_in_cancel(*, acting_user: Any, signin: MeetingSignIn) -> MeetingSignIn:
    """The clerk withdraws a sign-in made in error (someone who then left): the row is kept as
    deleted, the person is unticked and 实到 goes down by one; 应到 stays as it is."""
    if not MeetingSignIn.objects.restrict(acting_user, "change").filter(pk=signin.pk).exists():
        raise PermissionDenied("您没有撤销签到的权限。")
    meeting = Meeting.objects.select_for_update().get(pk=signin.meeting_id)
    before = audit.snapshot(signin)
    signin.deleted_at = timezone.now()
    signin.deleted_by = acting_user
    signin.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(action="delete", actor=acting_user, obj=signin, before=before, after=audit.snapshot(signin))
    if not signin.observer:
        before = audit.snapshot(meeting)
        meeting.attendees.remove(signin.person_id)
        meeting.present = max(0, meeting.present - 1)
        meeting.updated_by = acting_user
        meeting.save(update_fields=["present", "updated_at", "updated_by"])
        audit.record(
            action="change", actor=acting_user, obj=meeting, before=before, after=audit.snapshot(meeting)
        )
    return signin


def own_signin(meeting: Meeting, user: Any) -> MeetingSignIn | None:
    """A person's own sign-in to a meeting they reached through its signed link."""
    return MeetingSignIn.objects.filter(meeting=meeting, person=user, deleted_at__isnull=True).first()


def signins_of(meeting: Meeting, user: Any) -> Any:
    return (
        MeetingSignIn.objects.restrict(user)
        .filter(meeting=meeting)
        .select_related("person")
        .order_by("signed_at", "pk")
    )


# --- The 签到表 ------------------------------------------------------------------------------------
def sheet_docx(meeting: Meeting, user: Any) -> bytes:
    """The sign-in sheet: the meeting's particulars, then one row per expected person with room for
    a signature (a phone sign-in is noted with its time), then the named 列席 and a few blank rows."""
    signed = {s.person_id: s for s in signins_of(meeting, user)}
    held = timezone.localtime(meeting.held_at)
    when = f"{held.year}年{held.month}月{held.day}日 {held.hour}:{held.minute:02d}"
    if meeting.ends_at:
        when += f"—{_clock(meeting.ends_at)}"
    host = str(meeting.host) if meeting.host_id else meeting.host_text
    info = [
        ("会议名称", meeting.title, True),
        ("会议类型", meeting.get_kind_display(), False),
        ("时间", when, False),
        ("地点", meeting.place, False),
        ("主持人", host, False),
        ("应到人数", str(meeting.expected), False),
        ("实到人数", "", False),  # filled in by hand after the signatures
    ]

    def note(person: Any) -> str:
        s = signed.get(person.pk)
        return f"已扫码签到 {_clock(s.signed_at)}" if s else ""

    rows = [
        [str(i), str(user_), post, "", note(user_)]
        for i, (user_, post) in enumerate(expected_people(meeting), 1)
    ]
    n = len(rows)
    observers = sorted(named_observers(meeting))
    for i, name in enumerate(observers, n + 1):
        rows.append([str(i), name, "列席", "", ""])
    for i in range(len(rows) + 1, len(rows) + 4):
        rows.append([str(i), "", "", "", ""])
    return printing.paper_docx(
        printing.Paper(
            title="会议签到表",
            unit=meeting.unit.name,
            fields=info,
            tables=[
                printing.Table(
                    title="",
                    headers=["序号", "姓名", "职务", "签名", "备注"],
                    rows=rows,
                    widths=[14, 28, 38, 46, 30],
                    tall=True,
                )
            ],
            footer=["记录人：", "负责人："],
        )
    )


# --- Pages ---------------------------------------------------------------------------------------
def _qr_svg(url: str) -> str:
    return str(
        segno.make(url, error="m").svg_inline(
            scale=4, omitsize=True, svgclass="tz-qr-code", lineclass=None, title="扫码签到二维码"
        )
    )


def _panel_message(meeting: Meeting, state: str, now: datetime, can_change: bool) -> str:
    """What the clerk's panel says about the window (the attendee's page says window_message)."""
    if state == "no_end":
        today = timezone.localtime(meeting.held_at).date() == timezone.localtime(now).date()
        return "填写会议的“结束时间”后即可扫码签到。" if today and can_change else ""
    if state == "closed":
        assert meeting.ends_at is not None
        return f"签到已于{_when(meeting.ends_at)}结束。"
    return window_message(meeting, now)


def panel_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    now = timezone.now()
    can_change = scope_for(request.user).allows("change", meeting.unit) and not meeting.deleted_at
    w = window(meeting)
    state = w.state(now)
    signins = list(signins_of(meeting, request.user))
    ctx: dict[str, Any] = {
        "meeting": meeting,
        "state": state,
        "message": _panel_message(meeting, state, now, can_change),
        "signins": signins,
        "members_signed": sum(1 for s in signins if not s.observer),
        "observers_signed": sum(1 for s in signins if s.observer),
        "can_change": can_change,
        "poll": POLL_SECONDS if state in ("open", "early") else None,
        "opens": w.opens,
        # the signed sheet's scan goes in through the ordinary attachment upload
        "content_type_id": ContentType.objects.get_for_model(Meeting).pk,
        "back": reverse("ledger:meeting_detail", args=[meeting.pk]),
    }
    if can_change and state in ("open", "early"):
        url = request.build_absolute_uri(reverse("ledger:signin_scan", args=[token_for(meeting)]))
        ctx.update(qr=_qr_svg(url), link=url)
    return ctx


def detail_panel(request: HttpRequest, meeting: Meeting) -> tuple[str, dict[str, Any]] | None:
    """The panel on the meeting's page (core.views.DETAIL_PANELS)."""
    if meeting.deleted_at:
        return None
    return "ledger/signin_panel.html", panel_context(request, meeting)


@login_required
def signin_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk's sign-in page (full screen for the meeting room); on the meeting's page, its panel."""
    meeting = get_restricted(request, Meeting, pk)
    panel = {**panel_context(request, meeting), "full_page": True}
    return render_page(request, "ledger/signin.html", {"panel": panel}, "ledger/signin_panel.html")


@login_required
def signin_count(request: HttpRequest, pk: int) -> HttpResponse:
    """The live count, polled by the clerk's page."""
    meeting = get_restricted(request, Meeting, pk)
    return render(request, "ledger/signin_count.html", {"panel": panel_context(request, meeting)})


@login_required
@require_POST
def signin_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk's 撤销 beside a name on the sign-in panel."""
    signin = get_restricted(request, MeetingSignIn, pk, "change")
    meeting_sign_in_cancel(acting_user=request.user, signin=signin)
    messages.success(request, f"已撤销{signin.person}的签到。")
    return redirect("ledger:meeting_detail", pk=signin.meeting_id)


@login_required
def signin_scan(request: HttpRequest, token: str) -> HttpResponse:
    """Where the QR code leads: the meeting, and one button to sign in (or why one cannot)."""
    ctx: dict[str, Any] = {"token": token}
    try:
        meeting = meeting_for_token(token)
    except SignInRefused as exc:
        ctx["refused"] = str(exc)
        return render(request, "ledger/signin_scan.html", ctx, status=410)
    ctx["meeting"] = meeting
    existing = own_signin(meeting, request.user)
    if existing is not None:
        ctx.update(already=existing, done=str(AlreadySigned(existing)))
        return render(request, "ledger/signin_scan.html", ctx)
    if request.method == "POST":
        try:
            signin = meeting_sign_in(acting_user=request.user, meeting=meeting)
        except AlreadySigned as exc:
            ctx.update(already=exc.signin, done=str(exc))
        except SignInRefused as exc:
            ctx["refused"] = str(exc)
            return render(request, "ledger/signin_scan.html", ctx, status=403)
        else:
            ctx.update(signed=signin, done=f"签到成功！签到时间 {_clock(signin.signed_at)}。")
        return render(request, "ledger/signin_scan.html", ctx)
    message = window_message(meeting, timezone.now())
    if message:
        ctx["refused"] = message
    elif standing(meeting, request.user) is None:
        ctx["refused"] = (
            "您不是本单位人员，也未被列为本次会议的列席人员，不能签到。如需列席，请联系会议记录人。"
        )
    return render(request, "ledger/signin_scan.html", ctx)


@login_required
def signin_sheet(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The printable 签到表 as Word or PDF."""
    meeting = get_restricted(request, Meeting, pk)
    if fmt not in printing.FORMATS:
        raise Http404("没有这种格式。")
    data = sheet_docx(meeting, request.user)
    return printing.deliver(
        request, data, fmt=fmt, name=f"{meeting.title}签到表", obj=meeting, what="会议签到表",
        back=reverse("ledger:meeting_detail", args=[meeting.pk]),
    )  # fmt: skip


urlpatterns = [
    path("meeting/<int:pk>/signin/", signin_page, name="signin_page"),
    path("meeting/<int:pk>/signin/count/", signin_count, name="signin_count"),
    path("meeting/<int:pk>/signin/sheet.<str:fmt>", signin_sheet, name="signin_sheet"),
    path("signin/<int:pk>/cancel/", signin_cancel, name="signin_cancel"),
    path("signin/<str:token>/", signin_scan, name="signin_scan"),
]
