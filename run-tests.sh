#!/usr/bin/env bash
# Set up a virtual environment in .venv (first run only) and run the whole test suite.
# Extra arguments go to pytest, for example: ./run-tests.sh tests/unit -x
set -euo pipefail
cd "$(dirname "$0")"
extras="test,infra,charts"
. scripts/ensure-venv.sh
exec .venv/bin/python -m pytest "$@"
