from __future__ import annotations

from django import forms

from taizhang.core.views import UnitRecordForm

from .models import Meeting


class MeetingForm(UnitRecordForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "held_at",
            "place",
            "host",
            "host_text",
            "expected",
            "present",
            "attendees",
            "guests",
            "agenda",
            "content",
            "minutes",
            "decisions",
            "hours",
        ]
        widgets = {
            "held_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "attendees": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "content": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }
