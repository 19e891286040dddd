#!/usr/bin/env bash
# The whole suite (what `make test` and CI run). Expects `make install train` first.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 BRUJULA_ENV=test
# The content DB used by `bot eval` inside the tests is a per-test SQLite file (tests/conftest.py).
.venv/bin/python -m pytest -ra "$@"
