#!/usr/bin/env bash
# Install hdnotebook with its test dependencies into .venv (plus Debian's Chromium for the browser
# tests, and the front end's build tool for the bundle check) and run the whole test suite: unit and
# integration tests, a real Jupyter kernel, the widget in JupyterLab with headless Chromium, and the
# tutorial notebooks under nbval.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
(cd js && npm ci --no-audit --no-fund --loglevel=error)
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
exec .venv/bin/python -m pytest "$@"
