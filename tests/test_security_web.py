"""Web-facing hardening (issue 13): every page as the cast, fed hostile query values, answers
without a 500; downloads escape what they echo; owners of a record do not get the managers' actions;
foreign ids look missing; signed-in pages are not cached; the early 400 pages carry the headers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import cached_property

from taizhang.core.views import REGISTRY

from .conftest import CAST
from .test_permissions import ANON, MATRIX, _names

pytestmark = pytest.mark.django_db

# What an attacker types into a query string (issue 13, item 12): digits int() refuses (²), zero,
# negative, past 64 bits (and past any year), 5,000 digits (past int()'s limit, and long), a sort
# flag doubled (on a field the page sorts by: see _hostile), nothing at all, and a sort key of the
# shape the subtree page reads, with a bad number.
HOSTILE = ["²", "0", "-1", "9" * 20, "9" * 5000, "--x", "", "rule-²"]
UNKNOWN = ["id", "pk", "unit_id", "year", "page", "sort", "v", "zz"]


class _ReadLog(QueryDict):
    """The query dictionary of a crawled request, noting every key the page asks for."""

    def __getitem__(self, key: str) -> Any:
        _READ.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        _READ.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> Any:
        _READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key: object) -> bool:
        _READ.add(str(key))
        return super().__contains__(key)

    # enumerating what was sent (a download's audit row copies it) looks no key up
    def items(self) -> Any:
        return ((k, QueryDict.__getitem__(self, k)) for k in self)

    def dict(self) -> dict[str, Any]:
        return dict(self.items())


_READ: set[str] = set()


@pytest.fixture
def world(cast: Any, meeting: Any) -> Any:
    """The cast, with the one attachment the permission matrix's attachment pages open."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.core.services import attachment_add

    attachment_add(
        acting_user=cast.clerk, record=meeting, upload=SimpleUploadedFile("签到表.txt", "签到".encode())
    )
    return cast


@pytest.fixture
def reads_logged(monkeypatch: Any) -> Any:
    original = WSGIRequest.__dict__["GET"].func

    def logged(self: WSGIRequest) -> QueryDict:
        query = original(self)
        query.__class__ = _ReadLog
        return query

    prop = cached_property(logged)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)
    return _READ


def _views_of(name: str) -> Any:
    return next((v for v in REGISTRY.values() if name.startswith(f"{v.namespace}:{v.slug}_")), None)


def _form_fields(name: str) -> set[str]:
    """A create page prefills its form from any of its field names (?plan=3 from the plan's page)."""
    views = _views_of(name)
    return set(views.form_class.base_fields) if views and name.endswith("_create") else set()


def _hostile(name: str) -> list[str]:
    """HOSTILE, with the doubled sort flag on a field the page really sorts by (--year)."""
    views = _views_of(name)
    doubled = f"--{views.sortable[0]}" if views and views.sortable else "--x"
    return [doubled if v == "--x" else v for v in HOSTILE]


def test_every_page_as_the_cast_answers_hostile_query_values_without_a_500(world, reads_logged):
    """Every URL pattern, with a real object for each path argument (the permission matrix's), as a
    person it serves (rotating through the cast) and one it refuses. The parameters a page reads are
    learnt by asking it (every key it looks up is noted), so a new parameter is crawled unasked."""
    from django.test import Client

    failures: list[str] = []
    crawled_as: set[str] = set()
    everyone = [*CAST, ANON]
    clients: dict[str, Client] = {}

    def get(actor: str, url: str, params: dict[str, str] | None = None) -> set[str]:
        """Ask as `actor`; the keys the page read."""
        if actor not in clients:  # one signed-in browser per person, as in life
            clients[actor] = Client(raise_request_exception=False)
            if actor != ANON:
                clients[actor].force_login(world.users[actor])
        _READ.clear()
        status = clients[actor].get(url, params or {}).status_code
        if status >= 500:
            shown = {k: v[:12] for k, v in (params or {}).items()}
            failures.append(f"{actor} {url} {shown}: {status}")
        return set(_READ)

    for n, name in enumerate(sorted(MATRIX)):
        page = MATRIX[name]
        kwargs = page.kwargs(world)
        url = reverse(name, kwargs=kwargs)
        allowed = [a for a in everyone if page.get[a] == 200] or [everyone[n % len(everyone)]]
        refused = [a for a in everyone if a not in allowed]
        actor = allowed[n % len(allowed)]
        # the first request sends keys the page may not know, each its own hostile value; what the
        # page looks up (present or not) is noted. A page that reads nothing is done.
        reads = get(actor, url, {k: HOSTILE[i % len(HOSTILE)] for i, k in enumerate(UNKNOWN)})
        reads |= _form_fields(name)
        if reads:
            crawled_as.add(actor)
            keys = reads | set(UNKNOWN)
            for value in _hostile(name):
                keys |= get(actor, url, dict.fromkeys(keys, value))  # a key read only beside another
            if refused:  # a refusal comes before any parsing that could fail
                get(refused[n % len(refused)], url, dict.fromkeys(keys, HOSTILE[0]))
        # numbers in the path itself: past 64 bits (or past any year) they are simply not there
        for real in kwargs.values():
            if isinstance(real, int) and f"/{real}/" in url:
                get(actor, url.replace(f"/{real}/", f"/{'9' * 20}/", 1))
    assert _names_covered() == set(MATRIX)
    assert crawled_as >= set(CAST), f"not crawled as {set(CAST) - crawled_as}"
    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(failures)


def _names_covered() -> set[str]:
    from django.urls import get_resolver

    return _names(get_resolver())


def test_the_query_helper_reads_only_what_a_page_can_use():
    from taizhang.core import query

    q = QueryDict(mutable=True)
    q.update({"year": "²", "page": "9" * 12, "v": "١٢", "sort": "--year", "kind": "x" * 500})
    assert query.year(q) is None and query.year(q, default=2025) == 2025
    assert query.page(q, last=40) == 40 and query.integer(q, "v", lo=1, hi=99) is None
    assert query.sort_key(q, ["year"]) == "" and query.text(q, "kind") == "x" * query.TEXT_MAX
    q.update({"year": "2024", "sort": "-year", "id": str(2**63)})
    assert query.year(q) == 2024 and query.sort_key(q, ["year"]) == "-year"
    assert query.object_id(q, "id") is None and query.choice(q, "sort", ["year"]) == ""


def test_ids_in_forms_posted_by_hand_are_refused_without_a_500(cast, client, meeting):
    """The same parsing for the few ids a page posts outside a form class (the unit switcher, the
    evidence picker, the assessment sheet, the proofreader's accepted fixes)."""
    from taizhang.rules.models import AssessmentScheme

    scheme = AssessmentScheme.objects.filter(unit__code="demo-dist").order_by("pk").first()
    client.raise_request_exception = False
    client.force_login(cast.secretary)
    posts = [
        (reverse("switch_unit"), "unit"),
        (reverse("ledger:evidence_add", kwargs={"slug": "meeting", "pk": meeting.pk}), "item"),
        (reverse("rules:assessment", args=[scheme.pk, cast.units["demo-dist"].pk]), "indicator"),
        (reverse("module_proofread"), "accept"),
    ]
    failures = []
    for url, key in posts:
        for value in HOSTILE:
            data = {key: value, "score": "1", "text": "我们的的工作。", "decided": "1"}
            status = client.post(url, data).status_code
            if status >= 500:
                failures.append((url, key, value[:12], status))
    assert not failures


def test_the_meeting_list_finds_a_person_by_id_as_host_or_attendee_once_per_meeting(cast, client):
    from django.db.models import Q

    from taizhang.ledger.models import Meeting

    theirs = Meeting.objects.filter(
        Q(host=cast.member) | Q(attendees=cast.member), unit__code="demo-dist", deleted_at__isnull=True
    ).distinct()
    client.force_login(cast.clerk)
    response = client.get(reverse("ledger:meeting_list"), {"person": str(cast.member.pk)})
    assert response.status_code == 200
    shown = [obj.pk for obj, _ in response.context["rows"]]
    assert theirs.exists() and len(shown) == len(set(shown))
    assert response.context["page"].paginator.count == theirs.count()


# --- 11: the .html download escapes the title ----------------------------------------------------
def test_html_download_escapes_a_title_holding_markup(cast, client):
    from taizhang.reports import services as report_services

    doc = report_services.document_generate(
        acting_user=cast.clerk, unit=cast.units["demo-dist"], kind="annual", year=2025
    )
    client.force_login(cast.clerk)
    client.post(reverse("reports:section", args=[doc.pk, 0]), {"text": "<script>alert(1)</script>总结"})
    response = client.get(reverse("reports:download", args=[doc.pk, 1, "html"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;总结</title>" in page


# --- 13: owners write their own records, they do not manage them ---------------------------------
def _own_study(cast: Any) -> Any:
    from datetime import date

    from taizhang.core import services
    from taizhang.library.models import SelfStudy

    study = services.record_create(
        acting_user=cast.member,
        instance=SelfStudy(
            unit=cast.units["demo-dist"],
            person=cast.member,
            studied_on=date(2025, 3, 1),
            minutes=30,
            note="自学",
        ),
    )
    return services.record_delete(acting_user=cast.member, instance=study)


def test_a_member_cannot_restore_their_own_deleted_study_record(cast, client):
    from taizhang.library.models import SelfStudy

    study = _own_study(cast)
    client.force_login(cast.member)
    response = client.post(reverse("library:selfstudy_restore", args=[study.pk]))
    assert response.status_code in (403, 404)
    assert SelfStudy.objects.get(pk=study.pk).deleted_at is not None
    # the member still writes, corrects and withdraws their own records, and nothing more
    for action in ("add", "change", "delete"):
        assert (
            SelfStudy.objects.restrict(cast.member, action, include_deleted=True).filter(pk=study.pk).exists()
        )
    assert not SelfStudy.objects.restrict(cast.member, "manage", include_deleted=True).exists()
    # the unit's secretary restores it
    client.force_login(cast.secretary)
    client.post(reverse("library:selfstudy_restore", args=[study.pk]))
    assert SelfStudy.objects.get(pk=study.pk).deleted_at is None


def test_another_units_local_rule_ids_cannot_be_probed_through_the_indicator_form(cast, client):
    from taizhang.core import services
    from taizhang.rules.models import AssessmentScheme, Indicator, LocalRule

    foreign = LocalRule.objects.get(unit__code="demo-dist", rule_id="half-year-publicity")
    east = services.record_create(
        acting_user=cast.outsider,
        instance=AssessmentScheme(unit=cast.units["demo-east"], year=2025, title="东区考核细则"),
    )
    client.force_login(cast.outsider)
    before = Indicator.objects.count()

    def attempt(rule_id: str) -> Any:
        data = {"scheme": east.pk, "number": 1, "name": "指标", "points": "10", "method": "rule",
                "rule_id": rule_id, "deduction": "1"}  # fmt: skip
        response = client.post(reverse("rules:indicator_create"), data)
        return response.status_code, response.context["form"].errors.get(
            "rule_id"
        ) if response.context else None

    assert attempt(foreign.rule_id) == attempt("no-such-rule")
    assert attempt(foreign.rule_id)[0] == 200
    assert Indicator.objects.count() == before
    # the unit that holds the rule still uses it
    dist_scheme = AssessmentScheme.objects.filter(unit__code="demo-dist").first()
    client.force_login(cast.secretary)
    data = {"scheme": dist_scheme.pk, "number": 9, "name": "科普宣传", "points": "5", "method": "rule",
            "rule_id": foreign.rule_id, "deduction": "1"}  # fmt: skip
    assert client.post(reverse("rules:indicator_create"), data).status_code == 302


# --- 13: nothing a signed-in person sees is kept in a cache ---------------------------------------
def _not_stored(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "") and response.get("Pragma") == "no-cache"


def test_signed_in_pages_and_attachments_are_marked_no_store(world, client):
    from taizhang.core.models import Attachment

    client.force_login(world.clerk)
    for url in (
        reverse("dashboard"),
        reverse("ledger:meeting_list"),
        reverse("ledger:meeting_export"),
        reverse("attachment_download", args=[Attachment.objects.get().pk]),
        reverse("audit_log"),  # a refusal (403) too: it still says who is signed in
    ):
        response = client.get(url)
        assert _not_stored(response), (url, response.status_code, response.get("Cache-Control"))
    client.logout()
    response = client.get(reverse("ping"))  # an anonymous answer keeps its own caching
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


# --- 22: the shipped nginx sample and the early 400 pages -----------------------------------------
def _nginx_blocks(text: str) -> list[Any]:
    """The sample as nested (name, args, children) directives: enough of nginx's grammar for it."""
    import re

    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};"]+', re.sub(r"#[^\n]*", "", text))
    pos = 0

    def block() -> list[Any]:
        nonlocal pos
        out: list[Any] = []
        words: list[str] = []
        while pos < len(tokens):
            tok = tokens[pos]
            pos += 1
            if tok == ";":
                out.append((words[0], words[1:], []))
                words = []
            elif tok == "{":
                out.append((words[0], words[1:], block()))
                words = []
            elif tok == "}":
                return out
            else:
                words.append(tok.strip('"'))
        return out

    return block()


def test_the_nginx_sample_sends_host_and_scheme_to_every_proxied_location(settings, client):
    """Each proxied location of the shipped sample, replayed against the application configured as
    deployed behind it (its server_name allowed, TLS at the proxy): what nginx would send as Host
    and X-Forwarded-Proto is read from the file, so the health check's missing Host is a 400 here."""
    from pathlib import Path
    from urllib.parse import urlsplit

    conf = Path(__file__).resolve().parents[1] / "deploy" / "province" / "nginx.conf"
    servers = [c for name, _, c in _nginx_blocks(conf.read_text()) if name == "server"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    proxied = 0
    for server in servers:
        names = next(args for name, args, _ in server if name == "server_name")
        settings.ALLOWED_HOSTS = names
        inherited = {a[0].lower(): a[1] for d, a, _ in server if d == "proxy_set_header"}
        for name, args, body in server:
            upstream = next((a[0] for d, a, _ in body if d == "proxy_pass"), None)
            if name != "location" or upstream is None:
                continue
            proxied += 1
            own = {a[0].lower(): a[1] for d, a, _ in body if d == "proxy_set_header"}
            headers = own or inherited  # nginx: a location with any proxy_set_header inherits none
            # unset, nginx sends the upstream's name as Host and no X-Forwarded-Proto
            host = names[0] if headers.get("host") == "$host" else urlsplit(upstream).hostname
            proto = "https" if headers.get("x-forwarded-proto") == "$scheme" else ""
            path = args[-1] if args[-1] != "/" else "/ping"
            response = client.get(path, HTTP_HOST=host, HTTP_X_FORWARDED_PROTO=proto)
            assert response.status_code == 200, (args, headers, response.status_code)
    assert proxied >= 2


def test_the_early_400_pages_carry_the_security_headers(cast, client):
    from django.test import override_settings

    client.force_login(cast.clerk)
    nul = client.get(reverse("ledger:meeting_list"), {"q": "会议\x00"})
    with override_settings(ALLOWED_HOSTS=["taizhang.example.gov.cn"]):
        bad_host = client.get(reverse("ledger:meeting_list"), HTTP_HOST="evil.example")
    for response in (nul, bad_host):
        assert response.status_code == 400
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
