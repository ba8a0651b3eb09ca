#!/usr/bin/env bash
# The core tests (engine, samplers, policies, store, children, faults: no Jupyter, no browser) on the oldest
# supported Python with the LOWEST versions that pyproject.toml admits (uv's --resolution lowest-direct), and on
# the newest supported Python with the newest versions. Each gets its own venv under .venv-pythons/.
# Interpreters: PYTHON_OLDEST / PYTHON_NEWEST, else python3.10 / python3.13 on PATH or under pyenv.
set -euo pipefail
cd "$(dirname "$0")/.."
CORE_TESTS=(
  tests/test_parameter_expressions.py tests/sampling/test_sampling.py tests/sampling/test_bayesian_model.py tests/policy/test_policy.py
  tests/policy/test_policy_asha.py tests/policy/test_policy_rules.py tests/policy/test_policy_threshold.py tests/engine/test_store.py
  tests/engine/test_source_ignore.py tests/test_runconfig.py tests/runs/test_run_api.py
  tests/engine/test_function_children.py tests/engine/test_script_children.py tests/test_public_api.py tests/runs/test_persistence.py
  tests/faults tests/test_layers.py
)

find_python() {  # $1: version such as 3.10
  local found
  found=$(command -v "python$1" 2>/dev/null || true)
  if [ -n "$found" ] && "$found" -c "" 2>/dev/null; then echo "$found"; return; fi
  found=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/python"$1" 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$found" ]; then echo "$found"; return; fi
  echo "no Python $1 found: set PYTHON_OLDEST / PYTHON_NEWEST" >&2
  return 1
}

run_leg() {  # $1: name, $2: interpreter, $3: uv resolution (lowest-direct | highest)
  local venv=".venv-pythons/$1"
  echo "== core tests on $("$2" --version) with the $3 versions"
  [ -x "$venv/bin/python" ] || "$2" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip uv
  "$venv/bin/python" -m uv pip install --quiet --python "$venv/bin/python" --resolution "$3" \
    -e '.[dask]' 'scikit-learn>=1.3' 'pytest>=8.0' 'pytest-timeout>=2.2'
  "$venv/bin/python" -m pytest -q -p no:randomly -o addopts="-ra --strict-markers -p no:cacheprovider" "${CORE_TESTS[@]}"
}

run_leg oldest "${PYTHON_OLDEST:-$(find_python 3.10)}" lowest-direct
run_leg newest "${PYTHON_NEWEST:-$(find_python 3.13)}" highest
