"""督办 links on the rules pages: shown where the person may issue a notice from their current unit
to the unit of a missed requirement."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def urge_url(context: Any, unit: Any, rule_id: str, year: int) -> str:
    from ..services import may_issue
    from ..views import urge_url as url

    request = context.get("request")
    current = getattr(request, "unit", None)
    if request is None or current is None or unit is None:
        return ""
    if unit.pk == current.pk or not unit.path.startswith(current.path):
        return ""
    allowed = getattr(request, "_notices_may_issue", None)
    if allowed is None:  # once per page, however many cells ask
        allowed = may_issue(request.user, current)
        request._notices_may_issue = allowed
    return url(unit, rule_id, year) if allowed else ""
