#!/usr/bin/env bash
# Set up a virtual environment in .venv (first run only) and run the offline demo:
# a local SAP emulator, a sample mapping and a sample Monitron export.
set -euo pipefail
cd "$(dirname "$0")"
extras="charts"
. scripts/ensure-venv.sh
exec .venv/bin/monitron-sap demo "$@"
