"""Generic writes on unit-owned records. A record kind's own service functions call these, so the
scope check, the audit row and the transaction are written once."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from . import audit
from .files import check_upload
from .models import Attachment, UnitOwned
from .scope import scope_for

R = TypeVar("R", bound=UnitOwned)

# Called with the record (or an import's list of records) after every audited write, inside its
# transaction. Apps that keep derived data (the search index) register here in their ready();
# core imports no app, and an import's bulk insert calls the hooks too (signals would be skipped).
WRITE_HOOKS: list[Callable[..., None]] = []


def after_write(records: Any, *, new: bool = False) -> None:
    """`new`: the records were just inserted (an import), so nothing derived from them exists yet."""
    for hook in WRITE_HOOKS:
        hook(records, new=new)


def _still_in_scope(obj: UnitOwned, user: Any, action: str) -> None:
    """Checked after the save, inside the transaction: nobody moves a record out of their own reach."""
    if not type(obj).objects.restrict(user, action, include_deleted=True).filter(pk=obj.pk).exists():
        raise PermissionDenied("无权在该单位保存此记录。")


def _own_only(obj: UnitOwned, user: Any, action: str) -> None:
    """A member writing a record of their own (个人自学) writes it for themselves, nobody else."""
    field = getattr(obj, "own_person_field", None)
    if field and not scope_for(user).allows(action, obj.unit) and getattr(obj, f"{field}_id") != user.pk:
        raise PermissionDenied("只能登记本人的记录。")


def _set_m2m(instance: UnitOwned, m2m: dict[str, Any] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)


@transaction.atomic
def record_create(*, acting_user: Any, instance: R, m2m: dict[str, Any] | None = None) -> R:
    """Save a new record in the acting user's reach; `m2m` sets its many-to-many fields."""
    if not scope_for(acting_user).may_write("add", instance.unit, type(instance)):
        raise PermissionDenied("无权在该单位新增记录。")
    _own_only(instance, acting_user, "add")
    instance.created_by = instance.updated_by = acting_user
    instance.full_clean()
    instance.save()
    _set_m2m(instance, m2m)
    _still_in_scope(instance, acting_user, "add")
    audit.record(action="create", actor=acting_user, obj=instance, after=audit.snapshot(instance))
    after_write(instance)
    return instance


@transaction.atomic
def record_update(
    *, acting_user: Any, instance: R, before: dict[str, Any] | None, m2m: dict[str, Any] | None = None
) -> R:
    """Save an instance whose fields the caller has changed; `before` is its snapshot beforehand."""
    _own_only(instance, acting_user, "change")
    instance.before_update(before)  # a kind with a workflow reacts to the edit (PublicationReview)
    instance.updated_by = acting_user
    instance.full_clean()
    instance.save()
    _set_m2m(instance, m2m)
    _still_in_scope(instance, acting_user, "change")
    audit.record(
        action="change", actor=acting_user, obj=instance, before=before, after=audit.snapshot(instance)
    )
    after_write(instance)
    return instance


@transaction.atomic
def record_delete(*, acting_user: Any, instance: R) -> R:
    """Soft deletion: the record disappears from lists and can be restored by the unit's managers."""
    _still_in_scope(instance, acting_user, "delete")
    before = audit.snapshot(instance)
    instance.deleted_at = timezone.now()
    instance.deleted_by = acting_user
    instance.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(
        action="delete", actor=acting_user, obj=instance, before=before, after=audit.snapshot(instance)
    )
    after_write(instance)
    return instance


@transaction.atomic
def record_restore(*, acting_user: Any, instance: R) -> R:
    _still_in_scope(instance, acting_user, "manage")
    before = audit.snapshot(instance)
    instance.deleted_at = None
    instance.deleted_by = None
    instance.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(
        action="restore", actor=acting_user, obj=instance, before=before, after=audit.snapshot(instance)
    )
    after_write(instance)
    return instance


@transaction.atomic
def attachment_add(*, acting_user: Any, record: UnitOwned, upload: UploadedFile) -> Attachment:
    _still_in_scope(record, acting_user, "change")
    if upload.file is None:
        raise ValidationError("没有收到文件内容。")
    name, mime = check_upload(upload.name or "", upload.file, upload.size or 0, settings.ATTACHMENT_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    ext = name.rsplit(".", 1)[-1].lower()
    att = Attachment(
        unit=record.unit,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        original_name=name,
        stored_name=f"{uuid.uuid4().hex}.{ext}",
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        mime_type=mime,
        created_by=acting_user,
        updated_by=acting_user,
    )
    att.file.save(att.stored_name, upload, save=False)
    try:
        att.save()
        _still_in_scope(att, acting_user, "change")
        audit.record(action="create", actor=acting_user, obj=att, after=audit.snapshot(att))
        record.attachment_added(acting_user=acting_user)
    except BaseException:
        att.file.delete(save=False)  # the row rolls back; the file must not stay behind
        raise
    return att


def attachments_for(record: UnitOwned, user: Any) -> Any:
    return Attachment.objects.restrict(user, "view").filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    )
