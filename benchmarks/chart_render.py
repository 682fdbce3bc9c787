"""Measure what a trend chart costs: package import, first render (matplotlib import included)
and further renders in the same process.

Usage: PYTHONPATH=src python benchmarks/chart_render.py [--renders N]

Each cold figure comes from a fresh interpreter, as in a Lambda cold start. Figures vary with
the machine; the script prints the Python and matplotlib versions next to them.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))

COLD_IMPORT = """
import sys, time
started = time.perf_counter()
import monitron_sap.charts
elapsed = time.perf_counter() - started
print(f"{elapsed * 1000:.1f} {'matplotlib' in sys.modules}")
"""

COLD_RENDER = """
import sys, time
sys.path.insert(0, SCRIPTS_DIR)
from render_example_chart import example_history
from monitron_sap.charts import render_trend_chart, zone_limits_for_class
history = example_history()
started = time.perf_counter()
png = render_trend_chart(history, title="t", zone_limits=zone_limits_for_class("CLASS2"))
print(f"{(time.perf_counter() - started) * 1000:.1f} {len(png)}")
"""


def run_fresh(code: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return result.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=10, help="warm renders to time")
    arguments = parser.parse_args()

    import matplotlib
    from render_example_chart import example_history

    from monitron_sap.charts import render_trend_chart, zone_limits_for_class

    print(
        f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs"
    )

    import_ms, matplotlib_loaded = run_fresh(COLD_IMPORT)
    print(
        f"import monitron_sap.charts (fresh process): {import_ms} ms, "
        f"matplotlib loaded: {matplotlib_loaded}"
    )

    cold_ms, png_bytes = run_fresh(
        COLD_RENDER.replace("SCRIPTS_DIR", repr(str(REPO_ROOT / "scripts")))
    )
    print(f"first render in a fresh process (imports matplotlib): {cold_ms} ms, {png_bytes} bytes")

    history = example_history()
    limits = zone_limits_for_class("CLASS2")
    timings = []
    for _ in range(arguments.renders):
        started = time.perf_counter()
        render_trend_chart(history, title="t", zone_limits=limits)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"warm render, {len(history)} samples: median {statistics.median(timings):.1f} ms, "
        f"max {max(timings):.1f} ms over {arguments.renders} renders"
    )


if __name__ == "__main__":
    main()
