#!/usr/bin/env bash
# CI's proof of install.sh's systemd branch: a real systemd boots as PID 1 of its own namespaces
# (pid, mount, network with nothing but loopback, uts, ipc, cgroup) on a private copy of this
# machine's filesystem, and install.sh runs there with its default paths (/opt/taizhang,
# /srv/taizhang/data, /etc/taizhang): the service runs and answers /healthz, the timers are enabled
# and listed, an administrator install.sh created signs in through the login form, the
# /usr/local/bin/taizhang wrapper works, the backup and checkpoint services run once by hand, then
# install.sh again (the upgrade: backup, stop, migrate, restart) and sign-in again, then stop.
#
# Isolation (systemd would otherwise clean /tmp and /run and start every unit of this machine):
# the namespace's root is an overlay whose upper layer is a tmpfs, so nothing it writes reaches
# the disk; /tmp, /run, /var/tmp, /etc/systemd/system and /dev are its own tmpfs (device nodes
# made afresh), /proc/sys and /sys are read-only, the cgroup tree is a subtree of its own; systemd
# boots proof.target, a target of nothing, with every stock unit but journald's and every
# generator masked. Before and after, what the machine holds in /run, /dev, /etc, /opt, /srv,
# /usr/local/bin and three old canary files in /tmp, /var/tmp and /run is compared: the proof
# fails if anything outside changed. PID 1 is killed with SIGKILL at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "prove-systemd.sh needs root (namespaces and a private systemd)" >&2; exit 1; }
[ -x /lib/systemd/systemd ] || { echo "prove-systemd.sh needs systemd installed (/lib/systemd/systemd)" >&2; exit 1; }
start=$(date +%s)
arch=$(uname -m)
version=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
bundle="dist/taizhang-$version-linux-$arch.tar.gz"
# .ci/run has just built it; run alone, build it when missing or older than what it packs
if [ ! -f "$bundle" ] || [ -n "$(find deploy/bundle src docs pyproject.toml uv.lock -newer "$bundle" -print -quit)" ]; then
  make --no-print-directory bundle BUNDLE_ARCHS="$arch" >/dev/null
fi
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then cgroot=/sys/fs/cgroup
elif [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then cgroot=/sys/fs/cgroup/unified
else echo "prove-systemd.sh needs a cgroup2 hierarchy" >&2; exit 1; fi

work=$(mktemp -d /tmp/taizhang-systemd-XXXXXX)
cg="$cgroot/taizhang-proof-${work##*-}"
canaries=("/tmp/.taizhang-proof-canary-$$" "/var/tmp/.taizhang-proof-canary-$$" "/run/.taizhang-proof-canary-$$")
ns_pid="" pid1=""
cleanup() {
  status=$?
  set +e
  [ -n "$ns_pid" ] && [ -z "$pid1" ] && pid1=$(awk '{print $1}' "/proc/$ns_pid/task/$ns_pid/children" 2>/dev/null)
  [ -n "$pid1" ] && kill -KILL "$pid1" 2>/dev/null  # PID 1 ignores SIGTERM; SIGKILL ends the namespace
  [ -n "$ns_pid" ] && kill -KILL "$ns_pid" 2>/dev/null && wait "$ns_pid" 2>/dev/null
  for _ in $(seq 100); do  # the namespace's cgroups, deepest first, once their processes are gone
    [ -d "$cg" ] || break
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
    sleep 0.1
  done
  [ ! -d "$cg" ] || echo "warning: could not remove the cgroup $cg" >&2
  # also after a failure: nothing outside may have changed
  if [ -f "$work/outside.before" ]; then
    outside | sort >"$work/outside.after"
    # nothing may vanish or change; nothing may appear but what PostgreSQL, started meanwhile by
    # someone else, puts in its socket directory
    if diff "$work/outside.before" "$work/outside.after" | grep -v '^> /run/postgresql/' | grep '^[<>]'; then
      echo "FAIL: the proof changed something outside its namespace (above)" >&2; status=1
    else
      echo "nothing outside the namespace changed (/run, /dev, /etc, /opt, /srv, /usr/local/bin; old canary files in /tmp, /var/tmp, /run kept)"
    fi
  fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"
  rm -f "${canaries[@]}"
  [ "$status" = 0 ] && echo "systemd proof passed in $(( $(date +%s) - start )) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# what the machine holds outside the namespace (pseudo-terminals and shared memory come and go)
outside() {
  find /run /dev -maxdepth 2 ! -path '/dev/pts/*' ! -path '/dev/shm/*' -printf '%p %y %m %u %g %l\n' 2>/dev/null
  sha256sum /etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/hostname /etc/machine-id 2>&1 || true
  ls -la --time-style=+ /etc/systemd/system /usr/local/bin /opt /srv /etc/taizhang 2>&1 || true
  cat /proc/sys/kernel/hostname
  ls -l --time-style=+ "${canaries[@]}" 2>&1 || true
}
touch -d '40 days ago' "${canaries[@]}"  # old files: what tmpfiles would remove first
outside | sort >"$work/outside.before"

mkdir -p "$work/share" "$work/ns"
tar -C "$work" -xzf "$bundle"
cp deploy/bundle/prove-sign-in.py "$work/share/"
sed -n '/^# ---- boot.sh/,/^# ---- end boot.sh/p' "$0" >"$work/boot.sh"
sed -n '/^# ---- inside.sh/,/^# ---- end inside.sh/p' "$0" >"$work/share/inside.sh"

boot_start=$(date +%s)
mkdir "$cg"
( echo "$BASHPID" >"$cg/cgroup.procs"
  # the namespace ends with this script however it ends: unshare is killed when this shell dies,
  # and PID 1 when unshare does
  exec setpriv --pdeathsig KILL unshare --mount --pid --kill-child --net --uts --ipc --cgroup --propagation private \
    bash "$work/boot.sh" "$work" "$work/taizhang-$version-linux-$arch" ) >"$work/systemd.log" 2>&1 &
ns_pid=$!
for _ in $(seq 300); do  # unshare's child: the boot script, then systemd once it execs
  pid1=$(awk '{print $1}' "/proc/$ns_pid/task/$ns_pid/children" 2>/dev/null || true)
  if [ -n "$pid1" ] && [ "$(cat "/proc/$pid1/comm" 2>/dev/null)" = systemd ]; then break; fi
  sleep 0.1
done
if [ "$(cat "/proc/$pid1/comm" 2>/dev/null)" != systemd ]; then
  cat "$work/systemd.log" >&2; echo "FAIL: systemd did not start" >&2; exit 1
fi
inside() {
  timeout 900 nsenter -t "$pid1" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb "$@" </dev/null
}
for _ in $(seq 100); do  # until its private socket answers and the boot is done
  state=$(inside systemctl is-system-running --wait 2>/dev/null || true)
  case $state in running|degraded) break ;; esac
  sleep 0.1
done
echo "systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) booted proof.target as PID 1 of its namespace ($state) in $(( $(date +%s) - boot_start )) s"
inside systemctl list-units --all --no-legend --no-pager --state=active,activating,failed >"$work/units.boot"
if grep -vE '^\W*(proof\.target|\S+\.mount|-\.slice|init\.scope|system\.slice|systemd-journald\S*)\s' "$work/units.boot"; then
  echo "FAIL: units other than proof.target, its mounts and journald started at boot (above)" >&2; exit 1
fi
inside bash /root/proof/inside.sh &  # waited for with `wait`, which a signal interrupts
wait $! || { echo "FAIL: the proof inside the namespace stopped (status $?)" >&2; exit 1; }
exit 0

# ---- boot.sh: PID 1 of the new namespaces, before it becomes systemd ----------------------------
set -euo pipefail
work=$1 bundle_root=$2
ns=$work/ns r=$work/ns/root
# mount(8) keeps /run/mount/utab, which must not be the machine's /run
export LIBMOUNT_UTAB=$work/utab
mount --make-rprivate /
mount -t tmpfs -o mode=700,size=3g taizhang-proof "$ns"
mkdir "$ns/upper" "$ns/ovl" "$r"
mount -t overlay -o "lowerdir=/,upperdir=$ns/upper,workdir=$ns/ovl" taizhang-proof "$r"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$r/run"
for d in tmp var/tmp; do mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/$d"; done
mount -t tmpfs -o mode=755 tmpfs "$r/etc/systemd/system"
if [ -d "$r/var/log/journal" ]; then mount -t tmpfs -o mode=755 tmpfs "$r/var/log/journal"; fi
# /dev of its own: fresh nodes, so nothing done to them touches the machine's
mount -t tmpfs -o mode=755,nosuid,size=4m tmpfs "$r/dev"
for node in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
  read -r name major minor <<<"$node"
  mknod -m 666 "$r/dev/$name" c "$major" "$minor"
done
mkdir "$r/dev/pts" "$r/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$r/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/dev/shm"
ln -s pts/ptmx "$r/dev/ptmx"
ln -s /proc/self/fd "$r/dev/fd"
for i in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${i%%:*}" "$r/dev/${i#*:}"; done
mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
for p in sys sysrq-trigger; do
  if [ -e "$r/proc/$p" ]; then mount --bind "$r/proc/$p" "$r/proc/$p"; mount -o remount,bind,ro "$r/proc/$p"; fi
done
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$r/sys/fs/cgroup"
# the bundle as an operator has it (read-only, as from a disc), and the proof's own files
name=${bundle_root##*/}
mkdir -p "$r/root/$name" "$r/root/proof" "$r/.oldroot"
mount --bind "$bundle_root" "$r/root/$name"
mount -o remount,bind,ro "$r/root/$name"
mount --bind "$work/share" "$r/root/proof"
ln -s "/root/$name" "$r/root/bundle"
# systemd boots proof.target and nothing else of this machine
sd=$r/run/systemd/system
mkdir -p "$sd" "$r/run/systemd/system-generators" "$r/run/systemd/journald.conf.d"
printf '[Unit]\nDescription=Taizhang systemd proof\nDefaultDependencies=no\nAllowIsolate=yes\n' >"$sd/proof.target"
printf '[Journal]\nStorage=volatile\n' >"$r/run/systemd/journald.conf.d/proof.conf"
for g in /usr/lib/systemd/system-generators/* /etc/systemd/system-generators/*; do
  if [ -e "$g" ]; then ln -sf /dev/null "$r/run/systemd/system-generators/${g##*/}"; fi
done
for u in /usr/lib/systemd/system/* /usr/local/lib/systemd/system/*; do
  case ${u##*/} in
    \*|*.target|*.slice|*.wants|*.requires|*.d) ;;
    systemd-journald.service|systemd-journald.socket|systemd-journald-dev-log.socket) ;;
    *) ln -sf /dev/null "$sd/${u##*/}" ;;
  esac
done
cd "$r"
pivot_root . .oldroot
export LIBMOUNT_UTAB=/run/mount/utab
umount -l /.oldroot
cd /
exec env -i container=taizhang-proof PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  /lib/systemd/systemd --system --unit=proof.target --show-status=no
# ---- end boot.sh

# ---- inside.sh: the proof, run in the namespace (nsenter -a) as root ------------------------------
set -euo pipefail
P=/root/proof
fail() { echo "FAIL: $*" >&2; exit 1; }
says() { for want in "${@:2}"; do grep -qF "$want" "$1" || fail "$1 does not say: $want"; done; }
active() {
  systemctl is-active --quiet "$1" && return
  systemctl status "$1" --no-pager -n 40 >&2 || true
  fail "$1 is not active"
}
sign_in() {
  /opt/taizhang/.venv/bin/python $P/prove-sign-in.py http://127.0.0.1:8000 sysadmin Systemd-sys-2026 \
    journalctl -u taizhang.service --no-pager -n 40
}
timers=(taizhang-backup.timer taizhang-checkpoint.timer taizhang-notify.timer taizhang-remind.timer)
if python3 -c 'import socket; socket.create_connection(("151.101.0.223", 443), timeout=3)' 2>/dev/null; then
  fail "the namespace reaches the network"
fi
export TAIZHANG_SYSADMIN_PASSWORD=Systemd-sys-2026 TAIZHANG_SECADMIN_PASSWORD=Systemd-sec-2026 \
       TAIZHANG_AUDITOR_PASSWORD=Systemd-aud-2026
cd /root/bundle
t0=$(date +%s)
./install.sh >$P/install1.log 2>&1 || { cat $P/install1.log; fail "install.sh failed"; }
cat $P/install1.log
echo "install.sh (first install, systemd found by itself) took $(( $(date +%s) - t0 )) s"
says $P/install1.log "创建系统账号 taizhang" "已创建系统管理员账号 sysadmin" "已创建安全管理员账号 secadmin" \
  "已创建审计管理员账号 auditor" "启动服务 taizhang（127.0.0.1:8000），/healthz 正常"
active taizhang.service
systemctl is-enabled --quiet taizhang.service "${timers[@]}" || fail "a unit is not enabled"
for t in "${timers[@]}"; do active "$t"; done
systemctl list-timers --no-pager "${timers[@]}" | tee $P/timers.txt
[ "$(grep -c 'taizhang-.*\.timer' $P/timers.txt)" = 4 ] || fail "systemctl list-timers does not list the four timers"
sign_in
main=$(systemctl show -p MainPID --value taizhang.service)
[ "$(ps -o user= -p "$main")" = taizhang ] || fail "the server does not run as taizhang"

# the wrapper on root's PATH: the service's account and environment; others are told to use sudo
taizhang --help | grep -q "用法" || fail "taizhang --help"
if runuser -u nobody -- /usr/local/bin/taizhang --help >$P/nobody.txt 2>&1; then fail "taizhang ran for nobody"; fi
says $P/nobody.txt "请以 root 运行"
echo "taizhang wrapper: --help and audit verify as root run as taizhang; nobody is told to use sudo"
# a Python the service account cannot reach (root's pyenv, as on this CI machine) is refused up front
py=$(ls /root/.pyenv/versions/3.11*/bin/python3.11 2>/dev/null | head -1 || true)
if [ -n "$py" ]; then
  if ./install.sh --python "$py" --no-start >$P/install-pyenv.log 2>&1; then fail "install.sh took $py"; fi
  says $P/install-pyenv.log "服务账号 taizhang 无法运行 $py"
  echo "install.sh --python $py: refused (the service account cannot reach it)"
  active taizhang.service
fi
taizhang audit verify | tee $P/verify.txt
says $P/verify.txt "审计链完好"

# the timers' services, once by hand
systemctl start taizhang-backup.service || fail "taizhang-backup.service failed"
ls /srv/taizhang/data/backups/taizhang-*.tar.gz >/dev/null || fail "no backup file after taizhang-backup.service"
echo "taizhang-backup.service wrote $(ls /srv/taizhang/data/backups/)"
systemctl start taizhang-checkpoint.service || fail "taizhang-checkpoint.service failed"
# the checkpoint reached syslog (facility auth) and verifies against the database
journalctl -q --no-pager -t taizhang SYSLOG_FACILITY=4 -o cat >$P/checkpoints.txt
[ -s $P/checkpoints.txt ] || fail "no audit checkpoint in the journal's syslog (facility auth)"
taizhang audit verify --checkpoints - <$P/checkpoints.txt
systemctl start taizhang-notify.service taizhang-remind.service || fail "notify or remind service failed"
stray=$(find /srv/taizhang/data ! -user taizhang)
[ -z "$stray" ] || fail "files in the data directory not owned by taizhang: $stray"

# an administrator turns one timer off (docs/deployment.md: the reminders on one server of many)
systemctl disable --now --quiet taizhang-remind.timer

# run again: the in-place upgrade, while a delivery runs (it finishes, it is not killed)
systemctl start --no-block taizhang-notify.service
t0=$(date +%s)
./install.sh >$P/install2.log 2>&1 || { cat $P/install2.log; fail "install.sh (upgrade) failed"; }
cat $P/install2.log
echo "install.sh (upgrade) took $(( $(date +%s) - t0 )) s"
says $P/install2.log "升级前备份" "停止服务 taizhang" "启动服务 taizhang（127.0.0.1:8000），/healthz 正常" \
  "保持停用（此前已停用；要启用：systemctl enable --now 该定时任务）：事前提醒 taizhang-remind.timer"
[ "$(ls /srv/taizhang/data/backups/taizhang-*.tar.gz | wc -l)" -ge 2 ] || fail "the upgrade made no backup"
active taizhang.service
for t in "${timers[@]}"; do [ "$t" = taizhang-remind.timer ] || active "$t"; done
if systemctl is-enabled --quiet taizhang-remind.timer; then fail "the upgrade enabled taizhang-remind.timer again"; fi
sign_in
taizhang audit verify

# the units as systemd reads them: no unknown setting, no missing path
systemd-analyze verify /etc/systemd/system/taizhang*.service /etc/systemd/system/taizhang*.timer 2>&1 \
  | tee $P/verify-units.txt
[ ! -s $P/verify-units.txt ] || fail "systemd-analyze verify found problems in the installed units"
journalctl --no-pager -q -p warning -o short-monotonic >$P/journal-warnings.txt || true
if grep 'taizhang.*\(Failed with result\|code=killed\)' $P/journal-warnings.txt; then fail "a taizhang unit failed or was killed"; fi
failed=$(systemctl list-units --failed --no-legend --plain)
[ -z "$failed" ] || fail "failed units: $failed"

systemctl stop taizhang.service "${timers[@]}"
if systemctl is-active --quiet taizhang.service; then fail "taizhang.service did not stop"; fi
echo "stopped taizhang.service and the four timers"
# ---- end inside.sh
