# The two commands a newcomer runs: `make run` and `make test`. Both are idempotent.
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install clean

.venv/bin/python:
	python3 -m venv .venv

# Reinstall only when a requirements file changed since the last install.
.venv/.installed: .venv/bin/python requirements.txt requirements-dev.txt
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

install: .venv/.installed node_modules/.installed

run: install
	$(PY) manage.py migrate --noinput
	@echo ""
	@echo "  FLAXU is starting: open http://$(HOST):$(PORT)/  (Ctrl-C stops web, the workers and beat)"
	@echo ""
	FLAXU_HOST=$(HOST) FLAXU_PORT=$(PORT) .venv/bin/honcho start -f Procfile

# pytest-xdist workers, each with its own database, var dir and Redis key prefixes (flaxu/settings_test.py).
# Much of the suite waits on subprocesses and browsers, so more workers than cores pay; TEST_WORKERS=0: serial.
TEST_WORKERS ?= 4

test: install
	.venv/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf .venv node_modules var
