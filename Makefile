# Two commands: `make run` serves the app on SQLite; `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint setup clean screenshots messages bench bench-rules bench-rescreen bench-preview bench-http bench-weight bench-load bench-faults

# The first Python >= 3.12 that actually runs (pyenv shims exist but exit 127).
PYTHON_CANDIDATES := python3.13 python3.12 python3 \
	$(wildcard /root/.pyenv/versions/3.13*/bin/python3) $(wildcard /root/.pyenv/versions/3.12*/bin/python3) \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3)

$(PY):
	@py=""; for p in $(PYTHON_CANDIDATES); do \
	  if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then py="$$p"; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "No Python 3.12 or newer found. Install one (e.g. with pyenv) and retry." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

# The embedded default: SQLite, console e-mail, DEBUG on, served on 127.0.0.1:8000.
RUN_ENV := DEBUG=true PATIENT_LANGUAGES=en,es

run: $(STAMP)
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py load_default_rules
	$(RUN_ENV) $(PY) manage.py create_demo_staff
	$(RUN_ENV) $(PY) manage.py generate_cases --count 40 --if-empty
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Tests run with production settings (DEBUG off, manifest static files) over plain HTTP on loopback.
TEST_ENV := SECRET_KEY=insecure-key-for-tests-only SECURE_SSL_REDIRECT=false SECURE_COOKIES=false \
	ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_ALLOW_ASYNC_UNSAFE=true

# One worker per CPU (pytest-xdist), each with its own test database and live server; TEST_WORKERS=0 runs
# the suite in this process.
TEST_WORKERS ?= auto

test: $(STAMP)
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

screenshots: $(STAMP)
	$(TEST_ENV) $(PY) manage.py collectstatic --noinput -v0
	UPDATE_SCREENSHOTS=1 $(TEST_ENV) $(PY) -m pytest tests/browser/test_screenshots.py tests/browser/test_coordinator_flow.py \
		tests/browser/test_rules_admin_flow.py tests/browser/test_intake_keyboard.py -q

# Benchmarks and reliability scripts (bench/README.md): PostgreSQL on 127.0.0.1:5432, a database each.
bench-rules: $(STAMP)
	$(PY) -m bench.rules_engine

bench-rescreen: $(STAMP)
	$(PY) -m bench.rescreen

bench-preview: $(STAMP)
	$(PY) -m bench.preview

bench-http: $(STAMP)
	@command -v wrk >/dev/null || apt-get install -y -qq --no-install-recommends wrk
	$(PY) -m bench.http_throughput

bench-weight: $(STAMP)
	@test -x /usr/bin/chromium || apt-get install -y -qq --no-install-recommends chromium
	$(PY) -m bench.page_weight

bench-load: $(STAMP)
	$(PY) -m bench.load

bench-faults: $(STAMP)
	$(PY) -m bench.faults

# Every one in turn (each prints its figures and exits non-zero on a missed goal; -k runs the rest).
bench: bench-rules bench-rescreen bench-preview bench-http bench-weight bench-load bench-faults

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

# The patient pages' translations (locale/): gather the marked strings, then compile after translating
messages: $(STAMP)
	DEBUG=true $(PY) manage.py makemessages -l es --ignore=.venv --ignore=staticfiles --ignore=bench --ignore=tests
	DEBUG=true $(PY) manage.py compilemessages -l es --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles
