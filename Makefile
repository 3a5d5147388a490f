# Comptoir: `make run` starts it with demo data, `make test` runs every check.
VENV := .venv
PY := $(VENV)/bin/python
COMPTOIR := $(VENV)/bin/comptoir
HOST ?= 127.0.0.1

.PHONY: run test check lint typecheck pytest bench venv migrate demo clean messages

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

migrate: venv
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

bench: venv
	$(PY) -m bench $(BENCH_ARGS)

messages: venv
	cd comptoir && ../$(COMPTOIR) makemessages -l fr --no-obsolete && ../$(COMPTOIR) compilemessages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
