"""Small command checks through the command line: status, mapping list, demo and unmapped runs."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.conftest import DEMO_MAPPING
from tests.e2e.records import v2_transition, write_jsonl
from tests.e2e.test_cli_e2e import cli_env, run_cli
from tests.support import REPO_ROOT

__all__ = ["cli_env"]

EXIT_NOTHING_MAPPED = 5


def test_status_rejects_negative_recent(cli_env: dict[str, str]) -> None:
    result = run_cli(["status", "--recent", "-5"], cli_env)

    assert result.returncode == 2
    assert "--recent" in result.stderr


def test_status_without_ledger_says_so(tmp_path: Path, cli_env: dict[str, str]) -> None:
    result = run_cli(["status"], cli_env)

    assert result.returncode == 0, result.stderr
    assert "No ledger at" in result.stdout
    assert not (tmp_path / "data").exists()


def test_mapping_list_columns_separate(tmp_path: Path, cli_env: dict[str, str]) -> None:
    long_object = "1010-CWS-WCS-CWCP1-PUMP-STATION-NORTH"
    mapping = tmp_path / "mapping.csv"
    mapping.write_text(
        "site,technical_object,technical_object_kind,notification_type\n"
        f"Plant Hamburg,{long_object},EAMS_FL,M2\n",
        encoding="utf-8",
    )
    assert run_cli(["mapping", "import", str(mapping)], cli_env).returncode == 0

    listed = run_cli(["mapping", "list"], cli_env)

    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[1]
    assert f" {long_object}  EAMS_FL  M2" in row


def test_all_unmapped_export_exits_5(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0
    export = write_jsonl(
        tmp_path / "export.jsonl",
        [v2_transition("t1", "ALARM", site="Plant Oslo", asset="Mixer M-9", sensor="ffff0001")],
    )

    processed = run_cli(["process", str(export)], cli_env)

    assert processed.returncode == EXIT_NOTHING_MAPPED, processed.stderr
    assert "Plant Oslo / Mixer M-9 / Motor DE" in processed.stdout
    assert "mapping import --merge" in processed.stdout


def test_demo_applies_config_rules(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITRON_SAP_")}
    env.update(PYTHONPATH=str(REPO_ROOT / "src"), MONITRON_SAP_DATA_DIR=str(tmp_path / "data"))
    config = tmp_path / "config.toml"
    config.write_text(
        "[rules]\nnotify_on_alarm = false\nnotify_on_warning = false\n"
        "notify_on_needs_maintenance = false\n",
        encoding="utf-8",
    )

    result = run_cli(["demo", "--config", str(config)], env)

    assert result.returncode == 0, result.stderr
    assert f"Applying rules.*, lifecycle.* and [closure] from {config}" in result.stdout
    assert "0 notified" in result.stdout
