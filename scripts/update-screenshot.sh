#!/usr/bin/env bash
# Refresh docs/run-details.png (the README's screenshot) from the real-browser test of the widget.
# Run scripts/test.sh once first, so that .venv, Chromium and the front end's tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs
HDNOTEBOOK_SCREENSHOT="$PWD/docs/run-details.png" .venv/bin/python -m pytest tests/browser -q -k live_sweep_dashboard
