"""The ``sap-emulator`` command as a real process."""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from monitron_sap.cli import cli
from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER
from tests.functional.emulator.conftest import JSON_HEADERS
from tests.support import REPO_ROOT


def _start(*arguments: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "monitron_sap", "sap-emulator", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=10)
    return stdout, stderr


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = _start()
    assert process.stdout is not None
    first_line = process.stdout.readline()
    match = re.search(r"(http://\S+/API_MAINTNOTIFICATION/)", first_line)
    assert match is not None, first_line
    yield process, match.group(1)
    if process.poll() is None:
        process.kill()
        process.wait()


def test_command_serves_until_interrupted(running: tuple[subprocess.Popen[str], str]) -> None:
    process, url = running

    response = httpx.get(url, auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS)
    _stop(process)

    assert response.status_code == 200
    assert process.returncode == 0


def test_command_prints_user_but_no_password(running: tuple[subprocess.Popen[str], str]) -> None:
    process, url = running
    assert process.stdout is not None
    user_line = process.stdout.readline()
    httpx.get(url, auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS)

    stdout, stderr = _stop(process)

    assert DEMO_USER in user_line
    assert DEMO_PASSWORD not in user_line + stdout + stderr


def test_command_logs_requests_without_headers(
    running: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = running
    httpx.get(url, auth=(DEMO_USER, DEMO_PASSWORD), headers=JSON_HEADERS)

    _, stderr = _stop(process)

    assert "GET /sap/opu/odata/sap/API_MAINTNOTIFICATION/ -> 200" in stderr
    assert "Basic " not in stderr


def test_password_from_environment() -> None:
    process = _start(env={"MONITRON_SAP_EMULATOR_PASSWORD": "other-secret"})
    try:
        assert process.stdout is not None
        url = re.search(r"(http://\S+/API_MAINTNOTIFICATION/)", process.stdout.readline())
        assert url is not None
        response = httpx.get(url.group(1), auth=(DEMO_USER, "other-secret"), headers=JSON_HEADERS)
    finally:
        stdout, stderr = _stop(process)

    assert response.status_code == 200
    assert "other-secret" not in stdout + stderr


def test_unknown_fault_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["sap-emulator", "--port", "0", "--fault", "explode=1"])

    assert result.exit_code == 2
    assert "unknown fault 'explode'" in result.output


def test_invalid_fault_value_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["sap-emulator", "--port", "0", "--fault", "error_rate=lots"])

    assert result.exit_code == 2


def test_bad_technical_objects_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "objects.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["technical_object", "kind"])
        writer.writerow(["PUMP-1", "EAMS_PUMP"])

    result = CliRunner().invoke(
        cli, ["sap-emulator", "--port", "0", "--technical-objects", str(path)]
    )

    assert result.exit_code == 1
    assert "line 2" in result.output


def test_sap_client_must_be_three_digits() -> None:
    result = CliRunner().invoke(cli, ["sap-emulator", "--port", "0", "--sap-client", "abc"])

    assert result.exit_code == 2
    assert "three digits" in result.output


def test_sigterm_logs_stop(running: tuple[subprocess.Popen[str], str]) -> None:
    process, _ = running

    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=10)

    assert process.returncode == 0
    assert "Stopping the SAP emulator (SIGTERM)." in stdout
    assert "SAP emulator stopped." in stdout
