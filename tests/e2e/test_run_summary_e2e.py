"""The run summary against SQLite and the emulator: repeats in one input, records of other runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitron_sap.emulator import EmulatorServer
from monitron_sap.events.model import MonitronEvent
from monitron_sap.events.reader import read_paths
from monitron_sap.pipeline.entries import event_entry
from monitron_sap.pipeline.results import RecordResult
from monitron_sap.rules.decide import position_of
from monitron_sap.sap.notifications import NotificationClient
from monitron_sap.store.ports import Outcome
from monitron_sap.store.sqlite import SqliteStore
from tests.e2e.conftest import DEMO_MAPPING
from tests.e2e.records import v2_transition, write_jsonl
from tests.e2e.test_cli_e2e import cli_env, run_cli
from tests.e2e.test_pipeline_e2e import LEASE_SECONDS, make_pipeline

__all__ = ["cli_env"]


def hold_first_record(store: SqliteStore, export: Path) -> MonitronEvent:
    """Claim the export's first record as another run would, without finishing it."""
    event = next(iter(read_paths([str(export)])))
    assert isinstance(event, MonitronEvent)
    now = datetime.now(UTC)
    entry = event_entry(event, position_of(event), Outcome.IN_PROGRESS, now, reference="other")
    store.claim(entry, lease_seconds=LEASE_SECONDS, now=now)
    return event


def test_record_finished_by_other_run_settled(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    held = hold_first_record(store, export)

    def other_run_finishes(result: RecordResult) -> None:
        if result.busy:
            store.finish(held.record_key, Outcome.NOTIFIED, now=datetime.now(UTC), reason="other")

    summary = make_pipeline(store, client).process(
        read_paths([str(export)]), on_result=other_run_finishes
    )

    assert summary.busy == 0
    assert summary.finished_elsewhere == 1
    assert summary.ok


def test_record_still_held_stays_busy(
    tmp_path: Path, store: SqliteStore, client: NotificationClient
) -> None:
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    hold_first_record(store, export)

    summary = make_pipeline(store, client).process(read_paths([str(export)]))

    assert summary.busy == 1
    assert summary.finished_elsewhere == 0


def test_repeat_in_input_counted_separately(tmp_path: Path, cli_env: dict[str, str]) -> None:
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0
    alarm = v2_transition("t1", "ALARM")
    export = write_jsonl(tmp_path / "export.jsonl", [alarm, alarm])

    processed = run_cli(["process", str(export)], cli_env)

    assert processed.returncode == 0, processed.stderr
    assert "1 records appeared more than once in this input" in processed.stdout
    assert "earlier run" not in processed.stdout


def test_dead_letter_shows_sap_attempts(
    tmp_path: Path, emulator: EmulatorServer, cli_env: dict[str, str]
) -> None:
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0
    export = write_jsonl(tmp_path / "export.jsonl", [v2_transition("t1", "ALARM")])
    emulator.faults.update(error_rate=1.0, error_status=503)

    processed = run_cli(["process", str(export)], cli_env)
    listed = run_cli(["dead-letters", "list"], cli_env)

    assert processed.returncode == 1
    assert "SAP unavailable after 2 attempts" in listed.stdout
    assert "runs 1" in listed.stdout
