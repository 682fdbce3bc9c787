"""The shipped demo export: produced by the simulator and holding what the demo needs."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from pathlib import Path

from tests.functional.simulate.clienv import PYTHON, REPO_ROOT
from tests.unit.simulate.readback import object_files, read_files

EXPORT_DIR = REPO_ROOT / "src" / "monitron_sap" / "data" / "demo" / "export"
SCRIPT = REPO_ROOT / "scripts" / "regenerate-demo-export.sh"


def test_script_reproduces_shipped_export(tmp_path: Path) -> None:
    target = tmp_path / "export"
    env = dict(os.environ, PYTHON=PYTHON, EXPORT_DIR=str(target))
    subprocess.run(["bash", str(SCRIPT)], check=True, env=env, capture_output=True, timeout=120)
    shipped = {p.relative_to(EXPORT_DIR): p.read_bytes() for p in object_files(EXPORT_DIR)}
    regenerated = {p.relative_to(target): p.read_bytes() for p in object_files(target)}
    assert sorted(regenerated) == sorted(shipped)
    assert regenerated == shipped


def test_demo_export_contents() -> None:
    files = object_files(EXPORT_DIR)
    documents = read_files(files)
    payloads = [d["eventPayload"] for d in documents]
    states = Counter(
        p["assetState"]["newState"] for d, p in zip(documents, payloads, strict=True)
        if d["eventType"] == "assetStateTransition"
    )  # fmt: skip
    closures = [p for p in payloads if "closureCode" in p]
    assets = {p["assetName"] for p in payloads if "assetState" in p}

    assert sum(path.stat().st_size for path in files) < 1_500_000
    assert {d["version"] for d in documents} == {"2.0"}
    assert states["WARNING"] >= 3
    assert states["ALARM"] >= 3
    assert states["NEEDS_MAINTENANCE"] >= 1
    assert closures[0]["closureCode"]["failureMode"] == "LUBRICATION"
    assert any(d["eventType"] == "sensorDisconnected" for d in documents)
    assert any(d["eventType"] == "gatewayDisconnected" for d in documents)
    assert len(assets) >= 3
