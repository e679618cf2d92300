# Docket — the two commands a fresh machine needs are `make demo` and `make test`.
# Everything else here is what those two are made of.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev,erp,postgres
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install system-deps test unit regress integration lint demo demo-down bench infra-up infra-down infra-status clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Docket needs Python 3.11 or newer (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## System packages the test tiers start (PostgreSQL server); Java and Maven are checked by infra/.
system-deps:
	bash infra/system-deps.sh

## Unit, agent, golden, contract, integration and browser tiers; starts the real Kafka, registry, Tryton,
## PostgreSQL, and drives Debian's Chromium.
test: install system-deps
	$(BIN)/python -m pytest tests $(PYTEST_ARGS)

## The fast tiers only: no broker, no ERP, no browser.
unit: install
	$(BIN)/python -m pytest tests/unit tests/agents tests/golden $(PYTEST_ARGS)

## Capture replayed over the committed labelled documents against their stored baseline: fails when a
## field that was read right is read wrong (`--update` after an intended change, said in the commit).
regress: install
	$(BIN)/python -m cli.main regress tests/golden tests/data/einvoices --baseline tests/golden/regress_baseline.json

## The tiers on real services: contract (every sink, fakes included), integration, browser.
integration: install system-deps
	$(BIN)/python -m pytest tests/contract tests/integration tests/browser $(PYTEST_ARGS)

## ruff, mypy strict, and the import contracts that keep the layers pointing one way (pyproject.toml).
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy docket connectors streams agents cli infra
	$(BIN)/lint-imports --no-logo

## The main job end to end on local defaults: infra up, worker, sample documents in, postings out, summary.
demo: install
	$(BIN)/docket demo

demo-down: install
	$(BIN)/docket infra down

bench: install
	$(BIN)/python bench/agent_hop.py

infra-up: install
	$(BIN)/docket infra up

infra-down: install
	$(BIN)/docket infra down

infra-status: install
	$(BIN)/docket infra status

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
