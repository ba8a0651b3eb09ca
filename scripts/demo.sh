#!/usr/bin/env bash
# Install hdnotebook with the notebook extras into .venv, then either open the quick-start notebook in
# JupyterLab (default) or, with --headless, run a real small sweep in the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[notebook]'
if [ "${1:-}" = "--headless" ]; then
  shift
  exec .venv/bin/python -m hdnotebook.demo "$@"
fi
exec .venv/bin/jupyter lab notebooks/01-quickstart.ipynb "$@"
