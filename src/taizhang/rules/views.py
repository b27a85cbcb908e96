from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from taizhang.core.excel import workbook_bytes
from taizhang.core.views import REGISTRY, RecordViews
from taizhang.orgs.models import Unit

from . import engine, services
from .models import LocalRule


class LocalRuleViews(RecordViews):
    model = LocalRule
    slug = "local"
    namespace = "rules"
    fields = ("action", "rule_id", "year", "name", "source", "ledger", "kind", "period", "measure", "threshold",
              "due", "reason")  # fmt: skip
    list_fields = ("action", "rule_id", "name", "year", "threshold")
    kind_field = "action"
    search_fields = ("rule_id", "name", "reason")
    sortable = ("rule_id", "action")


local_rules = LocalRuleViews()


def _year(request: HttpRequest) -> int:
    asked = request.GET.get("year", "")
    return int(asked) if asked.isdigit() and 2000 <= int(asked) <= 2100 else timezone.localdate().year


def _grid_rows(result: services.UnitResult) -> list[dict[str, Any]]:
    rows = []
    for rule in result.rules:
        cells = result.cells[rule.id]
        rows.append({"rule": rule, "cells": cells, "span": 12 // len(cells), "rate": result.rate(rule.id)})
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
    })  # fmt: skip


@login_required
def cell(request: HttpRequest, pk: int, rule_id: str, year: int, index: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.restrict(request.user), pk=pk)
    [result] = services.evaluate_units([unit], year, user=request.user, with_evidence=True)
    cells = result.cells.get(rule_id)
    if not cells or not 1 <= index <= len(cells):
        raise Http404("没有这条规则")
    c = cells[index - 1]
    views = REGISTRY[c.rule.ledger]
    records = views.model.objects.restrict(request.user).filter(pk__in=c.evidence).order_by(views.date_field)
    return render(request, "rules/cell.html", {
        "unit": unit, "year": year, "c": c, "records": records, "views": views,
        "detail_prefix": reverse(views.url("list")), "status_names": engine.STATUS_NAMES,
        "ledger_name": views.verbose(), "content_type": ContentType.objects.get_for_model(views.model),
    })  # fmt: skip


@login_required
def subtree(request: HttpRequest) -> HttpResponse:
    """The superior's view: every unit below the current one × rules, with compliance rates."""
    current = getattr(request, "unit", None)
    if current is None:
        return redirect("rules:grid")
    year = _year(request)
    units = list(Unit.objects.restrict(request.user).filter(path__startswith=current.path).order_by("path"))
    results = services.evaluate_units(units, year, user=request.user)
    rule_ids: dict[str, engine.Rule] = {}
    for r in results:
        for rule in r.rules:
            rule_ids.setdefault(rule.id, rule)
    rules = list(rule_ids.values())
    rows = [
        {
            "unit": r.unit,
            "overall": r.overall(),
            "rates": [r.rate(rule.id) if rule.id in r.cells else None for rule in rules],
        }
        for r in results
    ]
    sort = request.GET.get("sort", "")
    if sort == "overall" or sort.startswith("rule-"):

        def key(row: dict[str, Any]) -> float:
            value = (
                row["overall"]
                if sort == "overall"
                else row["rates"][int(sort[5:])]
                if int(sort[5:]) < len(rules)
                else None
            )
            return -1.0 if value is None else value

        rows.sort(key=key)
    if request.GET.get("format") == "xlsx":
        headers = ["单位", "代码", "总体完成率", *[rule.name for rule in rules]]
        data = workbook_bytes([(f"{year}年责任落实", headers, [
            [row["unit"].name, row["unit"].code, _pct(row["overall"]), *[_pct(v) for v in row["rates"]]] for row in rows
        ])])  # fmt: skip
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f"attachment; filename=compliance-{current.code}-{year}.xlsx"
        return response
    return render(
        request, "rules/subtree.html", {"unit": current, "year": year, "rules": rules, "rows": rows}
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
