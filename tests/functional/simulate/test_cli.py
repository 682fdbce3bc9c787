"""``monitron-sap simulate`` through a subprocess, as a user runs it."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from tests.functional.simulate.clienv import PYTHON, REPO_ROOT, cli_env
from tests.support import shared_path
from tests.unit.simulate.readback import decode_stream, object_files, read_files


def simulate(*options: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [PYTHON, "-m", "monitron_sap", "simulate", *options],
        cwd=REPO_ROOT, env=cli_env(), capture_output=True, timeout=120,
    )  # fmt: skip


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in object_files(root)}


def test_same_seed_byte_identical_tree(tmp_path: Path) -> None:
    options = ("--duration", "2d", "--seed", "9", "--gzip", "--framing", "concatenated")
    first = simulate(*options, "--sink", f"dir:{tmp_path / 'a'}")
    second = simulate(*options, "--sink", f"dir:{tmp_path / 'b'}")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert len(tree(tmp_path / "a")) > 10


@pytest.mark.parametrize("framing", ["lines", "concatenated"])
@pytest.mark.parametrize("use_gzip", [False, True])
def test_events_command_reads_stdout(framing: str, use_gzip: bool) -> None:
    options = ["--duration", "3d", "--framing", framing] + (["--gzip"] if use_gzip else [])
    produced = simulate(*options)
    read = subprocess.run(
        [PYTHON, "-m", "monitron_sap", "events", "-"],
        input=produced.stdout, cwd=REPO_ROOT, env=cli_env(), capture_output=True, timeout=120,
    )  # fmt: skip
    assert produced.returncode == 0, produced.stderr
    assert read.returncode == 0, read.stderr
    written = int(produced.stderr.split()[1])
    assert f"{written} events read, 0 invalid records".encode() in read.stderr


@pytest.mark.parametrize("layout", ["firehose", "partitioned"])
def test_events_command_reads_directory(tmp_path: Path, layout: str) -> None:
    produced = simulate("--duration", "2d", "--layout", layout, "--sink", f"dir:{tmp_path}")
    read = subprocess.run(
        [PYTHON, "-m", "monitron_sap", "events", str(tmp_path)],
        cwd=REPO_ROOT, env=cli_env(), capture_output=True, timeout=120,
    )  # fmt: skip
    assert produced.returncode == 0, produced.stderr
    assert read.returncode == 0, read.stderr
    assert b" 0 invalid records" in read.stderr


def test_stdout_lines_with_count() -> None:
    result = simulate("--count", "25")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 25
    assert b"wrote 25 records" in result.stderr
    assert len(decode_stream(result.stdout)) == 25


def test_stdout_gzip_v1() -> None:
    result = simulate("--count", "5", "--gzip", "--schema", "v1")
    assert result.returncode == 0, result.stderr
    documents = decode_stream(gzip.decompress(result.stdout))
    assert [d["version"] for d in documents] == ["1.0"] * 5


def test_scenario_option_changes_output(tmp_path: Path) -> None:
    result = simulate(
        "--duration", "5d", "--scenario", "a1b2c3d40102=looseness,start=12h,alarm-after=2d",
        "--sink", f"dir:{tmp_path}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    transitions = [
        d["eventPayload"]["assetState"]["newState"]
        for d in read_files(object_files(tmp_path))
        if d["eventType"] == "assetStateTransition"
    ]
    assert transitions == ["WARNING", "ALARM"]


def test_invalid_scenario_exit_code_2() -> None:
    result = simulate("--scenario", "Motor DE=looseness")
    assert result.returncode == 2
    assert b"ambiguous" in result.stderr
    assert result.stdout == b""


def test_invalid_plant_file_exit_code_2(tmp_path: Path) -> None:
    plant = tmp_path / "plant.toml"
    plant.write_text('[project]\nname = "x"\naccount_id = "111122223333"\n', encoding="utf-8")
    result = simulate("--plant", str(plant))
    assert result.returncode == 2
    assert f"{plant}: project.id: missing required string".encode() in result.stderr


def test_paced_run_completes() -> None:
    result = simulate("--count", "3", "--rate", "50/s")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def test_kdg_template_to_directory(tmp_path: Path) -> None:
    template = shared_path("samples/seed/kinesisdatatemplate.json")
    result = simulate("--kdg-template", str(template), "--count", "12", "--sink", f"dir:{tmp_path}")
    assert result.returncode == 0, result.stderr
    documents = read_files(object_files(tmp_path))
    assert len(documents) == 12
    assert all(d["projectDisplayName"] == "sap-monitron" for d in documents)


def test_kdg_unsupported_helper(tmp_path: Path) -> None:
    template = tmp_path / "t.json"
    template.write_text('{"a": 1,\n "b": "{{lorem.word}}"}', encoding="utf-8")
    result = simulate("--kdg-template", str(template))
    assert result.returncode == 2
    assert f"{template}:2:8: unsupported helper 'lorem.word'".encode() in result.stderr


def test_help_lists_sinks() -> None:
    result = simulate("--help")
    assert result.returncode == 0
    assert b"kinesis://STREAM" in result.stdout


def test_no_scenarios_stays_healthy() -> None:
    result = simulate("--no-scenarios", "--duration", "4d")
    assert result.returncode == 0, result.stderr
    documents = decode_stream(result.stdout)
    kinds = {d["eventType"] for d in documents}
    assert "assetStateTransition" not in kinds
    assert "sensorDisconnected" in kinds


def test_no_scenarios_with_scenario_rejected() -> None:
    result = simulate("--no-scenarios", "--scenario", "a1b2c3d40101=looseness")
    assert result.returncode == 2
    assert b"either --scenario or --no-scenarios" in result.stderr
