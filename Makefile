# Brújula — every target installs what it needs first. CI runs `make test` (see .ci/run).
SHELL := /bin/bash
PYTHON_BOOTSTRAP ?= $(shell command -v /root/.pyenv/versions/3.10.13/bin/python || command -v python3.10)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EVAL_SETS ?= $(wildcard ../shared/eval/dev.tsv ../shared/eval/dev_real.tsv ../shared/eval/dev_safety.tsv ../shared/eval/dev_answers.tsv)
# `make run` and the other developer targets run in local mode, whatever the shell says; the tests choose
# test mode themselves (scripts/test.sh). Outside these, Brújula starts in production mode.
export BRUJULA_ENV = local

.PHONY: help install db train validate run cluster nginx-tool bench-load test-faults fuzz test test-fast bench compare-nlu thresholds lint eval lock clean compose-tool compose-config browser-tool audio-tool

help:
	@echo "make run    - install, create the content DB, train if needed, serve the web chat"
	@echo "make test   - install, train if needed, run the whole test suite"
	@echo "make cluster - the production topology as local processes (nginx, 2 Rasa servers, actions, console)"
	@echo "make validate | train | eval | bench | bench-load | compare-nlu | fuzz | test-faults | lint | clean"

# The venv is rebuilt when the pinned requirements or the package definition change.
$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON_BOOTSTRAP)" || { echo "Python 3.10 not found (needed by Rasa 3.6)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<25" "setuptools<71" wheel
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

db: install
	$(BIN)/bot db upgrade
	$(BIN)/bot content load

validate: install
	$(BIN)/rasa data validate --fail-on-warnings --domain domain.yml --data data

# Trains only when data/, config.yml or domain.yml changed (model cached under models/ by content hash).
train: install
	$(BIN)/bot train

# All the shared evaluation sets that are present, in one run (one model, one action server).
eval: db train
	@test -n "$(EVAL_SETS)" || { echo "no evaluation sets found in ../shared/eval (an optional input)"; exit 0; }
	$(BIN)/bot eval $(EVAL_SETS) --report var/eval-report.json

run: db train audio-tool
	$(BIN)/bot serve

# CI runs this: the layer contracts and ruff first (seconds), then the whole suite.
test: install train compose-tool browser-tool nginx-tool audio-tool lint
	bash scripts/test.sh

# The web chat is tested in headless Chromium (Debian's package) driven by Playwright; Playwright's own
# browser download is not used.
CHROMIUM_PATH ?= /usr/bin/chromium
browser-tool:
	@test -x $(CHROMIUM_PATH) || { echo "installing chromium (Debian) for the web chat browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Audio answers (bot/audio): ffmpeg converts recordings to OGG/Opus, espeak-ng reads answers aloud (Debian's
# packages). Without them the bot works, with no "escuchar" option where there is no recording.
audio-tool:
	@command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1 || \
		{ echo "installing ffmpeg and espeak-ng (Debian) for audio answers"; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg espeak-ng >/dev/null; }

# docker-compose.yml is checked with `docker compose config` (no Docker engine is needed for that). Where the
# compose plugin is missing, Debian's docker-compose does the same check.
compose-tool:
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || \
		{ echo "installing docker-compose (Debian) to check docker-compose.yml"; \
		  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }

# nginx (Debian's package) is the front of `make cluster` and of the load and fault tests.
nginx-tool:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { echo "installing nginx (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# The production topology as local processes (bot/tooling/cluster.py): nginx on :8080 in front of two Rasa servers
# (PostgreSQL tracker store, Redis lock store), the action server and the console. Needs PostgreSQL and Redis.
cluster: train nginx-tool
	$(BIN)/bot cluster

compose-config: compose-tool
	POSTGRES_PASSWORD=check PSEUDONYM_SECRET=check-secret-0123456789 WEBCHAT_SECRET=check-secret-0123456789 \
		CONSOLE_SECRET_KEY=check-secret-0123456789 \
		$$(docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose) config -q

test-fast: install
	$(BIN)/pytest -q -m "not model and not e2e"

bench: db train
	$(BIN)/python -m bench.run

# Throughput and latency at 1, 20 and 100 concurrent conversations: stock Rasa (`rasa init`) against Brújula with one
# Rasa server and as the cluster, in one run; writes bench/results/load.md and docs/load-latency.png (about 15 minutes;
# LOAD_ARGS="--quick" for a smoke run, --systems to choose). Needs PostgreSQL and Redis, like `make cluster`.
bench-load: db train nginx-tool
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# The fault tests alone (also part of `make test`): a Rasa server killed, the action server restarted, PostgreSQL and
# Redis cut, the platform APIs failing, all under load on the cluster.
test-faults: install train nginx-tool
	bash scripts/test.sh -p no:randomly -m faults

# Hostile payloads on every channel against the real servers (tests/channels/test_fuzz.py), 10,000 per channel
# instead of `make test`'s 200 (about 25 minutes); prints each run's requests by outcome.
fuzz: install train
	FUZZ_EXAMPLES=10000 bash scripts/test.sh tests/channels/test_fuzz.py -s

# Our understanding against Rasa's default pipeline (DIET), a keyword baseline and spaCy lemmas / vectors, in one
# run on the shared sets (about 25 minutes, most of it DIET's training; SKIP_DIET=1 for the others only).
compare-nlu: db train
	$(BIN)/python -m bench.compare_nlu $(if $(SKIP_DIET),--skip-diet)

# The evidence for the fallback threshold and ambiguity margin in config.yml (cross-validation + dev sets).
thresholds: train
	$(BIN)/python -m bench.thresholds

lint: install
	$(BIN)/ruff check bot actions channels console tests bench
	$(BIN)/lint-imports

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v -E '^(pip|setuptools|wheel)==' > requirements.lock.new
	@{ head -2 requirements.lock; cat requirements.lock.new; } > requirements.lock.tmp && mv requirements.lock.tmp requirements.lock && rm requirements.lock.new

clean:
	rm -rf var models .rasa results .pytest_cache
