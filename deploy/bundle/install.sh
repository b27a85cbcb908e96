#!/usr/bin/env bash
# 台账离线安装与升级脚本。只需要本安装包和 Python 3.11（见 docs/deployment.md）。
#
#   首次安装：建立运行环境（--no-index，不连网）、执行一次数据库迁移、创建三员账号、启动服务。
#   再次运行：就地升级——先备份，再迁移，再重启——并说明做了什么。
#
# 用法：sudo ./install.sh [选项]
#   --prefix DIR      程序目录（默认 /opt/taizhang）
#   --data-dir DIR    数据目录（默认 /srv/taizhang/data）
#   --env-file FILE   环境文件（默认 /etc/taizhang/taizhang.env；不存在则按本包的样例生成）
#   --python PY       指定 Python 3.11 解释器（默认依次找本包的 python/、python3.11、python3）
#   --host H --port P 服务监听地址（默认 127.0.0.1:8000，前面放 nginx）
#   --no-systemd      不使用 systemd：安装完成后在前台运行服务（Ctrl+C 停止）
#   --no-start        只安装或升级，不启动服务
#   --no-migrate      多台服务器中的其余各台：不迁移、不建账号（迁移已在第一台上执行）
# 三员的初始密码取自环境变量 TAIZHANG_SYSADMIN_PASSWORD、TAIZHANG_SECADMIN_PASSWORD、
# TAIZHANG_AUDITOR_PASSWORD；未设置时在终端中提示输入。首次登录须修改密码。
set -euo pipefail
# hardened systems default to umask 077: the service account must be able to read the program
umask 022

BUNDLE=$(cd "$(dirname "$0")" && pwd)
VERSION=$(cat "$BUNDLE/VERSION")
PREFIX=/opt/taizhang
DATA_DIR=/srv/taizhang/data
ENV_FILE=/etc/taizhang/taizhang.env
PYTHON=""
HOST=127.0.0.1
PORT=8000
SYSTEMD=auto
START=1
MIGRATE=1
SERVICE_USER=taizhang
TIMERS=(taizhang-notify.timer taizhang-remind.timer taizhang-backup.timer taizhang-checkpoint.timer)
timers_off=""

say() { echo "【台账安装】$*"; }
fail() { echo "【台账安装】错误：$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --env-file) ENV_FILE=$2; shift 2 ;;
    --python) PYTHON=$2; shift 2 ;;
    --host) HOST=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --no-systemd) SYSTEMD=no; shift ;;
    --no-start) START=0; shift ;;
    --no-migrate) MIGRATE=0; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "不认识的选项：$1（用 --help 查看用法）" ;;
  esac
done

PREFIX=$(realpath -m "$PREFIX") DATA_DIR=$(realpath -m "$DATA_DIR") ENV_FILE=$(realpath -m "$ENV_FILE")

if [ "$SYSTEMD" = auto ]; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then SYSTEMD=yes; else SYSTEMD=no; fi
fi
if [ "$SYSTEMD" = yes ] && [ "$(id -u)" != 0 ]; then
  fail "以 systemd 服务安装需要 root 权限：请用 sudo 运行，或加 --no-systemd。"
fi

# --- 1. the bundle is whole --------------------------------------------------------------------
if command -v sha256sum >/dev/null 2>&1; then
  (cd "$BUNDLE" && sha256sum --quiet -c SHA256SUMS) || fail "安装包校验失败（SHA256SUMS 不符）：请重新拷贝安装包。"
fi
arch=$(uname -m)
[ "$arch" = "$(cat "$BUNDLE/ARCH")" ] || fail "本安装包适用于 $(cat "$BUNDLE/ARCH")，本机是 $arch：请使用对应架构的安装包。"

# --- 2. a supported Python ---------------------------------------------------------------------
check_python() {
  "$1" - <<'PY' 2>/dev/null
import sqlite3, sys, venv, ensurepip  # noqa: F401  (venv and ensurepip must be installed)
ok = sys.version_info[:2] == (3, 11) and sqlite3.sqlite_version_info >= (3, 31)
con = sqlite3.connect(":memory:")
con.execute("create virtual table t using fts5(x)")
sys.exit(0 if ok else 1)
PY
}
if [ -z "$PYTHON" ]; then
  for candidate in "$BUNDLE/python/bin/python3" python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && check_python "$candidate"; then PYTHON=$(command -v "$candidate"); break; fi
  done
  [ -n "$PYTHON" ] || fail "未找到可用的 Python 3.11（需带 venv、ensurepip 模块，SQLite 3.31 以上且支持 FTS5）。
  Debian 12/统信 UOS（基于 Debian 12 的版本）：apt install python3 python3-venv
  openEuler 24.03：dnf install python3
  系统自带 Python 较旧时（麒麟 V10、统信 UOS 20、openEuler 22.03 等）：见 docs/zh/部署手册.md“一、系统与 Python”，
  安装 Python 3.11 后用 --python /opt/python3.11/bin/python3.11 指定。"
else
  check_python "$PYTHON" || fail "$PYTHON 不是可用的 Python 3.11（需带 venv、ensurepip 模块，SQLite 3.31 以上且支持 FTS5）。"
fi

# --- 3. first install or upgrade ---------------------------------------------------------------
UPGRADE=0
OLD_VERSION=""
if [ -x "$PREFIX/.venv/bin/taizhang" ]; then
  UPGRADE=1
  OLD_VERSION=$(cat "$PREFIX/VERSION" 2>/dev/null || echo "未知")
fi
done_steps=()

if [ ! -f "$ENV_FILE" ]; then
  mkdir -p "$(dirname "$ENV_FILE")"
  sed -e "s#@DATA_DIR@#$DATA_DIR#" "$BUNDLE/taizhang.env.example" >"$ENV_FILE"
  chmod 600 "$ENV_FILE"
  done_steps+=("生成环境文件 $ENV_FILE（请按实际情况修改域名、HTTPS 等设置）")
fi
# the service and every command below read the same environment
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
DATA_DIR=${TAIZHANG_DATA_DIR:-$DATA_DIR}
export TAIZHANG_DATA_DIR=$DATA_DIR

if [ "$SYSTEMD" = yes ] && ! id "$SERVICE_USER" >/dev/null 2>&1; then
  useradd --system --home-dir "$PREFIX" --shell /usr/sbin/nologin "$SERVICE_USER" 2>/dev/null \
    || useradd -r -d "$PREFIX" -s /sbin/nologin "$SERVICE_USER"
  done_steps+=("创建系统账号 $SERVICE_USER")
fi
mkdir -p "$PREFIX/versions" "$DATA_DIR" "$DATA_DIR/backups"
chmod 700 "$DATA_DIR" "$DATA_DIR/backups"
cd "$PREFIX"  # the service account may not read the directory this was started from
as_service() {
  # commands that write the data directory run as the account the service runs as
  if [ "$SYSTEMD" = yes ]; then runuser -u "$SERVICE_USER" -- "$@"; else "$@"; fi
}
[ "$SYSTEMD" = yes ] && chown -R "$SERVICE_USER:" "$DATA_DIR"

# --- 4. the new environment, built beside the running one --------------------------------------
# a fresh directory each run: the running version is never touched while the new one is built
target="$PREFIX/versions/$VERSION-$(date +%Y%m%d%H%M%S)"
# the service runs the environment's python, a link to $PYTHON: a Python under /root (pyenv, a
# build in root's home) is out of the service account's reach
if ! as_service "$PYTHON" -c '' 2>/dev/null; then
  fail "服务账号 $SERVICE_USER 无法运行 $PYTHON（它所在的目录其他账号不能进入，如 /root 下）：
  请把 Python 3.11 安装到 /opt、/usr/local 等目录，再用 --python 指定（见 docs/zh/部署手册.md“一、系统与 Python”）。"
fi
"$PYTHON" -m venv "$target"
PIP_CONFIG_FILE=/dev/null "$target/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
  --find-links "$BUNDLE/wheels" -r "$BUNDLE/requirements.txt" \
  || { rm -rf "$target"; fail "安装 Python 包失败（未改动正在运行的版本）。"; }
done_steps+=("安装台账 $VERSION 的运行环境到 $target（离线，未联网）")

# --- 5. upgrade: backup first, with the version that wrote the data ----------------------------
if [ "$UPGRADE" = 1 ]; then
  if [ "$OLD_VERSION" = "$VERSION" ]; then say "检测到已安装的同一版本 $VERSION：先备份，再重新安装。"
  else say "检测到已安装的版本 $OLD_VERSION：先备份，再升级到 $VERSION。"; fi
  out=$(as_service "$PREFIX/.venv/bin/taizhang" backup --dir "$DATA_DIR/backups" 2>&1) \
    || fail "升级前的备份失败，未做任何改动：$out"
  done_steps+=("升级前备份：${out#备份完成：}")
  if [ "$SYSTEMD" = yes ]; then
    # a timer the administrators turned off stays off (docs/deployment.md: the reminders on one
    # server of many); none fires while the environment is switched and the database migrated
    for t in "${TIMERS[@]}"; do
      case $(systemctl is-enabled "$t" 2>/dev/null) in disabled|masked) timers_off+=" $t " ;; esac
    done
    systemctl stop "${TIMERS[@]}" 2>/dev/null || true
    # a run in progress (a delivery, a backup) may finish; what still runs after two minutes is stopped
    for _ in $(seq 120); do
      systemctl show -p ActiveState --value "${TIMERS[@]/%.timer/.service}" 2>/dev/null \
        | grep -qxE 'active|activating|deactivating|reloading' || break
      sleep 1
    done
    systemctl stop "${TIMERS[@]/%.timer/.service}" 2>/dev/null || true
    if systemctl is-active --quiet taizhang.service; then
      systemctl stop taizhang.service
      done_steps+=("停止服务 taizhang")
    fi
  fi
fi
previous=$(readlink "$PREFIX/.venv" 2>/dev/null || true)
ln -sfn "versions/$(basename "$target")" "$PREFIX/.venv"
echo "$VERSION" >"$PREFIX/VERSION"
TZ_BIN="$PREFIX/.venv/bin/taizhang"
for old in "$PREFIX"/versions/*; do
  case "versions/$(basename "$old")" in "versions/$(basename "$target")"|"$previous") ;; *) rm -rf "$old" ;; esac
done

# --- 6. migrations once, static files on every server ------------------------------------------
if [ "$MIGRATE" = 1 ]; then
  out=$(as_service "$TZ_BIN" migrate 2>&1) || fail "数据库迁移失败：$out
  回退：ln -sfn $previous $PREFIX/.venv，用 $PREFIX/.venv/bin/taizhang restore 恢复 $DATA_DIR/backups 中最新的备份，再启动服务。"
  done_steps+=("$out")
else
  as_service "$TZ_BIN" collectstatic >/dev/null
  done_steps+=("收集静态文件（--no-migrate：迁移由第一台服务器执行）")
fi

# --- 7. the three administrators, on a first install ------------------------------------------
if [ "$UPGRADE" = 0 ] && [ "$MIGRATE" = 1 ]; then
  for spec in "sysadmin system 系统管理员 TAIZHANG_SYSADMIN_PASSWORD" \
              "secadmin security 安全管理员 TAIZHANG_SECADMIN_PASSWORD" \
              "auditor audit 审计管理员 TAIZHANG_AUDITOR_PASSWORD"; do
    read -r user role label var <<<"$spec"
    password=${!var:-}
    if [ -z "$password" ]; then
      [ -t 0 ] || fail "请设置环境变量 $var（$label $user 的初始密码），或在终端中运行以输入密码。"
      read -r -s -p "$label $user 的初始密码：" password; echo
      read -r -s -p "再次输入：" again; echo
      [ "$password" = "$again" ] || fail "两次输入的密码不一致。"
    fi
    # the password goes by the environment, never on a command line that `ps` shows
    if out=$(export TAIZHANG_ADMIN_PASSWORD=$password
             as_service "$TZ_BIN" createadmin --username "$user" --role "$role" --full-name "$label" 2>&1); then
      done_steps+=("$out")
    elif grep -q "已存在" <<<"$out"; then
      done_steps+=("$label账号 $user 已存在，未改动")
    else
      fail "$out"
    fi
  done
fi

# --- 8. the service ----------------------------------------------------------------------------
timer_label() {
  case $1 in
    taizhang-notify.timer) echo "消息外发 $1（每分钟）" ;;
    taizhang-remind.timer) echo "事前提醒 $1（每天 7:30）" ;;
    taizhang-backup.timer) echo "每日备份 $1（保留 14 份）" ;;
    taizhang-checkpoint.timer) echo "每小时审计检查点 $1" ;;
  esac
}
service_answers() {
  # up to 90 s for /healthz where the service listens; systemd restarting it (a crash) ends it early
  local where=$HOST
  case $HOST in 0.0.0.0) where=127.0.0.1 ;; ::|'[::]') where='[::1]' ;; *:*) where="[$HOST]" ;; esac
  "$PREFIX/.venv/bin/python" - "http://$where:$PORT/healthz" <<'PY'
import subprocess, sys, time, urllib.error, urllib.request
for _ in range(180):
    try:
        with urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Host": "localhost"}), timeout=2):
            sys.exit(0)
    except urllib.error.HTTPError as exc:
        sys.exit(0 if exc.code == 400 else 1)  # 400: answering, only not for the name "localhost"
    except OSError:
        pass
    show = ["systemctl", "show", "-p", "NRestarts", "--value", "taizhang.service"]
    if subprocess.run(show, capture_output=True, text=True).stdout.strip() not in ("", "0"):
        sys.exit(1)
    time.sleep(0.5)
sys.exit(1)
PY
}
serve_args=(serve --no-migrate --host "$HOST" --port "$PORT")
if [ "$SYSTEMD" = yes ]; then
  for unit in "$BUNDLE"/systemd/*; do
    sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@ENV_FILE@#$ENV_FILE#g" -e "s#@DATA_DIR@#$DATA_DIR#g" \
        -e "s#@USER@#$SERVICE_USER#g" -e "s#@HOST@#$HOST#g" -e "s#@PORT@#$PORT#g" \
        "$unit" >"/etc/systemd/system/$(basename "$unit")"
  done
  # `taizhang` on PATH for root: the service's account and environment, so files it writes in the
  # data directory stay the service's
  cat >/usr/local/bin/taizhang <<EOW
#!/bin/sh
# 台账命令（install.sh 生成）：以服务账号 $SERVICE_USER 和服务的环境 $ENV_FILE 运行
if [ ! -r "$ENV_FILE" ]; then echo "taizhang：请以 root 运行（sudo taizhang …）：需要读取 $ENV_FILE。" >&2; exit 1; fi
set -a; . "$ENV_FILE"; set +a
if [ "\$(id -u)" = 0 ]; then exec runuser -u "$SERVICE_USER" -- "$PREFIX/.venv/bin/taizhang" "\$@"; fi
exec "$PREFIX/.venv/bin/taizhang" "\$@"
EOW
  chmod 755 /usr/local/bin/taizhang
  systemctl daemon-reload
  systemctl enable --quiet taizhang.service
  # messages go out from every server (the outbox is leased row by row) and the daily reminder pass
  # may run on every server too (each item is reminded once, by a unique key in the database);
  # backups and checkpoints are taken from one server: the one that migrates
  wanted=(taizhang-notify.timer taizhang-remind.timer)
  [ "$MIGRATE" = 1 ] && wanted+=(taizhang-backup.timer taizhang-checkpoint.timer)
  on="" off=""
  for t in "${wanted[@]}"; do
    label=$(timer_label "$t")
    if [[ $timers_off == *" $t "* ]]; then off+="、$label"; else systemctl enable --quiet --now "$t"; on+="、$label"; fi
  done
  done_steps+=("安装 systemd 单元 taizhang.service，启用定时任务：${on#、}")
  [ -z "$off" ] || done_steps+=("保持停用（此前已停用；要启用：systemctl enable --now 该定时任务）：${off#、}")
  [ "$MIGRATE" = 1 ] || done_steps+=("备份和审计检查点的定时任务只在执行迁移的那台服务器上启用")
  if [ "$START" = 1 ]; then
    systemctl restart taizhang.service
    service_answers || fail "服务 taizhang 未能启动（http://$HOST:$PORT/healthz 无应答）。最近的日志：
$(journalctl -u taizhang.service -n 20 --no-pager 2>&1)
  查看：systemctl status taizhang；journalctl -u taizhang$([ "$UPGRADE" = 1 ] && echo "
  回退：ln -sfn $previous $PREFIX/.venv，用 $PREFIX/.venv/bin/taizhang restore 恢复 $DATA_DIR/backups 中最新的备份，再启动服务。")"
    done_steps+=("启动服务 taizhang（$HOST:$PORT），/healthz 正常")
  fi
fi

say "完成。台账 $VERSION$([ "$UPGRADE" = 1 ] && echo "（由 $OLD_VERSION 升级）")："
for step in "${done_steps[@]}"; do echo "  - $step"; done
echo "  程序目录 $PREFIX，数据目录 $DATA_DIR，环境文件 $ENV_FILE"
echo "  请妥善另存审计密钥 $DATA_DIR/audit_key（或 TAIZHANG_AUDIT_KEY）：没有它，任何备份都无法恢复。"

if [ "$SYSTEMD" = no ] && [ "$START" = 1 ]; then
  say "未使用 systemd：在前台运行服务 http://$HOST:$PORT/ ，按 Ctrl+C 停止。"
  exec "$TZ_BIN" "${serve_args[@]}"
fi
