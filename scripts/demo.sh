#!/usr/bin/env bash
# Install hdnotebook with the notebook extras into .venv, then either open the quick-start notebook in
# JupyterLab (default) or, with --headless, run a real small sweep in the terminal.
# HDNOTEBOOK_VENV=/path/to/env uses that environment (already holding hdnotebook[notebook]) and installs nothing.
# Further arguments go to JupyterLab (or to the headless demo).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${HDNOTEBOOK_VENV:-}
if [ -z "$venv" ]; then
  venv=.venv
  python=${PYTHON:-python3}
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[notebook]'
fi
if [ "${1:-}" = "--headless" ]; then
  shift
  exec "$venv/bin/python" -m hdnotebook.demo "$@"
fi
# JupyterLab refuses to start as root (as in many containers) without --allow-root
if [ "$(id -u)" -eq 0 ]; then
  set -- --allow-root "$@"
fi
exec "$venv/bin/jupyter" lab notebooks/01-quickstart.ipynb "$@"
