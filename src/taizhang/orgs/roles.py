"""Roles inside a unit (docs/domain.md §1) and the instance-level administrators (三员分立)."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SECRETARY = "secretary", "第一责任人"
    LEADER = "leader", "直接责任人"
    BOARD = "board", "班子成员"
    CLERK = "clerk", "联络员"
    MEMBER = "member", "成员"
    INSPECTOR = "inspector", "上级检查"


class AdminRole(models.TextChoices):
    NONE = "", "无"
    SYSTEM = "system", "系统管理员"
    SECURITY = "security", "安全管理员"
    AUDIT = "audit", "审计管理员"


# What each role may do in its own unit. "manage" is restoring deleted records and the like.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.SECRETARY: frozenset({"view", "add", "change", "delete", "manage"}),
    Role.LEADER: frozenset({"view", "add", "change", "delete", "manage"}),
    Role.BOARD: frozenset({"view", "add", "change"}),
    Role.CLERK: frozenset({"view", "add", "change", "delete"}),
    Role.MEMBER: frozenset({"view"}),
    Role.INSPECTOR: frozenset({"view"}),
}

# Roles whose reading reaches the unit's whole subtree (leaders of a parent, and 上级检查).
REACHES_DOWN: frozenset[str] = frozenset({Role.SECRETARY, Role.LEADER, Role.BOARD, Role.INSPECTOR})
