"""The `taizhang` command speaks Chinese to the people who run it, and ends quietly when they
only want the first lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from taizhang import cli
from taizhang.orgs.models import Unit, User

TAIZHANG = [sys.executable, "-m", "taizhang.cli"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAIZHANG_", "DJANGO_"))}
    env["TAIZHANG_DATA_DIR"] = str(data_dir)
    return env


def _exit(argv: list[str], capsys: Any) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_help_is_chinese(capsys: Any) -> None:
    for argv in (["--help"], ["report", "--help"], ["createadmin", "-h"]):
        code, out, _ = _exit(argv, capsys)
        assert code == 0
        assert out.startswith("用法：taizhang")
        assert "选项：" in out and "显示本帮助并退出" in out
        for english in ("usage:", "options:", "show this help", "positional arguments"):
            assert english not in out
    _, out, _ = _exit(["report", "--help"], capsys)
    assert "--unit 单位代码" in out and "annual 年度总结" in out  # placeholders and choices


def test_argparse_errors_are_chinese(capsys: Any) -> None:
    cases = {
        (
            "report",
            "annual",
            "--unit",
            "u",
            "--year",
            "二〇二五",
            "-o",
            "x",
        ): "参数 --year：应为整数，而不是 '二〇二五'",
        ("frobnicate",): "无效的取值 'frobnicate'（可选：demo、serve、",
        ("report", "annual"): "缺少必需的参数：",
        ("proofread", "a.txt", "--colour"): "无法识别的参数：--colour",
    }
    for argv, message in cases.items():
        code, _, err = _exit(list(argv), capsys)
        assert code == 2
        assert err.startswith("用法：taizhang")
        assert "：错误：" in err and message in err, err
        for english in ("usage:", "error:", "invalid", "required", "unrecognized", "choose from"):
            assert english not in err


def test_pipe_closed_early_ends_quietly(tmp_path: Path) -> None:
    text = tmp_path / "稿.txt"
    # about 6,000 findings: far more output than the pipe holds once `head` has gone
    text.write_text("我们要统-部署，推进工作。\n" * 6000, encoding="utf-8")
    script = '"$@" proofread "$FILE" 2>"$ERR" | head -1 >/dev/null; echo "${PIPESTATUS[0]}"'
    err = tmp_path / "stderr.txt"
    proc = subprocess.run(
        ["bash", "-c", script, "taizhang", *TAIZHANG],
        env={**_env(tmp_path / "data"), "FILE": str(text), "ERR": str(err)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert proc.stdout.strip() == "0"
    assert err.read_text(encoding="utf-8") == ""


def test_missing_database_names_the_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "台账数据"
    proc = subprocess.run(
        [*TAIZHANG, "search", "会议"],
        env=_env(data),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert f"数据目录 {data} 中没有数据库" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (data / "taizhang.sqlite3").exists()  # looked, created nothing to look at


@pytest.mark.django_db
def test_gen_load_refuses_sizes_below_one(capsys: Any) -> None:
    units = Unit.objects.count()
    code, _, err = _exit(["gen-load", "--units", "0", "--records-per-unit", "5"], capsys)
    assert code == 2 and "参数 --units：至少为 1，而不是 0" in err
    code, _, err = _exit(["gen-load", "--units", "3", "--records-per-unit", "-1"], capsys)
    assert code == 2 and "参数 --records-per-unit：至少为 1，而不是 -1" in err
    from taizhang.loadgen import generate

    with pytest.raises(ValueError, match="至少为 1"):
        generate(units=2, records_per_unit=0, seed=1)
    assert Unit.objects.count() == units


def test_gen_load_refuses_a_database_that_holds_anything(cast: Any, capsys: Any) -> None:
    units, users = Unit.objects.count(), User.objects.count()
    assert cli.main(["gen-load", "--units", "3", "--records-per-unit", "5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：数据库中已有数据") and "空数据库" in err
    assert (Unit.objects.count(), User.objects.count()) == (units, users)
    assert not Unit.objects.filter(code__startswith="load-").exists()


def test_make_demo_takes_the_port() -> None:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        ["make", "-n", "demo", "PORT=8101"], cwd=root, capture_output=True, text=True, timeout=60, check=True
    )
    assert "taizhang demo --port 8101" in proc.stdout
