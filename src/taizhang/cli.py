"""The `taizhang` command. Errors are one Chinese line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TypeAlias


class CommandError(Exception):
    """A failure the user can act on; printed as one line."""


# argparse's own messages, in the order they are tried. argparse binds gettext's `_` at import
# and ships no Chinese catalogue; installing one would change every argparse in the process
# (pytest's too), so our parser translates the finished English sentences instead.
_ARGPARSE_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.S), r)
    for p, r in [
        (r"^argument (.+?): (.*)$", "参数 {0}：{1}"),
        (r"^the following arguments are required: (.*)$", "缺少必需的参数：{0}"),
        (r"^one of the arguments (.*) is required$", "参数 {0} 中必须给出一个"),
        (r"^unrecognized arguments: (.*)$", "无法识别的参数：{0}"),
        (r"^invalid choice: (.*?) \(choose from (.*)\)$", "无效的取值 {0}（可选：{1}）"),
        (r"^invalid int value: (.*)$", "应为整数，而不是 {0}"),
        (r"^invalid float value: (.*)$", "应为数字，而不是 {0}"),
        (r"^invalid (\S+) value: (.*)$", "无效的取值 {1}"),
        (r"^expected one argument$", "需要一个取值"),
        (r"^expected at most one argument$", "最多一个取值"),
        (r"^expected at least one argument$", "至少需要一个取值"),
        (r"^expected (\d+) arguments?$", "需要 {0} 个取值"),
        (r"^ambiguous option: (\S+) could match (.*)$", "选项 {0} 有歧义，可能是：{1}"),
        (r"^not allowed with argument (.*)$", "不能与参数 {0} 同时使用"),
        (r"^ignored explicit argument (.*)$", "此选项不接受取值：{0}"),
        (r"^can't open '(.*?)': (.*)$", "无法打开 {0}：{1}"),
    ]
]


# A positional argument with choices is named by its dest in errors (its usage shows the choices).
_ARGUMENT_NAMES = {"kind": "类型", "action": "操作", "what": "导出内容"}


def _zh(message: str) -> str:
    """argparse's English error sentence in Chinese (unknown ones pass through unchanged)."""
    for pattern, template in _ARGPARSE_ZH:
        m = pattern.match(message)
        if m:
            groups = list(m.groups())
            if template.startswith("参数 "):
                groups[0] = _ARGUMENT_NAMES.get(groups[0], groups[0])
                groups[1] = _zh(groups[1])  # "argument X: <inner message>"
            elif template.startswith(("缺少必需的参数", "无法识别的参数")):
                groups[0] = "、".join(_ARGUMENT_NAMES.get(a, a) for a in groups[0].split(", "))
            elif template.startswith("无效的取值 {0}（"):
                groups[1] = "、".join(c.strip().strip("'") for c in groups[1].split(", "))
            return template.format(*groups)
    return message


_METAVARS = {
    "unit": "单位代码", "year": "年度", "output": "文件", "file": "文件", "host": "地址",
    "port": "端口", "workers": "进程数", "username": "账号", "full_name": "姓名", "query": "检索词",
    "as_user": "账号", "user": "账号", "limit": "条数", "units": "单位数", "records_per_unit": "条数",
    "seed": "种子", "kind": "台账", "checkpoints": "文件", "rules": "规则", "ignore": "规则",
    "dir": "目录", "keep": "份数",
}  # fmt: skip

_HELP = {
    ("", "host"): "监听地址（默认 %(default)s；多台服务器时用 0.0.0.0）",
    ("", "port"): "端口（默认 %(default)s）",
    ("", "workers"): "gunicorn 工作进程数（默认 %(default)s）",
    ("", "username"): "账号（默认 %(default)s）",
    ("", "full_name"): "姓名（默认与账号相同）",
    ("", "role"): "system 系统管理员，security 安全管理员，audit 审计管理员（默认 %(default)s）",
    ("", "file"): "文件路径",
    ("", "year"): "年度，如 2025",
    ("", "output"): "输出文件",
    ("", "limit"): "最多列出多少条（默认 %(default)s）",
    ("", "units"): "单位数（至少 1）",
    ("", "records_per_unit"): "每个单位的记录数（至少 1）",
    ("", "seed"): "随机种子：同一种子生成同样的数据（默认 %(default)s）",
    ("", "format"): "docx（Word，默认）、md（Markdown）或 html（网页）",
    ("", "rest"): "Django 管理命令及其参数，如 migrate、check --deploy",
    ("export", "what"): "ledger-book：台账汇编（一个工作簿，每种台账一页）",
    ("rules", "action"): "check：按规则和周期列出已完成、待完成、未完成",
    ("audit", "action"): "verify 校验审计链；checkpoint 输出签名的检查点",
    ("report", "kind"): (
        "annual 年度总结，keypoints 工作要点，half-year 半年专题报告，analysis 季度研判报告，"
        "assessment 考核自评报告，ledger-book 台账汇编，rollup 下级单位汇总报告"
    ),
}


def _width(text: str) -> int:
    """Columns a terminal gives the text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's layout counts characters; Chinese ones take two columns, so the help column and
    line wrapping are measured in columns here."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            width = _width(self._format_action_invocation(action)) + self._current_indent
            self._action_max_length = max(self._action_max_length, width)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        header = self._format_action_invocation(action)
        extra = _width(header) - len(header)
        lead = " " * self._current_indent + header
        if not extra or not text.startswith(lead) or text[len(lead) :].startswith("\n"):
            return text
        after = text[len(lead) :]
        rest = after.lstrip(" ")
        spaces = len(after) - len(rest)
        if spaces - extra >= 2:
            return lead + " " * (spaces - extra) + rest
        help_position = min(self._action_max_length + 2, self._max_help_position)
        return lead + "\n" + " " * help_position + rest

    def _split_lines(self, text: str, width: int) -> list[str]:
        # Chinese breaks between any two characters; a Latin word stays whole.
        text = " ".join(text.split())
        lines: list[str] = []
        line = ""
        for ch in text:
            if line and _width(line + ch) > width and ch not in "，。、；：？！）》」”":
                carry = ""
                if line[-1] in "（《“「":  # an opening mark goes down with what it opens
                    line, carry = line[:-1], line[-1]
                elif ch.isascii() and ch.isalnum():
                    head = line.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
                    if head.strip():
                        line, carry = head, line[len(head) :]
                lines.append(line.rstrip())
                line = carry
                if ch == " " and not line:
                    continue
            line += ch
        if line:
            lines.append(line)
        return lines


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage, headings, -h and errors are Chinese. Subparsers inherit it
    (argparse makes them with the parent's class)."""

    def __init__(self, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出"
            )

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        # Placeholders and help for the options most commands share, in Chinese, where the
        # declaration gives none; a declaration's own wording always wins.
        command = self.prog.split()[-1]
        if action.metavar is None and action.choices is None and action.nargs != 0:
            action.metavar = _METAVARS.get(action.dest)
        if action.help is None:
            action.help = _HELP.get((command, action.dest)) or _HELP.get(("", action.dest))
        return action

    def format_help(self) -> str:
        # argparse ends section headings with an ASCII colon
        text = super().format_help()
        return text.replace("\n位置参数:\n", "\n位置参数：\n").replace("\n选项:\n", "\n选项：\n")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{_zh(message)}\n")


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _collectstatic() -> None:
    from django.conf import settings
    from django.core.management import call_command

    vendor = settings.BASE_DIR / "static" / "vendor" / "bootstrap.min.css"
    if not vendor.exists():
        raise CommandError("前端资源尚未安装：请先运行 make setup（或 make demo）。")
    call_command("collectstatic", interactive=False, verbosity=0)


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


def cmd_serve(args: argparse.Namespace) -> None:
    _setup()
    from pathlib import Path

    if args.no_migrate:
        # N servers: the schema and the static files were prepared once by `taizhang migrate`;
        # a server on a stale schema would fail on every page, so it refuses to start instead.
        pending = _pending_migrations()
        if pending:
            raise CommandError(
                f"数据库有 {len(pending)} 个迁移尚未执行（如 {pending[0]}）：请先在一台服务器上运行 taizhang migrate。"
            )
        from django.conf import settings

        if not (Path(settings.STATIC_ROOT) / "vendor" / "bootstrap.min.css").exists():
            raise CommandError(
                f"静态文件尚未收集到 {settings.STATIC_ROOT}：请先运行 taizhang collectstatic。"
            )
    else:
        _migrate()
        _collectstatic()
    from .server import serve

    serve(host=args.host, port=args.port, workers=args.workers)


def cmd_demo(args: argparse.Namespace) -> None:
    # the demo's reminders go out by e-mail: into files in the data directory (mail/) unless an
    # SMTP server is configured
    if not os.environ.get("TAIZHANG_EMAIL_HOST"):
        os.environ.setdefault("TAIZHANG_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    os.environ.setdefault("TAIZHANG_NOTIFY_EMAIL", "1")
    _setup()
    _migrate()
    from .demo import build_demo

    password, created = build_demo()
    from .demo import ACCOUNTS

    print("演示数据已就绪。" if not created else "演示数据已创建。")
    print(f"演示账号（密码均为 {password}）：")
    for username, label in ACCOUNTS:
        print(f"  {username:<10} {label}")
    if not args.no_serve:
        _collectstatic()
        from .notify.commands import start_loop
        from .server import serve

        worker = start_loop()  # the outbox worker and the daily reminders, as the timers run them
        print(f"请在浏览器打开 http://127.0.0.1:{args.port}/ ，按 Ctrl+C 停止。")
        try:
            serve(host="127.0.0.1", port=args.port, workers=args.workers)
        finally:
            worker.terminate()
            worker.wait(timeout=15)


def cmd_createadmin(args: argparse.Namespace) -> None:
    _setup()
    _migrate()
    import getpass

    from django.core.exceptions import ValidationError
    from django.db import transaction

    from .core.context import acting
    from .orgs.models import User
    from .orgs.services import password_reset, user_create

    existing = User.objects.filter(username=args.username).first()
    if args.reset:
        # 三员分立: no administrator can reset another's password on the web; the server can.
        if existing is None:
            raise CommandError(f"账号 {args.username} 不存在。")
        if not existing.admin_role:
            raise CommandError(f"账号 {args.username} 不是管理员账号；其密码由系统管理员在“账号管理”中重置。")
    elif existing is not None:
        raise CommandError(f"账号 {args.username} 已存在。")
    password = os.environ.get("TAIZHANG_ADMIN_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            raise CommandError("请设置环境变量 TAIZHANG_ADMIN_PASSWORD，或在终端中运行以输入密码。")
        password = getpass.getpass("临时密码：" if args.reset else "初始密码：")
        if getpass.getpass("再次输入：") != password:
            raise CommandError("两次输入的密码不一致。")
    try:
        with acting(channel="cli"), transaction.atomic():
            if existing is not None:
                password_reset(acting_user=None, user=existing, password=password)
            else:
                user_create(
                    acting_user=None,
                    username=args.username,
                    full_name=args.full_name or args.username,
                    password=password,
                    admin_role=args.role,
                )
    except ValidationError as exc:
        raise CommandError("；".join(exc.messages)) from exc
    if existing is not None:
        role = dict(ROLE_NAMES)[existing.admin_role]
        print(f"已重置{role}账号 {args.username} 的密码（已记入审计日志），下次登录须修改。")
        return
    print(f"已创建{dict(ROLE_NAMES)[args.role]}账号 {args.username}，首次登录须修改密码。")


ROLE_NAMES = [("system", "系统管理员"), ("security", "安全管理员"), ("audit", "审计管理员")]


def cmd_migrate(args: argparse.Namespace) -> None:
    """The one step of an install or upgrade that changes shared state: run it on one server."""
    _setup()
    pending = _pending_migrations()
    _migrate()
    _collectstatic()
    if pending:
        print(f"已执行 {len(pending)} 个数据库迁移，静态文件已收集。")
    else:
        print("数据库已是最新，无需迁移；静态文件已收集。")


def cmd_collectstatic(args: argparse.Namespace) -> None:
    _setup()
    from django.conf import settings

    _collectstatic()
    print(f"静态文件已收集到 {settings.STATIC_ROOT}。")


# a scheduled backup's name sorts by time, so retention keeps the newest by name alone
BACKUP_PATTERN = "taizhang-????????-??????.tar.gz"


def cmd_backup(args: argparse.Namespace) -> None:
    _setup()
    from datetime import UTC, datetime
    from pathlib import Path

    from .core.backup import BackupError, create_backup

    if args.keep is not None and not args.dir:
        raise CommandError("--keep 只能与 --dir 一起使用。")
    if args.keep is not None and args.keep < 1:
        raise CommandError("--keep 至少为 1。")
    if bool(args.file) == bool(args.dir):
        raise CommandError("请给出备份文件名，或用 --dir 指定备份目录（二者选一）。")
    if args.dir:
        folder = Path(args.dir)
        if not folder.is_dir():
            raise CommandError(f"备份目录不存在：{folder}")
        target = folder / f"taizhang-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"
        # a second backup within the same second (the timer beside a manual run) waits for the
        # next second's name rather than failing on an existing file
        while target.exists() or target.with_name(target.name + ".partial").exists():
            time.sleep(0.2)
            target = folder / f"taizhang-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"
    else:
        target = Path(args.file)
    try:
        manifest = create_backup(target)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"备份完成：{target}（数据库 + {len(manifest['attachments'])} 个附件）")
    if args.keep is not None:
        # prune only after a backup has completed, and only files named by this command
        old = sorted(Path(args.dir).glob(BACKUP_PATTERN), reverse=True)[args.keep :]
        for path in old:
            path.unlink()
        if old:
            print(f"按保留份数 {args.keep} 删除了 {len(old)} 份旧备份：{'、'.join(p.name for p in old)}")


def cmd_restore(args: argparse.Namespace) -> None:
    _setup()
    from .core.backup import BackupError, restore_backup

    try:
        manifest = restore_backup(args.file)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"恢复完成：{args.file}（备份于 {manifest['created_at']}，{len(manifest['attachments'])} 个附件）")


def cmd_audit(args: argparse.Namespace) -> None:
    _setup()
    from .core.audit import check_checkpoints, current_checkpoint, verify

    result = verify()
    if not result.ok:
        raise CommandError(
            f"审计链校验失败：第 {result.broken_seq} 条记录，{result.reason}（此前 {result.checked} 条完好）"
        )
    if args.action == "checkpoint":
        # only a chain that holds is signed: a checkpoint must never bless a rewritten log
        line = current_checkpoint()
        if line is None:
            raise CommandError("审计日志为空，没有可导出的检查点。")
        print(line)
        if args.syslog:
            _to_syslog(line)
        return
    if args.checkpoints:
        try:
            with _open_text(args.checkpoints) as f:
                cp = check_checkpoints(f)
        except OSError as exc:
            raise CommandError(f"无法读取检查点文件 {args.checkpoints}（{exc.strerror or exc}）") from exc
        if not cp.ok:
            where = f"第 {cp.broken_seq} 条记录，" if cp.broken_seq is not None else ""
            raise CommandError(f"审计检查点校验失败：{where}{cp.reason}（此前 {cp.checked} 个检查点一致）")
        print(f"审计链完好：共 {result.checked} 条记录，与 {cp.checked} 个导出的检查点一致。")
        return
    print(f"审计链完好：共 {result.checked} 条记录。")


def _open_text(name: str) -> Any:
    import contextlib
    import io

    if name == "-":
        return contextlib.nullcontext(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"))
    return open(name, encoding="utf-8", errors="replace")  # closed by the caller's with block


def _to_syslog(line: str) -> None:
    import logging
    import logging.handlers

    address = "/dev/log" if os.path.exists("/dev/log") else ("localhost", 514)
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH
    )
    handler.ident = "taizhang: "
    try:
        handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO, "levelname": "INFO"}))
    finally:
        handler.close()


def _unit(code: str) -> Any:
    from .orgs.models import Unit

    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"找不到代码为 {code} 的单位。")
    return unit


def _ledger(kind: str) -> Any:
    from .core import kinds

    ledgers = list(kinds.of_namespace("ledger"))
    for views in ledgers:
        if kind in (views.slug, views.verbose()):
            return views
    names = "、".join(f"{v.slug}（{v.verbose()}）" for v in ledgers)
    raise CommandError(f"没有名为 {kind} 的台账。可用：{names}")


def cmd_import(args: argparse.Namespace) -> None:
    _setup()
    from pathlib import Path

    from django.conf import settings
    from django.core.exceptions import ValidationError

    from .core import imports
    from .core.context import acting
    from .orgs.models import User

    views = _ledger(args.kind)
    unit = _unit(args.unit)
    user = User.objects.filter(username=args.user).first() if args.user else None
    if args.user and user is None:
        raise CommandError(f"找不到账号 {args.user}。")
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"找不到文件：{path}")
    try:
        with path.open("rb") as f, acting(channel="cli"):
            source = imports.source_of(path.name, f)
            rows = imports.read_rows(path.name, f, path.stat().st_size, settings.ATTACHMENT_MAX_BYTES)
            result = imports.run_import(
                model=views.model,
                field_names=views.fields,
                rows=rows,
                unit=unit,
                acting_user=user,
                commit=not args.dry_run,
                source=source,
            )
    except (imports.ImportRefused, ValidationError) as exc:
        raise CommandError(exc.messages[0] if isinstance(exc, ValidationError) else str(exc)) from exc
    if not result.ok:
        for error in result.errors:
            print(str(error), file=sys.stderr)
        raise CommandError(f"共 {result.total_errors} 处错误，未导入任何记录。")
    if args.dry_run:
        print(f"检查通过：{result.rows} 条{views.verbose()}记录可以导入（--dry-run，未写入）。")
    else:
        print(f"已导入 {result.created} 条{views.verbose()}记录到{unit.name}。")


def cmd_export(args: argparse.Namespace) -> None:
    _setup()
    from pathlib import Path

    from .ledger.book import ledger_book

    unit = _unit(args.unit)
    data = ledger_book(unit=unit, year=args.year)
    out = Path(args.output)
    out.write_bytes(data)
    print(f"已导出{unit.name}{args.year}年台账汇编：{out}")


def cmd_rules(args: argparse.Namespace) -> None:
    _setup()
    import json

    from .orgs.models import Unit
    from .rules import engine
    from .rules.services import evaluate_units

    unit = _unit(args.unit)
    units = list(Unit.objects.filter(path__startswith=unit.path).order_by("path")) if args.subtree else [unit]
    results = evaluate_units(units, args.year, with_evidence=True)
    if args.json:
        out = {
            "year": args.year,
            "units": [
                {
                    "code": r.unit.code,
                    "name": r.unit.name,
                    "rules": [
                        {
                            "id": rule.id,
                            "name": rule.name,
                            "source": rule.source,
                            "problem": rule.problem or None,  # 无法计算: the reason; no periods
                            "periods": [
                                {
                                    "period": c.period.label,
                                    "start": c.period.start.isoformat(),
                                    "deadline": c.period.deadline.isoformat(),
                                    "status": c.status,
                                    "value": c.value,
                                    "threshold": rule.threshold,
                                    "evidence": c.evidence,
                                }
                                for c in r.cells[rule.id]
                            ],
                        }
                        for rule in r.rules
                    ],
                }
                for r in results
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    marks = {engine.MET: "✓", engine.DUE: "…", engine.MISSED: "✗"}
    for r in results:
        rate = r.overall()
        print(f"{r.unit.name}（{r.unit.code}）{args.year}年 完成率 {'—' if rate is None else f'{rate:.0%}'}")
        for rule in r.rules:
            if rule.problem:
                print(f"  {rule.name}：无法计算（{rule.problem}）")
                continue
            cells = " ".join(f"{c.period.label}{marks[c.status]}" for c in r.cells[rule.id])
            print(f"  {rule.name}：{cells}")


def cmd_gen_load(args: argparse.Namespace) -> None:
    _setup()
    _migrate()
    from .loadgen import generate

    try:
        counts = generate(
            units=args.units, records_per_unit=args.records_per_unit, seed=args.seed, year=args.year
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    print(f"已生成合成数据：{counts['units']} 个单位，{counts['records']} 条记录（种子 {args.seed}）。")


def cmd_notify(args: argparse.Namespace) -> None:
    _setup()
    from datetime import date

    from .notify import commands

    if args.action == "deliver":
        print(commands.deliver(budget=args.budget, limit=args.limit))
    elif args.action == "remind":
        try:
            day = date.fromisoformat(args.date) if args.date else None
        except ValueError:
            raise CommandError(f"日期格式不正确：{args.date}（应为 YYYY-MM-DD）") from None
        print(commands.remind(day=day, days=args.days))
    elif args.action == "status":
        print(commands.status())
    else:
        commands.loop(interval=args.interval, limit=args.limit, echo=lambda line: print(line, flush=True))


def cmd_manage(args: argparse.Namespace) -> None:
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["taizhang manage", *args.rest])


# what add_subparsers() returns; build_parser hands it to one helper per group of commands
Subcommands: TypeAlias = "argparse._SubParsersAction[ChineseArgumentParser]"


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数，而不是 {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"至少为 1，而不是 {number}")
    return number


def _add_setup_commands(sub: Subcommands) -> None:
    """Commands that install, start and administer a server."""
    p = sub.add_parser("demo", help="建立演示数据并启动服务")
    p.add_argument("--no-serve", action="store_true", help="只建立演示数据，不启动服务")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="启动服务（gunicorn）")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--no-migrate",
        action="store_true",
        help="不执行迁移、不收集静态文件（多台服务器时由 taizhang migrate 在一台上执行一次）",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="执行数据库迁移并收集静态文件（安装或升级时在一台服务器上执行一次）")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("collectstatic", help="把静态文件收集到数据目录（每台服务器各一份）")
    p.set_defaults(func=cmd_collectstatic)

    p = sub.add_parser("createadmin", help="创建管理员账号（三员之一），或用 --reset 重置其密码")
    p.add_argument("--username", default="sysadmin")
    p.add_argument("--full-name", default="")
    p.add_argument("--role", choices=[r for r, _ in ROLE_NAMES], default="system")
    p.add_argument(
        "--reset",
        action="store_true",
        help="重置已有管理员账号的密码（网页上不能重置管理员密码；记入审计日志）",
    )
    p.set_defaults(func=cmd_createadmin)


def _add_safety_commands(sub: Subcommands) -> None:
    """Backup, restore and the audit chain."""
    p = sub.add_parser("backup", help="在线备份数据库和附件到一个文件")
    p.add_argument("file", nargs="?", help="备份文件名（或用 --dir）")
    p.add_argument("--dir", help="备份到此目录，文件名按时间生成（taizhang-年月日-时分秒.tar.gz）")
    p.add_argument("--keep", type=int, help="与 --dir 同用：备份完成后只保留最新的 N 份")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份文件恢复（先校验）")
    p.add_argument("file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "audit", help="审计日志：verify 校验审计链；checkpoint 输出签名的检查点（供 syslog/journald 留存）"
    )
    p.add_argument("action", choices=["verify", "checkpoint"])
    p.add_argument(
        "--checkpoints", help="verify：同时核对此文件中导出的检查点（- 为标准输入，如 journalctl 的输出）"
    )
    p.add_argument("--syslog", action="store_true", help="checkpoint：同时写入本机 syslog（LOG_AUTH）")
    p.set_defaults(func=cmd_audit)


def _add_ledger_commands(sub: Subcommands) -> None:
    """Commands that read or write the ledgers."""
    p = sub.add_parser("import", help="从 .xlsx 或 .csv 导入一种台账（全部正确才写入）")
    p.add_argument("kind", help="台账代码，如 meeting；或中文名称，如 会议学习")
    p.add_argument("file")
    p.add_argument("--unit", required=True, help="单位代码")
    p.add_argument("--user", default="", help="以哪个账号的名义导入（记入审计日志）")
    p.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="导出台账汇编")
    p.add_argument("what", choices=["ledger-book"])
    p.add_argument("--unit", required=True, help="单位代码")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("rules", help="责任制要求的落实情况")
    p.add_argument("action", choices=["check"])
    p.add_argument("--unit", required=True, help="单位代码")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--subtree", action="store_true", help="包括全部下级单位")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("gen-load", help="生成用于基准测试的合成省份数据")
    p.add_argument("--units", type=_at_least_one, required=True)
    p.add_argument("--records-per-unit", type=_at_least_one, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--year", type=int, default=None, help="记录所在年度（默认去年）")
    p.set_defaults(func=cmd_gen_load)


def _add_document_commands(sub: Subcommands) -> None:
    """Documents, search and proofreading."""
    p = sub.add_parser("report", help="根据台账生成公文（GB/T 9704 版式的 Word 文件，或 Markdown、HTML）")
    p.add_argument(
        "kind",
        choices=["annual", "keypoints", "half-year", "analysis", "assessment", "ledger-book", "rollup"],
    )
    p.add_argument("--unit", required=True, help="单位代码")
    p.add_argument("--year", type=int, required=True, help="年度（工作要点为要点所属的年度）")
    p.add_argument("--half", type=int, choices=[1, 2], help="半年专题报告：1 上半年，2 下半年")
    p.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="季度研判报告的季度")
    p.add_argument("--format", choices=["docx", "md", "html"], default="docx")
    p.add_argument("--sources", action="store_true", help="Word 文件附“数据来源”附件")
    p.add_argument(
        "--date",
        help="成文日期，如 2026-01-10（台账中记有这份报告的报送记录时一律用报送日期；否则用此日期，不填用今天）",
    )
    p.add_argument("-o", "--output", required=True, help="输出文件")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("search", help="全文检索学习资料和台账记录")
    p.add_argument("query", help="检索词（空格分隔多个词）")
    p.add_argument("--as", dest="as_user", help="以该账号的可见范围检索")
    p.add_argument("--unit", help="只检索该单位及其下级（单位代码）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("proofread", help="校对公文（.txt、.md、.docx）：有问题退出码 1，无法读取 2")
    p.add_argument("file", help="要校对的文件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--fix", action="store_true", help="写出改正后的文件（需 -o）")
    p.add_argument("-o", "--output", help="改正后文件的路径")
    p.add_argument("--rules", help="只运行这些规则（规则或类别名，逗号分隔）")
    p.add_argument("--ignore", help="不运行这些规则（逗号分隔）")
    p.set_defaults(func=cmd_proofread)


def _add_service_commands(sub: Subcommands) -> None:
    """The notification worker and Django's own commands."""
    p = sub.add_parser("notify", help="消息外发与事前提醒（由 systemd 定时器运行）")
    p.add_argument(
        "action",
        choices=["deliver", "remind", "status", "loop"],
        help="deliver 发送外发队列；remind 每日事前提醒；status 队列情况；loop 持续运行（演示用）",
    )
    p.add_argument("--date", help="remind：按这一天计算（YYYY-MM-DD，默认今天）")
    p.add_argument("--days", type=_at_least_one, help="remind：提前几天提醒（默认 TAIZHANG_REMIND_DAYS）")
    p.add_argument("--budget", type=float, default=50.0, help="deliver：最多运行的秒数（默认 50）")
    p.add_argument("--limit", type=_at_least_one, default=100, help="deliver：每批领取的条数（默认 100）")
    p.add_argument("--interval", type=float, default=30.0, help="loop：两次发送之间的秒数（默认 30）")
    p.set_defaults(func=cmd_notify)

    p = sub.add_parser("manage", help="运行任意 Django 管理命令", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="taizhang", description="台账：意识形态工作责任制平台")
    sub = parser.add_subparsers(dest="command", required=True, metavar="命令")

    _add_setup_commands(sub)
    _add_safety_commands(sub)
    _add_ledger_commands(sub)
    _add_document_commands(sub)
    _add_service_commands(sub)
    return parser


def cmd_report(args: argparse.Namespace) -> None:
    _setup()
    from datetime import date
    from pathlib import Path

    from .reports import render, services

    unit = _unit(args.unit)
    if args.kind == "half-year" and not args.half:
        raise CommandError("半年专题报告请用 --half 1 或 --half 2 指明上半年或下半年。")
    if args.kind == "analysis" and not args.quarter:
        raise CommandError("季度研判报告请用 --quarter 指明季度（1 至 4）。")
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise CommandError(f"成文日期“{args.date}”的格式不对，请写成 2026-01-10。") from None
    if day is not None and not date(2000, 1, 1) <= day <= date.today().replace(year=date.today().year + 1):
        raise CommandError("成文日期应在 2000 年以后，且不晚于一年以后。")
    doc = services.prepare(args.kind, unit, args.year, half=args.half, quarter=args.quarter, day=day)
    if args.format == "docx":
        data = render.to_docx(doc, sources=args.sources)
    elif args.format == "md":
        data = render.to_markdown(doc).encode("utf-8")
    else:
        data = render.to_html(doc).encode("utf-8")
    Path(args.output).write_bytes(data)
    print(f"已生成《{doc.title}》：{args.output}")
    period = services.period_for(args.kind, args.year, args.half, args.quarter)
    note = services.date_note(day, doc.day, period)
    if note:
        print(note)


def cmd_search(args: argparse.Namespace) -> None:
    _setup()
    import json

    from .library import search
    from .orgs.models import User

    user = None
    if args.as_user:
        user = User.objects.filter(username=args.as_user, is_active=True).first()
        if user is None:
            raise CommandError(f"找不到账号 {args.as_user}。")
    unit = _unit(args.unit) if args.unit else None
    results = search.search(args.query, user=user, unit=unit, limit=args.limit)
    if args.json:
        rows = [
            {
                "kind": h.kind,
                "id": h.id,
                "title": h.title,
                "unit": h.unit,
                "snippet": h.snippet,
                "score": h.score,
            }
            for h in results.hits
        ]
        print(json.dumps({"results": rows}, ensure_ascii=False, indent=2))  # the documented shape, exactly
        return
    print(f"“{args.query}”：{'超过' if results.more else '共'} {results.total} 条。")
    for h in results.hits:
        print(f"[{h.kind}#{h.id}] {h.title}（{h.unit}{'，' + str(h.day) if h.day else ''}）")


def cmd_proofread(args: argparse.Namespace) -> int:
    """Pure Python: no settings, no database."""
    from pathlib import Path

    from .proofread import check
    from .proofread.files import Unreadable, fixed_bytes, read, report_json, report_text

    def names(value: str | None) -> list[str] | None:
        return [n.strip() for n in value.split(",") if n.strip()] if value else None

    if args.fix and not args.output:
        print("错误：--fix 需要用 -o 指定输出文件。", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        source = read(path.name, path.read_bytes())
        findings = check(source.text, rules=names(args.rules), ignore=names(args.ignore))
    except (Unreadable, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"错误：无法读取文件 {path}（{exc.strerror or exc}）", file=sys.stderr)
        return 2
    print(report_json(findings) if args.json else report_text(source, findings))
    if args.fix:
        Path(args.output).write_bytes(fixed_bytes(source, findings))
        if not args.json:
            print(f"已写出改正后的文件：{args.output}")
    return 1 if findings else 0


# Commands that read an existing database: where there is none, they say which data directory
# they looked in rather than creating an empty database there and failing on a missing table.
_NEEDS_DATABASE = {"audit", "import", "export", "rules", "report", "search"}


def _require_database() -> None:
    _setup()
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(str(db["NAME"]))
        where = f"数据目录 {settings.DATA_DIR}"
        in_memory = connection.creation.is_in_memory_db(db["NAME"])  # type: ignore[attr-defined]
        if not in_memory and (not path.is_file() or path.stat().st_size == 0):
            raise CommandError(
                f"{where} 中没有数据库（{path.name}）。请把 TAIZHANG_DATA_DIR 设为已有的数据目录，"
                "或先运行 taizhang migrate 建立数据库。"
            )
    else:  # never print the URL: it holds the password
        where = f"TAIZHANG_DATABASE_URL 所指的数据库（{db.get('HOST') or '本机'} 上的 {db['NAME']}）"
    if "django_migrations" not in connection.introspection.table_names():
        raise CommandError(f"{where} 中的数据库尚未建立。请先运行 taizhang migrate。")


def _pipe_closed() -> int:
    # The reader (`| head`) has what it wanted. Point stdout at /dev/null so the interpreter's
    # final flush does not report the closed pipe, and end quietly.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        func: Callable[[argparse.Namespace], Any] = args.func
        if args.command in _NEEDS_DATABASE:
            _require_database()
        code = func(args)
        sys.stdout.flush()  # inside the try: a pipe closed early is noticed here, not at exit
    except BrokenPipeError:
        return _pipe_closed()
    except CommandError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line instead of a traceback; details in the log with -v
        if os.environ.get("TAIZHANG_TRACEBACK"):
            raise
        print(f"错误：{_describe(exc)}", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


def _describe(exc: Exception) -> str:
    from django.core.exceptions import ValidationError
    from django.db.utils import DatabaseError, OperationalError

    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)

    if isinstance(exc, DatabaseError) and (
        "no such table" in str(exc) or ("relation" in str(exc) and "does not exist" in str(exc))
    ):
        from django.conf import settings

        return f"数据库缺少数据表（数据目录 {settings.DATA_DIR}）。请先运行 taizhang migrate。"
    if isinstance(exc, OperationalError):
        return f"无法连接或操作数据库（{exc}）。请检查 TAIZHANG_DATABASE_URL 和数据目录。"
    if isinstance(exc, PermissionError):
        return f"没有文件权限：{exc.filename or exc}"
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件：{exc.filename or exc}"
    return f"{type(exc).__name__}: {exc}（设置 TAIZHANG_TRACEBACK=1 可查看详细信息）"


if __name__ == "__main__":
    sys.exit(main())
