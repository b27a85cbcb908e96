from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from taizhang.core import query
from taizhang.core.downloads import xlsx_download
from taizhang.core.excel import workbook_bytes
from taizhang.core.scope import scope_for
from taizhang.core.views import REGISTRY, RecordViews
from taizhang.ledger import home
from taizhang.orgs.models import Unit

from . import engine, services
from .models import INDICATOR, LOCAL_RULE, RATING, SCHEME, AssessmentScheme


class LocalRuleViews(RecordViews):
    kind = LOCAL_RULE


local_rules = LocalRuleViews()


def _year(request: HttpRequest) -> int:
    return query.year(request.GET, default=timezone.localdate().year)


def _grid_rows(result: services.UnitResult) -> list[dict[str, Any]]:
    rows = []
    for rule in result.rules:
        cells = result.cells[rule.id]
        # a rule the engine cannot evaluate has no cells: one row-wide 无法计算 with its reason
        span = 12 // len(cells) if cells else 12
        rows.append({"rule": rule, "cells": cells, "span": span, "rate": result.rate(rule.id)})
    return rows


@login_required
def grid(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A unit's year: rules × periods, coloured, each cell opening its evidence or its gap."""
    if pk is None:
        unit = getattr(request, "unit", None)
        if unit is None:
            return render(request, "rules/grid.html", {"unit": None})
    else:
        unit = get_object_or_404(Unit.objects.restrict(request.user), pk=pk)
    year = _year(request)
    [result] = services.evaluate_units([unit], year, user=request.user)
    current = getattr(request, "unit", None)
    can_see_subtree = (
        current is not None
        and Unit.objects.restrict(request.user)
        .filter(path__startswith=current.path)
        .exclude(pk=current.pk)
        .exists()
    )
    return render(request, "rules/grid.html", {
        "unit": unit, "year": year, "rows": _grid_rows(result), "overall": result.overall(),
        "months": range(1, 13), "status_names": engine.STATUS_NAMES, "can_see_subtree": can_see_subtree,
        "missed": [c for row in _grid_rows(result) for c in row["cells"] if c.status == engine.MISSED],
    })  # fmt: skip


@login_required
def cell(request: HttpRequest, pk: int, rule_id: str, year: int, index: int) -> HttpResponse:
    if not query.YEAR_MIN <= year <= query.YEAR_MAX:  # no period of year 0 or 99999 exists
        raise Http404("没有这一年度")
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=pk)
    [result] = services.evaluate_units([unit], year, user=request.user, with_evidence=True)
    cells = result.cells.get(rule_id)
    broken = next((r for r in result.rules if r.id == rule_id and r.problem), None)
    if broken is not None:
        return render(request, "rules/cell.html", {"unit": unit, "year": year, "broken": broken})
    if not cells or not 1 <= index <= len(cells):
        raise Http404("没有这条规则")
    c = cells[index - 1]
    views = REGISTRY[c.rule.ledger]
    records = (
        views.model.objects.restrict(request.user).filter(pk__in=c.evidence).order_by(views.kind.date.path)
    )
    return render(request, "rules/cell.html", {
        "unit": unit, "year": year, "c": c, "records": records, "views": views,
        "detail_url": views.url("detail"), "status_names": engine.STATUS_NAMES,
        "ledger_name": views.verbose(), "content_type": ContentType.objects.get_for_model(views.model),
    })  # fmt: skip


def _subtree_table(
    request: HttpRequest, current: Unit, year: int
) -> tuple[list[engine.Rule], list[dict[str, Any]]]:
    """Every unit the person may read from the current one down × the rules met there: the rules
    (columns) and per unit its overall rate and each rule's rate or the reason it cannot be computed."""
    units = list(Unit.objects.restrict(request.user).filter(path__startswith=current.path).order_by("path"))
    results = services.evaluate_units(units, year, user=request.user)
    rule_ids: dict[str, engine.Rule] = {}
    for r in results:
        for rule in r.rules:
            rule_ids.setdefault(rule.id, rule)
    rules = list(rule_ids.values())
    rows = []
    for r in results:
        # per unit: the reason a rule of that id cannot be evaluated there (its own or inherited)
        problems = {rule.id: rule.problem for rule in r.rules if rule.problem}
        rates = [r.rate(rule.id) if rule.id in r.cells else None for rule in rules]
        rows.append({
            "unit": r.unit, "overall": r.overall(), "rates": rates,
            "columns": [{"rate": v, "problem": problems.get(rule.id, ""), "rule": rule} for v, rule in zip(rates, rules, strict=True)],
        })  # fmt: skip
    return rules, rows


@login_required
def subtree(request: HttpRequest) -> HttpResponse:
    """The superior's view: every unit below the current one × rules, with compliance rates."""
    current = getattr(request, "unit", None)
    if current is None:
        return redirect("rules:grid")
    year = _year(request)
    today = timezone.localdate()
    rules, rows = home.kept_until_write(
        request,
        "subtree",
        (current.pk, year, today.isoformat()),
        lambda: _subtree_table(request, current, year),
    )
    sort = query.choice(request.GET, "sort", ["overall", *[f"rule-{i}" for i in range(len(rules))]])
    if sort:

        def key(row: dict[str, Any]) -> float:
            value = row["overall"] if sort == "overall" else row["rates"][int(sort[5:])]
            return -1.0 if value is None else value

        rows = sorted(rows, key=key)
    if query.choice(request.GET, "format", ["xlsx"]):
        headers = ["单位", "代码", "总体完成率", *[rule.name for rule in rules]]
        data = workbook_bytes([(f"{year}年责任落实", headers, [
            [row["unit"].name, row["unit"].code, _pct(row["overall"]),
             *["无法计算" if c["problem"] else _pct(c["rate"]) for c in row["columns"]]] for row in rows
        ])])  # fmt: skip
        return xlsx_download(
            request,
            data,
            f"{current.short_name}{year}年责任落实情况.xlsx",
            what=f"{year}年责任落实情况",
            unit=current,
        )
    return render(
        request, "rules/subtree.html", {"unit": current, "year": year, "rules": rules, "rows": rows}
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


# --- Assessment (考核) ---------------------------------------------------------------------------------
class SchemeViews(RecordViews):
    kind = SCHEME
    actions_template = "rules/_scheme_units.html"

    def extra_detail(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        units = Unit.objects.restrict(request.user).filter(path__startswith=obj.unit.path).order_by("path")
        return {"assessed_units": units}


class IndicatorViews(RecordViews):
    kind = INDICATOR


class RatingViews(RecordViews):
    """Scores are given on the assessment page; their own pages hold the evidence (attachments),
    the history and corrections."""

    kind = RATING

    def urls(self) -> list[Any]:
        # no blank "new score" page: a score belongs to an indicator and a unit, chosen on the sheet
        return [u for u in super().urls() if not u.name.endswith(("_create", "_import", "_template"))]


schemes = SchemeViews()
ratings = RatingViews()
indicators = IndicatorViews()


def _scheme_for(request: HttpRequest, pk: int, assessed: Any) -> Any:
    """A scheme the person may read: one of their scope, or one issued above the unit being assessed
    (a scheme is addressed to every unit below its issuer)."""
    scheme = AssessmentScheme.objects.restrict(request.user).filter(pk=pk).first()
    if scheme is None:
        candidate = (
            AssessmentScheme.objects.filter(pk=pk, deleted_at__isnull=True).select_related("unit").first()
        )
        if candidate is not None and assessed.path.startswith(candidate.unit.path):
            scheme = candidate
    if scheme is None or not assessed.path.startswith(scheme.unit.path):
        raise Http404("没有这个考核方案")
    return scheme


def _scorer(request: HttpRequest, scheme: Any, assessed: Unit) -> Unit | None:
    """The unit whose score the person gives: the assessed unit itself, or the scheme's issuer
    scoring a unit below it; None when they may give neither."""
    scope = scope_for(request.user)
    if scope.allows("add", assessed):
        return assessed  # the unit scores itself
    if scope.allows("add", scheme.unit) and assessed.pk != scheme.unit_id:
        return scheme.unit  # the issuing superior scores it
    return None


def _score_posted(request: HttpRequest, scheme: Any, assessed: Unit, scorer: Unit | None) -> HttpResponse:
    """Save one indicator's score from the sheet, saying on the page whether it was taken."""
    if scorer is None:
        raise PermissionDenied("您不能为该单位评分。")
    indicator = get_object_or_404(
        scheme.indicators.filter(deleted_at__isnull=True), pk=query.object_id(request.POST, "indicator")
    )
    try:
        score = Decimal(request.POST.get("score", ""))
        services.score_set(
            acting_user=request.user,
            indicator=indicator,
            assessed=assessed,
            scorer_unit=scorer,
            score=score,
            note=request.POST.get("note", "").strip(),
        )
    except (InvalidOperation, ValidationError) as exc:
        messages.error(
            request,
            "得分无效：" + ("；".join(exc.messages) if isinstance(exc, ValidationError) else "请填写数字。"),
        )
    else:
        messages.success(request, f"已保存“{indicator.name}”的{'自评' if scorer == assessed else '评分'}。")
    return redirect("rules:assessment", pk=scheme.pk, unit_pk=assessed.pk)


def _assessment_xlsx(request: HttpRequest, scheme: Any, assessed: Unit, rows: list[Any]) -> HttpResponse:
    """The scoring sheet as a workbook, downloaded through the audited download."""
    headers = [
        "序号",
        "指标",
        "分值",
        "计分方式",
        "自动计分",
        "缺项期数",
        "自评得分",
        "自评说明",
        "上级评分",
        "上级说明",
    ]
    data = workbook_bytes([(f"{assessed.short_name}考核", headers, [
        [r.indicator.number, r.indicator.name, r.indicator.points, r.indicator.get_method_display(),
         r.computed if r.computed is not None else "", r.missed if r.computed is not None else "",
         r.self_score.score if r.self_score else "", r.self_score.note if r.self_score else "",
         r.superior_score.score if r.superior_score else "", r.superior_score.note if r.superior_score else ""]
        for r in rows
    ])])  # fmt: skip
    return xlsx_download(
        request,
        data,
        f"{assessed.short_name}{scheme.year}年考核评分表.xlsx",
        what="考核评分表",
        obj=scheme,
        unit=assessed,
    )


@login_required
def assessment(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """One unit's scoring sheet under a scheme: the computed scores beside the self and superior
    scores, where the person may give theirs."""
    assessed = get_object_or_404(Unit.objects.restrict(request.user), pk=unit_pk)
    scheme = _scheme_for(request, pk, assessed)
    scorer = _scorer(request, scheme, assessed)
    if request.method == "POST":
        return _score_posted(request, scheme, assessed, scorer)
    rows = services.assessment_rows(scheme, assessed, user=request.user)
    if query.choice(request.GET, "format", ["xlsx"]):
        return _assessment_xlsx(request, scheme, assessed, rows)
    totals = {
        "points": sum((r.indicator.points for r in rows), Decimal(0)),
        "self": sum((r.self_score.score for r in rows if r.self_score), Decimal(0)),
        "superior": sum((r.superior_score.score for r in rows if r.superior_score), Decimal(0)),
    }
    return render(request, "rules/assessment.html", {
        "scheme": scheme, "assessed": assessed, "rows": rows, "scorer": scorer, "totals": totals,
        "is_self": scorer == assessed,
    })  # fmt: skip


@login_required
def assessment_index(request: HttpRequest) -> HttpResponse:
    """The schemes that apply to the current unit (issued by it or above it) and those it issued."""
    unit = getattr(request, "unit", None)
    if unit is None:
        return redirect("rules:grid")
    ancestor_ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    applicable = AssessmentScheme.objects.filter(unit_id__in=ancestor_ids, deleted_at__isnull=True).select_related(
        "unit").order_by("-year", "pk")  # fmt: skip
    return render(request, "rules/assessment_index.html", {"unit": unit, "applicable": applicable})
