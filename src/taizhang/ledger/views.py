from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from taizhang.core.views import RecordViews

from .forms import MeetingForm
from .models import Meeting


class MeetingViews(RecordViews):
    model = Meeting
    form_class = MeetingForm
    slug = "meeting"
    list_fields = ("held_at", "kind", "title", "place", "present")
    date_field = "held_at"
    kind_field = "kind"
    search_fields = ("title", "place", "agenda", "content", "minutes", "decisions", "guests")
    sortable = ("held_at", "kind", "title", "present")


meetings = MeetingViews()
LEDGERS = [meetings]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    unit = getattr(request, "unit", None)
    counts = []
    for views in LEDGERS:
        qs = views.model.objects.restrict(request.user, "view")
        if unit is not None:
            qs = qs.filter(unit=unit)
        counts.append((views, qs.count()))
    return render(request, "ledger/index.html", {"counts": counts})
