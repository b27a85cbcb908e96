from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from .scope import OWN_ACTIONS, scope_for


class UnitOwnedQuerySet(models.QuerySet):
    # the lookup from this model to its owning unit; "" for the Unit model itself
    unit_field = "unit"

    def restrict(self, user: Any, action: str = "view", *, include_deleted: bool = False) -> Self:
        """Only the rows `user` may `action`; everything else does not exist for them."""
        scope = scope_for(user)
        q = scope.unit_q(action, self.unit_field)
        if action in OWN_ACTIONS and getattr(self.model, "member_writes_own", False) and scope.own_units:
            prefix = f"{self.unit_field}__" if self.unit_field else ""
            q |= Q(**{f"{prefix}id__in": sorted(scope.own_units)}, created_by=user)
        qs = self.filter(q)
        if not include_deleted and hasattr(self.model, "deleted_at"):
            qs = qs.filter(deleted_at__isnull=True)
        return qs

    def readable(self, user: Any, action: str = "view") -> Self:
        """The one selector for reads that may come from the command line: restrict() for a person;
        for the operator (`user` None: the server's operator acting without a person, which only
        the command line does) every live row. restrict(None) itself reads nothing."""
        if user is None:
            return self.filter(deleted_at__isnull=True) if hasattr(self.model, "deleted_at") else self
        return self.restrict(user, action)

    def deleted(self) -> Self:
        return self.filter(deleted_at__isnull=False)


class UnitOwned(models.Model):
    """Base of every record that belongs to one unit: who made and changed it, and soft deletion.

    Only `unit` is indexed here: every read filters by unit first (with deleted_at in each kind's
    composite indexes). Who created, changed or deleted a row is shown, never searched, and users
    are deactivated rather than deleted, so those links carry no index to maintain on every insert.
    """

    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="%(app_label)s_%(class)s_set", verbose_name="单位"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="创建人",
        db_index=False,
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="修改人",
        db_index=False,
    )
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="删除人",
        db_index=False,
    )

    # Personal records (a member's own study log) set this: 成员 may then write rows they created.
    member_writes_own: ClassVar[bool] = False
    # with member_writes_own: the person field a member may only set to themselves
    own_person_field: ClassVar[str | None] = None

    objects = UnitOwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def before_update(self, before: dict[str, Any] | None) -> None:
        """Called by record_update inside its transaction, before validation, with the snapshot the
        caller took. A kind with a workflow overrides it to re-read its state under a row lock and
        react to the edit (a publication review returns to draft when reviewed content changes);
        raising ValidationError refuses the edit."""

    def attachment_added(self, *, acting_user: Any) -> None:
        """Called by attachment_add inside its transaction: a file is content too (see before_update)."""


class AuditHead(models.Model):
    """The single row holding the chain's last sequence number and hash; locked by each writer.

    `mac` is keyed with the installation's audit key (kept outside the database), so the head
    cannot be moved back by someone who can only write the database. Rows before `keyed_from`
    were written before the chain was keyed and are sealed by the first keyed row after them.
    """

    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    keyed_from = models.BigIntegerField(default=1)
    mac = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq}"


class AuditEntry(models.Model):
    """One audited event: a write, a login, a download. Append-only and hash-chained to the previous row."""

    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150)
    unit_id = models.BigIntegerField("单位ID", null=True, db_index=True)
    unit_label = models.CharField("单位", max_length=200, blank=True)
    client_addr = models.CharField("来源地址", max_length=64, blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    action = models.CharField("动作", max_length=32, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=300, blank=True)
    before = models.JSONField("变更前", null=True)
    after = models.JSONField("变更后", null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("审计记录不能删除")


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is generated; the original name is kept only as data.
    return f"{instance.unit_id}/{instance.stored_name}"


class Attachment(UnitOwned):
    """A file attached to one record (a sign-in sheet, a photo, the published article)."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name="记录类型"
    )
    object_id = models.BigIntegerField("记录ID")
    original_name = models.CharField("文件名", max_length=255)
    stored_name = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to=_attachment_path, max_length=255)
    size = models.BigIntegerField("大小")
    sha256 = models.CharField("SHA-256", max_length=64)
    mime_type = models.CharField("类型", max_length=100)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        indexes = [models.Index(fields=["content_type", "object_id"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name
