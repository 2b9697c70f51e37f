# Two commands do all the set-up on a fresh machine:
#   make run    install what is missing, ingest the sample corpus if needed, serve it
#   make test   install what is missing, lint, run every test (CI runs this too)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run ingest test test-fast lint bench bench-ingest bench-quality bench-latency clean

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

test: lint
	$(PY) -m pytest -m "" -p no:cacheprovider

test-fast: install
	$(PY) -m pytest

bench: bench-ingest bench-quality bench-latency

bench-ingest: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.ingest

bench-quality: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.quality

bench-latency: install
	OMP_NUM_THREADS=1 $(PY) -m benchmarks.latency

clean:
	rm -rf data .pytest_cache .ruff_cache
