# Keqiao developer commands. The README's two commands are `make run` and `make test`;
# each sets up everything it needs on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Keqiao's own packages (pyproject.toml, [tool.setuptools.packages.find]).
PACKAGES := accounts contracts kernel marketplace matching payments projects
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run alerts test check venv bytecode lint typecheck pytest migrate demo messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgres,elasticsearch]"
	bash scripts/build_embedder.sh $(PY)
	touch $@

venv: $(VENV)/.installed

## bytecode: compile Keqiao's modules once (pip compiled the libraries'), so that no start
## compiles them again: where Python may not write bytecode itself (PYTHONDONTWRITEBYTECODE)
## each start compiled about 300 modules, 0.3-0.4 s of gunicorn's first answer
bytecode: venv
	$(PY) -m compileall -q -j 0 $(PACKAGES)

## run: set up, migrate, load the bundled listings and demo users, serve on http://127.0.0.1:8000
run: venv bytecode
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	KEQIAO_SITE_URL="$${KEQIAO_SITE_URL:-http://$(HOST):$(PORT)}" $(PY) manage.py runserver $(HOST):$(PORT)

## alerts: the alerts worker next to `make run` (same HOST and PORT, so the links in its e-mails
## reach that server); ARGS="--once --digest" and the like are passed on
alerts: venv
	KEQIAO_SITE_URL="$${KEQIAO_SITE_URL:-http://$(HOST):$(PORT)}" $(PY) manage.py send_match_alerts $(ARGS)

## test: the whole suite on a fresh machine: installs what is missing, starts Elasticsearch,
## stripe-mock and PostgreSQL, runs ruff, mypy and pytest on SQLite and on PostgreSQL (no
## Elasticsearch/Stripe/browser test may be skipped)
test:
	bash scripts/test.sh

## check: quick local checks without outside services (their tests are skipped)
check: venv lint typecheck pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_structure.py

typecheck: venv
	$(VENV)/bin/mypy .

pytest: venv
	$(PY) -m pytest

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## messages: rebuild locale/*/django.po from the code (needs GNU gettext) and compile them
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache .pytest_cache

## es: start a real Elasticsearch node on 127.0.0.1 (ES_PORT, default 9250; ES_NODES, default 1) for development
.PHONY: es es-stop
es:
	es/run.sh start $(if $(ES_NODES),--nodes $(ES_NODES))

## es-stop: stop the Elasticsearch node(s) started by `make es`
es-stop:
	es/run.sh stop

## stripe-mock: install (go install, pinned) and start Stripe's stripe-mock on 127.0.0.1:12111 for the payment tests
.PHONY: stripe-mock stripe-mock-stop
stripe-mock:
	scripts/stripe-mock.sh start

## stripe-mock-stop: stop the stripe-mock started by `make stripe-mock`
stripe-mock-stop:
	scripts/stripe-mock.sh stop

## search-sync: run the search outbox worker (applies queued listing changes to every search backend; Ctrl-C stops it)
.PHONY: search-sync
search-sync: migrate
	$(PY) manage.py search_sync

## seal-agreements: run the seal worker (renders and seals signed agreements whose seal is pending; Ctrl-C stops it)
.PHONY: seal-agreements
seal-agreements: migrate
	$(PY) manage.py seal_agreements

## postgres: start a throw-away PostgreSQL cluster on 127.0.0.1:5433 (PG_PORT) and print its DATABASE_URL
.PHONY: postgres postgres-stop
postgres:
	scripts/postgres.sh start

## postgres-stop: stop the cluster started by `make postgres` and delete its data
postgres-stop:
	scripts/postgres.sh stop
