from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    return {
        "current_unit": getattr(request, "unit", None),
        "my_units": getattr(request, "my_units", []),
    }
