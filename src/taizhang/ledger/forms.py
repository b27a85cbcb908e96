"""Forms of the ledgers whose pages need more than the generic record form.

The meeting form shows 落实的学习计划 grouped by plan and month under each plan's name (a unit keeps
two or three plans a year, each listing the same monthly topics, so a flat list of items read as
the same topic several times), and compares 实到人数 with the attendees ticked."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.utils import timezone

from taizhang.core.views import record_form

from . import models as m

_MeetingBase = record_form(m.Meeting, m.meetings.MEETING.fields)


class MeetingForm(_MeetingBase):  # type: ignore[misc,valid-type]
    """The meeting form: plan items grouped, and 实到 checked against the attendees ticked."""

    confirm_present = forms.BooleanField(
        label="实到人数包含未在本系统登记的人员，按所填实到人数保存",
        required=False,
    )

    def __init__(self, *args: Any, unit: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, unit=unit, user=user, **kwargs)
        self.check_groups: dict[str, list[dict[str, Any]]] = {}
        if "plan_items" in self.fields:
            self._group_plan_items()
        # the confirmation is offered, beside 实到人数, only once the numbers disagree (see clean)
        names = list(self.fields)
        names.remove("confirm_present")
        names.insert(names.index("present") + 1 if "present" in names else len(names), "confirm_present")
        self.order_fields(names)
        if str(self.data.get("confirm_present", "")).lower() not in {"on", "true", "1"}:
            self.fields["confirm_present"].widget = forms.HiddenInput()

    def _group_plan_items(self) -> None:
        """The items offered: this year's and last year's plans (and any item already linked),
        by plan, in month order, each saying how many sessions already carried it out."""
        field = self.fields["plan_items"]
        year = timezone.localdate().year
        linked = set(self.instance.plan_items.values_list("pk", flat=True)) if self.instance.pk else set()
        qs = (
            field.queryset.filter(Q(plan__year__gte=year - 1) | Q(pk__in=linked))  # type: ignore[attr-defined]
            .filter(plan__deleted_at__isnull=True)
            .select_related("plan")
            .annotate(held=Count("sessions", filter=Q(sessions__deleted_at__isnull=True), distinct=True))
            .order_by("-plan__year", "plan__scope", "plan__pk", "month", "pk")
        )
        field.queryset = qs  # type: ignore[attr-defined]
        by_plan: dict[Any, list[Any]] = defaultdict(list)
        for item in qs:
            by_plan[item.plan].append(item)
        newest = max((plan.year for plan in by_plan), default=year)  # its plans open, older ones fold
        groups: list[dict[str, Any]] = []
        for plan, items in by_plan.items():
            options: list[dict[str, str]] = []
            for item in items:
                held = item.held - (1 if item.pk in linked else 0)
                options.append(
                    {
                        "value": str(item.pk),
                        "month": f"{item.month}月",
                        "topic": item.topic,
                        "note": f"已落实 {held} 次" if held else "",
                    }
                )
            groups.append(
                {
                    "legend": plan.title if str(plan.year) in plan.title else f"{plan.year}年 {plan.title}",
                    "open": plan.year == newest or any(int(o["value"]) in linked for o in options),
                    "options": options,
                }
            )
        self.check_groups["plan_items"] = groups
        field.choices = [  # type: ignore[attr-defined]
            (g["legend"], [(o["value"], f"{o['month']} {o['topic']}") for o in g["options"]]) for g in groups
        ]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if cleaned is None:
            return cleaned
        present = cleaned.get("present")
        attendees = cleaned.get("attendees")
        ticked = len(attendees) if attendees is not None else 0
        expected = cleaned.get("expected")
        if present is None or ticked == 0 or "present" in self.errors:
            return cleaned
        if expected is not None and present > expected:
            return cleaned  # the model says 实到 cannot exceed 应到: one message at a time
        if self.instance.pk and present == self.instance.present:
            stored = set(self.instance.attendees.values_list("pk", flat=True))
            if stored == {a.pk for a in attendees or ()}:
                return cleaned  # an edit of other fields does not ask again about numbers kept
        if ticked > present:
            self.add_error(
                "present",
                f"勾选的参加人员有 {ticked} 人，多于实到人数 {present} 人，请核对实到人数或参加人员。",
            )
        elif ticked < present and not cleaned.get("confirm_present"):
            self.fields["confirm_present"].widget = forms.CheckboxInput()
            self.add_error(
                "present",
                f"实到人数为 {present} 人，勾选的参加人员只有 {ticked} 人。请补勾参加人员；"
                "如有未在本系统登记的人员参会，请勾选下方的确认后再保存。",
            )
        return cleaned


class RectificationCompleteForm(forms.Form):
    """完成整改 / 销号 on the rectification's page: when, what came of it; the evidence is posted
    beside it as files (see views.rectification_complete)."""

    completed_on = forms.DateField(
        label="完成日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    result = forms.CharField(label="整改结果", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any] | None:
        from taizhang.core.textcheck import clean_form_text

        cleaned = super().clean()
        clean_form_text(self)
        return cleaned


_RectificationBase = record_form(m.Rectification, m.rectification.RECTIFICATION.fields)


class RectificationForm(_RectificationBase):  # type: ignore[misc,valid-type]
    """The rectification's form: moving it to 已整改 or 已销号 needs its evidence, a file chosen on
    this form or one attached before — as on the record's own 完成整改/销号 panel."""

    def __init__(self, *args: Any, unit: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, unit=unit, user=user, **kwargs)
        self._user = user
        self._state_before = self.instance.state if self.instance.pk else None
        if "state" in self.fields:
            self.fields["state"].help_text = "改为已整改或已销号时，须上传整改佐证材料（照片、文件）。"

    def _has_evidence(self) -> bool:
        if self.files and self.files.getlist("attachments"):
            return True
        if not self.instance.pk:
            return False
        from taizhang.core.services import attachments_for

        return bool(attachments_for(self.instance, self._user).exists())

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        state = (cleaned or {}).get("state")
        finished = (m.RectificationState.DONE, m.RectificationState.CLOSED)
        if state in finished and state != self._state_before and not self._has_evidence():
            self.add_error("state", "已整改或已销号须有整改佐证材料，请在下方选择照片或文件一并保存。")
        return cleaned
