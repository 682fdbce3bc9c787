"""``monitron-sap events`` through a real subprocess: output lines, errors, summary, exit status."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import REPO_ROOT, shared_path
from tests.unit.events.records import error_envelope, line, v1, v2

TRANSITION = v2(
    "assetStateTransition",
    "52377",
    assetTransitionType="userInput",
    assetState={"newState": "HEALTHY", "previousState": "NEEDS_MAINTENANCE"},
    closureCode={"failureMode": "MISALIGNMENT", "resolvedModels": ["vibrationISO"]},
)


def run_events(*arguments: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    environment = dict(os.environ, PYTHONPATH=str(REPO_ROOT / "src"))
    return subprocess.run(
        [sys.executable, "-m", "monitron_sap", "events", *arguments],
        input=stdin,
        capture_output=True,
        env=environment,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )


def output_objects(completed: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(text) for text in completed.stdout.decode("utf-8").splitlines()]


def test_cli_prints_one_object_per_event(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(line(v2("measurement", "1")) + line(TRANSITION) + b"\n")
    completed = run_events(str(export))
    objects = output_objects(completed)
    assert completed.returncode == 0
    assert [obj["event_id"] for obj in objects] == ["1", "52377"]
    assert completed.stderr.decode().strip() == "2 events read, 0 invalid records"


def test_cli_transition_keys(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(line(TRANSITION))
    transition = output_objects(run_events(str(export)))[0]
    assert transition["event_type"] == "assetStateTransition"
    assert transition["schema_version"] == 2
    assert transition["timestamp"] == "2024-03-05T14:07:31.512Z"
    assert transition["project"] == "Example Plant"
    assert transition["site"] == "Site A"
    assert transition["asset"] == "Pump 7"
    assert transition["position"] == "Motor DE"
    assert transition["new_state"] == "HEALTHY"
    assert transition["previous_state"] == "NEEDS_MAINTENANCE"
    assert transition["closure_code"]["failure_mode"] == "MISALIGNMENT"
    assert transition["closure_code"]["resolved_models"] == ["vibrationISO"]


def test_cli_invalid_record_exit_status(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(line(v2("measurement", "1")) + b"\nnot json\n" + line(v1("2")) + b"\n")
    completed = run_events(str(export))
    stderr_lines = completed.stderr.decode().splitlines()
    assert completed.returncode == 1
    assert [obj["event_id"] for obj in output_objects(completed)] == ["1", "2"]
    assert stderr_lines[0].startswith(f"{export}:2 (byte ")
    assert "unexpected bytes between records" in stderr_lines[0]
    assert stderr_lines[-1] == "2 events read, 1 invalid records"


def test_cli_reads_stdin_and_directories(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.gz").write_bytes(gzip.compress(line(v2("measurement", "2"))))
    (tmp_path / "a.json").write_bytes(line(v2("sensorConnected", "1")))
    (tmp_path / "c.json").write_bytes(line(error_envelope(line(v2("measurement", "3")))))
    completed = run_events(str(tmp_path), "-", stdin=line(v2("gatewayConnected", "4")))
    objects = output_objects(completed)
    assert completed.returncode == 0
    assert [obj["event_id"] for obj in objects] == ["1", "2", "3", "4"]
    assert [obj["from_error_output"] for obj in objects] == [False, False, True, False]
    assert objects[3]["source"] == "-"


def test_cli_missing_file_reported(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_bytes(line(v2("measurement", "1")))
    missing = tmp_path / "missing.json"
    completed = run_events(str(missing), str(export))
    assert completed.returncode == 1
    assert completed.stderr.decode().splitlines()[0] == f"{missing}:0 (byte 0): file not found"
    assert [obj["event_id"] for obj in output_objects(completed)] == ["1"]


def test_cli_without_paths_is_usage_error() -> None:
    completed = run_events()
    assert completed.returncode == 2
    assert b"Missing argument" in completed.stderr


def test_cli_reads_shared_samples() -> None:
    paths = [
        str(shared_path("samples/seed/payload.json")),
        str(shared_path("samples/seed/kinesissample.txt")),
        str(shared_path("samples/monitron-v2-measurement-observed.json")),
    ]
    completed = run_events(*paths)
    objects = output_objects(completed)
    assert completed.returncode == 0
    assert [obj["schema_version"] for obj in objects] == [1, 1, 2]
    assert objects[2]["position"] == "Pumpe Süd"


def test_cli_reports_broken_link_in_directory(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(line(v2("measurement", "1")))
    (tmp_path / "dangling.json").symlink_to(tmp_path / "gone.json")
    completed = run_events(str(tmp_path))
    assert completed.returncode == 1
    assert [obj["event_id"] for obj in output_objects(completed)] == ["1"]
    expected = (
        f"{tmp_path / 'dangling.json'}:0 (byte 0): broken symbolic link to "
        f"{tmp_path / 'gone.json'}, so it was not read"
    )
    assert completed.stderr.decode().splitlines()[0] == expected


def test_cli_reports_wrong_type_in_features(tmp_path: Path) -> None:
    bad = v2("measurement", "bad", features={"temperature": "hot"})
    export = tmp_path / "export.json"
    export.write_bytes(b"\n".join([line(v2("measurement", "1")), line(bad), line(TRANSITION)]))
    completed = run_events(str(export))
    stderr_lines = completed.stderr.decode().splitlines()
    assert completed.returncode == 1
    assert [event["event_id"] for event in output_objects(completed)] == ["1", "52377"]
    assert stderr_lines[0].startswith(f"{export}:2 (byte ")
    assert stderr_lines[0].endswith(
        "eventPayload.features.temperature must be a number, found a string 'hot'"
    )
    assert stderr_lines[-1] == "2 events read, 1 invalid records"


def test_cli_integer_wider_than_64_bits(tmp_path: Path) -> None:
    record = v2("measurement", "wide", features={"temperature": 2**70})
    export = tmp_path / "export.json"
    export.write_text(json.dumps(record) + "\n" + json.dumps(v2("measurement", "2")))
    completed = run_events(str(export))
    objects = output_objects(completed)
    assert completed.returncode == 0, completed.stderr
    assert [obj["event_id"] for obj in objects] == ["wide", "2"]
    assert objects[0]["features"]["temperature_c"] == float(2**70)


def test_cli_file_name_not_utf8(tmp_path: Path) -> None:
    # Linux file names are bytes, and Python decodes the byte FF to a lone surrogate.
    export = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xff.json")
    Path(export).write_bytes(line(v2("measurement", "1")) + b"\n[1]\n")
    shown = f"{tmp_path}/caf\\xff.json"
    for argument in (export, str(tmp_path)):
        completed = run_events(argument)
        objects = output_objects(completed)
        assert completed.returncode == 1, completed.stderr
        assert [obj["source"] for obj in objects] == [shown]
        error_line = completed.stderr.decode("utf-8").splitlines()[0]
        assert error_line.startswith(f"{shown}:2 (byte "), error_line


def test_cli_reports_broken_link_given_as_path(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to("gone.json")
    completed = run_events(str(dangling))
    expected = f"{dangling}:0 (byte 0): broken symbolic link to gone.json, so it was not read"
    assert completed.returncode == 1
    assert completed.stderr.decode().splitlines()[0] == expected


def test_cli_follows_linked_directory_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "real").mkdir(parents=True)
    (data / "real" / "a.json").write_bytes(line(v2("measurement", "1")))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.json").write_bytes(line(v2("measurement", "2")))
    (data / "linked").symlink_to(elsewhere)
    (data / "real" / "loop").symlink_to(data)
    (data / "second").symlink_to(data / "real")

    completed = run_events(str(data))
    objects = output_objects(completed)
    stderr_lines = completed.stderr.decode().splitlines()
    assert [obj["event_id"] for obj in objects] == ["2", "1"]
    assert [obj["source"] for obj in objects] == [
        str(data / "linked" / "b.json"),
        str(data / "real" / "a.json"),
    ]
    assert stderr_lines[:2] == [
        f"{data / 'real' / 'loop'}:0 (byte 0): directory already read as {data}, "
        "so it was not read again",
        f"{data / 'second'}:0 (byte 0): directory already read as {data / 'real'}, "
        "so it was not read again",
    ]
    assert completed.returncode == 1
