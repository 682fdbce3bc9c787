"""A wrong SAP password through the command line: one logon attempt, then the run stops."""

from __future__ import annotations

from pathlib import Path

from monitron_sap.emulator import DEMO_PASSWORD, EmulatorServer
from tests.e2e.conftest import DEMO_MAPPING
from tests.e2e.records import v2_measurement, v2_transition, write_jsonl
from tests.e2e.test_cli_e2e import cli_env, run_cli

__all__ = ["cli_env"]

EXIT_SAP_CREDENTIALS = 4


def _alerts(count: int) -> list[dict[str, object]]:
    return [
        v2_transition(f"t{index}", "ALARM", sensor=f"a1b2c3d4{index:04d}") for index in range(count)
    ]


def test_wrong_password_stops_after_first_401(
    tmp_path: Path, emulator: EmulatorServer, cli_env: dict[str, str]
) -> None:
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0
    export = write_jsonl(tmp_path / "export.jsonl", [*_alerts(20), v2_measurement("m1")])
    wrong = {**cli_env, "MONITRON_SAP_SAP_PASSWORD": "wrong-password"}
    emulator.reset_request_count()

    processed = run_cli(["process", str(export)], wrong)

    assert processed.returncode == EXIT_SAP_CREDENTIALS, processed.stderr
    assert emulator.request_count.total() == 1
    assert "SAP rejected the credentials" in processed.stderr
    assert "sap.user" in processed.stderr
    assert "20 dead-lettered" in processed.stdout
    assert "wrong-password" not in processed.stdout + processed.stderr

    fixed = run_cli(["dead-letters", "replay"], cli_env)
    assert fixed.returncode == 0, fixed.stderr
    assert "20 notified" in fixed.stdout
    assert DEMO_PASSWORD not in fixed.stdout + fixed.stderr
