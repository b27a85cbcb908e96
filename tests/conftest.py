"""The fixed cast (docs/domain.md §1): the demo province, built by the same code as `taizhang demo`."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DEMO_PASSWORD = "Demo-Pass-2026"
os.environ["TAIZHANG_DEMO_PASSWORD"] = DEMO_PASSWORD

CAST = ["secretary", "clerk", "member", "inspector", "outsider", "sysadmin", "secadmin", "auditor"]


@pytest.fixture(autouse=True)
def _chinese() -> Any:
    from django.utils import translation

    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty in-process cache: the pages' kept results are keyed on the audit
    chain's head, which two tests can reach with the same value after a rollback."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):  # never flush a shared Redis
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.RATE_LIMIT_PER_MINUTE = 0  # tests/test_ops.py turns it on where it is tested
    settings.MEDIA_ROOT = tmp_path / "attachments"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@dataclass
class Cast:
    users: dict[str, Any]
    units: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        if name in self.users:
            return self.users[name]
        raise AttributeError(name)


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _build_cast() -> None:
    from django.test import override_settings

    from taizhang.demo import build_demo

    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        build_demo(light=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Build the cast once; each test runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        _build_cast()


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server() -> None:
    """On SQLite the browser tests' live server answers one request at a time. Django's live server
    shares the test's one in-memory connection (inside the test's transaction) between the threads
    it starts per request, so two requests at once — a page's message badge beside an upload —
    interleave their savepoints on that connection ("cannot start a transaction within a
    transaction", "no such savepoint"); a real server has a connection per thread. PostgreSQL's
    runs keep the threaded server."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        return

    class SerialServer(WSGIServer):  # answers Connection: close, so no keep-alive holds it
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialServer  # type: ignore[assignment]


@pytest.fixture
def cast(db: Any) -> Cast:
    from taizhang.orgs.models import Unit, User

    if not Unit.objects.filter(code="demo-dist").exists():  # a transactional test flushed the database
        _build_cast()
    return Cast(
        users={u.username: u for u in User.objects.all()}, units={u.code: u for u in Unit.objects.all()}
    )


@pytest.fixture
def meeting(cast: Cast) -> Any:
    from taizhang.ledger.models import Meeting

    return Meeting.objects.filter(unit=cast.units["demo-dist"]).order_by("pk").first()


def login_client(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


# The deputies `taizhang demo` adds to the sibling bureaus (the light cast has only their clerk and secretary).
DEPUTIES = {"demo-east": ("肖卫东", "副局长", "业务"), "demo-west": ("冯志刚", "副局长", "综合")}


@pytest.fixture
def full_year(cast):
    """Builds a sibling bureau's full demo records for the given years (the light cast has none for
    them), by the demo's own code as `taizhang demo` builds them; returns the unit."""
    from taizhang.demo import _cast_of
    from taizhang.demo_ledgers import build_unit_years

    def build(code: str, years: list[int]):
        unit = cast.units[code]
        build_unit_years(unit, _cast_of(unit, [DEPUTIES[code]]), years, light=False)
        return unit

    return build


def built_for_module(django_db_blocker: Any, files: Path, years: dict[str, list[int]]) -> Any:
    """Builds sibling bureaus' full records (`years`: unit code → years) once for a module — five
    seconds a unit-year on SQLite, twelve on PostgreSQL — inside a transaction that each test's own
    one nests in and that is rolled back after the module's last test. Used by a module-scoped
    `_siblings_of_module`; `pytest_collection_modifyitems` runs the tests that use it last in their
    module, so the module's other tests see the light cast alone."""
    from django.db import transaction
    from django.test import override_settings
    from django.utils import translation

    from taizhang.demo import _cast_of
    from taizhang.demo_ledgers import build_unit_years
    from taizhang.orgs.models import Unit

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=files),
        translation.override("zh-hans"),
        transaction.atomic(),
    ):
        try:
            for code, unit_years in years.items():
                unit = Unit.objects.get(code=code)
                build_unit_years(unit, _cast_of(unit, [DEPUTIES[code]]), unit_years, light=False)
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def _siblings_of_module(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """东区's and 西区's last year."""
    from django.utils import timezone

    last = timezone.localdate().year - 1
    files = tmp_path_factory.mktemp("siblings")
    yield from built_for_module(django_db_blocker, files, {code: [last] for code in DEPUTIES})


@pytest.fixture
def siblings(_siblings_of_module, cast):
    """东区 and 西区 with last year's full records."""
    return cast.units["demo-east"], cast.units["demo-west"]


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Within each run of one module's tests, those that use the module's siblings come last."""
    items[:] = [
        item
        for _, run in itertools.groupby(items, key=lambda item: item.module)
        for item in sorted(run, key=lambda item: "_siblings_of_module" in item.fixturenames)
    ]


@pytest.fixture
def city_year(cast, siblings):
    """The full demo's additions over the siblings' last year: their self-assessments, the city
    党组's own meetings, its 考核 of them and every unit's 公文设置."""
    from django.utils import timezone

    from taizhang.core.context import acting
    from taizhang.demo import _demo_city, _demo_city_marks, _demo_settings, _demo_sibling_scores

    last = timezone.localdate().year - 1
    with acting(channel="cli"):
        _demo_sibling_scores(cast.units, last)
        _demo_city(cast.units, last)
        _demo_city_marks(cast.units, last)
        _demo_settings(cast.units)
    return cast
