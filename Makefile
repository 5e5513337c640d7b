# privsim: `make serve` runs the service on its embedded default; `make test` runs
# every test. Both install what they need into .venv first (once per pyproject change).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: serve test test-fast test-thorough lint bench worker clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "privsim needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the service and its client (clients/python: the `privsim` command and the Python library)
$(VENV)/.runtime: pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e clients/python -e .
	touch $@

$(VENV)/.dev: pyproject.toml clients/python/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e clients/python -e ".[dev]"
	touch $@ $(VENV)/.runtime

serve: $(VENV)/.runtime
	$(BIN)/privsim serve --port $(PORT)

worker: $(VENV)/.runtime
	$(BIN)/privsim worker

# Integration tests use the machine's PostgreSQL; start it if it is down.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort | tail -n 1) main start
.PHONY: postgres

# The shared rate-limit storage's test uses the machine's Redis; start it if it is down.
redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --bind 127.0.0.1 --port 6379 --save '' --daemonize yes >/dev/null
.PHONY: redis

# The console's browser tests drive Debian's chromium; install it if it is missing.
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	   apt-get install -y -qq --no-install-recommends chromium chromium-driver)
.PHONY: chromium

lint: $(VENV)/.dev
	$(BIN)/ruff check app core gpu migrations tests bench clients/python
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy --config-file clients/python/pyproject.toml clients/python/privsim_client \
	  clients/python/examples

# everything: the in-process tests on every core, then the real-server and PostgreSQL
# tests one at a time (they time real servers and share the database server)
test: $(VENV)/.dev postgres redis chromium lint
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not e2e and not integration" --durations=30
	$(BIN)/python -m pytest -m "e2e or integration" --durations=15

# Lint, then every test that needs neither PostgreSQL nor a server and is not marked
# slow (the statistical tests): service tests on in-memory fakes, HTTP tests on SQLite,
# core unit and property tests. `make test` still runs them all.
# the quick loop: everything but the slow statistical checks, the real-server and the
# PostgreSQL tests, on every core; `make test` runs those too
test-fast: $(VENV)/.dev lint
	$(BIN)/python -m pytest -q -n auto -m "not slow and not e2e and not integration"

# the thorough audits and grids as well (PRIVSIM_THOROUGH=1): much longer than `make test`
test-thorough: $(VENV)/.dev
	PRIVSIM_THOROUGH=1 $(BIN)/python -m pytest -n auto --dist worksteal -m "not e2e and not integration"

bench: $(VENV)/.dev
	$(BIN)/python -m bench.kde
	$(BIN)/python -m bench.accuracy

# the classifier benchmark with its anchors: diffprivlib 0.6.6 needs scikit-learn < 1.7,
# so they live in a venv of their own (.venv keeps the newer scikit-learn the tests use)
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.bench-models: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "privsim needs Python >= 3.11"'
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[bench-models]"
	touch $@

bench-models: $(BENCH_VENV)/.bench-models
	$(BENCH_VENV)/bin/python -m bench.models
.PHONY: bench-models

# the image and the compose stack for real, on local base images (debootstrap + docker
# import; no image registry): db, migrate, api, worker, README's first session against
# them, then `down -v`. Needs root and Docker; not part of `make test` (docs/operations.md)
docker-test:
	docker/test.sh
.PHONY: docker-test

clean:
	rm -rf $(VENV) $(BENCH_VENV) var .pytest_cache .ruff_cache .mypy_cache
