"""The `taizhang` command as a newcomer and an operator use it, run as a real process."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DEMO_PASSWORD

TAIZHANG = [sys.executable, "-m", "taizhang.cli"]


def run(
    args: list[str],
    data_dir: Path,
    *,
    env: dict[str, str] | None = None,
    check: bool = True,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DJANGO_"))}
    full_env.update(
        {"TAIZHANG_DATA_DIR": str(data_dir), "TAIZHANG_DEMO_PASSWORD": DEMO_PASSWORD, **(env or {})}
    )
    proc = subprocess.run(
        [*TAIZHANG, *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        input=stdin,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"taizhang {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


SHELL_ADD_ATTACHMENT = """
from django.core.files.uploadedfile import SimpleUploadedFile
from taizhang.core.services import attachment_add
from taizhang.ledger.models import Meeting
from taizhang.orgs.models import User
m = Meeting.objects.filter(unit__code="demo-dist").order_by("pk").first()
attachment_add(acting_user=User.objects.get(username="clerk"), record=m,
               upload=SimpleUploadedFile("签到表.txt", "签到：罗建国、梁明华".encode()))
attachment_add(acting_user=User.objects.get(username="clerk"), record=m,
               upload=SimpleUploadedFile("照片.png", b"\\x89PNG\\r\\n\\x1a\\n" + bytes(range(256)) * 40))
"""


def _dump(data_dir: Path, env: dict[str, str] | None = None) -> list[dict]:
    out = run(
        ["manage", "dumpdata", "orgs", "ledger", "core.attachment", "core.auditentry", "--indent", "0"],
        data_dir,
        env=env,
    ).stdout
    return json.loads(out)


def _files(data_dir: Path) -> dict[str, str]:
    root = data_dir / "attachments"
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def made_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One `taizhang demo` (about half a minute), with a generated password, and what it printed; the
    tests that need a made demo copy its data directory (`_copy_of`) instead of building their own."""
    d = tmp_path_factory.mktemp("demo") / "made"
    return d, run(["demo", "--no-serve"], d, env={"TAIZHANG_DEMO_PASSWORD": ""}).stdout


def _copy_of(made: tuple[Path, str], dest: Path) -> Path:
    shutil.copytree(made[0], dest)
    return dest


def _engines() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get("TAIZHANG_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_engines())
def installs(request: pytest.FixtureRequest) -> Iterator[list[dict[str, str]]]:
    """Environments for two independent installations (a, b) on the chosen engine."""
    if request.param == "sqlite":
        yield [{}, {}]
        return
    import psycopg

    base = os.environ["TAIZHANG_DATABASE_URL"].rsplit("/", 1)[0]
    envs = []
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for suffix in ("a", "b"):
            name = f"taizhang_cli_{os.getpid()}_{suffix}"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
            envs.append({"TAIZHANG_DATABASE_URL": f"{base}/{name}"})
    yield envs
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for env in envs:
            conn.execute(
                f'DROP DATABASE IF EXISTS "{env["TAIZHANG_DATABASE_URL"].rsplit("/", 1)[1]}" WITH (FORCE)'
            )


def test_backup_restore_round_trip_and_damaged_archive(
    tmp_path: Path, installs: list[dict[str, str]], made_demo: tuple[Path, str]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    env_a, env_b = installs
    if env_a:
        run(["demo", "--no-serve"], a, env=env_a)
    else:  # on SQLite the made demo's directory is the whole installation
        _copy_of(made_demo, a)
    run(["manage", "shell", "-c", SHELL_ADD_ATTACHMENT], a, env=env_a)
    archive = tmp_path / "taizhang.tar.gz"
    out = run(["backup", str(archive)], a, env=env_a).stdout
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert len(manifest["attachments"]) >= 2 and all(
        len(f["sha256"]) == 64 for f in manifest["files"].values()
    )
    assert "备份完成" in out and f"{len(manifest['attachments'])} 个附件" in out

    # restore into an empty data directory: identical records and files
    if env_b:
        run(["manage", "migrate", "--noinput"], b, env=env_b)  # PostgreSQL needs the database to exist
    # the new machine gets the installation's audit key, kept apart from the backups
    b.mkdir(exist_ok=True)
    (b / "audit_key").write_bytes((a / "audit_key").read_bytes())
    out = run(["restore", str(archive)], b, env=env_b).stdout
    assert "恢复完成" in out
    dump_a, dump_b = _dump(a, env_a), _dump(b, env_b)
    audit_b = [r for r in dump_b if r["model"] == "core.auditentry"]
    assert audit_b[-1]["fields"]["action"] == "restore_backup"
    assert [r for r in dump_b if r["model"] != "core.auditentry"] == [
        r for r in dump_a if r["model"] != "core.auditentry"
    ]
    assert audit_b[:-1] == [r for r in dump_a if r["model"] == "core.auditentry"]
    assert _files(a) == _files(b) and len(_files(b)) == len(manifest["attachments"])
    assert "审计链完好" in run(["audit", "verify"], b, env=env_b).stdout

    # a truncated archive is refused and the installation it was given keeps its records and files
    before_dump, before_files = _dump(b, env_b), _files(b)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    proc = run(["restore", str(truncated)], b, env=env_b, check=False)
    assert proc.returncode != 0
    assert "损坏" in proc.stderr or "不完整" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _dump(b, env_b) == before_dump
    assert _files(b) == before_files


def test_restore_refuses_a_tampered_member(tmp_path: Path, made_demo: tuple[Path, str]) -> None:
    a = _copy_of(made_demo, tmp_path / "a")
    run(["manage", "shell", "-c", SHELL_ADD_ATTACHMENT], a)
    archive = tmp_path / "b.tar.gz"
    run(["backup", str(archive)], a)
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name.endswith(".txt"):
                data = data.replace("罗建国".encode(), "某某某".encode())
            import io

            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    proc = run(["restore", str(tampered)], a, check=False)
    assert proc.returncode == 1 and "校验失败" in proc.stderr


def test_demo_is_idempotent_keeps_its_generated_password_and_refuses_foreign_data(
    tmp_path: Path, made_demo: tuple[Path, str]
) -> None:
    d, first = _copy_of(made_demo, tmp_path / "d"), made_demo[1]
    assert "演示数据已创建" in first and DEMO_PASSWORD not in first
    (password_line,) = [x for x in first.splitlines() if "密码均为" in x]
    for account in [
        "secretary",
        "clerk",
        "member",
        "inspector",
        "outsider",
        "sysadmin",
        "secadmin",
        "auditor",
    ]:
        assert account in first
    dump = _dump(d)
    # last year's grid for demo-dist has requirements both met and missed (material for the summary)
    from datetime import date

    grid = json.loads(
        run(
            ["rules", "check", "--unit", "demo-dist", "--year", str(date.today().year - 1), "--json"], d
        ).stdout
    )
    statuses = {p["status"] for r in grid["units"][0]["rules"] for p in r["periods"]}
    assert {"met", "missed"} <= statuses
    second = run(["demo", "--no-serve"], d, env={"TAIZHANG_DEMO_PASSWORD": ""}).stdout
    assert "演示数据已就绪" in second and password_line in second  # the generated password is kept
    assert _dump(d) == dump
    run(["createadmin", "--username", "realadmin"], d, env={"TAIZHANG_ADMIN_PASSWORD": "Real-Admin-2026"})
    proc = run(["demo", "--no-serve"], d, check=False)
    assert proc.returncode == 1 and "非演示数据" in proc.stderr and "Traceback" not in proc.stderr


def test_errors_are_one_chinese_line(tmp_path: Path) -> None:
    proc = run(["restore", str(tmp_path / "missing.tar.gz")], tmp_path / "e", check=False)
    assert (
        proc.returncode == 1
        and proc.stderr.startswith("错误：")
        and len(proc.stderr.strip().splitlines()) == 1
    )
    proc = run(["backup", str(tmp_path)], tmp_path / "e", check=False)  # target exists
    assert proc.returncode == 1 and "已存在" in proc.stderr
    proc = run(
        ["createadmin", "--username", "weak"],
        tmp_path / "e",
        env={"TAIZHANG_ADMIN_PASSWORD": "weak"},
        check=False,
    )
    assert proc.returncode == 1 and "密码" in proc.stderr and "Traceback" not in proc.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "TAIZHANG_DEBUG": "0",
        "TAIZHANG_SECRET_KEY": "k" * 20 + "-production-secret-" + "x9Z" * 10,
        "TAIZHANG_ALLOWED_HOSTS": "taizhang.example.gov.cn",
        "TAIZHANG_HTTPS": "1",
    }
    proc = run(
        ["manage", "check", "--deploy", "--fail-level", "WARNING"], tmp_path / "p", env=env, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_manage_passes_through(tmp_path: Path) -> None:
    proc = run(["manage", "showmigrations", "orgs"], tmp_path / "m")
    assert "0001_initial" in proc.stdout


def test_demo_refuses_a_fresh_install_whose_administrators_share_demo_names(tmp_path: Path) -> None:
    """install.sh creates sysadmin, secadmin and auditor — the demo's own names. `taizhang demo` on
    that database would build the demo into production and reset their passwords to the printed
    demo password; it must refuse instead, and leave the administrator's password as it was."""
    d = tmp_path / "p"
    run(["migrate"], d)
    run(["createadmin", "--username", "sysadmin"], d, env={"TAIZHANG_ADMIN_PASSWORD": "Real-Admin-2026"})
    proc = run(["demo", "--no-serve"], d, check=False)
    assert proc.returncode == 1 and "非演示数据" in proc.stderr and "Traceback" not in proc.stderr
    check = run(
        [
            "manage",
            "shell",
            "-c",
            "from taizhang.orgs.models import *; u=User.objects.get(username='sysadmin');"
            "print(u.check_password('Real-Admin-2026'), Unit.objects.count())",
        ],
        d,
    )
    assert check.stdout.strip().splitlines()[-1].split() == ["True", "0"]
