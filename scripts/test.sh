#!/usr/bin/env bash
# Install hdnotebook with its test dependencies into .venv and run the whole test suite
# (unit and integration tests, a real Jupyter kernel, and the tutorial notebooks under nbval).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
exec .venv/bin/python -m pytest "$@"
