# One task runner; CI calls these targets too.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench bench-quick clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)  ## set up, replay the bundled articles offline, print the digest path
	$(BIN)/watcher demo

test: $(STAMP)  ## set up and run the whole test suite, with a coverage floor
	$(BIN)/pytest --cov=watcher --cov-report=term:skip-covered --cov-fail-under=85

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)  ## claims speed, then throughput/storage/digest vs urlwatch (~12 min, idle machine)
	$(BIN)/python bench/claims_speed.py
	test -x /tmp/urlwatch-venv/bin/urlwatch || (python3 -m venv /tmp/urlwatch-venv && /tmp/urlwatch-venv/bin/pip install --quiet urlwatch==2.29 html2text)
	$(BIN)/python bench/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python bench/run_all.py --quick

clean:
	rm -rf $(VENV) watcher-demo .pytest_cache .mypy_cache .ruff_cache
