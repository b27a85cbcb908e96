"""The inspector's home (下级单位落实情况) is kept until the next audited write, and only for the
person who saw it: another inspector of another subtree never gets its cells."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from taizhang.core.services import record_create
from taizhang.orgs.models import Membership, Role, User
from taizhang.rules import views
from taizhang.rules.models import LocalAction, LocalRule


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def builds(monkeypatch: Any) -> list[int]:
    """How many times the table was computed rather than taken from the cache."""
    calls: list[int] = []
    real = views._subtree_table

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(views, "_subtree_table", counted)
    return calls


def _table(client: Any) -> str:
    response = client.get(reverse("rules:subtree"), {"year": timezone.localdate().year - 1})
    assert response.status_code == 200
    page = str(response.content.decode())
    return page.split('id="subtree-table"')[1].split("</table>")[0]  # the form tokens differ per visit


def test_the_kept_table_changes_after_a_write(cast: Any, client: Any, builds: list[int]) -> None:
    client.force_login(cast.inspector)
    first = _table(client)
    assert _table(client) == first and len(builds) == 1  # the second visit is the kept table
    assert "本地新增规则甲" not in first
    record_create(
        acting_user=cast.secretary,
        instance=LocalRule(
            unit=cast.units["demo-dist"], action=LocalAction.ADD, rule_id="perfhome-local",
            name="本地新增规则甲", ledger="meeting", period="year", threshold=1,
        ),
    )  # fmt: skip
    after = _table(client)
    assert "本地新增规则甲" in after and len(builds) == 2


def _signed_in(*users: Any) -> list[Client]:
    """A client per person, all signed in before any page is opened (signing in is itself an
    audited write, which would on its own start the kept tables afresh)."""
    clients = []
    for user in users:
        c = Client()
        c.force_login(user)
        clients.append(c)
    return clients


def _person(username: str, unit: Any, role: str) -> Any:
    user = User.objects.create_user(username, password="x-Perfhome-2026", must_change_password=False)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


def test_two_inspectors_of_different_subtrees_never_share_cells(cast: Any) -> None:
    east, west = cast.units["demo-east"], cast.units["demo-west"]
    to_east, to_west = _signed_in(
        _person("perfhome_east", east, Role.INSPECTOR), _person("perfhome_west", west, Role.INSPECTOR)
    )
    seen_east, seen_west = _table(to_east), _table(to_west)
    assert east.name in seen_east and west.name not in seen_east
    assert west.name in seen_west and east.name not in seen_west
    assert _table(to_east) == seen_east  # each keeps their own


def test_a_narrower_scope_in_the_same_unit_does_not_get_the_wider_table(cast: Any) -> None:
    city, dist = cast.units["demo-city"], cast.units["demo-dist"]
    wide, narrow = _signed_in(cast.inspector, _person("perfhome_member", city, Role.MEMBER))
    assert dist.name in _table(wide)  # the inspector reads the whole city subtree
    seen = _table(narrow)
    assert city.name in seen and dist.name not in seen
