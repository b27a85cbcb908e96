"""What a rule reports: one fault, its exact place in the text, and the fix when there is one."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"  # the text is wrong as it stands
WARNING = "warning"  # most likely wrong; a person decides


@dataclass(frozen=True, slots=True)
class Finding:
    """`start`/`end` index the checked text (Python string indices, end exclusive); `suggestion`
    replaces text[start:end] when applied, None when only a person can say what belongs there."""

    rule: str
    start: int
    end: int
    text: str
    suggestion: str | None
    message: str
    severity: str = ERROR
