"""What the command line logs: no library request lines, no credentials from the base URL."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import DEMO_MAPPING
from tests.e2e.records import v2_transition, write_jsonl
from tests.e2e.test_cli_e2e import cli_env, run_cli

__all__ = ["cli_env"]


def test_verbose_omits_httpx_request_lines(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])

    processed = run_cli(["process", "-v", str(export)], cli_env)

    assert processed.returncode == 0, processed.stderr
    assert "created notification" in processed.stderr
    assert "HTTP Request:" not in processed.stderr


def test_base_url_credentials_rejected(tmp_path: Path, cli_env: dict[str, str]) -> None:
    base_url = cli_env["MONITRON_SAP_SAP_BASE_URL"].replace("http://", "http://ME:hunter2@")
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])

    processed = run_cli(
        ["process", "-v", str(export)], {**cli_env, "MONITRON_SAP_SAP_BASE_URL": base_url}
    )

    assert processed.returncode == 2
    assert "sap.base_url" in processed.stderr
    assert "hunter2" not in processed.stdout + processed.stderr
