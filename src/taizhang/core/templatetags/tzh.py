from __future__ import annotations

import re
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone

register = template.Library()


@register.filter
def bs(field: BoundField) -> Any:
    """Render a form field with Bootstrap's class for its widget."""
    widget = field.field.widget
    kind = field.widget_type
    if kind in {"checkbox", "checkboxselectmultiple", "radioselect"}:
        css = "form-check-input" if kind == "checkbox" else ""
    elif kind in {"select", "selectmultiple"}:
        css = "form-select"
    else:
        css = "form-control"
    if field.errors and css:
        css += " is-invalid"
    return field.as_widget(
        attrs={"class": (widget.attrs.get("class", "") + " " + css).strip()} if css else None
    )


@register.filter
def cn_date(value: Any) -> str:
    """2026年1月15日: official dates carry no zero padding."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日 {value.hour:02d}:{value.minute:02d}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def display(value: Any) -> Any:
    if value is None or value == "":
        return "—"
    if hasattr(value, "year") and hasattr(value, "month"):
        return cn_date(value)
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value


@register.simple_tag(takes_context=True)
def query(context: Any, **changes: Any) -> str:
    """The current query string with some parameters changed (for sort and page links)."""
    params = context["request"].GET.copy()
    for k, v in changes.items():
        if v in (None, ""):
            params.pop(k, None)
        else:
            params[k] = v
    return "?" + params.urlencode()


@register.filter
def action_label(action: str) -> str:
    from taizhang.core.audit import ACTION_LABELS

    return ACTION_LABELS.get(action, action)


@register.filter
def object_type_label(object_type: str) -> str:
    from taizhang.core.audit import object_type_label as label

    return label(object_type)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key)


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@register.filter
def sub(a: int, b: int) -> int:
    return max(0, int(a) - int(b))


# bookkeeping every save changes; the history names what the person changed
_QUIET_FIELDS = {"updated_at", "updated_by", "created_at", "created_by"}


@register.filter
def audit_changes(entry: Any, obj: Any) -> str:
    """What one change row of `obj`'s history changed, by field label, with old → new for fields
    with choices (a state): "标题；内容摘要；审核状态：已通过→草稿". Empty for other rows."""
    before, after = getattr(entry, "before", None), getattr(entry, "after", None)
    if entry.action != "change" or not isinstance(before, dict) or not isinstance(after, dict):
        return ""
    parts = []
    for f in [*obj._meta.concrete_fields, *obj._meta.many_to_many]:
        key = f.attname if f.concrete and f.is_relation else f.name
        if f.name in _QUIET_FIELDS or key not in after or before.get(key) == after.get(key):
            continue
        if f.choices:
            labels = dict(f.flatchoices)
            old, new = before.get(key), after.get(key)
            parts.append(f"{f.verbose_name}：{labels.get(old, old or '—')}→{labels.get(new, new or '—')}")
        else:
            parts.append(str(f.verbose_name))
    return "；".join(parts[:8]) + (f"等 {len(parts)} 项" if len(parts) > 8 else "")


@register.filter
def chosen_values(field: BoundField) -> set[str]:
    """The values ticked in a multiple-choice field (bound data, or the initial ones), as text."""
    value = field.value()
    if value is None:
        return set()
    if not isinstance(value, list | tuple | set):
        value = [value]
    return {str(getattr(v, "pk", v)) for v in value}


_ACCOUNT_SUFFIX = re.compile(r"\([^()\s]+\)(?= 命令行$|$)")


@register.filter
def person_name(actor_name: str) -> str:
    """The name an audit row copied (王建国(clerk)) as a page shows a person: without the account
    name, which the audit administrator's own pages keep."""
    return _ACCOUNT_SUFFIX.sub("", actor_name or "").strip() or actor_name
