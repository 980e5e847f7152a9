# Vetted developer commands. A fresh clone needs only Python >= 3.11; everything else goes into .venv.
# Configuration comes from the environment (see README "Configuration"); without DATABASE_URL and
# REDIS_URL, `make run` uses SQLite and a file-system Celery broker under var/.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=

# Fails with a clear message when the interpreter given as $(1) is older than 3.11 or missing.
define require_python
	@$(1) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: Vetted needs Python 3.11 or newer; '$(1)' is $$($(1) --version 2>&1 || echo 'not installed')." >&2; \
	  echo "       Install a newer Python and run e.g. 'make run PYTHON=python3.12' (remove an old .venv first)." >&2; \
	  exit 1; }
endef

.PHONY: help run test lint messages check-deploy install install-dev dirs

help:
	@echo "make run           migrate, load demo data, start web (127.0.0.1:8000) + Celery worker with beat"
	@echo "make test          run the whole test suite (PostgreSQL via DATABASE_URL, default vetted on 127.0.0.1)"
	@echo "make lint          ruff and the import contracts (lint-imports)"
	@echo "make messages      compile the translation catalogues (needs GNU gettext)"
	@echo "make check-deploy  Django's deployment checks with production-like settings"

$(BIN)/python:
	$(call require_python,$(PYTHON))
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: could not create $(VENV); on Debian/Ubuntu install python3-venv." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: pip runs again only when a requirements file changed.
$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(call require_python,$(BIN)/python)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(call require_python,$(BIN)/python)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev

# The folders the settings point at (file-system broker, media), read from the settings
# themselves so that VETTED_VAR_DIR and MEDIA_ROOT are honoured.
dirs: export DEBUG ?= 1
dirs: install
	@$(BIN)/python -c 'import os, django; \
	os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings"); django.setup(); \
	from django.conf import settings as s; \
	folders = [v for k, v in s.CELERY_BROKER_TRANSPORT_OPTIONS.items() if "folder" in k]; \
	[os.makedirs(p, exist_ok=True) for p in [s.VAR_DIR, s.MEDIA_ROOT, *folders]]'

run: export DEBUG ?= 1
run: install dirs
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo
	@echo "Vetted: http://127.0.0.1:8000/ (log in with a demo user above). Ctrl-C stops web and worker."
	@$(MANAGE) shell --no-imports -c 'from django.conf import settings; \
	print(f"Links in e-mails use SITE_URL={settings.SITE_URL} (set SITE_URL to change it).")'
	@echo
	exec $(BIN)/honcho --env /dev/null --procfile Procfile.dev start

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

messages: install
	@command -v msgfmt >/dev/null || { echo "error: compiling messages needs GNU gettext (apt-get install gettext)." >&2; exit 1; }
	DEBUG=1 $(MANAGE) compilemessages --ignore=.venv --ignore=var

check-deploy: install
	DEBUG=0 \
	SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-vetted.example.com}" \
	$(MANAGE) check --deploy --fail-level WARNING
