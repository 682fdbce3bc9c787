"""The command line in a subprocess, against the emulator running in the test process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from tests.e2e.conftest import DEMO_MAPPING
from tests.e2e.records import v2_measurement, v2_transition, write_jsonl
from tests.support import REPO_ROOT

TIMEOUT_SECONDS = 60


def run_cli(
    args: list[str], env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitron_sap", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
    )


@pytest.fixture
def cli_env(tmp_path: Path, emulator: EmulatorServer) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITRON_SAP_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT / "src"),
        MONITRON_SAP_DATA_DIR=str(tmp_path / "data"),
        MONITRON_SAP_SAP_BASE_URL=emulator.base_url,
        MONITRON_SAP_SAP_USER=DEMO_USER,
        MONITRON_SAP_SAP_PASSWORD=DEMO_PASSWORD,
        MONITRON_SAP_SAP_CLIENT="100",
        MONITRON_SAP_PIPELINE_BACKOFF_BASE_SECONDS="0",
        MONITRON_SAP_PIPELINE_MAX_ATTEMPTS="2",
    )
    return env


def test_process_then_status(tmp_path: Path, cli_env: dict[str, str]) -> None:
    imported = run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env)
    assert imported.returncode == 0, imported.stderr
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_measurement("m1"),
            v2_transition("t1", "ALARM"),
            v2_transition("t2", "ALARM", site="Plant Oslo", asset="Mixer M-9", sensor="ffff0001"),
        ],
    )
    processed = run_cli(["process", str(export)], cli_env)
    assert processed.returncode == 0, processed.stderr
    assert "Read 3 records: 1 notified" in processed.stdout
    assert "no_mapping" in processed.stdout

    status = run_cli(["status"], cli_env)
    assert status.returncode == 0, status.stderr
    assert "1 notified" in status.stdout
    assert "Unmapped positions" in status.stdout
    assert "Plant Oslo / Mixer M-9 / Motor DE (assetPositionId pos-ffff0001" in status.stdout
    assert DEMO_PASSWORD not in status.stdout + processed.stdout + processed.stderr

    oslo = tmp_path / "oslo.csv"
    oslo.write_text(
        "site,technical_object,technical_object_kind,notification_type\n"
        "Plant Oslo,10000101,EAMS_EQUI,M2\n",
        encoding="utf-8",
    )
    merged = run_cli(["mapping", "import", "--merge", str(oslo)], cli_env)
    assert merged.returncode == 0, merged.stderr
    after = run_cli(["status"], cli_env)
    assert "Unmapped positions" not in after.stdout

    rerun = run_cli(["process", str(export)], cli_env)
    assert rerun.returncode == 0, rerun.stderr
    assert "Read 3 records: 1 notified" in rerun.stdout


def test_process_standard_input_and_invalid(cli_env: dict[str, str]) -> None:
    run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env)
    processed = run_cli(["process", "-"], cli_env, stdin='{"eventId": 1\n')
    assert processed.returncode == 1
    assert "1 invalid" in processed.stdout
    assert "-:1" in processed.stderr


def test_process_file_name_not_utf8(tmp_path: Path, cli_env: dict[str, str]) -> None:
    run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env)
    exports = tmp_path / "exports"
    exports.mkdir()
    # Linux file names are bytes, and Python decodes the byte FF to a lone surrogate.
    export = Path(os.fsdecode(os.fsencode(exports) + b"/caf\xff.jsonl"))
    write_jsonl(export, [v2_transition("t1", "ALARM")])
    with export.open("a", encoding="utf-8") as stream:
        stream.write('{"eventId": 1\n')
    processed = run_cli(["process", str(exports)], cli_env)
    assert processed.returncode == 1, processed.stderr
    assert "1 notified" in processed.stdout
    assert "1 invalid" in processed.stdout
    assert f"{exports}/caf\\xff.jsonl:2" in processed.stderr


def test_sap_down_dead_letters_then_replay(
    tmp_path: Path, emulator: EmulatorServer, cli_env: dict[str, str]
) -> None:
    run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env)
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    emulator.faults.update(error_rate=1.0, error_status=503)
    down = run_cli(["process", str(export)], cli_env)
    assert down.returncode == 1
    assert "1 dead-lettered" in down.stdout

    listed = run_cli(["dead-letters", "list"], cli_env)
    assert "assetStateTransition:t1" in listed.stdout

    emulator.faults.reset()
    replayed = run_cli(["dead-letters", "replay"], cli_env)
    assert replayed.returncode == 0, replayed.stderr
    assert "1 notified" in replayed.stdout
    again = run_cli(["dead-letters", "replay"], cli_env)
    assert "No dead letters to replay." in again.stdout


def test_mapping_import_rejects_bad_rows(tmp_path: Path, cli_env: dict[str, str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "site,asset,technical_object,technical_object_kind,notification_type\n"
        "Plant Hamburg,Pump P-101,10000101,EAMS_EQUI,M2\n"
        "Plant Hamburg,Fan F-201,10000201,EQUI,M2\n",
        encoding="utf-8",
    )
    result = run_cli(["mapping", "import", str(bad)], cli_env)
    assert result.returncode == 2
    assert f"{bad}:3: technical_object_kind 'EQUI' is invalid" in result.stderr
    listed = run_cli(["mapping", "list"], cli_env)
    assert "The mapping is empty" in listed.stdout


def test_mapping_export_round_trip(tmp_path: Path, cli_env: dict[str, str]) -> None:
    run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env)
    exported = run_cli(["mapping", "export"], cli_env)
    assert exported.returncode == 0
    assert exported.stdout.count("\n") == 6
    assert "1020-PORTO-PROD" in exported.stdout


def test_invalid_configuration_exit_two(cli_env: dict[str, str]) -> None:
    cli_env["MONITRON_SAP_SAP_VERIFY_TLS"] = "maybe"
    result = run_cli(["status"], cli_env)
    assert result.returncode == 2
    assert "MONITRON_SAP_SAP_VERIFY_TLS is 'maybe'" in result.stderr


def test_demo_twice_creates_nothing_second_time(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITRON_SAP_")}
    env.update(PYTHONPATH=str(REPO_ROOT / "src"), MONITRON_SAP_DATA_DIR=str(tmp_path / "data"))
    first = run_cli(["demo"], env)
    assert first.returncode == 0, first.stderr
    assert "Notifications in SAP created by monitron-sap (5)" in first.stdout
    second = run_cli(["demo"], env)
    assert second.returncode == 0, second.stderr
    assert "0 notified" in second.stdout
    assert "Nothing new was created" in second.stdout
    assert "Notifications in SAP created by monitron-sap (5)" in second.stdout


def test_notifications_show_prints_life(tmp_path: Path, cli_env: dict[str, str]) -> None:
    imported = run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env)
    assert imported.returncode == 0, imported.stderr
    closure = {"failureMode": "MISALIGNMENT", "failureCause": "WEAR", "actionTaken": "ADJUST"}
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [
            v2_measurement("m1"),
            v2_transition("t1", "ALARM"),
            v2_transition(
                "t2",
                "HEALTHY",
                "ALARM",
                timestamp="2026-01-07 10:00:00.000",
                transition_type="userInput",
                closure_code=closure,
            ),
        ],
    )
    processed = run_cli(["process", str(export)], cli_env)
    assert processed.returncode == 0, processed.stderr
    assert "1 notified" in processed.stdout
    assert "1 updated" in processed.stdout

    shown = run_cli(["notifications", "show", "10000000"], cli_env)
    assert shown.returncode == 0, shown.stderr
    assert "Notification 10000000: type M2, priority 2, completed" in shown.stdout
    assert "1  Misalignment  damage MON-DMG/D008" in shown.stdout
    assert "activity: Adjust (MON-ACT/A001)" in shown.stdout
    assert "Attachments (1):" in shown.stdout
    assert "History in the ledger (2 entries):" in shown.stdout
    assert "assetStateTransition:t2" in shown.stdout
    assert DEMO_PASSWORD not in shown.stdout + shown.stderr


def test_notifications_show_unknown_exit_one(cli_env: dict[str, str]) -> None:
    shown = run_cli(["notifications", "show", "99999999"], cli_env)
    assert shown.returncode == 1
    assert "cannot read the notification from SAP" in shown.stderr
    assert "History in the ledger (0 entries):" in shown.stdout


def test_notifications_show_rejects_bad_number(cli_env: dict[str, str]) -> None:
    for number in ("../../emulator/faults", "1'30", "10000000?$format=xml", "", "1234567890123"):
        shown = run_cli(["notifications", "show", number], cli_env)
        assert shown.returncode == 2, (number, shown.stderr)
        assert "is not a notification number" in shown.stderr


def test_dead_letters_replay_rejects_zero_limit(cli_env: dict[str, str]) -> None:
    replayed = run_cli(["dead-letters", "replay", "--limit", "0"], cli_env)
    assert replayed.returncode == 2
    assert "--limit" in replayed.stderr
