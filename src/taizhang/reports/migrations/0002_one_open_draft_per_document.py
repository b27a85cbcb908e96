"""At most one open draft per document. Before this, repeated or concurrent 修订 of a final version
could leave several drafts; the newest (the one the pages show and edit) stays, the older ones are
soft-deleted (kept in the table, hidden like any deleted record) so the constraint can be added."""

from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone


def hide_older_duplicate_drafts(apps: Any, schema_editor: Any) -> None:
    DocumentVersion = apps.get_model("reports", "DocumentVersion")
    open_drafts = DocumentVersion.objects.filter(final=False, deleted_at__isnull=True)
    crowded = open_drafts.values("document_id").annotate(n=Count("pk")).filter(n__gt=1)
    now = timezone.now()
    for row in crowded:
        newest = open_drafts.filter(document_id=row["document_id"]).order_by("-number").first()
        open_drafts.filter(document_id=row["document_id"]).exclude(pk=newest.pk).update(deleted_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_drop_unused_audit_field_indexes"),
        ("reports", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(hide_older_duplicate_drafts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="documentversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deleted_at__isnull", True), ("final", False)),
                fields=("document",),
                name="one_open_draft_per_document",
            ),
        ),
    ]
