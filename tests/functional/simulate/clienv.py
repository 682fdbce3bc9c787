"""Run the ``monitron-sap`` command from this worktree in a subprocess."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment for ``python -m monitron_sap``: no AWS settings unless given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    env.update(extra or {})
    return env
