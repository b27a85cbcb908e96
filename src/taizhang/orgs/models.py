from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from taizhang.core.models import UnitOwned, UnitOwnedQuerySet
from taizhang.core.scope import Scope

from .roles import REACHES_DOWN, ROLE_ACTIONS, AdminRole, Role


class User(AbstractUser):
    """One person's account. An account holds at most one of the three administrator roles."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    admin_role = models.CharField(
        "管理员角色", max_length=16, choices=AdminRole.choices, default=AdminRole.NONE, blank=True
    )
    must_change_password = models.BooleanField("下次登录须修改密码", default=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    def compute_scope(self) -> Scope:
        units: dict[str, set[int]] = {}
        subtrees: set[str] = set()
        own: set[int] = set()
        for m in self.memberships.select_related("unit").filter(
            unit__is_active=True, deleted_at__isnull=True
        ):
            for action in ROLE_ACTIONS[m.role]:
                units.setdefault(action, set()).add(m.unit_id)
            if m.role in REACHES_DOWN:
                subtrees.add(m.unit.path)
            if m.role == Role.MEMBER:
                own.add(m.unit_id)
        # A subtree already inside another adds nothing.
        paths = tuple(sorted(p for p in subtrees if not any(p != q and p.startswith(q) for q in subtrees)))
        return Scope(
            units={a: frozenset(ids) for a, ids in units.items()},
            read_subtrees=paths,
            own_units=frozenset(own),
        )


class UnitKind(models.TextChoices):
    PROVINCE = "province", "省级单位"
    CITY = "city", "市级单位"
    COUNTY = "county", "县（区）级单位"
    BRANCH = "branch", "党支部"
    OTHER = "other", "其他"


class PartyOrgType(models.TextChoices):
    """The unit's party organisation (docs/domain.md §1): it decides which rules apply and how
    documents name the issuer and the body that met."""

    PARTY_GROUP = "party_group", "党组"
    PARTY_COMMITTEE = "party_committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"


def org_type_from_name(name: str) -> str:
    """The type a party organisation's name ends with (区气象局党支部 → branch), "" when it says none."""
    for suffix, kind in (("党总支", "general_branch"), ("党支部", "branch"), ("支部", "branch"),
                         ("党组", "party_group"), ("党委", "party_committee")):  # fmt: skip
        if name.strip().endswith(suffix):
            return kind
    return ""


class UnitQuerySet(UnitOwnedQuerySet):
    unit_field = ""

    def subtree(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """One unit of the tree (省局 › 市局 › 县区局 › 党支部, any depth), found by its stored path."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("全称", max_length=100)
    short_name = models.CharField("简称", max_length=40)
    kind = models.CharField("类别", max_length=16, choices=UnitKind.choices, default=UnitKind.OTHER)
    party_org_name = models.CharField("党组织名称", max_length=100, blank=True)
    party_org_type = models.CharField(
        "党组织类型", max_length=16, choices=PartyOrgType.choices, blank=True,
        help_text="不填时按党组织名称的结尾判断（党组、党委、党总支、党支部）",
    )  # fmt: skip
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级单位",
    )
    # "/1/5/12/": the ids from the root down, so a subtree is one indexed prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def org_type(self) -> str:
        """党组/党委/党总支/党支部 as a PartyOrgType value: the stored type, else read from the name."""
        return self.party_org_type or org_type_from_name(self.party_org_name) or org_type_from_name(self.name)

    @property
    def org_name(self) -> str:
        """The party organisation's name as the issuer signs it: 中共区气象局党支部."""
        name = (self.party_org_name or self.name).strip()
        return name if name.startswith("中共") or name.startswith("中国共产党") else f"中共{name}"

    def ancestor_ids(self) -> list[int]:
        """The units above this one, from the root down (read from the path, no query)."""
        return [int(x) for x in self.path.strip("/").split("/")[:-1] if x]

    def ancestors(self) -> list[Unit]:
        ids = self.ancestor_ids()
        by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
        return [by_id[i] for i in ids if i in by_id]


class MembershipQuerySet(UnitOwnedQuerySet):
    def live(self) -> MembershipQuerySet:
        return self.filter(deleted_at__isnull=True)


class Membership(UnitOwned):
    """One person holding one role in one unit."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name="人员")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    title = models.CharField("职务", max_length=50, blank=True)

    objects = MembershipQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["unit__path", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user", "role"],
                condition=models.Q(deleted_at__isnull=True),
                name="membership_unique_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit.short_name} · {self.get_role_display()}"
