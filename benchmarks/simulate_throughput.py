"""Measure how many records per second the simulator generates and writes with the file sink.

Builds a plant of ``--positions`` sensor positions (20 per asset, 5 assets per site, with one
scenario of each fault kind), simulates ``--days`` of hourly measurements and reports, for each
case, the best of ``--repeat`` runs:

- ``generate``: the simulation and JSON encoding only, no output;
- ``dir lines``: the directory sink, Firehose layout, newline-delimited;
- ``dir concatenated``: the same without delimiters;
- ``dir lines gzip``: newline-delimited, each object gzip-compressed;
- ``dir partitioned``: the ``project=/site=/time=`` layout, newline-delimited.

Usage::

    python benchmarks/simulate_throughput.py [--positions 100] [--days 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from monitron_sap.simulate.engine import SimulationConfig, simulate  # noqa: E402
from monitron_sap.simulate.plant import Plant, parse_plant  # noqa: E402
from monitron_sap.simulate.run import run  # noqa: E402
from monitron_sap.simulate.sinks import ObjectLayout, directory_sink  # noqa: E402

FAULTS = ("bearing-wear", "misalignment", "looseness", "overheating")


def build_plant(positions: int) -> Plant:
    """Return a plant with ``positions`` positions and one scenario per fault kind."""
    lines = ['[project]\nname = "Bench"\nid = "bench01"\naccount_id = "111122223333"\n']
    for number in range(positions):
        site, asset = divmod(number // 20, 5)
        if number % 100 == 0:
            lines.append(
                f'[[sites]]\nname = "Site {site}"\n[[sites.gateways]]\n'
                f'name = "Gateway {site}"\nphysical_id = "{0xF00000000000 + site:012x}"\n'
            )
        if number % 20 == 0:
            lines.append(f'[[sites.assets]]\nname = "Asset {site}-{asset}"\niso_class = "CLASS2"\n')
        lines.append(
            f'[[sites.assets.positions]]\nname = "Position {number}"\n'
            f'sensor_id = "{0xA00000000000 + number:012x}"\n'
        )
    for index, fault in enumerate(FAULTS[: max(1, min(4, positions))]):
        lines.append(
            f'[[scenarios]]\nposition = "{0xA00000000000 + index:012x}"\nfault = "{fault}"\n'
            'start = "1d"\nalarm_after = "2d"\nacknowledge_after = "4h"\nclose_after = "8h"\n'
        )
    return parse_plant("\n".join(lines), source="benchmark plant")


def best_of(repeat: int, action: Callable[[], int]) -> tuple[int, float]:
    """Run ``action`` ``repeat`` times; return its record count and the shortest time."""
    best = float("inf")
    records = 0
    for _ in range(repeat):
        started = time.perf_counter()
        records = action()
        best = min(best, time.perf_counter() - started)
    return records, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=100)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    plant = build_plant(arguments.positions)
    config = SimulationConfig(duration=timedelta(days=arguments.days))
    scratch = Path(tempfile.mkdtemp(prefix="simulate-bench-"))

    def generate() -> int:
        return sum(1 for record in simulate(plant, config) if record.encode())

    def to_directory(layout: ObjectLayout) -> Callable[[], int]:
        def action() -> int:
            target = scratch / "out"
            shutil.rmtree(target, ignore_errors=True)
            return run(simulate(plant, config), directory_sink(target, layout)).records

        return action

    cases: list[tuple[str, Callable[[], int]]] = [
        ("generate", generate),
        ("dir lines", to_directory(ObjectLayout())),
        ("dir concatenated", to_directory(ObjectLayout(framing="concatenated"))),
        ("dir lines gzip", to_directory(ObjectLayout(gzip=True))),
        ("dir partitioned", to_directory(ObjectLayout(layout="partitioned"))),
    ]
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(
        f"{arguments.positions} positions, {arguments.days:g} days hourly, "
        f"best of {arguments.repeat}, output in {scratch}"
    )
    print(f"{'case':<18} {'records':>9} {'seconds':>9} {'records/s':>11}")
    try:
        for name, action in cases:
            records, seconds = best_of(arguments.repeat, action)
            print(f"{name:<18} {records:>9} {seconds:>9.2f} {records / seconds:>11.0f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
