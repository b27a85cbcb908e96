#!/usr/bin/env bash
# CI's proof that the bundle installs with no network at all: build it for this machine, check what
# it holds, then inside a network namespace with nothing but loopback (unshare -n, as root) install
# it, start it, reach /healthz, sign in through the real login form as an administrator install.sh
# created, stop; run install.sh again (the in-place upgrade: backup, migrate, restart) and sign in
# again. Prints the bundle's and the installation's sizes.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "prove-offline.sh needs root (unshare -n)" >&2; exit 1; }
arch=$(uname -m)
start=$(date +%s)
make --no-print-directory bundle BUNDLE_ARCHS="$arch" >/dev/null
version=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
bundle="dist/taizhang-$version-linux-$arch.tar.gz"

work=$(mktemp -d /tmp/taizhang-offline-XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$bundle"
root="$work/taizhang-$version-linux-$arch"

# runtime wheels only; the front-end files inside the project's wheel
if ls "$root/wheels" | grep -iE '^(pytest|playwright|mypy|ruff|hypothesis|atheris|django_stubs|uv)[-_]'; then
  echo "FAIL: development packages in the bundle" >&2; exit 1
fi
listing=$(unzip -Z1 "$root"/wheels/taizhang-*.whl)
grep -qx 'taizhang/static/vendor/bootstrap.min.css' <<<"$listing"
test -x "$root/install.sh" && test -f "$root/systemd/taizhang.service" && test -f "$root/nginx/taizhang.conf"
ls "$root"/docs/*.md >/dev/null

# a bundle for another architecture (Kunpeng, Phytium) cannot run here: resolve its wheel set for
# that platform with no index, which fails if any runtime wheel is missing or of the wrong kind
for other in dist/taizhang-"$version"-linux-*.tar.gz; do
  other_arch=${other%.tar.gz}; other_arch=${other_arch##*-linux-}
  [ "$other_arch" = "$arch" ] && continue
  tar -C "$work" -xzf "$other"
  o="$work/taizhang-$version-linux-$other_arch"
  PIP_CONFIG_FILE=/dev/null .venv/bin/python -m pip install --quiet --disable-pip-version-check --dry-run \
    --ignore-installed --no-index --find-links "$o/wheels" --only-binary=:all: --target "$work/resolve" \
    --platform "manylinux_2_28_$other_arch" --platform "manylinux2014_$other_arch" --python-version 3.11 --implementation cp --abi cp311 \
    -r "$o/requirements.txt"
  echo "bundle $other: $(du -h "$other" | cut -f1), its wheel set resolves offline for $other_arch"
done

cat >"$work/offline.sh" <<'EOS'
set -euo pipefail
root=$1 work=$2 sign_in=$3
ip link set lo up
# nothing but loopback: a registry is out of reach
if python3 -c 'import socket; socket.create_connection(("151.101.0.223", 443), timeout=3)' 2>/dev/null; then
  echo "FAIL: the namespace reaches the network" >&2; exit 1
fi
export TAIZHANG_SYSADMIN_PASSWORD=Offline-sys-2026 TAIZHANG_SECADMIN_PASSWORD=Offline-sec-2026 \
       TAIZHANG_AUDITOR_PASSWORD=Offline-aud-2026
opts=(--prefix "$work/opt" --data-dir "$work/data" --env-file "$work/taizhang.env" --no-systemd --port 8765)

serve_and_sign_in() {
  set -a; . "$work/taizhang.env"; set +a  # what the systemd unit's EnvironmentFile gives the server
  "$work/opt/.venv/bin/taizhang" serve --no-migrate --host 127.0.0.1 --port 8765 >"$work/serve.log" 2>&1 &
  pid=$!
  "$work/opt/.venv/bin/python" "$sign_in" http://127.0.0.1:8765 sysadmin Offline-sys-2026 tail -c 3000 "$work/serve.log"
  kill "$pid"; wait "$pid" || true
}

bash "$root/install.sh" "${opts[@]}" --no-start | tee "$work/install1.log"
grep -q "已创建系统管理员账号 sysadmin" "$work/install1.log"
grep -q "已创建审计管理员账号 auditor" "$work/install1.log"
serve_and_sign_in
# run again: an in-place upgrade, backup first
bash "$root/install.sh" "${opts[@]}" --no-start | tee "$work/install2.log"
grep -q "升级前备份" "$work/install2.log"
ls "$work"/data/backups/taizhang-*.tar.gz >/dev/null
serve_and_sign_in
"$work/opt/.venv/bin/taizhang" audit verify
# a second application server on the same data: installs, collects its static files, migrates
# nothing and creates nothing
bash "$root/install.sh" --prefix "$work/opt2" --data-dir "$work/data" --env-file "$work/taizhang.env" \
  --no-systemd --no-start --no-migrate | tee "$work/install3.log"
grep -q "收集静态文件" "$work/install3.log" && ! grep -q "个数据库迁移\|数据库已是最新\|已创建" "$work/install3.log"
EOS
TAIZHANG_SYSADMIN_PASSWORD= unshare -n env -i PATH="$PATH" HOME="$HOME" bash "$work/offline.sh" "$root" "$work" "$PWD/deploy/bundle/prove-sign-in.py"

echo "bundle $bundle: $(du -h "$bundle" | cut -f1) ($(stat -c %s "$bundle") bytes)"
current=$(readlink -f "$work/opt/.venv")
echo "installed: $(du -sh "$current" | cut -f1) one environment ($(du -sh "$work/opt" | cut -f1) with the previous one kept for rollback), $(du -sh "$work/data" | cut -f1) data (with one backup)"
echo "offline proof passed in $(( $(date +%s) - start )) s"
