"""学习资料 pages: materials and personal study as record kinds (core builds their pages), and search."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from taizhang.core import query
from taizhang.core.views import REGISTRY, RecordViews, UnitRecordForm, record_form, render_page

from . import search as engine
from .models import MATERIAL, SELF_STUDY, Material, MaterialKind, SelfStudy


class MaterialForm(UnitRecordForm):
    """A 红色故事 entered by hand names its people, time, lesson and the history it is retold from."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        probe = Material(
            **{k: data.get(k) or "" for k in ("kind", "figures", "era", "lesson", "source", "body")}
        )
        for name, message in probe.story_problems().items():
            self.add_error(name, message)
        return data


class MaterialViews(RecordViews):
    kind = MATERIAL
    form_class = record_form(Material, MATERIAL.fields, MaterialForm)


class MaterialPicker(forms.Select):
    """The material list, grouped (recommended, studied lately, all) with a box above it that
    narrows the list as one types a title and picks the first match (static/taizhang/picker.js)."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        from django.templatetags.static import static
        from django.utils.html import format_html

        # the house filter gives a widget it does not know as a select the class of a text field
        css = (attrs or {}).get("class", "").replace("form-control", "form-select")
        attrs = {**(attrs or {}), "class": css, "size": 7, "data-picker": ""}
        box = format_html(
            '<input type="search" class="form-control mb-1" id="material-filter" data-picker-for="{}" '
            'placeholder="输入标题中的字查找资料" aria-label="查找学习资料" autocomplete="off">'
            '<script src="{}" defer></script>',
            attrs.get("id", ""),
            static("taizhang/picker.js"),
        )
        return box + super().render(name, value, attrs, renderer)


class SelfStudyForm(UnitRecordForm):
    """Quick to fill: the material picked from what is recommended or studied lately (or found by
    typing its title), the date today unless changed, the duration in 学时 as the home page counts
    it (stored in minutes)."""

    hours = forms.DecimalField(
        label="时长（学时）", min_value=Decimal("0.25"), max_value=Decimal(24), decimal_places=2, initial=1,
        widget=forms.NumberInput(attrs={"step": "0.25", "inputmode": "decimal"}),
        help_text="1 学时为 60 分钟，与首页“我的学时”同一算法；可填 0.5、1.5 等。",
        error_messages={"min_value": "时长至少 0.25 学时（15 分钟）。", "max_value": "时长不能超过 24 学时。"},
    )  # fmt: skip

    def __init__(self, *args: Any, unit: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, unit=unit, user=user, **kwargs)
        from django.utils import timezone

        from . import studies

        today = timezone.localdate()
        field = self.fields["material"]
        field.queryset = studies.materials_for(unit, user)  # type: ignore[attr-defined]
        field.widget = MaterialPicker()
        groups = studies.material_choices(user, unit, user=user, today=today)
        field.widget.choices = [("", "不选资料（在学习体会中写明学习内容）"), *groups]  # type: ignore[attr-defined]
        if self.instance.pk:
            # 40 minutes show as 0.67 and save back as 40
            self.initial["hours"] = (Decimal(self.instance.minutes) / studies.MINUTES_PER_HOUR).quantize(
                Decimal("0.01")
            )
        elif not self.initial.get("studied_on"):
            self.initial["studied_on"] = today
        self.order_fields(["person", "material", "studied_on", "hours", "note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hours") is not None:
            self.instance.minutes = round(data["hours"] * 60)
        return data


class SelfStudyViews(RecordViews):
    kind = SELF_STUDY
    form_class = record_form(SelfStudy, [f for f in SELF_STUDY.fields if f != "minutes"], SelfStudyForm)

    def cell(self, obj: Any, name: str) -> Any:
        from .studies import as_hours

        return as_hours(obj.minutes) if name == "minutes" else super().cell(obj, name)

    def base_context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        """The list's and the record's 时长 read in 学时 (the cells above), so the label says so."""
        ctx = super().base_context(request, **extra)
        minutes = str(SelfStudy._meta.get_field("minutes").verbose_name)
        if "headers" in ctx:
            ctx["headers"] = [(f, "时长" if label == minutes else label, s) for f, label, s in ctx["headers"]]
        if "fields" in ctx:
            ctx["fields"] = [("时长" if label == minutes else label, v) for label, v in ctx["fields"]]
        return ctx


LIBRARY = [MaterialViews(), SelfStudyViews()]


@login_required
def material_files(request: HttpRequest) -> HttpResponse:
    """Import one or many materials from .docx, .txt, .md and .pdf files (all or none)."""
    from django.conf import settings
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.shortcuts import redirect

    from taizhang.core.scope import scope_for

    from .importing import import_files

    unit = getattr(request, "unit", None)
    if unit is None or not scope_for(request.user).allows("add", unit):
        raise PermissionDenied("您没有在本单位新增学习资料的权限。")
    kind = request.POST.get("kind", MaterialKind.DOCUMENT)
    ctx: dict[str, Any] = {
        "kinds": MaterialKind.choices,
        "kind": kind,
        "shared": request.method != "POST" or "shared" in request.POST,
    }
    if request.method == "POST":
        try:
            if kind not in MaterialKind.values:
                raise ValidationError("请选择资料类型。")
            made = import_files(
                acting_user=request.user,
                unit=unit,
                files=request.FILES.getlist("files"),
                kind=kind,
                shared="shared" in request.POST,
                max_bytes=settings.ATTACHMENT_MAX_BYTES,
            )
        except ValidationError as exc:
            ctx["errors"] = exc.messages
        else:
            messages.success(request, f"已导入 {len(made)} 篇学习资料。")
            return redirect("library:material_list")
    return render(request, "library/material_files.html", ctx, status=400 if ctx.get("errors") else 200)


def recommended_panel(request: HttpRequest, unit: Any) -> tuple[str, dict[str, Any]] | None:
    """The dashboard card: what this person might study next (members of the unit only)."""
    from django.utils import timezone

    from taizhang.orgs.models import Membership

    from . import studies

    if not Membership.objects.live().filter(user=request.user, unit=unit).exists():
        return None
    items = studies.recommend(request.user, unit, user=request.user, today=timezone.localdate())
    return "library/_recommended.html", {"items": items}


@login_required
def hours(request: HttpRequest) -> HttpResponse:
    """学习情况: hours per person and for the unit in a year, and the study plan's items."""
    from django.http import Http404
    from django.utils import timezone

    from . import studies

    unit = getattr(request, "unit", None)
    if unit is None:
        raise Http404("没有可用的单位")
    year = query.year(request.GET, default=timezone.localdate().year)
    people = studies.year_hours(unit, year, user=request.user)
    return render(
        request,
        "library/hours.html",
        {
            "unit": unit,
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "people": people,
            "total": sum((p.hours for p in people), start=Decimal(0)),
            "items": studies.plan_items(unit, year, user=request.user),
        },
    )


PAGE_SIZE = 50


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Search as you type (htmx swaps the results); filters by kind, unit and year."""
    get = request.GET
    words = query.text(get, "q")
    kind = query.choice(get, "kind", REGISTRY) or None
    year = query.year(get)
    kinds = sorted(((slug, v.verbose()) for slug, v in REGISTRY.items()), key=lambda kv: kv[1])
    from taizhang.core.scope import scope_for
    from taizhang.orgs.models import Unit

    units = list(Unit.objects.restrict(request.user).order_by("path"))
    unit_code = query.text(get, "unit")
    in_unit = next((u for u in units if u.code == unit_code), None)
    here = getattr(request, "unit", None)
    ctx: dict[str, Any] = {
        "q": words,
        "kind": kind or "",
        "year": year or "",
        "kinds": kinds,
        "units": units,
        "unit_code": in_unit.code if in_unit else "",
        "material_kinds": MaterialKind.choices,
        "can_import": here is not None and scope_for(request.user).allows("add", here),
    }
    if words:
        page = query.page(get, last=engine.COUNT_CAP // PAGE_SIZE)
        results = engine.search(
            words,
            user=request.user,
            kind=kind,
            unit=in_unit,
            year=year,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        ctx["results"] = results
        shown_to = (page - 1) * PAGE_SIZE + len(results.hits)
        ctx["pages"] = {
            "first": (page - 1) * PAGE_SIZE + 1,
            "last": shown_to,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if shown_to < results.total or results.more else None,
            "query": {
                k: v
                for k, v in (
                    ("q", words),
                    ("kind", kind or ""),
                    ("unit", ctx["unit_code"]),
                    ("year", year or ""),
                )
                if v
            },
        }
        for hit in results.hits:
            views = REGISTRY.get(hit.kind)
            hit.url = reverse(views.url("detail"), args=[hit.id]) if views else ""  # type: ignore[attr-defined]
            hit.kind_name = views.verbose() if views else hit.kind  # type: ignore[attr-defined]
    return render_page(request, "library/search.html", ctx, "library/_results.html")
