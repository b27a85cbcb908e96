#!/usr/bin/env bash
# Builds dist/taizhang-<version>-linux-<arch>.tar.gz for each architecture given (default: x86_64
# aarch64): the project's wheel (with the vendored front-end files inside), the runtime wheels
# pinned by uv.lock for CPython 3.11 on that architecture, install.sh, the systemd units, the
# nginx samples and the docs. Nothing of the development group goes in. Run by `make bundle`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ARCHS=${*:-x86_64 aarch64}
VENV=.venv
VERSION=$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
# the oldest glibc among the supported systems (Kylin V10, UOS 20, openEuler 20.03/22.03, Debian 10+) is 2.28
GLIBC=2_28

work=$(mktemp -d dist/.bundle-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project"
UV_PROJECT_ENVIRONMENT=$VENV "$VENV/bin/uv" build --quiet --wheel -o "$work/project"
wheel=$(ls "$work/project"/taizhang-*.whl)
"$VENV/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
missing = [f for f in ("bootstrap.min.css", "bootstrap.bundle.min.js", "htmx.min.js", "echarts.min.js")
           if f"taizhang/static/vendor/{f}" not in names]
if missing:
    sys.exit(f"项目 wheel 缺少前端文件 {missing}：请先运行 make setup")
PY
# Runtime requirements only. Markers are dropped (the wheels of every branch go in: Debian 12's
# Python is 3.11.2, which needs async-timeout) except those for Windows.
UV_PROJECT_ENVIRONMENT=$VENV "$VENV/bin/uv" export --quiet --no-dev --frozen --no-emit-project --no-hashes \
  | grep -v '^ *#' | grep -v "sys_platform == 'win32'" | sed 's/ *;.*//' | grep . >"$work/requirements.txt"

for arch in $ARCHS; do
  name="taizhang-$VERSION-linux-$arch"
  root="$work/$name"
  rm -rf "$root"
  mkdir -p "$root/wheels" "$root/systemd" "$root/nginx" "$root/docs"
  "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps -d "$root/wheels" \
    --only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 --abi abi3 --abi none \
    --platform "manylinux_${GLIBC}_$arch" --platform "manylinux2014_$arch" \
    -r "$work/requirements.txt" 2> >(grep -v 'is ignored: it is neither' >&2)
  cp "$wheel" "$root/wheels/"
  cp "$work/requirements.txt" "$root/requirements.txt"
  echo "taizhang==$VERSION" >>"$root/requirements.txt"
  cp deploy/bundle/install.sh "$root/"
  chmod 755 "$root/install.sh"
  cp deploy/bundle/systemd/* "$root/systemd/"
  cp deploy/bundle/taizhang.env.example "$root/"
  cp deploy/province/nginx.conf "$root/nginx/province-nginx.conf"
  cp deploy/bundle/nginx-single.conf "$root/nginx/taizhang.conf"
  cp docs/*.md "$root/docs/"
  if [ -d docs/zh ]; then cp -r docs/zh "$root/docs/zh"; fi
  if [ -f README.md ]; then cp README.md "$root/"; fi
  echo "$VERSION" >"$root/VERSION"
  echo "$arch" >"$root/ARCH"
  (cd "$root" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
  tar -C "$work" --owner=0 --group=0 -czf "dist/$name.tar.gz.partial" "$name"
  mv "dist/$name.tar.gz.partial" "dist/$name.tar.gz"
  echo "dist/$name.tar.gz  $(du -h "dist/$name.tar.gz" | cut -f1)  ($(ls "$root/wheels" | wc -l) wheels)"
done
