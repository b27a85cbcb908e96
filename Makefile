# Two entry points for a newcomer: `make demo` and `make test`. Everything else they need is
# built here, idempotently: a second run only checks stamps and changes nothing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV_VERSION := 0.13.9
UV := UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv
VENDOR := src/taizhang/static/vendor

.PHONY: setup demo test lint typecheck browser office bench bundle clean

setup: $(VENV)/.synced $(VENDOR)/.stamp browser office

$(VENV)/bin/uv:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# --inexact keeps pip in the environment; uv itself is pinned in the dev group so sync keeps it.
$(VENV)/.synced: pyproject.toml uv.lock | $(VENV)/bin/uv
	$(UV) sync --frozen --inexact
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Vendored front-end files are copied from node_modules at setup and never committed.
$(VENDOR)/.stamp: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	@touch $@

# Browser tests drive Debian's chromium. Install it where we can; elsewhere they skip loudly.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "!!! 无法安装 chromium：浏览器测试将被跳过"; \
	  else echo "!!! 未找到 chromium 且无权安装：浏览器测试将被跳过"; fi; \
	fi

# Generated .docx files are checked by converting them to PDF with Debian's LibreOffice (and read
# back with poppler's pdftotext). Installed where we can; elsewhere that test skips loudly.
office:
	@if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      libreoffice-writer-nogui poppler-utils fonts-noto-cjk >/dev/null) \
	      || echo "!!! 无法安装 LibreOffice：公文转 PDF 的测试将被跳过"; \
	  else echo "!!! 未找到 LibreOffice 且无权安装：公文转 PDF 的测试将被跳过"; fi; \
	fi

# `make demo PORT=8101` serves on another port when 8000 is taken.
PORT ?= 8000
demo: setup
	$(VENV)/bin/taizhang demo --port $(PORT)

test: setup
	$(VENV)/bin/pytest

# Benchmarks print each figure beside its target; they are not part of the test suite.
bench: setup
	$(VENV)/bin/python bench/run_all.py

# The offline bundle: dist/taizhang-<version>-linux-<arch>.tar.gz (runtime wheels only, the built
# front-end files inside the project's wheel, install.sh, systemd units, nginx samples, the docs).
# Needs the registry once, here; the server it is carried to needs none. BUNDLE_ARCHS to choose.
BUNDLE_ARCHS ?= x86_64 aarch64
bundle: $(VENV)/.synced $(VENDOR)/.stamp
	mkdir -p dist
	deploy/bundle/build.sh $(BUNDLE_ARCHS)

lint: setup
	$(VENV)/bin/ruff check src tests bench fuzz
	$(VENV)/bin/ruff format --check src tests bench fuzz
	$(VENV)/bin/vulture

typecheck: setup
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
