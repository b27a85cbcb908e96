"""The permission matrix: every URL pattern × the cast. Allowed is 200, out of scope 404, a forbidden
write is refused and leaves the rows as they were. A URL pattern without an entry here fails."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from taizhang.core.models import Attachment
from taizhang.core.views import REGISTRY
from taizhang.ledger import models as lm
from taizhang.ledger.models import Meeting
from taizhang.ledger.views import LEDGERS
from taizhang.orgs.models import Membership, Unit, User
from taizhang.reports.models import DocumentVersion, OfficialDocument
from taizhang.rules.models import AssessmentScheme, AssessmentScore, LocalRule

from .conftest import CAST

ANON = "anonymous"
ACTORS = [*CAST, ANON]
UNIT_PEOPLE = ["secretary", "clerk", "member", "inspector", "outsider"]
ADMINS = ["sysadmin", "secadmin", "auditor"]


def expect(default: int, anon: int = 302, **overrides: int) -> dict[str, int]:
    table = {a: default for a in CAST}
    table[ANON] = anon
    table.update(overrides)
    return table


def only(actor: str, status: int = 200, others: int = 403) -> dict[str, int]:
    return expect(others, **{actor: status})


@dataclass
class Page:
    get: dict[str, int]
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda c: {})


def _dist(c: Any) -> dict[str, Any]:
    return {"pk": c.units["demo-dist"].pk}


def _meeting(c: Any) -> dict[str, Any]:
    return {"pk": Meeting.objects.filter(unit__code="demo-dist").order_by("pk").first().pk}


def _attachment(c: Any) -> dict[str, Any]:
    return {"pk": Attachment.objects.get().pk}


def _upload(c: Any) -> dict[str, Any]:
    return {"ct": ContentType.objects.get_for_model(Meeting).pk, **_meeting(c)}


def _account(c: Any) -> dict[str, Any]:
    return {"pk": c.member.pk}


def _membership(c: Any) -> dict[str, Any]:
    return {"pk": Membership.objects.live().get(user=c.member).pk}


def _attempt(c: Any) -> dict[str, Any]:
    from axes.models import AccessAttempt

    return {
        "pk": AccessAttempt.objects.create(
            username="nobody",
            ip_address="10.0.0.9",
            failures_since_start=5,
            get_data="",
            post_data="",
            user_agent="t",
            path_info="/login/",
        ).pk
    }


# Business pages: the three administrators hold no unit role, so they see nothing there.
MODULE = expect(200)
POST_ONLY = expect(405)

MATRIX: dict[str, Page] = {
    "login": Page(expect(302, anon=200)),
    "logout": Page(expect(405, anon=405)),
    "password_change": Page(expect(200)),
    "healthz": Page(expect(200, anon=200)),
    "ping": Page(expect(200, anon=200)),
    "dashboard": Page(
        expect(200, inspector=302, sysadmin=302, secadmin=302, auditor=302)
    ),  # inspector: the subtree
    "switch_unit": Page(POST_ONLY),
    "unit_members": Page(expect(404, secretary=200, clerk=200, member=200, inspector=200), _dist),
    "ledger:index": Page(MODULE),
    "reports:index": Page(expect(200, sysadmin=404, secadmin=404, auditor=404)),
    "reports:detail": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200), lambda c: _report(c)
    ),
    "reports:section": Page(POST_ONLY, lambda c: {**_report(c), "index": 1}),
    "reports:finalise": Page(POST_ONLY, lambda c: _report(c)),
    "reports:revise": Page(POST_ONLY, lambda c: _report(c)),
    "reports:header": Page(POST_ONLY, lambda c: _report(c)),
    "reports:fix_all": Page(POST_ONLY, lambda c: _report(c)),
    # 公文设置: the unit's people read them; the administrators and the outsider have no unit here
    "reports:settings": Page(expect(200, sysadmin=404, secadmin=404, auditor=404)),
    "reports:download": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200),
        lambda c: {**_report(c), "number": 1, "fmt": "docx"},
    ),
    "reports:figure": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200),
        lambda c: {**_report(c), "number": 1, "key": "central_study"},
    ),
    "module_proofread": Page(MODULE),
    "library:search": Page(MODULE),
    "library:material_files": Page(expect(403, secretary=200, clerk=200, outsider=200)),
    "library:cite": Page(POST_ONLY, _meeting),
    "library:uncite": Page(POST_ONLY, lambda c: {**_meeting(c), "material": 1}),
    "library:hours": Page(expect(200, sysadmin=404, secadmin=404, auditor=404)),
    # 扫码签到 and printing (signin): the meeting's readers read; the signed link answers anyone signed in
    "ledger:signin_page": Page(expect(404, secretary=200, clerk=200, member=200, inspector=200), _meeting),
    "ledger:signin_count": Page(expect(404, secretary=200, clerk=200, member=200, inspector=200), _meeting),
    "ledger:signin_sheet": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200),
        lambda c: {**_meeting(c), "fmt": "docx"},
    ),
    "ledger:signin_scan": Page(expect(200), lambda c: {"token": _signin_token(c)}),
    "ledger:signin_cancel": Page(POST_ONLY, lambda c: {"pk": _signin_row(c)}),
    "print_record": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200),
        lambda c: {"slug": "meeting", **_meeting(c), "fmt": "docx"},
    ),
    "print_list": Page(MODULE, lambda c: {"slug": "meeting", "fmt": "docx"}),
    "attachment_upload": Page(POST_ONLY, _upload),
    "attachment_download": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200), _attachment
    ),
    "attachment_delete": Page(POST_ONLY, _attachment),
    # the world's one attachment is a text file: no picture to preview or scale (tests/test_forms.py
    # reads a photo as the cast would)
    "attachment_preview": Page(expect(404), _attachment),
    "attachment_image": Page(expect(404), lambda c: {**_attachment(c), "size": "thumb"}),
    "ledger:rectification_complete": Page(POST_ONLY, lambda c: _sample(lm.Rectification)),
    "system_index": Page(expect(200)),
    "unit_tree": Page(only("sysadmin")),
    "unit_create": Page(only("sysadmin")),
    "unit_edit": Page(only("sysadmin"), _dist),
    "account_list": Page(only("sysadmin")),
    "account_create": Page(only("sysadmin")),
    "account_edit": Page(only("sysadmin"), _account),
    "account_reset": Page(only("sysadmin"), _account),
    "role_list": Page(only("secadmin")),
    "role_revoke": Page(only("secadmin", 405), _membership),
    "admin_role_set": Page(only("secadmin", 405)),
    "lockout_list": Page(only("secadmin")),
    "lockout_unlock": Page(only("secadmin", 405), _attempt),
    "audit_log": Page(only("auditor")),
    "audit_export": Page(only("auditor")),
    "audit_entry": Page(only("auditor"), lambda c: {"seq": 1}),
    "rules:grid": Page(expect(200)),
    "rules:unit_grid": Page(expect(404, secretary=200, clerk=200, member=200, inspector=200), _dist),
    "rules:cell": Page(
        expect(404, secretary=200, clerk=200, member=200, inspector=200),
        lambda c: {**_dist(c), "rule_id": "analysis-quarterly", "year": 2025, "index": 1},
    ),
    "rules:subtree": Page(expect(200, sysadmin=302, secadmin=302, auditor=302)),
    "rules:assessment_index": Page(expect(200, sysadmin=302, secadmin=302, auditor=302)),
    "rules:assessment": Page(  # the member of demo-dist has no role in its branch
        expect(404, secretary=200, clerk=200, inspector=200),
        lambda c: {"pk": _sample(AssessmentScheme)["pk"], "unit_pk": c.units["demo-dist-branch"].pk},
    ),
    "ledger:book": Page(expect(200, sysadmin=302, secadmin=302, auditor=302)),
    "ledger:risk_rectify": Page(POST_ONLY, lambda c: _sample(lm.Risk)),
    "ledger:review_submit": Page(POST_ONLY, lambda c: _sample(lm.PublicationReview)),
    "ledger:review_decide": Page(POST_ONLY, lambda c: _sample(lm.PublicationReview)),
    "ledger:review_publish": Page(POST_ONLY, lambda c: _sample(lm.PublicationReview)),
    "ledger:evidence_add": Page(POST_ONLY, lambda c: {"slug": "meeting", **_meeting(c)}),
    "ledger:evidence_remove": Page(POST_ONLY, lambda c: _sample(lm.WorkPlanEvidence)),
}


def _notify_message(c: Any) -> dict[str, Any]:
    """A message to demo-dist's secretary: only its recipient opens it."""
    from taizhang.notify.services import notify_users

    notify_users(
        acting_user=None, users=[c.secretary], subject="权限测试消息", link="/", dedupe_key="perm-test"
    )
    return {"pk": c.secretary.notify_messages.get(dedupe_key="perm-test").pk}


def _notify_delivery(c: Any) -> dict[str, Any]:
    from taizhang.notify.models import Channel, Delivery, DeliveryState

    msg = _notify_message(c)["pk"]
    d, _ = Delivery.objects.get_or_create(
        message_id=msg,
        channel=Channel.EMAIL,
        target="sec@example.cn",
        defaults={"state": DeliveryState.FAILED},
    )
    return {"pk": d.pk}


MATRIX.update(
    {
        "notify:todo": Page(expect(200)),
        "notify:badge": Page(expect(200)),
        "notify:inbox": Page(expect(200)),
        "notify:message_open": Page(expect(404, secretary=302), _notify_message),
        "notify:mark_all_read": Page(POST_ONLY),
        "notify:my_setting": Page(POST_ONLY),
        "notify:deliveries": Page(only("secadmin")),
        "notify:delivery_detail": Page(only("secadmin"), _notify_delivery),
        "notify:delivery_retry": Page(only("secadmin", 405), _notify_delivery),
        "notify:robots": Page(only("sysadmin")),
        "notify:robot_edit": Page(only("sysadmin"), _dist),
    }
)


def _notice(c: Any) -> Any:
    """A city notice to demo-dist, with an attachment and the district clerk's uploaded answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from taizhang.notices import services as notices

    n = notices.notice_issue(
        acting_user=c.users["city_secretary"], unit=c.units["demo-city"], title="权限测试通知", body="请报送。",
        deadline=timezone.localdate(), response="file", recipients=[c.units["demo-dist"]],
        uploads=[SimpleUploadedFile("通知附件.txt", "说明".encode())],
    )  # fmt: skip
    t = n.targets.get()
    sub = notices.submission_create(
        acting_user=c.clerk, target=t, upload=SimpleUploadedFile("报告.txt", b"ok")
    )
    return n, t, sub


# 通知 (notices): the addressed unit's people and the issuer's readers above read; others see nothing
_NOTICE_READ = expect(404, secretary=200, clerk=200, member=200, inspector=200)
MATRIX.update(
    {
        "notices:index": Page(expect(200, sysadmin=404, secadmin=404, auditor=404)),
        "notices:create": Page(
            expect(403, secretary=200, clerk=200, sysadmin=404, secadmin=404, auditor=404)
        ),
        "notices:detail": Page(_NOTICE_READ, lambda c: {"pk": _notice(c)[0].pk}),
        "notices:export": Page(expect(404, inspector=200), lambda c: {"pk": _notice(c)[0].pk}),
        "notices:remind": Page(POST_ONLY, lambda c: {"pk": _notice(c)[0].pk}),
        "notices:cancel": Page(POST_ONLY, lambda c: {"pk": _notice(c)[0].pk}),
        "notices:deadline": Page(POST_ONLY, lambda c: {"pk": _notice(c)[0].pk}),
        "notices:attachment": Page(
            _NOTICE_READ, lambda c: (lambda n: {"pk": n.pk, "att": _notice_attachment(n)})(_notice(c)[0])
        ),
        "notices:target": Page(_NOTICE_READ, lambda c: {"pk": _notice(c)[1].pk}),
        "notices:submit": Page(POST_ONLY, lambda c: {"pk": _notice(c)[1].pk}),
        "notices:withdraw": Page(POST_ONLY, lambda c: {"pk": _notice(c)[2].pk}),
        "notices:review": Page(POST_ONLY, lambda c: {"pk": _notice(c)[2].pk}),
        "notices:file": Page(_NOTICE_READ, lambda c: {"pk": _notice(c)[2].pk}),
    }
)


def _notice_attachment(n: Any) -> int:
    from taizhang.notices.views import _attachments

    return _attachments(n).get().pk


def _signin_row(c: Any) -> int:
    """A sign-in to demo-dist's first meeting (written directly: the meeting is long over)."""
    from django.utils import timezone

    meeting = Meeting.objects.get(**_meeting(c))
    row, _ = lm.MeetingSignIn.objects.get_or_create(
        meeting=meeting, person=c.member, defaults={"unit": meeting.unit, "signed_at": timezone.now()}
    )
    return row.pk


def _signin_token(c: Any) -> str:
    from taizhang.ledger.signin import token_for

    return token_for(Meeting.objects.get(**_meeting(c)))


def _report(c: Any) -> dict[str, Any]:
    """demo-dist's 2025 annual summary, generated by its clerk the first time it is asked for."""
    from taizhang.reports import services as report_services
    from taizhang.reports.models import OfficialDocument

    doc = OfficialDocument.objects.filter(unit__code="demo-dist", kind="annual").first()
    if doc is None:
        doc = report_services.document_generate(
            acting_user=c.clerk, unit=c.units["demo-dist"], kind="annual", year=2025
        )
    return {"pk": doc.pk}


def _sample(model: Any) -> dict[str, Any]:
    """The first live record of a kind in demo-dist."""
    return {
        "pk": model.objects.filter(unit__code="demo-dist", deleted_at__isnull=True).order_by("pk").first().pk
    }


# Every ledger's pages follow one pattern: members of demo-dist read, the clerk and the secretary
# write, the secretary alone restores, the inspector above reads, the outsider sees nothing.
for _views in list(REGISTRY.values()):
    _kw = (lambda model: lambda c: _sample(model))(_views.model)
    _ns = f"{_views.namespace}:{_views.slug}"
    if _views.write_action == "manage":  # local rules: the unit's managers alone write
        _adds = expect(403, secretary=200)
        _writes = expect(404, secretary=200, clerk=403, member=403, inspector=403)
    elif getattr(_views.model, "member_writes_own", False):  # 个人自学: members log their own
        _adds = expect(403, secretary=200, clerk=200, outsider=200, member=200)
        _writes = expect(404, secretary=200, clerk=200, member=403, inspector=403)
    else:
        _adds = expect(403, secretary=200, clerk=200, outsider=200)
        _writes = expect(404, secretary=200, clerk=200, member=403, inspector=403)
    _imports = (
        expect(403, secretary=200)
        if _views.write_action == "manage"
        else expect(403, secretary=200, clerk=200, outsider=200)
    )
    MATRIX.update(
        {
            f"{_ns}_list": Page(MODULE),
            f"{_ns}_export": Page(MODULE),
            f"{_ns}_bulk": Page(POST_ONLY),
            f"{_ns}_create": Page(_adds),
            f"{_ns}_trash": Page(expect(403, secretary=200)),
            f"{_ns}_detail": Page(expect(404, secretary=200, clerk=200, member=200, inspector=200), _kw),
            f"{_ns}_edit": Page(_writes, _kw),
            f"{_ns}_delete": Page(_writes, _kw),
            f"{_ns}_restore": Page(POST_ONLY, _kw),
            f"{_ns}_import": Page(_imports),
            f"{_ns}_template": Page(_imports),
        }
    )


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            names |= _names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(prefix + p.name)
    return names


# Some kinds have no create page (a score is given on the assessment sheet): drop what they lack.
for _name in [n for n in MATRIX if n.startswith("rules:rating_") and n not in _names(get_resolver())]:
    del MATRIX[_name]


def test_every_url_pattern_has_a_matrix_entry():
    names = _names(get_resolver())
    assert names - set(MATRIX) == set(), "new URL patterns need a permission matrix entry"
    assert set(MATRIX) - names == set(), "matrix entries for URL patterns that no longer exist"


@pytest.fixture
def world(cast: Any, meeting: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.core.services import attachment_add

    attachment_add(
        acting_user=cast.clerk,
        record=meeting,
        upload=SimpleUploadedFile("签到表.txt", "签到：张三、李四".encode()),
    )
    return cast


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get_matrix(name: str, world: Any, client: Any) -> None:
    page = MATRIX[name]
    url = reverse(name, kwargs=page.kwargs(world))
    failures = []
    for actor in ACTORS:
        client.logout()
        if actor != ANON:
            client.force_login(world.users[actor])
        status = client.get(url).status_code
        if status != page.get[actor]:
            failures.append(f"{actor}: expected {page.get[actor]}, got {status}")
    assert not failures, f"{url}: " + "; ".join(failures)


# --- Forbidden writes: refused, and the rows stay as they were -----------------------------------
def _notices_state() -> tuple[Any, ...]:
    from taizhang.ledger.models import MeetingSignIn
    from taizhang.notices.models import Notice, NoticeTarget, Submission
    from taizhang.notify.models import Message

    return (
        tuple(Notice.objects.order_by("pk").values_list("deadline", "deleted_at")),
        tuple(NoticeTarget.objects.order_by("pk").values_list("state", flat=True)),
        tuple(Submission.objects.order_by("pk").values_list("verdict", "withdrawn_at", "deleted_at")),
        Message.objects.count(),
        MeetingSignIn.objects.filter(deleted_at__isnull=True).count(),
    )


def _state() -> tuple[Any, ...]:
    return (
        tuple(
            (v.model.objects.count(), v.model.objects.filter(deleted_at__isnull=False).count())
            for v in LEDGERS
        ),
        tuple(Meeting.objects.order_by("pk").values_list("title", flat=True)),
        tuple(lm.PublicationReview.objects.order_by("pk").values_list("stage", flat=True)),
        tuple(OfficialDocument.objects.order_by("pk").values_list("title", flat=True)),
        tuple((v.number, v.final, str(v.content)) for v in DocumentVersion.objects.order_by("pk")),
        lm.ReviewStep.objects.count(),
        lm.WorkPlanEvidence.objects.filter(deleted_at__isnull=True).count(),
        LocalRule.objects.filter(deleted_at__isnull=True).count(),
        tuple(AssessmentScore.objects.values_list("score", flat=True)),
        Attachment.objects.filter(deleted_at__isnull=True).count(),
        Meeting.materials.through.objects.count(),  # materials cited as studied at meetings
        _notices_state(),
        Unit.objects.count(),
        User.objects.count(),
        tuple(User.objects.order_by("pk").values_list("admin_role", flat=True)),
        Membership.objects.live().count(),
    )


def _closing(c: Any) -> dict[str, Any]:
    return {"completed_on": "2026-11-20", "result": "越权销号", "files": io.BytesIO(b"evidence")}


def _sample_material(c: Any) -> int:
    from taizhang.library.models import Material

    return Material.objects.filter(unit__code="demo-dist").order_by("pk").first().pk


def _cited(c: Any) -> dict[str, Any]:
    """demo-dist's first meeting and a material it studied (linked here if the demo left none)."""
    from taizhang.library.models import Material

    meeting = Meeting.objects.get(**_meeting(c))
    material = meeting.materials.first() or Material.objects.get(pk=_sample_material(c))
    meeting.materials.add(material)
    return {"pk": meeting.pk, "material": material.pk}


def _meeting_post(c: Any) -> dict[str, Any]:
    return {
        "kind": "analysis",
        "title": "越权新增",
        "held_at": "2026-03-01T09:00",
        "host": c.clerk.pk,
        "expected": 3,
        "present": 3,
    }


WRITES: list[tuple[str, Callable[[Any], dict[str, Any]], str, Callable[[Any], dict[str, Any]], int]] = [
    ("ledger:meeting_create", lambda c: {}, "member", _meeting_post, 403),
    ("ledger:meeting_create", lambda c: {}, "inspector", _meeting_post, 403),
    ("ledger:meeting_create", lambda c: {}, "sysadmin", _meeting_post, 403),
    ("ledger:meeting_edit", _meeting, "member", _meeting_post, 403),
    ("ledger:meeting_edit", _meeting, "inspector", _meeting_post, 403),
    ("ledger:meeting_edit", _meeting, "outsider", _meeting_post, 404),
    ("ledger:meeting_delete", _meeting, "member", lambda c: {}, 403),
    ("ledger:meeting_delete", _meeting, "outsider", lambda c: {}, 404),
    ("ledger:meeting_delete", _meeting, "auditor", lambda c: {}, 404),
    ("ledger:meeting_restore", _meeting, "outsider", lambda c: {}, 404),
    ("attachment_upload", _upload, "member", lambda c: {"file": io.BytesIO(b"hello")}, 403),
    ("attachment_upload", _upload, "inspector", lambda c: {"file": io.BytesIO(b"hello")}, 403),
    ("attachment_upload", _upload, "outsider", lambda c: {"file": io.BytesIO(b"hello")}, 404),
    ("attachment_delete", _attachment, "member", lambda c: {}, 403),
    ("attachment_delete", _attachment, "outsider", lambda c: {}, 404),
    ("switch_unit", lambda c: {}, "member", lambda c: {"unit": c.units["demo-east"].pk}, 403),
    (
        "unit_create",
        lambda c: {},
        "secadmin",
        lambda c: {"code": "x-1", "name": "越权单位", "short_name": "越权", "kind": "other"},
        403,
    ),
    (
        "unit_edit",
        _dist,
        "clerk",
        lambda c: {"code": "demo-dist", "name": "改名", "short_name": "改", "kind": "other"},
        403,
    ),
    (
        "account_create",
        lambda c: {},
        "auditor",
        lambda c: {"username": "intruder", "full_name": "x", "password": "Abcdef12!"},
        403,
    ),
    (
        "account_create",
        lambda c: {},
        "secretary",
        lambda c: {"username": "intruder", "full_name": "x", "password": "Abcdef12!"},
        403,
    ),
    (
        "role_list",
        lambda c: {},
        "sysadmin",
        lambda c: {"user": c.outsider.pk, "unit": c.units["demo-dist"].pk, "role": "secretary"},
        403,
    ),
    (
        "role_list",
        lambda c: {},
        "secretary",
        lambda c: {"user": c.outsider.pk, "unit": c.units["demo-dist"].pk, "role": "secretary"},
        403,
    ),
    ("role_revoke", _membership, "clerk", lambda c: {}, 403),
    ("admin_role_set", lambda c: {}, "sysadmin", lambda c: {"user": c.clerk.pk, "admin_role": "audit"}, 403),
    ("lockout_unlock", _attempt, "auditor", lambda c: {}, 403),
    (
        "rules:assessment",
        lambda c: {"pk": _sample(AssessmentScheme)["pk"], "unit_pk": c.units["demo-dist-branch"].pk},
        "member",
        lambda c: {"indicator": "1", "score": "5"},
        404,
    ),
    (
        "rules:assessment",
        lambda c: {"pk": _sample(AssessmentScheme)["pk"], "unit_pk": c.units["demo-dist-branch"].pk},
        "inspector",
        lambda c: {"indicator": "1", "score": "5"},
        403,
    ),
    ("ledger:risk_rectify", lambda c: _sample(lm.Risk), "member", lambda c: {}, 403),
    ("ledger:risk_rectify", lambda c: _sample(lm.Risk), "inspector", lambda c: {}, 403),
    ("ledger:risk_rectify", lambda c: _sample(lm.Risk), "outsider", lambda c: {}, 404),
    ("ledger:review_submit", lambda c: _sample(lm.PublicationReview), "member", lambda c: {}, 403),
    (
        "ledger:review_decide",
        lambda c: _sample(lm.PublicationReview),
        "inspector",
        lambda c: {"stage": "first", "verdict": "pass"},
        403,
    ),
    ("ledger:review_publish", lambda c: _sample(lm.PublicationReview), "outsider", lambda c: {}, 404),
    (
        "ledger:evidence_add",
        lambda c: {"slug": "meeting", **_meeting(c)},
        "member",
        lambda c: {"item": _sample(lm.WorkPlanItem)["pk"]},
        403,
    ),
    (
        "ledger:evidence_add",
        lambda c: {"slug": "meeting", **_meeting(c)},
        "outsider",
        lambda c: {"item": _sample(lm.WorkPlanItem)["pk"]},
        404,
    ),
    ("ledger:evidence_remove", lambda c: _sample(lm.WorkPlanEvidence), "member", lambda c: {}, 403),
    ("ledger:evidence_remove", lambda c: _sample(lm.WorkPlanEvidence), "outsider", lambda c: {}, 404),
    ("library:cite", _meeting, "member", lambda c: {"material": _sample_material(c)}, 403),
    ("library:cite", _meeting, "outsider", lambda c: {"material": _sample_material(c)}, 404),
    ("library:uncite", _cited, "member", lambda c: {}, 403),
    ("ledger:rectification_complete", lambda c: _sample(lm.Rectification), "member", _closing, 403),
    ("ledger:rectification_complete", lambda c: _sample(lm.Rectification), "inspector", _closing, 403),
    ("ledger:rectification_complete", lambda c: _sample(lm.Rectification), "outsider", _closing, 404),
    ("ledger:signin_cancel", lambda c: {"pk": _signin_row(c)}, "member", lambda c: {}, 403),
    ("ledger:signin_cancel", lambda c: {"pk": _signin_row(c)}, "outsider", lambda c: {}, 404),
    # 通知: the addressed unit may not steer the issuer's notice, nor review its own answer; a unit
    # outside sees nothing; a member answers nothing
    ("notices:remind", lambda c: {"pk": _notice(c)[0].pk}, "clerk", lambda c: {}, 403),
    ("notices:cancel", lambda c: {"pk": _notice(c)[0].pk}, "clerk", lambda c: {}, 404),
    ("notices:cancel", lambda c: {"pk": _notice(c)[0].pk}, "inspector", lambda c: {}, 403),
    (
        "notices:deadline",
        lambda c: {"pk": _notice(c)[0].pk},
        "outsider",
        lambda c: {"deadline": "2030-01-01"},
        404,
    ),
    ("notices:submit", lambda c: {"pk": _notice(c)[1].pk}, "member", lambda c: {"note": "越权报送"}, 403),
    ("notices:submit", lambda c: {"pk": _notice(c)[1].pk}, "outsider", lambda c: {"note": "越权报送"}, 404),
    ("notices:withdraw", lambda c: {"pk": _notice(c)[2].pk}, "member", lambda c: {}, 403),
    ("notices:withdraw", lambda c: {"pk": _notice(c)[2].pk}, "outsider", lambda c: {}, 404),
    ("notices:review", lambda c: {"pk": _notice(c)[2].pk}, "clerk", lambda c: {"verdict": "accepted"}, 403),
    (
        "notices:review",
        lambda c: {"pk": _notice(c)[2].pk},
        "outsider",
        lambda c: {"verdict": "accepted"},
        404,
    ),
    ("library:uncite", _cited, "inspector", lambda c: {}, 403),
    ("reports:index", lambda c: {}, "member", lambda c: {"kind": "annual", "year": "2025"}, 403),
    ("reports:index", lambda c: {}, "inspector", lambda c: {"kind": "annual", "year": "2025"}, 403),
    ("reports:section", lambda c: {**_report(c), "index": 1}, "member", lambda c: {"text": "改"}, 403),
    ("reports:header", _report, "member", lambda c: {"day": "2026-01-10", "signer": "改"}, 403),
    ("reports:header", _report, "inspector", lambda c: {"day": "2026-01-10", "signer": "改"}, 403),
    ("reports:header", _report, "outsider", lambda c: {"day": "2026-01-10", "signer": "改"}, 404),
    ("reports:settings", lambda c: {}, "member", lambda c: {"signer": "改"}, 403),
    ("reports:fix_all", _report, "inspector", lambda c: {}, 403),
    ("reports:fix_all", _report, "outsider", lambda c: {}, 404),
    ("reports:section", lambda c: {**_report(c), "index": 1}, "inspector", lambda c: {"text": "改"}, 403),
    ("reports:section", lambda c: {**_report(c), "index": 1}, "outsider", lambda c: {"text": "改"}, 404),
    ("reports:finalise", _report, "clerk", lambda c: {}, 403),
    ("reports:finalise", _report, "member", lambda c: {}, 403),
    ("reports:finalise", _report, "outsider", lambda c: {}, 404),
    ("reports:revise", _report, "member", lambda c: {}, 403),
    *[
        (f"ledger:{v.slug}_import", lambda c: {}, actor, lambda c: {"file": io.BytesIO(b"x")}, 403)
        for v in LEDGERS[:3]
        for actor in ("member", "inspector")
    ],
    *[
        (f"ledger:{v.slug}_create", lambda c: {}, actor, lambda c: {}, 403)
        for v in LEDGERS
        for actor in ("member", "inspector", "auditor")
    ],
    *[
        (
            f"ledger:{v.slug}_delete",
            (lambda model: lambda c: _sample(model))(v.model),
            actor,
            lambda c: {},
            status,
        )
        for v in LEDGERS
        for actor, status in (("member", 403), ("outsider", 404))
    ],
]


@pytest.mark.parametrize(
    ("name", "kwargs", "actor", "data", "status"), WRITES, ids=[f"{w[0]}-{w[2]}" for w in WRITES]
)
def test_forbidden_write_leaves_rows_unchanged(name, kwargs, actor, data, status, world, client) -> None:
    url = reverse(name, kwargs=kwargs(world))
    client.force_login(world.users[actor])
    before = _state()
    response = client.post(url, data(world))
    assert response.status_code == status
    assert _state() == before


def test_object_from_another_unit_is_not_hinted(world: Any, client: Any) -> None:
    """Out of scope is indistinguishable from not existing."""
    client.force_login(world.outsider)
    real = client.get(reverse("ledger:meeting_detail", kwargs=_meeting(world)))
    missing = client.get(reverse("ledger:meeting_detail", kwargs={"pk": 999999}))
    assert real.status_code == missing.status_code == 404
    assert "不存在" in real.content.decode()
