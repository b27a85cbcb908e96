"""Materials studied at a meeting, cited from the meeting's own page: the clerk picks a material of
the unit (or one shared down to it, a 红色故事 before a 主题党日 or 党课) and the meeting records it as
studied. The link lives on the material (Material.sessions); the audit row is the meeting's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from taizhang.core import audit, query
from taizhang.core.scope import scope_for
from taizhang.core.views import get_restricted
from taizhang.ledger.models import Meeting

from . import studies
from .models import Material, MaterialKind


def _materials_of(meeting: Meeting) -> list[int]:
    return sorted(meeting.materials.values_list("pk", flat=True))


@transaction.atomic
def material_cite(*, acting_user: Any, meeting: Meeting, material: Material) -> None:
    """Record that `material` was studied at `meeting` (its unit's managers only)."""
    if not scope_for(acting_user).allows("change", meeting.unit):
        raise PermissionDenied("您没有修改这次会议记录的权限。")
    if not studies.materials_for(meeting.unit, acting_user).filter(pk=material.pk).exists():
        raise ValidationError("该学习资料不属于本单位，也未由上级单位共享。")
    before = _materials_of(meeting)
    if material.pk in before:
        raise ValidationError("这份资料已列入本次会议的学习内容。")
    meeting.materials.add(material)
    audit.record(
        action="change", actor=acting_user, obj=meeting,
        before={"materials": before}, after={"materials": _materials_of(meeting)},
    )  # fmt: skip


@transaction.atomic
def material_uncite(*, acting_user: Any, meeting: Meeting, material: Material) -> None:
    if not scope_for(acting_user).allows("change", meeting.unit):
        raise PermissionDenied("您没有修改这次会议记录的权限。")
    before = _materials_of(meeting)
    if material.pk not in before:
        return
    meeting.materials.remove(material)
    audit.record(
        action="change", actor=acting_user, obj=meeting,
        before={"materials": before}, after={"materials": _materials_of(meeting)},
    )  # fmt: skip


def meeting_panel(request: HttpRequest, meeting: Any) -> tuple[str, dict[str, Any]] | None:
    """The meeting page's 学习资料 panel: what was studied, and (for its managers) a picker with
    the unit's red stories first."""
    readable = studies.materials_for(meeting.unit, request.user)
    cited = list(readable.filter(sessions=meeting).order_by("title"))
    can_change = not meeting.deleted_at and scope_for(request.user).allows("change", meeting.unit)
    choices: list[tuple[str, list[Material]]] = []
    if can_change:
        cited_ids = {m.pk for m in cited}
        pool = [m for m in readable.order_by("-published_on", "title") if m.pk not in cited_ids]
        labels = dict(MaterialKind.choices)
        for kind in [MaterialKind.RED_STORY, *[k for k in MaterialKind if k != MaterialKind.RED_STORY]]:
            group = [m for m in pool if m.kind == kind]
            if group:
                choices.append((labels[kind], group))
    return "library/_meeting_materials.html", {"meeting": meeting, "cited": cited, "choices": choices}


@login_required
@require_POST
def cite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_restricted(request, Meeting, pk, "change")
    material = (
        studies.materials_for(meeting.unit, request.user)
        .filter(pk=query.object_id(request.POST, "material") or 0)
        .first()
    )
    try:
        if material is None:
            raise ValidationError("请选择学习资料。")
        material_cite(acting_user=request.user, meeting=meeting, material=material)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        title = material.title if material.title.startswith("《") else f"《{material.title}》"
        messages.success(request, f"已将{title}列入本次会议的学习内容。")
    return redirect("ledger:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def uncite(request: HttpRequest, pk: int, material: int) -> HttpResponse:
    meeting = get_restricted(request, Meeting, pk, "change")
    found = studies.materials_for(meeting.unit, request.user).filter(pk=material).first()
    if found is not None:
        material_uncite(acting_user=request.user, meeting=meeting, material=found)
        messages.success(request, "已从本次会议的学习内容中移除。")
    return redirect("ledger:meeting_detail", pk=meeting.pk)


def story_panel(request: HttpRequest, material: Any) -> tuple[str, dict[str, Any]] | None:
    """On a 红色故事 imported from a file: what it still lacks before it is told at a meeting."""
    problems = material.story_problems()
    return ("library/_story_missing.html", {"problems": list(problems.values())}) if problems else None
