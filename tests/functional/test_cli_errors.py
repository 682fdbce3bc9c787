"""How the command line reports errors: one line, a documented exit code, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitron_sap.cli import cli
from tests.support import REPO_ROOT

TIMEOUT_SECONDS = 60
EXIT_CONFIGURATION = 2
EXIT_INTERNAL = 70
EXIT_OUTPUT = 74
EXIT_INTERRUPTED = 130
HEADER = "site,technical_object,technical_object_kind,notification_type\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("MONITRON_SAP_")
    }
    environment.update(
        PYTHONPATH=str(REPO_ROOT / "src"), MONITRON_SAP_DATA_DIR=str(tmp_path / "data")
    )
    return environment


def run_cli(
    args: list[str], env: dict[str, str], **options: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitron_sap", *args],
        env=env,
        capture_output="stdout" not in options,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=REPO_ROOT,
        check=False,
        **options,  # type: ignore[call-overload]
    )


def test_non_utf8_mapping_names_line(tmp_path: Path, env: dict[str, str]) -> None:
    mapping = tmp_path / "mapping.csv"
    mapping.write_bytes(HEADER.encode() + b"Plant K\xf6ln,10000101,EAMS_EQUI,M2\n")

    imported = run_cli(["mapping", "import", str(mapping)], env)

    assert imported.returncode == EXIT_CONFIGURATION
    assert f"{mapping}:2:" in imported.stderr
    assert "UTF-8" in imported.stderr
    assert "Traceback" not in imported.stderr


def test_oversized_mapping_field_names_line(tmp_path: Path, env: dict[str, str]) -> None:
    mapping = tmp_path / "mapping.csv"
    rows = (
        "Plant Hamburg,10000101,EAMS_EQUI,M2\n" + "Plant Porto," + "9" * 140_000 + ",EAMS_EQUI,M2\n"
    )
    mapping.write_text(HEADER + rows, encoding="utf-8")

    imported = run_cli(["mapping", "import", str(mapping)], env)

    assert imported.returncode == EXIT_CONFIGURATION
    assert f"{mapping}:3: is not valid CSV (field larger than field limit" in imported.stderr
    assert "Traceback" not in imported.stderr


def test_simulated_span_past_year_9999_rejected(env: dict[str, str]) -> None:
    simulated = run_cli(["simulate", "--start", "9999-12-31T23:00Z", "--duration", "2d"], env)

    assert simulated.returncode == EXIT_CONFIGURATION
    assert "ends too close to the end of year 9999" in simulated.stderr
    assert simulated.stdout == ""
    assert "Traceback" not in simulated.stderr


def test_header_only_mapping_rejected(tmp_path: Path, env: dict[str, str]) -> None:
    full = tmp_path / "full.csv"
    full.write_text(HEADER + "Plant Hamburg,10000101,EAMS_EQUI,M2\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    assert run_cli(["mapping", "import", str(full)], env).returncode == 0

    rejected = run_cli(["mapping", "import", str(empty)], env)
    listed = run_cli(["mapping", "list"], env)
    allowed = run_cli(["mapping", "import", "--allow-empty", str(empty)], env)

    assert rejected.returncode == EXIT_CONFIGURATION
    assert "--allow-empty" in rejected.stderr
    assert "10000101" in listed.stdout
    assert allowed.returncode == 0, allowed.stderr


def test_non_utf8_config_named(tmp_path: Path, env: dict[str, str]) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[sap]\nuser = "M\xfcller"\n')

    listed = run_cli(["mapping", "list", "--config", str(config)], env)

    assert listed.returncode == EXIT_CONFIGURATION
    assert str(config) in listed.stderr
    assert "Traceback" not in listed.stderr


def test_export_to_missing_folder(tmp_path: Path, env: dict[str, str]) -> None:
    target = tmp_path / "missing" / "m.csv"

    exported = run_cli(["mapping", "export", str(target)], env)

    assert exported.returncode == EXIT_OUTPUT
    assert exported.stderr.count("\n") == 1
    assert str(target) in exported.stderr


def test_full_output_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(HEADER + "Plant Hamburg,10000101,EAMS_EQUI,M2\n", encoding="utf-8")
    assert run_cli(["mapping", "import", str(mapping)], env).returncode == 0

    with open("/dev/full", "w", encoding="utf-8") as full:
        exported = run_cli(["mapping", "export"], env, stdout=full, stderr=subprocess.PIPE)

    assert exported.returncode == EXIT_OUTPUT
    assert exported.stderr.strip().startswith("error: cannot write the output")
    assert exported.stderr.count("\n") == 1


def test_emulator_port_out_of_range(env: dict[str, str]) -> None:
    started = run_cli(["sap-emulator", "--port", "99999"], env)

    assert started.returncode == EXIT_CONFIGURATION
    assert "0<=x<=65535" in started.stderr


def test_interrupt_exits_130(env: dict[str, str]) -> None:
    env = {**env, "MONITRON_SAP_SAP_BASE_URL": "http://127.0.0.1:9"}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitron_sap", "process", "-"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    time.sleep(1.5)  # let the command start and block on standard input
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=TIMEOUT_SECONDS)

    assert process.returncode == EXIT_INTERRUPTED
    assert "interrupted" in stderr
    assert "rerun" in stderr or "again" in stderr
    assert "Traceback" not in stderr


def test_internal_error_asks_for_report(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("unexpected state")

    monkeypatch.setattr("monitron_sap.config.load_settings", broken)

    result = CliRunner().invoke(cli, ["mapping", "list"])

    assert result.exit_code == EXIT_INTERNAL
    assert "internal error" in result.output
    assert "Traceback" not in result.output


def test_internal_error_traceback_when_verbose(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("unexpected state")

    monkeypatch.setattr("monitron_sap.config.load_settings", broken)
    export = tmp_path / "export.jsonl"
    export.write_text("", encoding="utf-8")

    result = CliRunner().invoke(cli, ["process", "-v", str(export)])

    assert result.exit_code == EXIT_INTERNAL
    assert "Traceback" in result.output
    assert "internal error" in result.output
