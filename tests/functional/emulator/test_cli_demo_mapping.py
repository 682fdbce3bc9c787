"""The demo mapping against a plain ``sap-emulator`` process, with the master list by default or
from the mapping CSV itself."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER
from tests.e2e.records import v2_transition, write_jsonl
from tests.support import REPO_ROOT

DEMO_MAPPING = REPO_ROOT / "src/monitron_sap/data/demo/mapping.csv"
TIMEOUT_SECONDS = 60
DEMO_OBJECT_COUNT = 5


def start_emulator(*arguments: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "monitron_sap", "sap-emulator", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)/", first_line)
    assert match is not None, first_line + (process.stderr.read() if process.stderr else "")
    return process, match.group(1)


@pytest.fixture(params=[(), ("--technical-objects", str(DEMO_MAPPING))], ids=["default", "csv"])
def emulator_url(request: pytest.FixtureRequest) -> Iterator[str]:
    process, url = start_emulator(*request.param)
    yield url
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)


def demo_alerts() -> list[dict[str, object]]:
    alerts = [
        v2_transition("t1", "ALARM", asset="Pump P-101", sensor="d0000001"),
        v2_transition("t2", "ALARM", asset="Fan F-201", sensor="d0000002"),
        v2_transition(
            "t3", "ALARM", site="Plant Porto", asset="Compressor C-301", sensor="d0000003"
        ),
        v2_transition("t4", "ALARM", site="Plant Porto", asset="Filler F-1", sensor="d0000004"),
    ]
    motor = v2_transition(
        "t5", "ALARM", site="1017", asset="Motor", position="Left", sensor="d0000005"
    )
    motor["projectName"] = "sap-monitron"
    return [*alerts, motor]


def test_demo_mapping_notifies_every_object(tmp_path: Path, emulator_url: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITRON_SAP_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT / "src"),
        MONITRON_SAP_DATA_DIR=str(tmp_path / "data"),
        MONITRON_SAP_SAP_BASE_URL=emulator_url,
        MONITRON_SAP_SAP_USER=DEMO_USER,
        MONITRON_SAP_SAP_PASSWORD=DEMO_PASSWORD,
        MONITRON_SAP_SAP_CLIENT="100",
    )
    export = write_jsonl(tmp_path / "export.jsonl", demo_alerts())

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitron_sap", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )

    assert run("mapping", "import", str(DEMO_MAPPING)).returncode == 0
    processed = run("process", str(export))

    assert processed.returncode == 0, processed.stderr
    assert f"{DEMO_OBJECT_COUNT} notified" in processed.stdout


def test_default_master_list_covers_demo_mapping() -> None:
    from monitron_sap.emulator.config import DEFAULT_TECHNICAL_OBJECTS, load_technical_objects

    demo_objects = load_technical_objects(DEMO_MAPPING)

    assert len(demo_objects) == DEMO_OBJECT_COUNT
    for identifier, kind in demo_objects.items():
        assert DEFAULT_TECHNICAL_OBJECTS.get(identifier) == kind, identifier
