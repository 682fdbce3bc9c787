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
)


def test_import_does_not_load_matplotlib() -> None:
    imports = "; ".join(f"import {module}" for module in MODULES)
    script = f"import sys; {imports}; print('matplotlib' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}

    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
