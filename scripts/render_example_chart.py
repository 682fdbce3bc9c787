"""Render the example trend chart shown in the docs from a made-up, deterministic history.

Usage: python scripts/render_example_chart.py [OUTPUT.png]   (default docs/images/...)
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitron_sap.charts import (
    MeasurementHistory,
    MeasurementSample,
    render_trend_chart,
    zone_limits_for_class,
)

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs/images/trend-chart-example.png"
START = datetime(2024, 3, 1, tzinfo=UTC)
DAYS = 7


def example_history() -> MeasurementHistory:
    """Return a week of hourly samples of a pump whose misalignment grows from day 4."""
    history = MeasurementHistory()
    for hour in range(DAYS * 24):
        fault = max(0.0, (hour - 72) / 96)
        daily = math.sin(2 * math.pi * hour / 24)
        history.add(
            MeasurementSample(
                timestamp=START + timedelta(hours=hour),
                velocity_rms=round(1.4 + 0.15 * daily + 3.6 * fault**1.5, 3),
                acceleration_rms=round(0.35 + 0.02 * daily + 0.5 * fault, 3),
                temperature_c=round(41.0 + 1.5 * daily + 6.0 * fault, 2),
            )
        )
    return history


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    png = render_trend_chart(
        example_history(),
        title="Example Plant / Site A / Pump 7 / Motor DE (CLASS2)",
        zone_limits=zone_limits_for_class("CLASS2"),
    )
    output.write_bytes(png)
    print(f"wrote {output} ({len(png)} bytes)")


if __name__ == "__main__":
    main()
