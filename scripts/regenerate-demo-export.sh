#!/usr/bin/env bash
# Regenerate the shipped demo export from the built-in demo plant.
# The output is deterministic: running this twice gives byte-identical files.
# Set EXPORT_DIR to write elsewhere (the tests compare such a copy with the shipped one).
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
EXPORT_DIR="${EXPORT_DIR:-src/monitron_sap/data/demo/export}"

rm -rf "$EXPORT_DIR"
PYTHONPATH=src "$PYTHON" -m monitron_sap simulate \
    --seed 0 \
    --start 2026-01-05T00:00:00Z \
    --duration 4d \
    --cadence 2h \
    --schema v2 \
    --layout firehose \
    --framing lines \
    --sink "dir:$EXPORT_DIR"
