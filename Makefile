# Hegyvidék e-Portal — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
NPM ?= npm
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-python install-frontend build-frontend lint format \
        openapi openapi-check test-python test-frontend test-e2e bench totp clean

run: install build-frontend ## install everything, then start web + worker + simulators on :8000
	$(PY) -m backend.devstack

test: install build-frontend ## lint, Python tests, frontend unit tests, OpenAPI check, browser tests
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory openapi-check
	$(MAKE) --no-print-directory test-frontend
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory test-e2e

install: install-python install-frontend

install-python: $(VENV)/.installed
$(VENV)/.installed: requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q uv==0.13.8
	$(UV) pip sync -q --python $(PY) requirements.lock
	@touch $@

install-frontend: frontend/node_modules/.installed
frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	@touch $@

build-frontend: frontend/dist/index.html
frontend/dist/index.html: frontend/node_modules/.installed $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/package.json
	cd frontend && $(NPM) run build

lint: install-python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-python
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

openapi: install ## regenerate openapi.yaml and the SPA's API types
	DEBUG=1 $(PY) manage.py spectacular --lang en --validate --fail-on-warn --file openapi.yaml
	cd frontend && $(NPM) run --silent gen:api

openapi-check: install ## fail when openapi.yaml or the SPA's types are stale
	@mkdir -p .data
	@DEBUG=1 $(PY) manage.py spectacular --lang en --validate --fail-on-warn --file .data/openapi.check.yaml
	@diff -u openapi.yaml .data/openapi.check.yaml || (echo "openapi.yaml is stale: run 'make openapi'"; exit 1)
	@cd frontend && npx openapi-typescript ../openapi.yaml -o ../.data/schema.check.d.ts >/dev/null
	@diff -u frontend/src/lib/api/schema.d.ts .data/schema.check.d.ts || (echo "frontend API types are stale: run 'make openapi'"; exit 1)
	@echo "OpenAPI schema and SPA types are up to date."

test-python: install-python
	$(PY) -m pytest tests

test-frontend: install-frontend
	cd frontend && $(NPM) test

test-e2e: install build-frontend
	$(PY) -m pytest e2e

bench: install build-frontend ## performance runs (not part of `make test`)
	@ls benchmarks/*.py >/dev/null 2>&1 && for b in benchmarks/*.py; do $(PY) $$b; done || echo "No benchmarks yet."

totp: install-python ## current TOTP code of the demo staff accounts
	@$(PY) -c "import pyotp; from backend.demo_accounts import DEMO_TOTP_SECRET as s; print(pyotp.TOTP(s).now())"

clean:
	rm -rf .data staticfiles frontend/dist
