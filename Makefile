# Zhengping (征评). `make run` and `make test` set everything up first.
SHELL := /bin/bash
VENV := .venv/bin
export FLASK_APP := core

.PHONY: setup setup-test run test test-pg lint bench doctor translations clean

setup:
	@scripts/bootstrap.sh

setup-test:
	@scripts/bootstrap.sh --test

run: setup
	$(VENV)/flask db upgrade
	$(VENV)/flask seed-demo
	$(VENV)/flask serve --host 127.0.0.1 --port 5000

test: setup-test
	$(VENV)/python -m pytest -q -p no:cacheprovider

# The same suite against PostgreSQL (a throwaway database; see .ci/run).
test-pg: setup-test
	scripts/test-postgres.sh

# Ruff, configured in pyproject.toml: the lint rules, then the formatting.
lint: setup-test
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

bench: setup-test
	@for b in bench/*.py; do case "$$b" in *_core.py|*/_*) continue;; esac; \
	  m=$$(basename "$$b" .py); echo "== bench/$$m"; $(VENV)/python -m "bench.$$m" || exit 1; done

doctor: setup
	$(VENV)/flask doctor

translations: setup
	$(VENV)/python scripts/i18n.py

clean:
	rm -rf .venv test-artifacts .pytest_cache
