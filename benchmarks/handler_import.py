"""Measure the import time of the Lambda handler module against ``import boto3``.

Each measurement runs in a fresh interpreter (``python -c``), so no module is cached from an
earlier one, and the contenders alternate so that disk caches warm them alike. Three contenders:

- ``boto3``: ``import boto3``, the baseline every Python Lambda that calls AWS pays;
- ``handler``: ``import monitron_sap.aws.handlers``, what Lambda does during the init phase;
- ``first-call``: the handler module plus every module the first invocation imports (the
  pipeline, boto3, httpx, Powertools' logger, metrics and batch utility), which a cold start
  pays on its first event.

Usage::

    python benchmarks/handler_import.py [--repetitions 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5
CONTENDERS = {
    "boto3": "import boto3",
    "handler": "import monitron_sap.aws.handlers",
    "first-call": (
        "import monitron_sap.aws.handlers, monitron_sap.aws.lambda_runtime, boto3, "
        "aws_lambda_powertools.utilities.batch"
    ),
}
# Reports the interpreter's own time for the statement, excluding interpreter start-up.
TIMER = (
    "import time; _start = time.perf_counter(); {statement}; print(time.perf_counter() - _start)"
)


def measure(statement: str) -> float:
    """Return the seconds one fresh interpreter spends on ``statement``."""
    environment = dict(os.environ, PYTHONPATH=str(REPO_ROOT / "src"), PYTHONDONTWRITEBYTECODE="")
    result = subprocess.run(
        [sys.executable, "-c", TIMER.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=15, help="runs per contender")
    arguments = parser.parse_args()

    samples: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for statement in CONTENDERS.values():
        measure(statement)  # one unmeasured run, so every contender starts from warm disk caches
    started = time.perf_counter()
    for _ in range(arguments.repetitions):
        for name, statement in CONTENDERS.items():
            samples[name].append(measure(statement))
    elapsed = time.perf_counter() - started

    print(f"python {sys.version.split()[0]} on {sys.platform}, {arguments.repetitions} runs each")
    print(f"{'contender':<12} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    medians: dict[str, float] = {}
    for name, values in samples.items():
        medians[name] = statistics.median(values)
        print(
            f"{name:<12} {medians[name] * 1000:>10.1f} {min(values) * 1000:>8.1f} "
            f"{max(values) * 1000:>8.1f}"
        )
    ratio = medians["handler"] / medians["boto3"]
    first_call_ratio = medians["first-call"] / medians["boto3"]
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"handler / boto3 = {ratio:.2f} ({verdict} the target of {TARGET_RATIO})")
    print(f"first-call / boto3 = {first_call_ratio:.2f}")
    print(f"total wall time {elapsed:.1f} s")


if __name__ == "__main__":
    main()
