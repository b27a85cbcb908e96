"""restrict() is the only door to unit-owned data: members act in their unit, leaders of a parent
and 上级检查 read the subtree and write nothing there, everyone else gets nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from taizhang.core import services
from taizhang.ledger.models import Meeting, MeetingKind
from taizhang.orgs import services as org_services
from taizhang.orgs.models import Unit
from taizhang.orgs.roles import Role


def _units(qs):
    return set(qs.values_list("unit__code", flat=True))


def test_members_see_their_unit_only(cast):
    assert _units(Meeting.objects.restrict(cast.member)) == {"demo-dist"}
    assert not Meeting.objects.restrict(cast.outsider).exists()
    for admin in ("sysadmin", "secadmin", "auditor"):
        assert not Meeting.objects.restrict(cast.users[admin]).exists()


def test_inspector_reads_subtree_and_writes_nothing(cast):
    east = Meeting(
        unit=cast.units["demo-east"],
        kind=MeetingKind.ANALYSIS,
        title="东区研判",
        held_at="2026-03-01T09:00+08:00",
        host=cast.outsider,
        expected=5,
        present=5,
    )
    services.record_create(acting_user=cast.outsider, instance=east)
    assert _units(Meeting.objects.restrict(cast.inspector)) == {"demo-dist", "demo-east"}
    for action in ("add", "change", "delete", "manage"):
        assert not Meeting.objects.restrict(cast.inspector, action).exists()
    # the unit above the inspector's is out of reach
    assert set(Unit.objects.restrict(cast.inspector).values_list("code", flat=True)) == {
        "demo-city",
        "demo-dist",
        "demo-dist-branch",
        "demo-east",
        "demo-west",
    }


def test_parent_leader_reads_down_but_does_not_write_down(cast):
    prov = cast.units["demo-prov"]
    org_services.membership_grant(acting_user=None, user=cast.users["leader"], unit=prov, role=Role.LEADER)
    leader = type(cast.users["leader"]).objects.get(username="leader")
    assert Meeting.objects.restrict(leader, "view").filter(unit__code="demo-dist").exists()
    # writes stay in the unit where the role is held (demo-dist here, not demo-east)
    assert set(Unit.objects.restrict(leader, "change").values_list("code", flat=True)) == {
        "demo-prov",
        "demo-dist",
    }


def test_member_cannot_write(cast, meeting):
    assert not Meeting.objects.restrict(cast.member, "change").exists()
    m = Meeting(
        unit=cast.units["demo-dist"],
        kind=MeetingKind.GROUP,
        title="x",
        held_at="2026-03-01T09:00+08:00",
        host=cast.member,
        expected=1,
        present=1,
    )
    count = Meeting.objects.count()
    with pytest.raises(PermissionDenied):
        services.record_create(acting_user=cast.member, instance=m)
    assert Meeting.objects.count() == count


def test_moving_a_record_out_of_scope_is_refused_in_the_same_transaction(cast, meeting):
    before = services.audit.snapshot(meeting)
    meeting.unit = cast.units["demo-east"]
    with pytest.raises(PermissionDenied):
        services.record_update(acting_user=cast.clerk, instance=meeting, before=before)
    meeting.refresh_from_db()
    assert meeting.unit.code == "demo-dist"


def test_revoked_role_loses_access(cast):
    from taizhang.orgs.models import Membership

    m = Membership.objects.live().get(user=cast.member, role=Role.MEMBER)
    org_services.membership_revoke(acting_user=cast.secadmin, membership=m)
    member = type(cast.member).objects.get(pk=cast.member.pk)
    assert not Meeting.objects.restrict(member).exists()


def test_deleted_records_hidden_until_restored(cast, meeting):
    services.record_delete(acting_user=cast.clerk, instance=meeting)
    assert not Meeting.objects.restrict(cast.member).filter(pk=meeting.pk).exists()
    with pytest.raises(PermissionDenied):
        services.record_restore(acting_user=cast.clerk, instance=meeting)
    services.record_restore(acting_user=cast.secretary, instance=meeting)
    assert Meeting.objects.restrict(cast.member).filter(pk=meeting.pk).exists()


def test_unit_move_rewrites_subtree_paths(cast):
    dist = cast.units["demo-dist"]
    org_services.unit_update(acting_user=cast.sysadmin, unit=dist, parent=cast.units["demo-prov"])
    branch = Unit.objects.get(code="demo-dist-branch")
    assert branch.path.startswith(Unit.objects.get(code="demo-dist").path)
    assert branch.depth == 2
    with pytest.raises(Exception, match="自己"):
        org_services.unit_update(
            acting_user=cast.sysadmin, unit=Unit.objects.get(code="demo-dist"), parent=branch
        )
