# Two commands on a fresh machine: `make demo` serves the portal with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: demo demo-data demo-reset test lint setup setup-test venv fonts migrate serve worker beat bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

setup: venv
	bash scripts/system_deps.sh pdf
	$(PY) manage.py prepare_fonts

setup-test: venv
	bash scripts/system_deps.sh test
	$(PY) manage.py prepare_fonts

# The demo. Mails and QR codes point where it serves (HOST) unless SITE_URL is set. The seeds run in demo mode (DEBUG=1
# keeps the accounts' published password); the server runs with DEBUG off, so a missing page or an error shows the
# portal's own Chinese page, and serves static/ as it is (STATIC_MANIFEST=0, no collectstatic).
DEMO_SITE_URL = $(if $(SITE_URL),$(SITE_URL),http://$(HOST))
DEMO_ALLOWED_HOSTS = $(if $(ALLOWED_HOSTS),$(ALLOWED_HOSTS),127.0.0.1,localhost,$(firstword $(subst :, ,$(HOST))))
DEMO_SEED = DEBUG=1 SITE_URL=$(DEMO_SITE_URL) $(PY) manage.py
DEMO_SERVE = DEBUG=0 STATIC_MANIFEST=0 SITE_URL=$(DEMO_SITE_URL) ALLOWED_HOSTS=$(DEMO_ALLOWED_HOSTS) $(PY) manage.py

demo: demo-data
	@echo "演示门户：$(DEMO_SITE_URL)/  （账号见 README，密码 zzmetro-demo；make demo-reset 重置演示数据）"
	$(DEMO_SERVE) runserver $(HOST)

demo-data: setup
	$(DEMO_SEED) demo_data

# Deletes the demo's SQLite database, uploads and mail folder and loads the demo again; .venv and the fonts stay.
demo-reset: venv
	$(DEMO_SEED) reset_demo --noinput
	$(MAKE) --no-print-directory demo-data

# Checks first, then pytest. scripts/testenv.sh starts a throwaway PostgreSQL and Redis for pytest unless
# DATABASE_URL / REDIS_URL are set, removes them afterwards and returns pytest's exit code.
test: setup-test
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory lint
	bash scripts/testenv.sh $(PY) -m pytest $(PYTEST_ARGS)

# Guard rails (pyproject.toml): ruff's lint rules and formatting, and the import contracts (zzmetro imports no app;
# authorizations neither reporting nor inspections; reporting not inspections).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

worker: venv
	$(VENV)/bin/celery -A zzmetro worker -l info

beat: venv
	$(VENV)/bin/celery -A zzmetro beat -l info

# Production (README "Production"): settings from the environment or .env, DEBUG off; refuses an unmigrated or
# unreachable database (check_migrated says which, in Chinese and English), collects hashed, compressed static files,
# then gunicorn with 2 x CPUs + 1 workers (deploy/gunicorn.conf.py).
serve: setup
	DEBUG=0 $(PY) manage.py check_migrated
	DEBUG=0 $(PY) manage.py collectstatic --noinput
	DEBUG=0 $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py --workers $$((2 * $$(nproc) + 1)) --bind $(HOST) zzmetro.wsgi

bench: setup
	for script in benchmarks/[!_]*.py; do $(PY) $$script; done

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
