"""End-to-end throughput: a large mixed Monitron export through the pipeline into the emulator.

Prints records per second for the reader alone and for the whole pipeline in one run, on the same
generated file. The pipeline is the reader, rules, mapping lookup, SQLite ledger, SAP client over
HTTP and the SAP emulator on 127.0.0.1. Rates are per wall-clock second and per CPU second of
this process. The emulator
runs in a thread of the same process, so its work counts in the end-to-end CPU time.
Run from the repository root:

    PYTHONPATH=src python benchmarks/end_to_end.py [--positions 200] [--hours 250]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitron_sap.assets.model import MappingEntry
from monitron_sap.config import SapSettings, Secret, load_settings
from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorConfig, EmulatorServer
from monitron_sap.events.reader import read_paths
from monitron_sap.runtime import build_notification_client, build_pipeline
from monitron_sap.store.sqlite import SqliteStore

SITES = ("Plant Hamburg", "Plant Porto", "Plant Lyon", "Plant Gdansk")
STATES = ("WARNING", "ALARM", "NEEDS_MAINTENANCE", "HEALTHY")
START = datetime(2026, 1, 1, tzinfo=UTC)


def generate(positions: int, hours: int, seed: int) -> Iterator[dict[str, Any] | str]:
    """Yield hourly measurements per position, state cycles, connectivity and a few bad lines."""
    rng = random.Random(seed)
    state = ["HEALTHY"] * positions
    event_id = 0
    for hour in range(hours):
        for index in range(positions):
            event_id += 1
            moment = START + timedelta(hours=hour, seconds=index)
            yield _record(event_id, "measurement", moment, index, _measurement(rng))
            roll = rng.random()
            if roll < 0.01:
                event_id += 1
                new = STATES[(STATES.index(state[index]) + 1) % len(STATES)]
                payload = {
                    "assetTransitionType": "measurement",
                    "assetState": {"newState": new, "previousState": state[index]},
                }
                state[index] = new
                yield _record(event_id, "assetStateTransition", moment, index, payload)
            elif roll < 0.012:
                event_id += 1
                yield _record(event_id, "sensorDisconnected", moment, index, {})
            elif roll < 0.0125:
                yield '{"eventId": "broken", "timestamp": '


def _record(
    event_id: int, event_type: str, moment: datetime, index: int, extra: dict[str, Any]
) -> dict[str, Any]:
    payload = {
        "siteName": SITES[index % len(SITES)],
        "assetName": f"Asset {index // 4:03d}",
        "positionName": f"Position {index % 4}",
        "assetPositionId": f"pos-{index:05d}",
        "sensor": {"physicalId": f"{index:012x}"},
        **extra,
    }
    return {
        "timestamp": moment.strftime("%Y-%m-%d %H:%M:%S.000"),
        "eventId": str(event_id),
        "version": "2.0",
        "accountId": "111122223333",
        "projectName": "Benchmark Plant",
        "eventType": event_type,
        "eventPayload": payload,
    }


def _measurement(rng: random.Random) -> dict[str, Any]:
    rms = round(rng.uniform(0.5, 8.0), 3)
    band = {"totalVibration": {"absMax": rms * 3, "absMin": 0, "crestFactor": 3.0, "rms": rms}}
    model = {
        "persistentClassificationOutput": "HEALTHY",
        "pointwiseClassificationOutput": "HEALTHY",
    }
    return {
        "sequenceNo": rng.randint(1, 10**6),
        "features": {"velocity": {"band10To1000Hz": band}, "temperature": 40.0},
        "models": {"vibrationISO": {**model, "isoClass": "CLASS2"}, "vibrationML": model},
    }


def mapping() -> list[MappingEntry]:
    return [
        MappingEntry(f"FL-{number}", "EAMS_FL", "M2", site=site, warning_notification_type="M1")
        for number, site in enumerate(SITES)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=200, help="asset positions")
    parser.add_argument("--hours", type=int, default=250, help="hours of hourly measurements")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        export = work / "export.jsonl"
        with export.open("w", encoding="utf-8") as stream:
            for item in generate(args.positions, args.hours, args.seed):
                stream.write((item if isinstance(item, str) else json.dumps(item)) + "\n")
        size_mb = export.stat().st_size / 1e6

        started, cpu_started = time.perf_counter(), time.process_time()
        read_count = sum(1 for _ in read_paths([str(export)]))
        reader_seconds = time.perf_counter() - started
        reader_cpu = time.process_time() - cpu_started

        technical_objects = {entry.technical_object: "EAMS_FL" for entry in mapping()}
        with EmulatorServer(EmulatorConfig(technical_objects=technical_objects)) as emulator:
            settings = load_settings(environ={"MONITRON_SAP_DATA_DIR": str(work / "data")})
            sap = SapSettings(
                base_url=emulator.base_url,
                user=DEMO_USER,
                password=Secret(DEMO_PASSWORD),
                client="100",
            )
            with SqliteStore(settings.database) as store, build_notification_client(sap) as client:
                store.replace_all(mapping())
                pipeline = build_pipeline(settings, store, client)
                started, cpu_started = time.perf_counter(), time.process_time()
                summary = pipeline.process(read_paths([str(export)]))
                pipeline_seconds = time.perf_counter() - started
                pipeline_cpu = time.process_time() - cpu_started
                requests = sum(emulator.request_count.values())

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"export: {read_count} records, {size_mb:.1f} MB JSON Lines")
    print(
        f"reader alone:  {read_count / reader_seconds:8.0f} records/s wall, "
        f"{read_count / reader_cpu:8.0f} per CPU second ({reader_seconds:.2f} s)"
    )
    print(
        f"end to end:    {summary.read / pipeline_seconds:8.0f} records/s wall, "
        f"{summary.read / pipeline_cpu:8.0f} per CPU second ({pipeline_seconds:.2f} s)"
    )
    print(f"end to end / reader alone (CPU): {reader_cpu / pipeline_cpu:.2f}")
    print(
        f"outcomes: {summary.notified} notified, {summary.correlated} correlated, "
        f"{summary.updated} updated, {sum(summary.skipped.values())} skipped, "
        f"{summary.invalid} invalid, {summary.failed} failed, "
        f"{summary.dead_lettered} dead-lettered; {requests} HTTP requests to the emulator"
    )


if __name__ == "__main__":
    main()
