"""Key the audit chain. The rows already written (plain SHA-256) are sealed as they stand: the head
records where they end and is signed with the installation's audit key; the first keyed row links
to the last of them, so rewriting any of them from now on breaks the chain."""

from typing import Any

from django.db import migrations, models


def seal_existing_chain(apps: Any, schema_editor: Any) -> None:
    from taizhang.core.audit import head_mac

    AuditHead = apps.get_model("core", "AuditHead")
    AuditEntry = apps.get_model("core", "AuditEntry")
    head = AuditHead.objects.filter(pk=1).first()
    last = AuditEntry.objects.order_by("-seq").first()
    if head is None and last is None:
        return  # a new installation: the first write creates a keyed head
    if head is None:
        head = AuditHead(pk=1, seq=last.seq, last_hash=last.hash)
    head.keyed_from = head.seq + 1
    head.mac = head_mac(head.seq, head.last_hash, head.keyed_from)
    head.save()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_drop_unused_audit_field_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="keyed_from",
            field=models.BigIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="audithead",
            name="mac",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(seal_existing_chain, migrations.RunPython.noop),
    ]
