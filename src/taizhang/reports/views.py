"""文书 pages: the unit's documents, generating one, the draft section by section with figures
linked to their records, proofreading, the fact check, finalising and downloads."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_POST

from taizhang.core import query
from taizhang.core.downloads import download_response
from taizhang.core.scope import scope_for
from taizhang.core.views import REGISTRY
from taizhang.proofread import RULES

from . import render as renderer
from . import services
from .facts import collect
from .models import KIND_CHOICES, DocumentSettings, DocumentVersion, OfficialDocument

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _unit(request: HttpRequest) -> Any:
    unit = getattr(request, "unit", None)
    if unit is None:
        raise Http404("没有可用的单位")
    return unit


def _document(request: HttpRequest, pk: int) -> OfficialDocument:
    return get_object_or_404(
        OfficialDocument.objects.restrict(request.user, "view").select_related("unit"), pk=pk
    )


def _day(value: str) -> date | None:
    """A date typed in a form (2026-01-10); None when left empty; ValueError when not a date."""
    value = value.strip()
    return date.fromisoformat(value) if value else None


def _version(request: HttpRequest, doc: OfficialDocument, number: int | None = None) -> DocumentVersion:
    qs = DocumentVersion.objects.restrict(request.user, "view").filter(document=doc)
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise Http404("没有这一版本")
    return version


@login_required
def index(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    scope = scope_for(request.user)
    if request.method == "POST":
        if not scope.allows("add", unit):
            raise PermissionDenied("您没有在本单位起草文书的权限。")
        kind = request.POST.get("kind", "")
        try:
            day = _day(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, "成文日期的格式不对，请按“2026-01-10”填写，或留空。")
            return redirect("reports:index")
        try:
            year = int(request.POST.get("year", ""))
            half = int(request.POST["half"]) if request.POST.get("half") else None
            quarter = int(request.POST["quarter"]) if request.POST.get("quarter") else None
            if kind not in dict(KIND_CHOICES) or not 2000 <= year <= timezone.localdate().year + 1:
                raise ValueError
            doc = services.document_generate(
                acting_user=request.user, unit=unit, kind=kind, year=year, half=half, quarter=quarter, day=day
            )
        except ValueError:
            messages.error(request, "请选择文书类型，并填写 2000 年以来的年度。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, f"已根据台账生成《{doc.title}》第1版草稿。")
            first = doc.versions.order_by("number").first()
            period = services.period_for(kind, year, half, quarter)
            note = services.date_note(day, date.fromisoformat(first.content["day"]), period) if first else ""
            if note:
                messages.info(request, note)
            return redirect("reports:detail", pk=doc.pk)
    documents = (
        OfficialDocument.objects.restrict(request.user, "view").filter(unit=unit).prefetch_related("versions")
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "reports/index.html",
        {
            "unit": unit,
            "documents": documents,
            "kinds": KIND_CHOICES,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "default_year": this_year - 1 if timezone.localdate().month < 12 else this_year,
            "can_add": scope.allows("add", unit),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    version = _version(request, doc, query.integer(request.GET, "v", lo=1, hi=query.MAX_ID))
    scope = scope_for(request.user)
    sections = services.sections(version.content)
    ctx: dict[str, Any] = {
        "doc": doc,
        "version": version,
        "versions": DocumentVersion.objects.restrict(request.user, "view")
        .filter(document=doc)
        .select_related("finalised_by"),
        "sections": sections,
        "can_edit": scope.allows("change", doc.unit) and not version.final,
        "can_finalise": scope.allows("manage", doc.unit) and not version.final,
        "can_revise": scope.allows("add", doc.unit) and version.final,
    }
    asked = query.choice(request.GET, "check", ["facts", "proofread"])
    if asked == "facts":
        ctx["facts"] = services.fact_check(version, request.user)
    if asked == "proofread":
        found = []
        findings = services.proofread_sections(sections)
        fixable = {sec["index"] for sec, f in findings if f.suggestion is not None}
        ctx["fixable"] = bool(fixable)
        for sec, f in findings:
            first = sec["index"] in fixable
            fixable.discard(sec["index"])
            found.append({"section": sec, "f": f, "label": RULES[f.rule].label, "first": first})
        ctx["proofread"] = found
    ctx["header"] = header = services.as_document(version)
    own = services.settings_of(doc.unit, request.user)
    if own is not None and own.number_code:  # the clerk types the 序号 into the unit's pattern
        ctx["number_hint"] = f"{own.number_code}〔{header.day.year}〕 号，填入序号"
    ctx["figure_links"] = _figure_preview(doc, version)
    return render(request, "reports/detail.html", ctx)


def _figure_preview(doc: OfficialDocument, version: DocumentVersion) -> str:
    """The preview with each figure that still reads as generated linked to its records."""
    return renderer.to_html(
        services.as_document(version),
        figure_url=lambda key: reverse("reports:figure", args=[doc.pk, version.number, key]),
    )


@login_required
@require_POST
def section(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    doc = _document(request, pk)
    version = _version(request, doc)
    if not scope_for(request.user).allows("change", doc.unit):
        raise PermissionDenied("您没有修改本单位文书的权限。")
    text = request.POST.get("text", "")
    if request.POST.get("fix"):
        # 采用校对修改: the section as stored, with every fix the proofreader proposes
        current = services.sections(version.content)
        if not 0 <= index < len(current):
            raise Http404("没有这一部分")
        # the fixes come from checking the whole document, so numbering is judged across sections
        text = services.section_fixes(current, index)
    try:
        services.section_update(acting_user=request.user, version=version, index=index, text=text)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已保存。")
    return redirect(f"{reverse('reports:detail', args=[doc.pk])}#section-{index}")


@login_required
@require_POST
def fix_all(request: HttpRequest, pk: int) -> HttpResponse:
    """采用全部修改 of the whole draft's proofreading."""
    doc = _document(request, pk)
    version = _version(request, doc)
    if not scope_for(request.user).allows("change", doc.unit):
        raise PermissionDenied("您没有修改本单位文书的权限。")
    try:
        changed = services.version_fix_all(acting_user=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request, f"已采用校对修改，涉及{changed}个部分。" if changed else "没有可以自动修改的问题。"
        )
    return redirect(f"{reverse('reports:detail', args=[doc.pk])}?check=proofread")


@login_required
@require_POST
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    version = _version(request, doc)
    try:
        services.version_finalise(acting_user=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"第{version.number}版已定稿。")
    return redirect("reports:detail", pk=doc.pk)


@login_required
@require_POST
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    version = _version(request, doc)
    if not scope_for(request.user).allows("add", doc.unit):
        raise PermissionDenied("您没有修改本单位文书的权限。")
    try:
        new = services.version_revise(acting_user=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if new.number <= version.number:  # the draft was there already (a second click, another tab)
            messages.info(request, f"第{new.number}版草稿已经存在，请直接在草稿上修改。")
        else:
            messages.success(request, f"已生成第{new.number}版草稿，定稿的第{version.number}版保持不变。")
    return redirect("reports:detail", pk=doc.pk)


@login_required
def download(request: HttpRequest, pk: int, number: int, fmt: str) -> HttpResponse:
    doc = _document(request, pk)
    version = _version(request, doc, number)
    document = services.as_document(version)
    stem = f"{document.title}（第{version.number}版{'定稿' if version.final else '草稿'}）"
    if fmt == "docx":
        sources = bool(query.choice(request.GET, "sources", ["1"]))
        if sources:
            # the appendix lists the records each figure counts, as the ledgers hold them now
            facts = collect(doc.unit, services.period_of(doc), user=request.user)
            document.figures = services.stated_figures(version, facts)
        content: bytes | str = renderer.to_docx(document, sources=sources)
        content_type, name = DOCX, f"{stem}.docx"
    elif fmt == "md":
        content, content_type = renderer.to_markdown(document), "text/markdown; charset=utf-8"
        name = f"{stem}.md"
    elif fmt == "html":
        body = renderer.to_html(document)
        page = f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{escape(document.title)}</title>{body}</html>'
        content, content_type = page, "text/html; charset=utf-8"
        name = f"{stem}.html"
    else:
        raise Http404("不支持的格式")
    return download_response(
        request, content, filename=name, content_type=content_type, what="公文", obj=version
    )


@login_required
def figure(request: HttpRequest, pk: int, number: int, key: str) -> HttpResponse:
    """The records a figure counts, read now through restrict(), each linked to its page."""
    doc = _document(request, pk)
    version = _version(request, doc, number)
    fig = services.figure_sources(version, key, request.user)
    if fig is None:
        raise Http404("没有这个数字")
    rows = []
    for ref in fig.refs:
        views = REGISTRY.get(ref.slug)
        url = reverse(views.url("detail"), args=[ref.pk]) if views is not None else ""
        rows.append({"ref": ref, "url": url, "kind": views.verbose() if views else ref.slug})
    return render(request, "reports/figure.html", {"doc": doc, "version": version, "fig": fig, "rows": rows})


@login_required
@require_POST
def header(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's 成文日期, 发文字号, 签发人 and 主送机关."""
    doc = _document(request, pk)
    version = _version(request, doc)
    if not scope_for(request.user).allows("change", doc.unit):
        raise PermissionDenied("您没有修改本单位文书的权限。")
    try:
        day = _day(request.POST.get("day", ""))
        if day is None:
            raise ValueError
    except ValueError:
        messages.error(request, "请按“2026-01-10”的格式填写成文日期。")
        return redirect(f"{reverse('reports:detail', args=[doc.pk])}#header")
    try:
        services.version_header_update(
            acting_user=request.user,
            version=version,
            day=day,
            number=request.POST.get("number", ""),
            signer=request.POST.get("signer", ""),
            addressee=request.POST.get("addressee", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已保存成文日期和版头。")
    return redirect(f"{reverse('reports:detail', args=[doc.pk])}#header")


SETTINGS_FIELDS = ("issuer", "addressee", "number_code", "signer")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """公文设置: how the unit signs its documents and heads the reports it sends up."""
    unit = _unit(request)
    scope = scope_for(request.user)
    if not scope.allows("view", unit):
        raise PermissionDenied("您没有查看本单位公文设置的权限。")
    can_edit = scope.allows("change", unit)
    own = services.settings_of(unit, request.user)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您没有修改本单位公文设置的权限。")
        values = {k: request.POST.get(k, "") for k in SETTINGS_FIELDS}
        try:
            services.document_settings_save(acting_user=request.user, unit=unit, **values)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "公文设置已保存，此后生成的文书按新的设置编排。")
            return redirect("reports:settings")
    fields = [
        {
            "name": name,
            "field": DocumentSettings._meta.get_field(name),
            "value": request.POST.get(name, "") if request.method == "POST" else getattr(own, name, ""),
        }
        for name in SETTINGS_FIELDS
    ]
    parent = unit.parent if unit.parent_id else None
    defaults = {"issuer": unit.org_name, "addressee": parent.org_name if parent else ""}
    return render(
        request,
        "reports/settings.html",
        {"unit": unit, "fields": fields, "defaults": defaults, "can_edit": can_edit, "own": own},
    )
