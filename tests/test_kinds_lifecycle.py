"""Every record kind — ledgers, rules, library — through its writing pages: the person allowed
creates, edits, deletes and (a manager) restores, each write with its audit row; everyone else who
posts the very same valid form is refused and leaves every row as it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from taizhang.core.audit import snapshot
from taizhang.core.models import AuditEntry
from taizhang.core.views import REGISTRY

from .test_ledgers import _creatable, _edit, _post_data

KINDS = list(REGISTRY.values())


def _writer(cast: Any, views: Any) -> Any:
    return cast.secretary if views.write_action == "manage" else cast.clerk


def _sample(cast: Any, views: Any) -> Any:
    return (
        views.model.objects.filter(unit=cast.units["demo-dist"], deleted_at__isnull=True)
        .order_by("pk")
        .first()
    )


def _form(cast: Any, views: Any) -> tuple[Any, dict[str, Any]]:
    sample = _sample(cast, views)
    assert sample is not None, f"the demo holds no {views.slug} in demo-dist"
    return sample, _creatable(views, sample, _post_data(views, sample, sample.unit, _writer(cast, views)))


def _audit(obj: Any, after: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(seq__gt=after, object_type=obj._meta.label, object_id=str(obj.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _has(views: Any, action: str) -> bool:
    """Whether the kind has that page (a score has no blank "new" page: it is given on the sheet)."""
    return any(u.name == f"{views.slug}_{action}" for u in views.urls())


def _last_seq() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.parametrize("views", KINDS, ids=[v.slug for v in KINDS])
def test_the_allowed_person_writes_every_kind_and_each_write_is_audited(
    views: Any, cast: Any, client: Any
) -> None:
    sample, data = _form(cast, views)
    client.force_login(_writer(cast, views))
    start = _last_seq()
    created, expected_actions = sample, ["change", "delete", "restore"]
    if _has(views, "create"):
        response = client.post(reverse(views.url("create")), data)
        assert response.status_code == 302, response.content.decode()[-2000:]
        data.pop("attachments", None)  # saved with the record; the edit sends none
        created = views.model.objects.order_by("-pk").first()
        assert _audit(created, start) == ["create"]
        row = AuditEntry.objects.get(seq__gt=start, action="create", object_id=str(created.pk))
        assert row.actor_id == _writer(cast, views).pk and row.unit_id == cast.units["demo-dist"].pk
        expected_actions = ["create", *expected_actions]

    field, posted, expected = _edit(views)
    data[field] = posted
    assert client.post(reverse(views.url("edit"), kwargs={"pk": created.pk}), data).status_code == 302
    created.refresh_from_db()
    assert getattr(created, field) == expected
    change = AuditEntry.objects.get(seq__gt=start, action="change", object_id=str(created.pk))
    assert change.before[field] != change.after[field]

    assert client.post(reverse(views.url("delete"), kwargs={"pk": created.pk})).status_code == 302
    client.force_login(cast.secretary)
    assert client.post(reverse(views.url("restore"), kwargs={"pk": created.pk})).status_code == 302
    created.refresh_from_db()
    assert created.deleted_at is None
    assert _audit(created, start) == expected_actions


# who may not write a kind of demo-dist: its member, the inspector above, another unit's clerk, the
# three administrators and nobody signed in. Refused means 403 (or 404 where the record is out of
# sight, or the sign-in page) and not one row changed.
FORBIDDEN = ["member", "inspector", "outsider", "sysadmin", "auditor", None]
ACTIONS = ["create", "edit", "delete", "restore", "import", "bulk"]


def _forbidden(views: Any) -> list[str | None]:
    if views.write_action == "manage":
        return ["clerk", *FORBIDDEN]
    if getattr(views.model, "member_writes_own", False):  # a member may log their own, not others'
        return [a for a in FORBIDDEN if a != "member"]
    return FORBIDDEN


CASES = [
    pytest.param(views, action, actor, id=f"{views.slug}-{action}-{actor or 'anonymous'}")
    for views in KINDS
    for action in ACTIONS
    for actor in _forbidden(views)
    if _has(views, action)
    and not (actor == "outsider" and action in ("create", "import"))
    and not (action == "restore" and actor in ("clerk",) and views.write_action != "manage")
]


@pytest.mark.parametrize(("views", "action", "actor"), CASES)
def test_a_forbidden_write_is_refused_and_changes_nothing(
    views: Any, action: str, actor: str | None, cast: Any, client: Any
) -> None:
    sample, data = _form(cast, views)
    if action == "restore":  # a deleted record, restored by someone who may not
        from taizhang.core.services import record_delete

        record_delete(acting_user=cast.secretary, instance=sample)
    if actor:
        client.force_login(getattr(cast, actor))
    kwargs = {} if action in ("create", "import", "bulk") else {"pk": sample.pk}
    url = reverse(views.url(action), kwargs=kwargs)
    before = snapshot(views.model.objects.get(pk=sample.pk))
    rows, seq = views.model.objects.count(), _last_seq()
    payload = {
        "import": {"file": _workbook()},
        "bulk": {"action": "delete", "ids": [sample.pk], "confirm": "1"},
    }.get(action, data)
    response = client.post(url, payload)
    if actor is None:
        assert response.status_code == 302 and reverse("login") in response.url
    else:
        assert response.status_code in (403, 404), (response.status_code, response.content.decode()[:500])
    assert views.model.objects.count() == rows and _last_seq() == seq
    assert snapshot(views.model.objects.get(pk=sample.pk)) == before


def _workbook() -> Any:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["标题"])
    book.active.append(["越权导入"])
    buf = BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "导入.xlsx"
    return buf


# Writing pages outside the record kinds: each has a forbidden write in the permission matrix's
# WRITES (a person who may not, posting, is refused and nothing changes), or says here why not.
NOT_A_WRITE = {
    "logout": "signing out changes nothing of anyone's records",
    "password_change": "a person changes only their own password (tests/test_security_accounts.py)",
    "login": "the sign-in form",
    "notify:mark_all_read": "marks only the signed-in person's own messages read (notify.services.message_mark_read)",
    "notify:my_setting": "a person's own delivery choice (tests/test_notify.py)",
}


def test_every_page_that_writes_has_a_forbidden_write_in_the_matrix() -> None:
    from .test_permissions import MATRIX, POST_ONLY, WRITES

    kinds = {f"{v.namespace}:{v.slug}_{a}" for v in KINDS for a in ACTIONS}
    writing = {name for name, page in MATRIX.items() if page.get == POST_ONLY} - kinds
    covered = {name for name, *_ in WRITES}
    missing = sorted(writing - covered - set(NOT_A_WRITE))
    assert not missing, f"no forbidden write is tried on: {missing}"
