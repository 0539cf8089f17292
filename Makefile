# The README's commands. These targets install everything the project needs into .tools/ and .venv/.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 (Lambda's runtime) if it can be found, else 3.12: on PATH, or in pyenv's versions folder.
PYTHON ?= $(shell for v in 3.13 3.12; do \
	  p=$$(command -v python$$v 2>/dev/null) && $$p -c '' 2>/dev/null && { echo $$p; exit; }; \
	  for c in $$HOME/.pyenv/versions/$$v*/bin/python$$v; do [ -x "$$c" ] && { echo $$c; exit; }; done; \
	done)
ifeq ($(PYTHON),)
$(error Python 3.13 or 3.12 is needed: install one, or run make PYTHON=/path/to/python3.13)
endif
PYTHON_BIN := $(shell $(PYTHON) -c 'import sys, os; print(os.path.dirname(os.path.realpath(sys.executable)))')

UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export SAM_CLI_TELEMETRY := 0
# sam build looks for python3.13 on PATH.
export PATH := $(CURDIR)/$(BIN):$(PYTHON_BIN):$(PATH)

.PHONY: help env browser client client-check web web-deploy test lint typecheck template unit run build deploy smoke alarms bench openapi fuzz clean

help:
	@echo "make run    start the local API on http://127.0.0.1:$${PORT:-3000} (no Docker, no AWS account)"
	@echo "make test   lint, types, template checks and every test"
	@echo "make build  sam build (for sam deploy)"
	@echo "make deploy sam build, then sam deploy --guided (GUIDED= to reuse samconfig.toml's answers)"
	@echo "make smoke API_URL=<ApiUrl> [API_KEY=<a client's key>]  the main flows against a deployed stack"
	@echo "make bench  measure what a request costs (a few minutes; prints tables)"
	@echo "make openapi  write docs/openapi.json from the handlers (a test fails when it is stale)"
	@echo "make client   generate the TypeScript client from docs/openapi.json (make test fails when it is stale)"
	@echo "make web-deploy API_URL=<ApiUrl>  host the approver on S3 behind CloudFront (web/deploy/template.yaml)"
	@echo "make alarms   write each function's alarms into template.yaml (a test fails when they are stale)"
	@echo "make fuzz   long runs: Schemathesis against the local API (EXAMPLES=300 per operation and phase)"
	@echo "            and the state machines (STATEFUL=100 examples each, about 3 minutes)"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# The real JavaScript clients the end-to-end tests drive (ethers), pinned by their lock file.
JS_CLIENTS := tests/e2e/js
$(JS_CLIENTS)/node_modules/.package-lock.json: $(JS_CLIENTS)/package.json $(JS_CLIENTS)/package-lock.json
	npm ci --prefix $(JS_CLIENTS) --no-audit --no-fund --loglevel=error

env: $(VENV)/.synced $(JS_CLIENTS)/node_modules/.package-lock.json

# The typed TypeScript client (clients/typescript), generated from docs/openapi.json by a generator pinned
# exactly. `make client` writes it; `make test` generates it again beside it and fails on any difference, then
# compiles it with tsc --strict, whose @ts-expect-error lines (src/contract.ts) must each still be errors.
TS_CLIENT := clients/typescript
$(TS_CLIENT)/node_modules/.package-lock.json: $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	npm ci --prefix $(TS_CLIENT) --no-audit --no-fund --loglevel=error

client: $(TS_CLIENT)/node_modules/.package-lock.json
	cd $(TS_CLIENT) && npx openapi-ts

client-check: $(TS_CLIENT)/node_modules/.package-lock.json
	cd $(TS_CLIENT) && rm -rf .regenerated && ASSENT_CLIENT_OUT=.regenerated npx openapi-ts >/dev/null
	diff -r $(TS_CLIENT)/src/generated $(TS_CLIENT)/.regenerated || \
	  { echo "clients/typescript is stale: make client"; exit 1; }
	cd $(TS_CLIENT) && npx tsc --noEmit && npx tsc -p tsconfig.build.json

# The approver web app (web/): TypeScript compiled with the client's tsc into web/dist, which `make run` serves.
web: $(TS_CLIENT)/node_modules/.package-lock.json
	$(TS_CLIENT)/node_modules/.bin/tsc -p web/tsconfig.json

# The approver on AWS: its hosting stack (S3 behind CloudFront), then its files and config.json uploaded.
WEB_STACK ?= assent-approver
web-deploy: env web
	@test -n "$(API_URL)" || { echo "make web-deploy API_URL=<the Assent stack's ApiUrl> [WEB_STACK=$(WEB_STACK)]"; exit 1; }
	$(BIN)/sam deploy --template-file web/deploy/template.yaml --stack-name $(WEB_STACK) --no-fail-on-empty-changeset
	$(BIN)/python -m assent_tools.web_deploy --stack $(WEB_STACK) --api-url $(API_URL)

# The passkey tests drive a real Chromium through Playwright, which downloads no browser here: Debian's
# chromium, installed when neither it nor Chrome is found and this may (as root, with apt-get).
CHROMIUM := $(shell command -v chromium || command -v chromium-browser || command -v google-chrome || true)
browser:
ifeq ($(CHROMIUM),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then 		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; 	else 		echo "The browser tests need Chromium or Chrome: install Debian's chromium (apt-get install chromium)"; 		exit 1; 	fi
endif

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: env
	$(BIN)/mypy

# The template is valid, and the layer's requirements are exactly the locked runtime dependencies.
template: env
	$(BIN)/sam validate --lint
	$(BIN)/cfn-lint web/deploy/template.yaml
	diff -u layers/assent/requirements.txt <($(UV) export --frozen --no-dev --no-emit-project --no-hashes --no-header --quiet)

# Coverage through Python's sys.monitoring (3.12+): about a third less time than its tracer here.
unit: env browser client-check web
	COVERAGE_CORE=sysmon $(BIN)/pytest -n auto --policy-fit --cov=layers/assent/assent --cov=assent_tools --cov-report=term:skip-covered

test: lint typecheck template unit

run: env web
	$(BIN)/assent-local

build: env
	$(BIN)/sam build

# The first time, the guided deploy asks for the five parameters without a default and saves the answers in
# samconfig.toml; later, GUIDED= deploys with them.
GUIDED ?= --guided
deploy: build
	$(BIN)/sam deploy $(GUIDED)

# The main flows, black-box against a deployed stack (or the local API). API_KEY reaches it through the
# environment (make exports command-line variables), not its command line.
smoke: env
	@test -n "$(API_URL)" || { echo "make smoke API_URL=<the stack's ApiUrl output> [API_KEY=<a client's API key>]"; exit 2; }
	$(BIN)/python -m assent_tools.smoke "$(API_URL)"

# The runtime dependencies alone, as the layer holds them, for the cold-start benchmark. Copied, not linked
# from uv's cache, so nothing done to these files can reach the cache or .venv.
BENCH_RUNTIME := .bench/runtime
$(BENCH_RUNTIME)/.installed: layers/assent/requirements.txt | $(UV)
	rm -rf $(BENCH_RUNTIME)
	$(UV) pip install --quiet --python $(PYTHON) --link-mode=copy --target $(BENCH_RUNTIME) -r $<
	@touch $@

bench: env build $(BENCH_RUNTIME)/.installed
	PYTHON=$(PYTHON) $(BIN)/python -m bench

openapi: env
	$(BIN)/python -m assent_tools.openapi

alarms: env
	$(BIN)/python -m assent_tools.alarms

# make test runs the same test with 30 examples; this one takes some minutes per 100.
EXAMPLES ?= 300
STATEFUL ?= 100
fuzz: env
	ASSENT_FUZZ_EXAMPLES=$(EXAMPLES) ASSENT_STATEFUL_EXAMPLES=$(STATEFUL) $(BIN)/pytest -s --no-cov \
		-p no:cacheprovider --hypothesis-show-statistics tests/e2e/test_api_fuzzing.py tests/handlers/test_state_machines.py

layers/assent/requirements.txt: uv.lock | $(UV)
	$(UV) export --frozen --no-dev --no-emit-project --no-hashes --no-header --quiet -o $@

clean:
	rm -rf .aws-sam .bench .pytest_cache .mypy_cache .ruff_cache .coverage $(JS_CLIENTS)/node_modules $(TS_CLIENT)/node_modules $(TS_CLIENT)/dist $(TS_CLIENT)/.regenerated
