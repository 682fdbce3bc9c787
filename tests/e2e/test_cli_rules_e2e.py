"""Rules decided through the command line: which records reach SAP."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import DEMO_MAPPING
from tests.e2e.records import v2_measurement, write_jsonl
from tests.e2e.test_cli_e2e import cli_env, run_cli

__all__ = ["cli_env"]


def test_v2_measurement_with_state_skipped(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0
    record = v2_measurement("m1")
    record["eventPayload"]["assetState"] = {"newState": "ALARM", "previousState": "HEALTHY"}
    export = write_jsonl(tmp_path / "export.jsonl", [record])

    processed = run_cli(["process", str(export)], cli_env)

    assert processed.returncode == 0, processed.stderr
    assert "0 notified" in processed.stdout
    assert "measurement" in processed.stdout
