"""Generic machinery for pages over unit-owned records; a record kind declares, this does."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import bulk, imports, query, services
from .downloads import file_download, xlsx_download
from .excel import workbook_bytes
from .kinds import Child, Kind
from .models import Attachment, AuditEntry, UnitOwned
from .scope import scope_for
from .textcheck import clean_form_text
from .thumbs import IMAGE_TYPES

REGISTRY: dict[str, RecordViews] = {}
# Panels other apps add to a kind's detail page (the library lists a meeting's materials), keyed by
# the kind's slug; each gives (template, context) or None. core imports no app.
DETAIL_PANELS: dict[str, list[Callable[[HttpRequest, Any], tuple[str, dict[str, Any]] | None]]] = {}
BOOKKEEPING = {"id", "unit", "created_by", "updated_by", "deleted_at", "deleted_by"}


def admin_required(role: str) -> Callable[..., Any]:
    """Pages of one of the three administrators; everyone else is refused with 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "admin_role", "") != role:
                raise PermissionDenied("此页面仅限相应的管理员访问。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], fragment: str | None = None
) -> HttpResponse:
    """One place decides between the full page and the htmx fragment of it."""
    return render(request, fragment if fragment and is_htmx(request) else template, context)


def get_restricted(
    request: HttpRequest, model: type[UnitOwned], pk: Any, action: str = "view", include_deleted: bool = False
) -> Any:
    """The object if the person may see it (else 404); 403 if they may see it but not `action` it."""
    obj = get_object_or_404(
        model.objects.restrict(request.user, "view", include_deleted=include_deleted), pk=pk
    )
    if (
        action != "view"
        and not model.objects.restrict(request.user, action, include_deleted=include_deleted)
        .filter(pk=obj.pk)
        .exists()
    ):
        raise PermissionDenied("您没有此操作的权限。")
    return obj


def _linked(obj: models.Model, field: Any) -> Any:
    """A record's many-to-many links as its page lists them, with what their full label reads
    (a plan item names its plan: `full_label_related`) selected in the same query."""
    related = getattr(field.related_model, "full_label_related", ())
    return getattr(obj, field.name).select_related(*related) if related else getattr(obj, field.name).all()


def history_for(obj: models.Model) -> Any:
    """The record's audit rows: its own, and the import that created it (one row for the whole
    import, stamped with the creation time every record of that import carries)."""
    label = obj._meta.label
    mine = Q(object_type=label, object_id=str(obj.pk))
    created_at = getattr(obj, "created_at", None)
    if created_at is not None:
        mine |= Q(object_type=label, action="import", unit_id=getattr(obj, "unit_id", None), at=created_at)
    return AuditEntry.objects.filter(mine).order_by("-seq")


def _widget_for(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Form fields with the widgets a clerk expects: date pickers, roomy text areas, check boxes."""
    formfield = field.formfield(**kwargs)
    if formfield is None:
        return None
    if isinstance(field, models.DateTimeField):
        formfield.widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    elif isinstance(field, models.DateField):
        formfield.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    elif isinstance(field, models.TextField):
        formfield.widget = forms.Textarea(attrs={"rows": 3})
    elif isinstance(field, models.ManyToManyField):
        formfield.widget = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    return formfield


PLEASE_CHOOSE = "请选择"
MAX_FILES_AT_ONCE = 10


def check_uploads(uploads: list[Any]) -> list[str]:
    """Every file chosen on a record's form checked before anything is written: one message each."""
    from .files import check_upload

    if len(uploads) > MAX_FILES_AT_ONCE:
        return [f"一次最多上传 {MAX_FILES_AT_ONCE} 个附件，请分次上传。"]
    errors = []
    for upload in uploads:
        try:
            if upload.file is None:
                raise ValidationError("没有收到文件内容。")
            check_upload(upload.name or "", upload.file, upload.size or 0, settings.ATTACHMENT_MAX_BYTES)
        except ValidationError as exc:
            errors.append(f"附件“{upload.name}”：{'；'.join(exc.messages)}")
        finally:
            if upload.file is not None:
                upload.seek(0)
    return errors


@contextmanager
def files_undone_on_error() -> Iterator[list[Attachment]]:
    """Attachments stored inside a transaction that then fails leave no file behind."""
    stored: list[Attachment] = []
    try:
        yield stored
    except BaseException:
        for att in stored:
            att.file.delete(save=False)
        raise


def please_choose(field: forms.Field) -> None:
    """A drop-down's empty choice reads 请选择, not Django's row of dashes."""
    if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
        if field.empty_label is not None:
            field.empty_label = PLEASE_CHOOSE
    elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(
        field, forms.MultipleChoiceField
    ):
        choices = list(field.choices)  # type: ignore[arg-type]
        if choices and choices[0][0] in ("", None):
            field.choices = [("", PLEASE_CHOOSE), *choices[1:]]


class UnitRecordForm(forms.ModelForm):
    """Base form for a record kind: people are chosen from the unit's members, linked records from
    what the person may see in that unit; text holds no control characters, invisible marks or emoji."""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        clean_form_text(self)
        return cleaned

    def __init__(self, *args: Any, unit: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        # the model's clean() sees who is writing, as it does in the services and in an import
        # (where the acting user is set before validation): lookups it makes go through restrict()
        self.instance.updated_by = user
        user_model = get_user_model()
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is None:
                continue
            if qs.model is user_model:
                field.queryset = qs.filter(  # type: ignore[attr-defined]
                    memberships__unit=unit, memberships__deleted_at__isnull=True, is_active=True
                ).distinct()
            elif issubclass(qs.model, UnitOwned):
                field.queryset = qs.model.objects.restrict(user, "view").filter(unit=unit)  # type: ignore[attr-defined]
        for field in self.fields.values():
            please_choose(field)
        own = getattr(self._meta.model, "own_person_field", None)
        if own in self.fields:
            if not self.initial.get(own):
                self.initial[own] = user.pk  # 个人自学: one's own, unless a clerk picks another
            if not scope_for(user).allows("add", unit):
                field = self.fields[own]
                field.queryset = field.queryset.filter(pk=user.pk)  # type: ignore[attr-defined]
                field.required, field.empty_label = True, None  # type: ignore[attr-defined]


def record_form(
    model: type[UnitOwned], fields: list[str] | tuple[str, ...], form: type[UnitRecordForm] = UnitRecordForm
) -> type[UnitRecordForm]:
    """The ModelForm of a record kind over the given fields, with the house widgets."""
    return forms.modelform_factory(  # type: ignore[return-value]
        model, form=form, fields=list(fields), formfield_callback=_widget_for
    )


class RecordViews:
    """The pages of one record kind — list, detail, create, edit, delete, restore, import, export —
    read from its `Kind` declaration; a subclass adds only what its pages show beyond that."""

    kind: Kind
    form_class: type[UnitRecordForm]
    actions_template: str | None = None  # extra buttons and panels on the detail page
    summary_template: str | None = None  # figures above the list, from summary()
    per_page = 20

    def __init__(self, kind: Kind | None = None) -> None:
        if kind is not None:
            self.kind = kind
        if not hasattr(self, "form_class"):
            self.form_class = record_form(self.kind.model, self.kind.fields)  # type: ignore[arg-type]
        known = REGISTRY.get(self.slug)
        assert known is None or type(known) is type(self), f"two record kinds share the slug {self.slug!r}"
        REGISTRY[self.slug] = self

    # -- the declaration, as the pages read it ---------------------------------------------------
    @property
    def model(self) -> type[UnitOwned]:
        return self.kind.model  # type: ignore[return-value]

    @property
    def slug(self) -> str:
        return self.kind.slug

    @property
    def namespace(self) -> str:
        return self.kind.namespace

    @property
    def list_fields(self) -> tuple[str, ...]:
        return self.kind.list_fields

    @property
    def kind_field(self) -> str | None:
        return self.kind.kind_field

    @property
    def state_field(self) -> str | None:
        return self.kind.state_field

    @property
    def person_fields(self) -> tuple[str, ...]:
        return self.kind.person_fields

    @property
    def search_fields(self) -> tuple[str, ...]:
        return self.kind.search_fields

    @property
    def sortable(self) -> tuple[str, ...]:
        return self.kind.sortable

    @property
    def children(self) -> tuple[Child, ...]:
        return self.kind.children

    @property
    def write_action(self) -> str | None:
        return self.kind.write_action

    # -- helpers ---------------------------------------------------------------------------------
    def url(self, name: str) -> str:
        return f"{self.namespace}:{self.slug}_{name}"

    @property
    def list_url_name(self) -> str:
        """For templates: {% url views.list_url_name %}."""
        return self.url("list")

    def verbose(self) -> str:
        return self.kind.verbose()

    def _field(self, name: str) -> models.Field[Any, Any]:
        return self.kind.model_field(name)

    def year_lookup(self) -> str:
        return self.kind.year_lookup()

    def related_fields(self) -> list[str]:
        return self.kind.related_fields()

    def routes(self) -> set[str]:
        """The page names this kind serves (rating has no create or import page)."""
        if not hasattr(self, "_routes"):
            self._routes = {str(u.name).removeprefix(f"{self.slug}_") for u in self.urls()}
        return self._routes

    def base_context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        scope = scope_for(request.user)
        unit = getattr(request, "unit", None)
        routes = self.routes()
        return {
            "views": self,
            "verbose_name": self.verbose(),
            # templates build links with {% url %}: page URLs, and the names of per-record pages
            "urls": {
                n: reverse(self.url(n))
                for n in ("create", "import", "template", "export", "trash", "bulk")
                if n in routes
            },
            "url_names": {n: self.url(n) for n in ("detail", "edit", "delete", "restore") if n in routes},
            # the buttons ask what the pages' own checks ask: a button a click would refuse is not shown
            "can_add": unit is not None and scope.may_write(self.write_action or "add", unit, self.model),
            "can_import": unit is not None and scope.allows(self.write_action or "add", unit),
            "can_trash": unit is not None and scope.allows("manage", unit),
            # the list's ticked rows: everyone who reads may export them, the managers delete them
            "can_bulk_delete": unit is not None
            and scope.allows("manage", unit)
            and scope.allows(self.write_action or "delete", unit),
            "list_url": reverse(self.url("list")),
            **extra,
        }

    def visible(self, request: HttpRequest) -> Any:
        """What the list shows: the current unit's records, or with ?scope=subtree all the person may see."""
        unit = getattr(request, "unit", None)
        qs = self.model.objects.restrict(request.user, "view").select_related("unit", *self.related_fields())
        if unit is not None and not query.choice(request.GET, "scope", ["subtree"]):
            qs = qs.filter(unit=unit)
        return qs

    def filtered(self, request: HttpRequest, qs: Any) -> tuple[Any, dict[str, str]]:
        get = request.GET
        year = query.year(get)
        kinds = self._field(self.kind_field).choices if self.kind_field else None
        states = self.state_choices()
        params = {
            "year": "" if year is None else str(year),
            # a value outside the field's choices matches nothing anyway: read it as not given
            "kind": query.choice(get, "kind", [str(v) for v, _ in kinds or ()]),
            "state": query.choice(get, "state", [v for v, _ in states or ()]),
            "q": query.text(get, "q"),
            "person": query.text(get, "person"),
            "sort": query.sort_key(get, self.sortable),
        }
        if year is not None:
            qs = qs.filter(**{self.year_lookup(): year})
        if self.kind_field and params["kind"]:
            qs = qs.filter(**{self.kind_field: params["kind"]})
        if self.state_field and params["state"]:
            qs = qs.filter(**self.state_filter(params["state"]))
        if params["person"]:
            person_id = query.parse_int(params["person"], lo=1, hi=query.MAX_ID)
            cond = Q()
            fields = self.person_fields or ("created_by",)
            for f in fields:
                if person_id is not None:
                    cond |= Q(**{f"{f}__pk": person_id})  # a foreign key or a many-to-many (attendees)
                if any(x.name == f"{f}_text" for x in self.model._meta.concrete_fields):
                    cond |= Q(**{f"{f}_text__icontains": params["person"]})
                cond |= Q(**{f"{f}__full_name__icontains": params["person"]})
            qs = qs.filter(cond)
            if any(self._field(f).many_to_many for f in fields):
                qs = qs.distinct()  # one row per record, however many of its attendees match
        if params["q"] and self.search_fields:
            cond = Q()
            for f in self.search_fields:
                cond |= Q(**{f"{f}__icontains": params["q"]})
            qs = qs.filter(cond)
        qs = qs.order_by(params["sort"], "-pk") if params["sort"] else qs.order_by(*self.kind.ordering())
        return qs, params

    def state_filter(self, value: str) -> dict[str, Any]:
        assert self.state_field
        if isinstance(self._field(self.state_field), models.BooleanField):
            return {self.state_field: value == "1"}
        return {self.state_field: value}

    def state_choices(self) -> list[tuple[str, str]] | None:
        if not self.state_field:
            return None
        field = self._field(self.state_field)
        if isinstance(field, models.BooleanField):
            return [("1", "是"), ("0", "否")]
        return list(field.choices or [])

    def summary(self, request: HttpRequest, qs: Any) -> Any:
        """Extra figures above the list (e.g. the year's scores); None for most kinds."""
        return None

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {}

    def row_class(self, obj: Any) -> str:
        """A list row's class: a kind marks rows that need attention (an overdue rectification)."""
        return ""

    def cell(self, obj: Any, name: str) -> Any:
        return self.kind.cell(obj, name)

    # -- views -----------------------------------------------------------------------------------
    def list_view(self, request: HttpRequest) -> HttpResponse:
        qs, params = self.filtered(request, self.visible(request))
        page = Paginator(qs, self.per_page).get_page(query.page(request.GET))
        kind_choices = self._field(self.kind_field).choices if self.kind_field else None
        rows = [(obj, [self.cell(obj, f) for f in self.list_fields]) for obj in page.object_list]
        headers = [(f, str(self._field(f).verbose_name), f in self.sortable) for f in self.list_fields]
        ctx = self.base_context(
            request,
            page=page,
            rows=rows,
            headers=headers,
            params=params,
            kind_choices=kind_choices,
            state_choices=self.state_choices(),
            state_label=str(self._field(self.state_field).verbose_name) if self.state_field else "",
            summary=self.summary(request, qs),
            row_classes={obj.pk: self.row_class(obj) for obj, _cells in rows},
        )
        return render_page(request, "core/record_list.html", ctx, "core/_record_table.html")

    def detail_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_restricted(request, self.model, pk, include_deleted=True)
        if (
            obj.deleted_at
            and not self.model.objects.restrict(request.user, "manage", include_deleted=True)
            .filter(pk=pk)
            .exists()
        ):
            raise PermissionDenied("该记录已删除。")
        scope = scope_for(request.user)
        # a member's own record of a kind members keep themselves (个人自学)
        own = scope.may_write("change", obj.unit, self.model) and obj.created_by_id == request.user.pk
        fields = [
            (str(f.verbose_name), self.cell(obj, f.name))
            for f in self.model._meta.concrete_fields
            if f.name not in BOOKKEEPING and not f.name.endswith("_text") and (f.editable or f.choices)
        ] + [
            (str(f.verbose_name), "、".join(getattr(x, "full_label", str(x)) for x in _linked(obj, f)))
            for f in self.model._meta.many_to_many
        ]
        children = []
        for child in self.children:
            child_views = REGISTRY[child.slug]
            rows = getattr(obj, child.accessor).filter(deleted_at__isnull=True).order_by("pk")
            children.append(
                {
                    "title": child_views.verbose(),
                    "headers": [str(child_views._field(c).verbose_name) for c in child.columns],
                    "rows": [(r, [child_views.cell(r, c) for c in child.columns]) for r in rows],
                    "list_url": reverse(child_views.url("list")),
                    "detail_name": child_views.url("detail"),
                    "add_url": reverse(child_views.url("create")) + f"?{child.fk}={obj.pk}",
                }
            )
        ctx = self.base_context(
            request,
            obj=obj,
            fields=fields,
            children=children,
            attachments=services.attachments_for(obj, request.user).select_related("created_by"),
            image_types=IMAGE_TYPES,
            history=history_for(obj)[:50],
            can_change=scope.allows(self.write_action or "change", obj.unit) or own,
            can_delete=scope.allows(self.write_action or "delete", obj.unit) or own,
            can_manage=scope.allows("manage", obj.unit),
            content_type_id=ContentType.objects.get_for_model(obj).pk,
            attachable=getattr(self.model, "attachable", False),
            actions_template=self.actions_template,
            panels=[p for p in (f(request, obj) for f in DETAIL_PANELS.get(self.slug, ())) if p],
            **self.extra_detail(request, obj),
        )
        return render(request, "core/record_detail.html", ctx)

    def initial(self, request: HttpRequest) -> dict[str, Any]:
        """Prefill from the query string (?plan=3 from the parent's page); the form validates it."""
        names = set(self.form_class.base_fields)
        return {k: v for k, v in request.GET.items() if k in names}

    def _form_target(self, request: HttpRequest, pk: int | None) -> tuple[Any, Any]:
        """The record the form writes — a new one of the current unit, or record `pk` — and its
        unit, once the person may write it there."""
        unit = getattr(request, "unit", None)
        if pk is None:
            if unit is None or not scope_for(request.user).may_write(
                self.write_action or "add", unit, self.model
            ):
                raise PermissionDenied("您没有在本单位新增记录的权限。")
            return self.model(unit=unit), unit
        instance = get_restricted(request, self.model, pk, self.write_action or "change")
        return instance, instance.unit

    def _form_save(self, request: HttpRequest, form: Any, before: Any, uploads: list[Any]) -> Any:
        """The record (new when there is no `before`), its links and its files in one transaction,
        each write with its audit row; a failure leaves no row and no stored file."""
        obj = form.save(commit=False)
        m2m = {
            f.name: form.cleaned_data[f.name] for f in self.model._meta.many_to_many if f.name in form.fields
        }
        with transaction.atomic(), files_undone_on_error() as stored:
            if before is None:
                services.record_create(acting_user=request.user, instance=obj, m2m=m2m)
            else:
                services.record_update(acting_user=request.user, instance=obj, before=before, m2m=m2m)
            for upload in uploads:
                stored.append(services.attachment_add(acting_user=request.user, record=obj, upload=upload))
        return obj

    def form_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance, unit = self._form_target(request, pk)
        before = None if pk is None else services.audit.snapshot(instance)
        form = self.form_class(
            request.POST or None,
            request.FILES or None,
            instance=instance,
            unit=unit,
            user=request.user,
            initial=self.initial(request) if pk is None and request.method == "GET" else None,
        )
        # photos, sign-in sheets and evidence go with the record in the same save
        attach = getattr(self.model, "attachable", False) and scope_for(request.user).allows("change", unit)
        uploads = request.FILES.getlist("attachments") if attach and request.method == "POST" else []
        upload_errors = check_uploads(uploads) if uploads else []
        valid = request.method == "POST" and form.is_valid()
        if valid and upload_errors:
            form.add_error(None, ValidationError(upload_errors))
        elif valid:
            try:
                obj = self._form_save(request, form, before, uploads)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                done = f"，附件 {len(uploads)} 个已上传" if uploads else ""
                messages.success(request, f"{self.verbose()}已保存{done}。")
                return redirect(self.url("detail"), pk=obj.pk)
        return render(
            request,
            "core/record_form.html",
            self.base_context(
                request,
                form=form,
                obj=instance if pk else None,
                attach=attach,
                # a browser cannot put chosen files back into a re-shown form: say so
                uploads_lost=bool(uploads) and request.method == "POST",
                max_files=MAX_FILES_AT_ONCE,
            ),
        )

    def delete_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_restricted(request, self.model, pk, self.write_action or "delete")
        if request.method == "POST":
            services.record_delete(acting_user=request.user, instance=obj)
            messages.success(request, f"已删除“{obj}”。单位负责人可在回收站恢复。")
            return redirect(self.url("list"))
        return render(request, "core/record_confirm_delete.html", self.base_context(request, obj=obj))

    def trash_view(self, request: HttpRequest) -> HttpResponse:
        unit = getattr(request, "unit", None)
        if unit is None or not scope_for(request.user).allows("manage", unit):
            raise PermissionDenied("只有单位负责人可以查看回收站。")
        qs = (
            self.model.objects.restrict(request.user, "manage", include_deleted=True)
            .deleted()
            .filter(unit=unit)
        )
        return render(
            request, "core/record_trash.html", self.base_context(request, objects=qs.order_by("-deleted_at"))
        )

    def restore_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_restricted(request, self.model, pk, "manage", include_deleted=True)
        services.record_restore(acting_user=request.user, instance=obj)
        messages.success(request, f"已恢复“{obj}”。")
        return redirect(self.url("detail"), pk=obj.pk)

    def sheet(self, qs: Any) -> tuple[str, list[str], Any]:
        return self.kind.sheet(qs)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The filtered list as .xlsx, every form column, formula-looking cells escaped."""
        qs, _ = self.filtered(request, self.visible(request))
        return xlsx_download(
            request,
            workbook_bytes([self.sheet(qs)]),
            f"{self.verbose()}.xlsx",
            what=f"{self.verbose()}列表",
            object_type=self.model._meta.label,
        )

    def bulk_view(self, request: HttpRequest) -> HttpResponse:
        """The rows ticked in the list: exported as .xlsx, or deleted (after a confirmation page)
        by the unit's managers, all or none, each deletion with its audit row."""
        back = safe_next(request, reverse(self.url("list")))
        try:
            ids = bulk.selected_ids(request.POST.getlist("ids"))
        except bulk.SelectionRefused as exc:
            messages.error(request, str(exc))
            return redirect(back)
        if not ids:
            messages.error(request, "请先勾选记录。")
            return redirect(back)
        action = request.POST.get("action", "")
        if action == "export":
            qs = self.model.objects.restrict(request.user, "view").filter(pk__in=ids)
            qs = qs.select_related("unit", *self.related_fields()).order_by(*self.kind.ordering())
            found = qs.count()
            return xlsx_download(
                request,
                workbook_bytes([self.sheet(qs)]),
                f"{self.verbose()}（所选{found}条）.xlsx",
                what=f"{self.verbose()}所选记录{found}条",
                object_type=self.model._meta.label,
            )
        if action != "delete":
            messages.error(request, "请选择要对所选记录进行的操作。")
            return redirect(back)
        unit = getattr(request, "unit", None)
        scope = scope_for(request.user)
        if unit is None or not (
            scope.allows("manage", unit) and scope.allows(self.write_action or "delete", unit)
        ):
            raise PermissionDenied("只有单位负责人可以批量删除记录。")
        if request.POST.get("confirm") != "1":
            objects = (
                self.model.objects.restrict(request.user, "manage")
                .filter(pk__in=ids)
                .select_related("unit")
                .order_by(*self.kind.ordering())
            )
            return render(
                request,
                "core/record_bulk_delete.html",
                self.base_context(
                    request, objects=objects, ids=ids, back=back, refused=len(ids) - objects.count()
                ),
            )
        try:
            done = bulk.records_delete(acting_user=request.user, model=self.model, ids=ids)
        except bulk.SelectionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"已删除 {len(done)} 条{self.verbose()}记录。单位负责人可在回收站恢复。"
            )
        return redirect(back)

    # -- import ----------------------------------------------------------------------------------
    def import_fields(self) -> tuple[str, ...]:
        # the form's model fields: a form-only field (the meeting's confirmation) is no column
        names = {f.name for f in self.model._meta.get_fields()}
        return tuple(n for n in self.form_class.base_fields if n in names)

    def _import_unit(self, request: HttpRequest) -> Any:
        unit = getattr(request, "unit", None)
        if unit is None or not scope_for(request.user).allows(self.write_action or "add", unit):
            raise PermissionDenied("您没有在本单位导入记录的权限。")
        return unit

    def template_view(self, request: HttpRequest) -> HttpResponse:
        unit = self._import_unit(request)
        data = imports.template_workbook(self.model, self.import_fields(), unit)
        return xlsx_download(
            request,
            data,
            f"{self.verbose()}导入模板.xlsx",
            what=f"{self.verbose()}导入模板",
            unit=unit,
            object_type=self.model._meta.label,
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → every error by row and column, or a preview → commit all rows or none."""
        unit = self._import_unit(request)
        ctx = self.base_context(request, unit=unit)
        if request.method == "POST" and request.POST.get("token"):
            return self._import_commit(request, unit, ctx)
        if request.method == "POST":
            self._import_preview(request, unit, ctx)
        return render(request, "core/record_import.html", ctx)

    def _import_commit(self, request: HttpRequest, unit: Any, ctx: dict[str, Any]) -> HttpResponse:
        """Import the file a preview kept, once: of two confirmations of one preview, one imports."""
        token = request.POST["token"]
        saved = request.session.get("imports", {}).get(token)
        if not saved or saved["slug"] != self.slug or saved["unit"] != unit.pk:
            messages.error(request, "导入已过期，请重新上传文件。")
            return redirect(self.url("import"))
        request.session["imports"] = {
            k: v for k, v in request.session.get("imports", {}).items() if k != token
        }
        claimed = imports.preview_claim(saved["file"])
        if claimed is None:
            messages.error(request, "该导入已经确认过或已过期，没有重复导入；如需导入，请重新上传文件。")
            return redirect(self.url("import"))
        try:
            with claimed.open("rb") as f:
                source = imports.source_of(saved["name"], f)
                rows = imports.read_rows(
                    saved["name"], f, claimed.stat().st_size, settings.ATTACHMENT_MAX_BYTES
                )
                result = imports.run_import(
                    model=self.model, field_names=self.import_fields(), rows=rows, unit=unit,
                    acting_user=request.user, commit=True, source=source,
                )  # fmt: skip
        except (imports.ImportRefused, ValidationError) as exc:
            messages.error(request, str(exc.messages[0]) if isinstance(exc, ValidationError) else str(exc))
            return redirect(self.url("import"))
        finally:
            claimed.unlink(missing_ok=True)
        if result.ok:
            messages.success(request, f"已导入 {result.created} 条{self.verbose()}记录。")
            return redirect(self.url("list"))
        ctx["result"] = result
        return render(request, "core/record_import.html", ctx)

    def _import_preview(self, request: HttpRequest, unit: Any, ctx: dict[str, Any]) -> None:
        """Check an uploaded file; a file without errors is kept for the confirmation (ctx token)."""
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的文件。")
            return
        try:
            if upload.file is None:
                raise imports.ImportRefused("没有收到文件内容。")
            rows = imports.read_rows(
                upload.name or "", upload.file, upload.size or 0, settings.ATTACHMENT_MAX_BYTES
            )
            result = imports.run_import(
                model=self.model, field_names=self.import_fields(), rows=rows, unit=unit,
                acting_user=request.user, commit=False,
            )  # fmt: skip
        except (imports.ImportRefused, ValidationError) as exc:
            messages.error(request, str(exc.messages[0]) if isinstance(exc, ValidationError) else str(exc))
            return
        except Exception:  # a file the readers cannot parse at all
            messages.error(request, "无法读取该文件：请确认它是用模板填写的 .xlsx 或 .csv 文件。")
            return
        ctx["result"] = result
        ctx["headers"] = [c.header for c in imports.columns_for(self.model, self.import_fields())]
        if not result.ok:
            return
        token = uuid.uuid4().hex
        ext = (upload.name or "").rsplit(".", 1)[-1].lower()
        kept = imports.preview_keep(upload.chunks(), ext)
        folder = imports.preview_dir()
        # previews whose file expired are forgotten
        saved = {
            k: v for k, v in request.session.get("imports", {}).items() if (folder / v["file"]).is_file()
        }
        saved[token] = {"slug": self.slug, "unit": unit.pk, "file": kept, "name": upload.name}
        request.session["imports"] = saved
        ctx["token"] = token

    def urls(self) -> list[Any]:
        s = self.slug
        return [
            path(f"{s}/import/", login_required(self.import_view), name=f"{s}_import"),
            path(f"{s}/import/template/", login_required(self.template_view), name=f"{s}_template"),
            path(f"{s}/", login_required(self.list_view), name=f"{s}_list"),
            path(f"{s}/export/", login_required(self.export_view), name=f"{s}_export"),
            path(f"{s}/selected/", login_required(require_POST(self.bulk_view)), name=f"{s}_bulk"),
            path(f"{s}/new/", login_required(self.form_view), name=f"{s}_create"),
            path(f"{s}/trash/", login_required(self.trash_view), name=f"{s}_trash"),
            path(f"{s}/<int:pk>/", login_required(self.detail_view), name=f"{s}_detail"),
            path(f"{s}/<int:pk>/edit/", login_required(self.form_view), name=f"{s}_edit"),
            path(f"{s}/<int:pk>/delete/", login_required(self.delete_view), name=f"{s}_delete"),
            path(
                f"{s}/<int:pk>/restore/", login_required(require_POST(self.restore_view)), name=f"{s}_restore"
            ),
        ]


# --- Attachments ----------------------------------------------------------------------------------
@login_required
@require_POST
def attachment_upload(request: HttpRequest, ct: int, pk: int) -> HttpResponse:
    content_type = get_object_or_404(ContentType, pk=ct)
    model = content_type.model_class()
    if model is None or not issubclass(model, UnitOwned) or not getattr(model, "attachable", False):
        raise PermissionDenied("此类记录不能添加附件。")
    record = get_restricted(request, model, pk, "change")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件。")
    else:
        try:
            services.attachment_add(acting_user=request.user, record=record, upload=upload)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已上传附件“{upload.name}”。")
    return redirect(safe_next(request))


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    att = get_restricted(request, Attachment, pk)
    # the file belongs to its record: gone while the record is deleted, or outside the person's reach
    record_model = ContentType.objects.get_for_id(att.content_type_id).model_class()
    if record_model is None or not issubclass(record_model, UnitOwned):
        raise Http404("附件不存在。")
    get_restricted(request, record_model, att.object_id)
    return file_download(
        request,
        att.file.open("rb"),
        filename=att.original_name,
        content_type=att.mime_type,
        what="附件",
        obj=att,
    )


def _attachment_in_reach(request: HttpRequest, pk: int) -> tuple[Attachment, Any]:
    """An attachment and its record, both read through restrict() (404 otherwise)."""
    att = get_restricted(request, Attachment, pk)
    record_model = ContentType.objects.get_for_id(att.content_type_id).model_class()
    if record_model is None or not issubclass(record_model, UnitOwned):
        raise Http404("附件不存在。")
    return att, get_restricted(request, record_model, att.object_id)


@login_required
def attachment_image(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    """A scaled copy of an image attachment (thumbnail or preview), made within bounds by
    core.thumbs; the original stays behind the audited download."""
    from . import thumbs

    att, _record = _attachment_in_reach(request, pk)
    data = thumbs.scaled(att, size)
    if data is None:
        raise Http404("该附件没有可显示的图片。")
    response = HttpResponse(data, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def attachment_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An image attachment on a page of its own, fitted to the screen, with the record's other
    pictures before and after it."""
    from . import kinds, thumbs

    att, record = _attachment_in_reach(request, pk)
    if not thumbs.is_image(att):
        raise Http404("该附件不是图片。")
    pictures = [
        a for a in services.attachments_for(record, request.user).order_by("pk") if thumbs.is_image(a)
    ]
    at = next((i for i, a in enumerate(pictures) if a.pk == att.pk), 0)
    kind = kinds.for_model(type(record))
    views = REGISTRY.get(kind.slug) if kind else None
    return render(
        request,
        "core/attachment_preview.html",
        {
            "att": att,
            "record": record,
            "record_url": reverse(views.url("detail"), args=[record.pk]) if views else "",
            "verbose_name": views.verbose() if views else "",
            "list_url": reverse(views.url("list")) if views else "",
            "previous": pictures[at - 1] if at > 0 else None,
            "next": pictures[at + 1] if at + 1 < len(pictures) else None,
            "position": at + 1,
            "count": len(pictures),
        },
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    att = get_restricted(request, Attachment, pk, "delete")
    services.record_delete(acting_user=request.user, instance=att)
    messages.success(request, f"已删除附件“{att.original_name}”。")
    return redirect(safe_next(request))


def safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and ok else default


def ping(request: HttpRequest) -> HttpResponse:
    """The cheapest answer the stack can give (no database): the load test's baseline."""
    return HttpResponse("pong", content_type="text/plain")


def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database, the cache and the attachment storage answer,
    503 (with which one failed) otherwise."""
    from .ops import probes

    checks = probes()
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 in Chinese, saying what was wrong where it is known (a submission over the size limit)."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        reason = f"提交的内容超过 {limit} MB 的上限，已拒绝。较长的正文请作为附件上传。"
    elif isinstance(exception, TooManyFieldsSent):
        reason = "提交的字段过多，已拒绝。"
    else:
        reason = "请求格式不正确，请返回重试。"
    return render(request, "400.html", {"reason": reason}, status=400)
