"""Importing the product must not import matplotlib: it would slow every Lambda cold start."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import REPO_ROOT

MODULES = (
    "monitron_sap",
    "monitron_sap.charts",
    "monitron_sap.charts.render",
    "monitron_sap.rules.closure",
    "monitron_sap.sap.attachments",
    "monitron_sap.sap.items",
    "monitron_sap.lifecycle",
    "monitron_sap.pipeline",
    "monitron_sap.runtime",
    "monitron_sap.config",
    "monitron_sap.cli.notifications",
)
# Processes a measurement through a pipeline with charts on: the measurement goes into the
# position's history, but no chart is rendered, so matplotlib must stay unloaded.
PROCESS_MEASUREMENT = """
import sys, tempfile
from pathlib import Path
from monitron_sap.pipeline import Pipeline
from monitron_sap.rules import RuleSettings
from monitron_sap.store.sqlite import SqliteStore
from tests.builders import measurement
from tests.unit.fake_sap import FakeSap

with tempfile.TemporaryDirectory() as folder, SqliteStore(Path(folder) / "l.db") as store:
    pipeline = Pipeline(
        ledger=store, mappings=store, sap=FakeSap(), rules=RuleSettings(charts=True),
        attachments=object(),
    )
    pipeline.process([measurement("m1")])
    stored = store.get_measurement_history("id:pos-a1b2c3d40101") is not None
    print(stored, 'matplotlib' in sys.modules)
"""


def test_import_does_not_load_matplotlib() -> None:
    imports = "; ".join(f"import {module}" for module in MODULES)
    script = f"import sys; {imports}; print('matplotlib' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_measurement_record_does_not_load_matplotlib() -> None:
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT / 'src'}{os.pathsep}{REPO_ROOT}"}

    result = subprocess.run(
        [sys.executable, "-c", PROCESS_MEASUREMENT],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True False"
