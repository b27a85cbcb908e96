"""Issue 13, items 6, 9, 14, 15 and one of 22: the audit chain is keyed by a secret outside the
database, every download leaves an audit row, a backup hands out no sessions, a restore refuses a
crafted archive, and a deleted record's attachments are gone until it is restored."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import sqlite3
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from taizhang.cli import main
from taizhang.core import audit, backup, services
from taizhang.core.models import Attachment, AuditEntry, AuditHead
from taizhang.ledger.models import Meeting

from .test_cli import run


def _last() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _attacker_rewrites(rows: list[AuditEntry]) -> None:
    """What someone with the database and the source code, but not the key, can do: renumber the
    rows, recompute every link and hash the way the code did before the chain was keyed, and move
    the head."""
    prev = ""
    for seq, e in enumerate(rows, start=1):
        e.seq, e.prev_hash = seq, prev
        e.hash = hashlib.sha256(audit._payload(e)).hexdigest()
        _sql(
            "UPDATE core_auditentry SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [-seq, e.prev_hash, e.hash, e.pk],  # negative first: seq is unique
        )
        prev = e.hash
    _sql("UPDATE core_auditentry SET seq = -seq WHERE seq < 0", [])
    _sql("UPDATE core_audithead SET seq = %s, last_hash = %s", [len(rows), prev])


# -- item 6: the chain is keyed ------------------------------------------------------------------


def test_deleting_the_last_row_and_moving_the_head_back_fails_verify(cast, capsys):
    assert main(["audit", "verify"]) == 0
    last = _last()
    before = AuditEntry.objects.get(seq=last.seq - 1)
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [last.seq])
    _sql("UPDATE core_audithead SET seq = %s, last_hash = %s", [before.seq, before.hash])
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert "链头" in capsys.readouterr().err


def test_recomputing_every_hash_after_deleting_rows_fails_verify(cast, capsys):
    rows = list(AuditEntry.objects.order_by("seq"))
    victim = rows[4]
    _sql("DELETE FROM core_auditentry WHERE id = %s", [victim.pk])
    _attacker_rewrites([e for e in rows if e.pk != victim.pk])
    assert main(["audit", "verify"]) == 1
    assert "第 1 条" in capsys.readouterr().err  # not even the first row holds without the key


def test_the_chain_is_keyed_by_the_file_or_the_variable(cast, settings, tmp_path):
    """The key is read from DATA_DIR/audit_key (created 0600) or TAIZHANG_AUDIT_KEY: the same rows
    verified with another key do not hold."""
    assert audit.verify().ok
    settings.AUDIT_KEY = "another-installation-" + "k" * 32
    result = audit.verify()
    assert not result.ok and result.broken_seq == 1
    settings.AUDIT_KEY = ""
    settings.DATA_DIR = tmp_path / "fresh"
    key = audit.installation_key()
    key_file = tmp_path / "fresh" / "audit_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and key_file.read_text().strip().encode() == key
    assert not audit.verify().ok  # a fresh key does not fit rows written with the old one
    with connection.cursor() as cursor:  # and nothing in the database holds the key
        cursor.execute("SELECT hash, prev_hash FROM core_auditentry")
        assert key.decode() not in json.dumps(cursor.fetchall())


def test_a_write_after_the_head_was_moved_back_keeps_the_tampering_visible(cast, meeting):
    last = _last()
    before = AuditEntry.objects.get(seq=last.seq - 1)
    _sql("DELETE FROM core_auditentry WHERE seq = %s", [last.seq])
    _sql("UPDATE core_audithead SET seq = %s, last_hash = %s", [before.seq, before.hash])
    services.record_delete(acting_user=cast.clerk, instance=meeting)  # the next write continues the chain
    result = audit.verify()
    assert not result.ok and result.broken_seq == last.seq and "链头" in result.reason
    assert AuditEntry.objects.filter(action="delete", object_id=str(meeting.pk)).exists()  # write kept


def test_checkpoints_exported_to_a_log_catch_a_rollback_to_an_older_head(cast, meeting, capsys, tmp_path):
    """An attacker who saved the head row earlier can put it back after deleting the rows since
    (that replay passes the keyed chain); a checkpoint exported in between shows it."""
    old_head = AuditHead.objects.values_list("seq", "last_hash", "mac").get()
    services.record_delete(acting_user=cast.clerk, instance=meeting)
    assert main(["audit", "checkpoint"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("taizhang-audit-checkpoint ") and f"seq={old_head[0] + 1} " in line
    log = tmp_path / "journal.txt"
    log.write_text(f"Nov 30 02:00:01 host taizhang[812]: {line}\n")
    assert main(["audit", "verify", "--checkpoints", str(log)]) == 0

    _sql("DELETE FROM core_auditentry WHERE seq > %s", [old_head[0]])
    _sql("UPDATE core_audithead SET seq = %s, last_hash = %s, mac = %s", list(old_head))
    assert main(["audit", "verify"]) == 0  # the replayed head is genuine
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoints", str(log)]) == 1
    assert f"第 {old_head[0] + 1} 条" in capsys.readouterr().err

    forged = line.replace(f"seq={old_head[0] + 1} ", f"seq={old_head[0]} ")
    log.write_text(forged + "\n")
    assert main(["audit", "verify", "--checkpoints", str(log)]) == 1
    assert "签名" in capsys.readouterr().err


def test_periodic_checkpoints_go_to_the_log_after_commit(
    cast, meeting, settings, caplog, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EVERY = 1
    with (
        caplog.at_level("INFO", logger="taizhang.audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.record_delete(acting_user=cast.clerk, instance=meeting)
        assert "taizhang-audit-checkpoint" not in caplog.text  # nothing before the commit
    lines = [r.getMessage() for r in caplog.records if "taizhang-audit-checkpoint" in r.getMessage()]
    assert lines and f"seq={_last().seq} " in lines[-1]
    assert audit.check_checkpoints(lines).ok


def test_a_chain_written_before_the_key_is_sealed_by_the_migration(cast, meeting):
    """An install upgraded from the unkeyed chain: the data migration seals the rows it finds, and
    from then on rewriting them fails."""
    rows = list(AuditEntry.objects.order_by("seq"))
    _attacker_rewrites(rows)  # exactly what the old code wrote
    _sql("UPDATE core_audithead SET mac = '', keyed_from = 1", [])
    assert not audit.verify().ok
    migration = importlib.import_module("taizhang.core.migrations.0004_audit_chain_key")
    from django.apps import apps

    migration.seal_existing_chain(apps, None)
    assert audit.verify().ok
    services.record_delete(acting_user=cast.clerk, instance=meeting)  # new rows are keyed
    assert audit.verify().ok
    sealed = len(rows)
    legacy = list(AuditEntry.objects.filter(seq__lte=sealed).order_by("seq"))
    legacy[2].actor_name = "他人"
    _sql("UPDATE core_auditentry SET actor_name = %s WHERE id = %s", ["他人", legacy[2].pk])
    prev = legacy[1].hash
    for e in legacy[2:]:  # recompute the old rows after the change: the seal does not hold
        e.prev_hash = prev
        e.hash = hashlib.sha256(audit._payload(e)).hexdigest()
        _sql(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", [e.prev_hash, e.hash, e.pk]
        )
        prev = e.hash
    result = audit.verify()
    assert not result.ok and result.broken_seq == sealed + 1


# -- item 9 and item 22: downloads -----------------------------------------------------------------


def _attach(cast, meeting) -> Attachment:
    return services.attachment_add(
        acting_user=cast.clerk, record=meeting, upload=SimpleUploadedFile("签到表.txt", "签到".encode())
    )


def _report_version(cast) -> tuple[int, int]:
    from taizhang.reports import services as report_services

    doc = report_services.document_generate(
        acting_user=cast.clerk, unit=cast.units["demo-dist"], kind="annual", year=2025
    )
    return doc.pk, doc.versions.order_by("number").first().number


def _downloads(cast, meeting) -> list[tuple[str, Any, str, dict[str, str]]]:
    att = _attach(cast, meeting)
    doc, number = _report_version(cast)
    from taizhang.rules.models import AssessmentScheme

    scheme = AssessmentScheme.objects.get(unit=cast.units["demo-city"])
    return [
        ("attachment", cast.member, reverse("attachment_download", kwargs={"pk": att.pk}), {}),
        ("docx", cast.clerk, reverse("reports:download", args=[doc, number, "docx"]), {}),
        ("md", cast.clerk, reverse("reports:download", args=[doc, number, "md"]), {}),
        ("list", cast.clerk, reverse("ledger:meeting_export"), {"q": "学习"}),
        ("template", cast.clerk, reverse("ledger:meeting_template"), {}),
        ("book", cast.clerk, reverse("ledger:book"), {"year": "2025"}),
        ("subtree", cast.inspector, reverse("rules:subtree"), {"format": "xlsx", "year": "2025"}),
        (
            "assessment",
            cast.inspector,
            reverse("rules:assessment", args=[scheme.pk, cast.units["demo-dist"].pk]),
            {"format": "xlsx"},
        ),
        ("audit", cast.auditor, reverse("audit_export"), {"action": "login"}),
    ]


def test_every_download_and_export_writes_one_audit_row(cast, meeting, client):
    for label, user, url, params in _downloads(cast, meeting):
        client.force_login(user)
        start = _last().seq
        response = client.get(url, params)
        assert response.status_code == 200, label
        assert "attachment" in response["Content-Disposition"], label
        rows = list(AuditEntry.objects.filter(seq__gt=start).order_by("seq"))
        assert [r.action for r in rows] == ["download"], label
        [row] = rows
        assert row.actor_id == user.pk and row.after["file"], label
        assert row.after["query"] == params, label
    assert audit.verify().ok


def test_a_deleted_records_attachments_are_gone_until_it_is_restored(cast, meeting, client):
    att = _attach(cast, meeting)
    url = reverse("attachment_download", kwargs={"pk": att.pk})
    client.force_login(cast.secretary)
    assert client.get(url).status_code == 200
    services.record_delete(acting_user=cast.clerk, instance=meeting)
    for user in (cast.secretary, cast.clerk, cast.member):
        client.force_login(user)
        assert client.get(url).status_code == 404
    services.record_restore(acting_user=cast.secretary, instance=Meeting.objects.get(pk=meeting.pk))
    client.force_login(cast.member)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == "签到".encode()
    assert ContentType.objects.get_for_id(att.content_type_id).model == "meeting"


# -- items 14 and 15: backups ----------------------------------------------------------------------

SHELL_SESSION_AND_BACKUP = """
import sys
from pathlib import Path
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from taizhang.core.backup import create_backup
from taizhang.core.context import acting
from taizhang.orgs.services import user_create
with acting(channel="cli"):
    u = user_create(acting_user=None, username="auditor1", full_name="审计员", password="Audit-Pass-2026x",
                    admin_role="audit")
s = SessionStore(); s["_auth_user_id"] = str(u.pk); s.create()
(Path(settings.MEDIA_ROOT) / "1").mkdir(parents=True)
(Path(settings.MEDIA_ROOT) / "1" / "a.txt").write_text("附件")
create_backup(Path(settings.DATA_DIR).parent / "backup.tar.gz")
print(s.session_key)
"""


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """One small SQLite installation with a live session, and a backup of it."""
    data = tmp_path_factory.mktemp("h3") / "data"
    env = {"TAIZHANG_DATABASE_URL": ""}
    run(["manage", "migrate", "--noinput"], data, env=env)
    old = os.umask(0o022)  # the usual umask: a file made without care would be world-readable
    try:
        out = run(["manage", "shell", "-c", SHELL_SESSION_AND_BACKUP], data, env=env).stdout
    finally:
        os.umask(old)
    yield data, out.split()[-1], data.parent / "backup.tar.gz"


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}


def test_a_backup_is_private_and_holds_no_sessions_or_keys(installation, tmp_path):
    data, session_key, archive = installation
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    members = _members(archive)
    db = tmp_path / "db.sqlite3"
    db.write_bytes(members["database/taizhang.sqlite3"])
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM django_session").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM orgs_user").fetchone() == (1,)
    everything = b"".join(members.values())
    assert session_key.encode() not in everything  # not even in a free page of the database file
    assert (data / "audit_key").read_text().strip().encode() not in everything
    assert (data / "secret_key").read_text().strip().encode() not in everything
    assert "manifest.sig" in members


def _craft(archive: Path, out: Path, key: bytes | None, change: Any) -> Path:
    """Rewrite an archive: `change(members, manifest)` edits it, checksums are recomputed (as the
    attacker would), and the manifest is signed with `key` if one is given."""
    members = _members(archive)
    manifest = json.loads(members.pop("manifest.json"))
    members.pop("manifest.sig")
    extra = change(members, manifest) or []
    manifest["files"] = {
        n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in members.items()
    }
    text = json.dumps(manifest).encode()
    with tarfile.open(out, "w:gz") as tar:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        add("manifest.json", text)
        if key is not None:
            add("manifest.sig", backup.manifest_signature(text, key).encode())
        for name, data in members.items():
            add(name, data)
        for info in extra:
            tar.addfile(info)
    return out


def _refused(settings, data: Path, archive: Path, message: str) -> None:
    settings.DATA_DIR = data
    before = (AuditEntry.objects.count(), sorted(Path(settings.MEDIA_ROOT).rglob("*")))
    with pytest.raises(backup.BackupError) as exc:
        backup.restore_backup(archive)
    assert message in str(exc.value), str(exc.value)
    assert (AuditEntry.objects.count(), sorted(Path(settings.MEDIA_ROOT).rglob("*"))) == before


def test_restore_refuses_an_archive_with_recomputed_checksums(cast, installation, settings, tmp_path):
    data, _, archive = installation

    def change(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members["attachments/1/a.txt"] = "篡改".encode()

    _refused(settings, data, _craft(archive, tmp_path / "x.tar.gz", None, change), "签名")
    other_key = b"k" * 64
    _refused(settings, data, _craft(archive, tmp_path / "y.tar.gz", other_key, change), "签名")
    settings.AUDIT_KEY = ""
    _refused(settings, tmp_path / "new-machine", archive, "audit_key")


def test_restore_refuses_paths_outside_the_archive_even_when_signed(cast, installation, settings, tmp_path):
    data, _, archive = installation
    key = (data / "audit_key").read_text().strip().encode()
    outside = tmp_path / "evil.sqlite3"
    outside.write_bytes(_members(archive)["database/taizhang.sqlite3"])

    def absolute(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        manifest["database"] = str(outside)

    def dotdot(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members["attachments/../../escape.txt"] = b"x"

    def symlink(members: dict[str, bytes], manifest: dict[str, Any]) -> list[tarfile.TarInfo]:
        link = tarfile.TarInfo("attachments/1/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        return [link]

    for name, change in [("abs", absolute), ("dots", dotdot), ("link", symlink)]:
        _refused(settings, data, _craft(archive, tmp_path / f"{name}.tar.gz", key, change), "不安全")
    assert not (tmp_path / "escape.txt").exists()


def test_restore_verifies_the_audit_chain_of_the_incoming_database(cast, installation, settings, tmp_path):
    data, _, archive = installation
    key = (data / "audit_key").read_text().strip().encode()

    def rewrite(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        db = tmp_path / "in.sqlite3"
        db.write_bytes(members["database/taizhang.sqlite3"])
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("UPDATE core_auditentry SET actor_name = '他人' WHERE seq = 1")
        conn.close()
        members["database/taizhang.sqlite3"] = db.read_bytes()

    _refused(settings, data, _craft(archive, tmp_path / "chain.tar.gz", key, rewrite), "审计链")
    genuine = tmp_path / "genuine.sqlite3"
    genuine.write_bytes(_members(archive)["database/taizhang.sqlite3"])
    assert backup._incoming_chain("sqlite", genuine).ok  # the untouched database passes the same check
