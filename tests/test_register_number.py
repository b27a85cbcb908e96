"""The 报告与督查 entry written when a report is sent through a notice bears the 发文字号 the sent
version carries, once the 办公室 has filled in its 序号; a pattern still waiting for it is no number."""

from types import SimpleNamespace

from taizhang.notices.services import _registered_number


def _sub(content: object) -> SimpleNamespace:
    return SimpleNamespace(version=SimpleNamespace(content=content))


def test_the_filled_in_number_is_recorded_and_a_bare_pattern_is_not() -> None:
    assert _registered_number(_sub({"number": "区气党〔2026〕12号"})) == "区气党〔2026〕12号"
    assert _registered_number(_sub({"number": "区气党〔2026〕\u3000号"})) == ""
    assert _registered_number(_sub({"blocks": []})) == ""
    assert _registered_number(SimpleNamespace(version=None)) == ""  # an uploaded file: no version
