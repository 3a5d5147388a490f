# Comptoir: `make run` starts it with demo data, `make test` runs every check.
VENV := .venv
PY := $(VENV)/bin/python
COMPTOIR := $(VENV)/bin/comptoir
HOST ?= 127.0.0.1

.PHONY: run test check lint typecheck pytest bench venv venv-runtime migrate demo clean messages

# Two stamps: `make run` needs the runtime dependencies only (.runtime); the checks and tests
# also need the dev tools (.dev: pytest, Playwright, mypy, ruff). A venv made by `make run`
# gets the dev tools when `make test` first runs; a newer pyproject.toml reinstalls either.
venv: $(VENV)/.dev
venv-runtime: $(VENV)/.runtime

$(VENV)/.runtime: pyproject.toml
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

migrate: venv-runtime
	$(COMPTOIR) migrate --noinput

demo: migrate
	$(COMPTOIR) demo

# Without COMPTOIR_SMTP_URL, outbound mail goes to a Maildir under the data directory.
run: demo
	COMPTOIR_SMTP_URL="$${COMPTOIR_SMTP_URL:-maildir://$${COMPTOIR_DATA_DIR:-var}/sent-mail}" \
		$(COMPTOIR) serve --host $(HOST)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy comptoir

check: lint typecheck
	$(COMPTOIR) makemigrations --check --dry-run
	$(COMPTOIR) check

pytest: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: check pytest

bench: venv-runtime
	$(PY) -m bench $(BENCH_ARGS)

messages: venv-runtime
	cd comptoir && ../$(COMPTOIR) makemessages -l fr --no-obsolete && ../$(COMPTOIR) compilemessages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
