# Two commands: `make run` (set up and start the whole platform on embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install system-deps lint format check bench lock messages clean

run: install
	@DEBUG=$${DEBUG:-1} bin/run

test: install
	@bin/system-deps test
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; found: $$($(PYTHON) --version 2>&1)"; exit 1; }
	@bin/system-deps run
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for script in bench/*_bench.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

# Re-pin requirements.lock from the ranges in pyproject.toml (run after changing a dependency).
lock:
	rm -rf /tmp/monitoring-lock && $(PYTHON) -m venv /tmp/monitoring-lock
	/tmp/monitoring-lock/bin/pip install --quiet --disable-pip-version-check \
		$$($(PYTHON) bin/pyproject_requirements.py)
	/tmp/monitoring-lock/bin/pip freeze --exclude-editable | sort > requirements.lock
	@echo "requirements.lock: $$(wc -l < requirements.lock) pinned packages"

clean:
	rm -rf $(VENV) var staticfiles

# Refresh the translation catalogues after changing user-facing strings (needs GNU gettext).
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l pl -l en --ignore=.venv --ignore=var --ignore=tests --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages -l pl -l en --ignore=.venv
