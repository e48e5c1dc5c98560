# The two commands a newcomer needs: `make run` and `make test`. Each does its own set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ENCODER := .cache/models/all-MiniLM-L6-v2/model.safetensors
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2

# Rasa 3.6 needs Python 3.10. Use PYTHON if given, else find a 3.10 (pyenv or PATH).
PYTHON ?= $(shell for p in $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10 python3.10; do \
             if "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then echo "$$p"; break; fi; done)

AXE := tests/browser/node_modules/axe-core/axe.min.js
CHROMIUM := /usr/bin/chromium

.PHONY: help run run-prod test eval eval-ci bench soak install db model browser haproxy lint lock clean

help:
	@echo "make run    start the whole assistant (web service, Rasa, action server) on loopback"
	@echo "make test   run the whole test suite (SQLite and PostgreSQL)"
	@echo "make run-prod  the production profile: HAProxy, two web, two Rasa, two action servers,"
	@echo "               PostgreSQL and Redis from DATABASE_URL, TRACKER_DATABASE_URL, REDIS_URL"
	@echo "make eval   measure answer quality (reports/eval), failing on a quality gate"
	@echo "make bench  measure speed and memory (reports/bench, docs/performance.md)"
	@echo "make soak   10 conversations for 20 minutes: errors, latency and memory over time"
	@echo "make lint   ruff"

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.10 is needed (Rasa 3.6 does not run on 3.11+). Set PYTHON=/path/to/python3.10." >&2; exit 1; fi
	@if [ ! -x $(PY) ]; then echo "==> Creating $(VENV) with $(PYTHON)"; "$(PYTHON)" -m venv $(VENV); fi
	@echo "==> Installing pinned dependencies (the first time takes a few minutes)"
	$(PY) -m pip install --disable-pip-version-check -q pip==24.3.1
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r requirements.txt -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip check
	@touch $(STAMP)

$(ENCODER): $(STAMP) ops/encoder_model.py
	$(PY) -m ops.encoder_model
	@touch $(ENCODER)

install: $(STAMP) $(ENCODER)

db: install
	@$(PY) -m bot migrate
	@$(PY) -m bot load-content

model: install
	@$(PY) -m ops.model >/dev/null

# Browser tests: Debian's Chromium (never a downloaded browser build) and axe-core.
$(CHROMIUM):
	@echo "==> Installing Debian's Chromium for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	 else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@echo "==> Installing axe-core for the accessibility checks"
	npm ci --prefix tests/browser --no-audit --no-fund
	@touch $(AXE)

browser: $(CHROMIUM) $(AXE)

# The production profile's load balancer: Debian's HAProxy.
HAPROXY := /usr/sbin/haproxy
$(HAPROXY):
	@echo "==> Installing Debian's HAProxy for the production profile"
	@if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q haproxy; \
	 else sudo apt-get update -q && sudo apt-get install -y -q haproxy; fi

haproxy: $(HAPROXY)

run: install
	@$(PY) -m ops.run

run-prod: install haproxy
	@$(PY) -m ops.run_prod

test: install model browser haproxy
	@echo "==> Lint"
	$(VENV)/bin/ruff check bot actions ops runtime tests triage
	$(VENV)/bin/ruff format --check bot actions ops runtime tests triage
	@echo "==> Tests (unit, API, actions, Rasa, end to end, production profile and its faults; SQLite and PostgreSQL)"
	$(PY) -m pytest

# Answer quality: NLU cross-validation, dialogue stories, FAQ search, whole conversations.
# Writes reports/eval/ and exits non-zero when a quality gate fails.
eval: install model
	$(PY) -m ops.eval

# The same gates in a form that fits CI's time.
eval-ci: install model
	$(PY) -m ops.eval --ci

# Speed and cost: load on the gateway against bare Rasa, FAQ search and queue at scale,
# memory, cold start, training. Writes reports/bench/ and docs/performance.md.
bench: install model
	$(PY) -m ops.bench

# Soak: the bench's visitors at 10 concurrent conversations for SOAK_MINUTES against the
# full stack, memory sampled every minute. Writes reports/soak/ and the soak section of
# docs/performance.md; exits non-zero on errors or steadily growing memory. Not in CI.
SOAK_MINUTES ?= 20
soak: install model
	$(PY) -m ops.bench --soak --minutes $(SOAK_MINUTES)

lint: install
	$(VENV)/bin/ruff check bot actions ops runtime tests triage
	$(VENV)/bin/ruff format --check bot actions ops runtime tests triage

lock: install
	@(echo "# The full resolved dependency tree, pinned (make lock). Used as constraints by make."; \
	  $(PY) -m pip freeze --exclude-editable | sort -f) > constraints.txt

clean:
	rm -rf var models reports test-artifacts tests/browser/node_modules
