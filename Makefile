# Two commands for a new machine: `make run` and `make test`. Both build .venv from pinned constraints.
# `make lint` is ruff (lint and format) and mypy --strict over app/ (setup.cfg [mypy]).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format check-evidence browser bench clean

$(STAMP): setup.cfg pyproject.toml .ci/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c .ci/constraints.txt -e '.[test]'
	touch $(STAMP)

# The app's bytecode is compiled first: where PYTHONDONTWRITEBYTECODE is set (as on some CI and
# container images) Python would otherwise compile every module again at each start (~0.15 s).
run: $(STAMP)
	$(BIN)/python -m compileall -q app
	$(BIN)/gunicorn --config app/gunicorn_conf.py --bind $(HOST):$(PORT) 'app:serve()'

# Debian's Chromium for the browser tests; never a downloaded browser build. Liberation Sans (Arial's
# metrics; only recommended by chromium) makes the printed page counts the tests check the same here and in CI.
LIBERATION := /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf
browser:
	@test -x $(CHROMIUM) && test -f $(LIBERATION) || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-liberation; }

lint: $(STAMP)
	$(BIN)/ruff check --config .ci/ruff.toml app tests
	$(BIN)/ruff format --config .ci/ruff.toml --check app tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format --config .ci/ruff.toml app tests
	$(BIN)/ruff check --config .ci/ruff.toml --fix app tests

check-evidence: $(STAMP)
	$(BIN)/flask --app app check-evidence

test: $(STAMP) browser lint
	$(BIN)/flask --app app check-evidence > /dev/null
	$(BIN)/python -m pytest

# Benchmarks, run by hand (tests/perf/README.md): loopback only, a few minutes, figures printed and
# written to tests/perf/results.json. Debian's wrk and nginx are installed when missing.
bench: $(STAMP)
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx; }
	$(BIN)/python tests/perf/startup.py
	$(BIN)/python tests/perf/page_weight.py
	$(BIN)/python tests/perf/load.py
	$(BIN)/python tests/perf/nginx_failover.py --compare-idempotent

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache *.egg-info
