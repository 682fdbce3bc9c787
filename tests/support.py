"""Helpers shared by every test tier: reference data beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# Reference data (SAP $metadata, sample records) lives beside the repository, never inside it.
SHARED_DIR = Path(os.environ.get("MONITRON_SAP_SHARED_DIR", REPO_ROOT.parent / "shared"))
REQUIRE_SHARED_ENV = "MONITRON_SAP_REQUIRE_SHARED"


def shared_path(relative: str) -> Path:
    """Return a file under the shared reference folder, or skip the test when it is absent.

    With ``MONITRON_SAP_REQUIRE_SHARED=1`` (set by CI) a missing file fails the test instead.
    """
    path = SHARED_DIR / relative
    if not path.exists():
        message = f"reference file {path} is not present; set MONITRON_SAP_SHARED_DIR"
        if os.environ.get(REQUIRE_SHARED_ENV) == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
