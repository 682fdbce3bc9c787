"""Measure what keeping measurement histories for trend charts costs the pipeline.

Processes the same measurement records (no alerts, so no SAP call and no chart) through the
pipeline on a fresh SQLite ledger twice: with charts off, and with charts on, where every
measurement is added to its position's bounded history. Prints records per second of each run
and the ratio. Run from the repository root:

    PYTHONPATH=src python benchmarks/history_upkeep.py [--positions 50] [--hours 336]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitron_sap.events.model import (
    MEASUREMENT,
    Features,
    ModelOutput,
    MonitronEvent,
    SourceRef,
    VibrationBand,
)
from monitron_sap.pipeline import Pipeline
from monitron_sap.rules import RuleSettings
from monitron_sap.store.sqlite import SqliteStore

START = datetime(2026, 1, 1, tzinfo=UTC)


def measurements(positions: int, hours: int) -> list[MonitronEvent]:
    """Return one measurement per position and hour, in time order."""
    events = []
    for hour in range(hours):
        for position in range(positions):
            events.append(
                MonitronEvent(
                    event_id=f"m{hour}-{position}",
                    event_type=MEASUREMENT,
                    schema_version=2,
                    timestamp=START + timedelta(hours=hour),
                    source=SourceRef("benchmark.jsonl", len(events), len(events) + 1),
                    version="2.0",
                    project="Benchmark",
                    site="Plant",
                    asset=f"Pump {position}",
                    position="Motor DE",
                    asset_position_id=f"pos-{position}",
                    sensor_id=f"sensor{position}",
                    features=Features(
                        acceleration=VibrationBand(rms=0.5 + hour / 1000),
                        velocity=VibrationBand(rms=2.0 + hour / 500),
                        temperature_c=40.0,
                    ),
                    models={"vibrationISO": ModelOutput(persistent="HEALTHY", iso_class="CLASS2")},
                )
            )
    return events


def run(events: list[MonitronEvent], *, charts: bool) -> float:
    """Process ``events`` on a fresh ledger and return records per second (wall clock)."""
    # Measurement records never reach SAP or the attachment service, so placeholders do.
    placeholder: Any = object()
    with (
        tempfile.TemporaryDirectory() as folder,
        SqliteStore(Path(folder) / "ledger.sqlite3") as store,
    ):
        pipeline = Pipeline(
            ledger=store,
            mappings=store,
            sap=placeholder,
            rules=RuleSettings(charts=charts),
            attachments=placeholder,
        )
        started = time.perf_counter()
        pipeline.process(events)
        store.flush()
        elapsed = time.perf_counter() - started
    return len(events) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--positions", type=int, default=50, help="number of asset positions (default 50)"
    )
    parser.add_argument(
        "--hours", type=int, default=336, help="hourly measurements per position (default 336)"
    )
    arguments = parser.parse_args()

    events = measurements(arguments.positions, arguments.hours)
    print(f"Python {sys.version.split()[0]}, {platform.machine()} {platform.system()}")
    print(f"{len(events):,} measurements of {arguments.positions} positions")
    off = run(events, charts=False)
    on = run(events, charts=True)
    print(f"charts off: {off:,.0f} records/s")
    print(f"charts on:  {on:,.0f} records/s ({on / off:.2f} of charts off)")


if __name__ == "__main__":
    main()
