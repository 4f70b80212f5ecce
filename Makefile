# Two commands on a fresh machine: `make demo` serves the portal with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: demo test setup setup-test venv fonts migrate serve worker beat bench clean

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

demo: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py seed_demo_archive
	DEBUG=1 $(PY) manage.py seed_demo_reports
	DEBUG=1 $(PY) manage.py seed_demo_supervision
	@echo "演示门户：http://$(HOST)/  （账号见 README，密码 zzmetro-demo）"
	DEBUG=1 $(PY) manage.py runserver $(HOST)

# Checks first, then pytest. scripts/testenv.sh starts a throwaway PostgreSQL and Redis for pytest unless
# DATABASE_URL / REDIS_URL are set, removes them afterwards and returns pytest's exit code.
test: setup-test
	DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	bash scripts/testenv.sh $(PY) -m pytest $(PYTEST_ARGS)

worker: venv
	$(VENV)/bin/celery -A zzmetro worker -l info

beat: venv
	$(VENV)/bin/celery -A zzmetro beat -l info

# Production (README "Production"): settings from the environment or .env, DEBUG off; refuses an unmigrated database,
# collects hashed, compressed static files, then gunicorn with 2 x CPUs + 1 workers (deploy/gunicorn.conf.py).
serve: setup
	DEBUG=0 $(PY) manage.py migrate --check
	DEBUG=0 $(PY) manage.py collectstatic --noinput
	DEBUG=0 $(VENV)/bin/gunicorn --config deploy/gunicorn.conf.py --workers $$((2 * $$(nproc) + 1)) --bind $(HOST) zzmetro.wsgi

bench: setup
	for script in benchmarks/[!_]*.py; do $(PY) $$script; done

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles
