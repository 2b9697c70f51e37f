# Two commands do all the set-up on a fresh machine:
#   make run    install what is missing, ingest the sample corpus if needed, serve it
#   make test   install what is missing, lint, run every test (CI runs this too)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run ingest test test-fast lint browser-deps db-deps bench bench-ingest bench-quality bench-latency bench-startup bench-load clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) app.py

ingest: install
	$(PY) ingest.py

lint: install
	$(PY) -m ruff check .

# Debian packages the slow tests need: Chromium for the browser tests (driven through the playwright package,
# no `playwright install`), and a PostgreSQL server the store tests start on loopback themselves.
CHROMIUM := /usr/bin/chromium
# A CJK font, so pages (and screenshots of them) render Chinese rather than empty boxes.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
APT_INSTALL = if ! command -v apt-get >/dev/null 2>&1; then \
		echo "$@: apt-get is not available: install $(1) by hand" >&2; exit 1; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; \
	else echo "$@: as root run: apt-get install -y $(1)" >&2; exit 1; fi; \
	$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $(1)

browser-deps:
	@if [ -x $(CHROMIUM) ] && [ -e $(CJK_FONT) ]; then exit 0; fi; \
	$(call APT_INSTALL,chromium chromium-driver fonts-wqy-microhei); \
	test -x $(CHROMIUM) || { echo "browser-deps: apt-get did not install $(CHROMIUM)" >&2; exit 1; }

db-deps:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi; \
	$(call APT_INSTALL,postgresql); \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "db-deps: apt-get did not install postgresql" >&2; exit 1; }

test: lint browser-deps db-deps
	ZST_REQUIRE_POSTGRES=1 $(PY) -m pytest -m "" -p no:cacheprovider

test-fast: install
	$(PY) -m pytest

bench: bench-ingest bench-quality bench-latency bench-startup

bench-ingest: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.ingest

bench-quality: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.quality

bench-latency: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.latency

# 20 chat clients against 1 then 2 workers (python app.py --workers N), the ratio of their req/s, and leads
bench-load: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.load --embedder e5

clean:
	rm -rf data .pytest_cache .ruff_cache

bench-startup: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.startup
