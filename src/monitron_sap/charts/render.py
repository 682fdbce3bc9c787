"""Render a PNG trend chart of one position's measurements with ISO zone lines.

matplotlib is an optional dependency (the ``charts`` extra) and is imported inside the render
functions only, so importing this module costs nothing for records that need no chart, which
matters for a Lambda cold start.
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from monitron_sap.charts.history import MeasurementHistory, MeasurementSample
from monitron_sap.charts.zones import VelocityZoneLimits
from monitron_sap.errors import ConfigurationError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

PNG_MIME_TYPE: Final = "image/png"

# Colours of the zone boundary lines, from the tab10 palette: green, orange, red.
ZONE_LINE_COLORS: Final = {"A/B": "#2ca02c", "B/C": "#ff7f0e", "C/D": "#d62728"}
SERIES_COLOR: Final = "#1f77b4"
# Headroom above the highest value or zone line, so the top line is never on the frame.
Y_HEADROOM: Final = 1.15
FILE_NAME_LABEL_MAX: Final = 80
_UNSAFE_FILE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True, slots=True)
class ChartOptions:
    """Time span and pixel size of a chart. The PNG is exactly ``width_px`` x ``height_px``."""

    days: float = 7.0
    width_px: int = 1200
    height_px: int = 900
    dpi: int = 100

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise ValueError(f"chart days must be positive, got {self.days}")
        if self.width_px < 200 or self.height_px < 200:
            raise ValueError(
                f"chart size must be at least 200x200 pixels, got {self.width_px}x{self.height_px}"
            )
        if self.dpi < 10:
            raise ValueError(f"chart dpi must be at least 10, got {self.dpi}")


def render_trend_chart(
    history: MeasurementHistory,
    *,
    title: str,
    zone_limits: VelocityZoneLimits | None,
    end: datetime | None = None,
    options: ChartOptions | None = None,
) -> bytes:
    """Render the last ``options.days`` of ``history`` up to ``end`` as PNG bytes.

    ``end`` defaults to the newest sample, so the same history always gives the same chart.
    Without ``zone_limits`` the velocity panel has no zone lines. Raises ``ConfigurationError``
    when matplotlib is not installed.
    """
    chart_options = options or ChartOptions()
    end_time = end
    if end_time is None:
        newest = history.newest
        if newest is None:
            raise ValueError("an empty history needs an explicit chart end time")
        end_time = newest.timestamp

    started = time.perf_counter()
    samples = history.window(chart_options.days, end=end_time)
    figure = build_trend_figure(
        samples,
        title=title,
        zone_limits=zone_limits,
        start=end_time - timedelta(days=chart_options.days),
        end=end_time,
        options=chart_options,
    )
    buffer = io.BytesIO()
    # No "Software" text chunk, so the bytes do not change with the matplotlib version.
    figure.savefig(buffer, format="png", dpi=chart_options.dpi, metadata={"Software": None})
    png = buffer.getvalue()

    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.debug(
        "rendered trend chart of %d samples, %d bytes in %.0f ms",
        len(samples),
        len(png),
        elapsed_ms,
    )
    return png


def chart_file_name(label: str, at: datetime) -> str:
    """Return an ASCII file name such as ``trend-pump-7-motor-de-20240308T101502Z.png``.

    The label is reduced to lower-case ASCII letters, digits and dashes (accents dropped) and cut
    to 80 characters; ``at`` (timezone-aware) makes the name unique per event of a position.
    """
    if at.utcoffset() is None:
        raise ValueError(f"chart time {at.isoformat()} has no time zone")
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    slug = _UNSAFE_FILE_NAME_CHARACTERS.sub("-", ascii_label).strip("-").lower()
    slug = slug[:FILE_NAME_LABEL_MAX].rstrip("-") or "position"
    stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"trend-{slug}-{stamp}.png"


def build_trend_figure(
    samples: Sequence[MeasurementSample],
    *,
    title: str,
    zone_limits: VelocityZoneLimits | None,
    start: datetime,
    end: datetime,
    options: ChartOptions,
) -> Figure:
    """Build the three-panel figure: velocity RMS with zone lines, acceleration RMS, temperature.

    The figure is drawn on matplotlib's Agg canvas and never touches ``pyplot``, so rendering
    keeps no global state between calls and is safe in a long-running process.
    """
    figure_class, canvas_class = _import_matplotlib()
    from matplotlib import dates as mdates

    figure = figure_class(
        figsize=(options.width_px / options.dpi, options.height_px / options.dpi),
        dpi=options.dpi,
        layout="constrained",
    )
    canvas_class(figure)
    velocity_axes, acceleration_axes, temperature_axes = figure.subplots(3, 1, sharex=True)
    figure.suptitle(title)

    times = [sample.timestamp for sample in samples]
    _plot_series(velocity_axes, times, [s.velocity_rms for s in samples], "Velocity RMS (mm/s)")
    _plot_series(
        acceleration_axes, times, [s.acceleration_rms for s in samples], "Acceleration RMS (m/s²)"
    )
    _plot_series(temperature_axes, times, [s.temperature_c for s in samples], "Temperature (°C)")

    if zone_limits is not None:
        _draw_zone_lines(velocity_axes, zone_limits, [s.velocity_rms for s in samples])
    if not samples:
        velocity_axes.text(
            0.5,
            0.5,
            f"No measurements in the last {options.days:g} days",
            transform=velocity_axes.transAxes,
            ha="center",
            va="center",
        )

    temperature_axes.set_xlim(start, end)
    # matplotlib 3.x ships these two classes without annotations.
    locator = mdates.AutoDateLocator(tz=UTC)  # type: ignore[no-untyped-call]
    formatter = mdates.ConciseDateFormatter(locator, tz=UTC)  # type: ignore[no-untyped-call]
    temperature_axes.xaxis.set_major_locator(locator)
    temperature_axes.xaxis.set_major_formatter(formatter)
    temperature_axes.set_xlabel("Time (UTC)")
    return figure


def _import_matplotlib() -> tuple[type[Figure], type[FigureCanvasAgg]]:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ConfigurationError(
            "rendering a trend chart needs matplotlib, which is not installed; "
            "install it with: pip install 'monitron-sap[charts]', or turn trend charts off"
        ) from error
    return Figure, FigureCanvasAgg


def _plot_series(
    axes: Axes, times: Sequence[datetime], values: Sequence[float | None], label: str
) -> None:
    # NaN leaves a gap where a record did not carry the value.
    points = [math.nan if value is None else value for value in values]
    # matplotlib's date converter plots datetimes, but its stubs accept only numbers and arrays.
    axes.plot(
        times,  # type: ignore[arg-type]
        points,
        color=SERIES_COLOR,
        linewidth=1.2,
        marker=".",
        markersize=3,
    )
    axes.set_ylabel(label)
    axes.grid(True, alpha=0.3)


def _draw_zone_lines(
    axes: Axes, zone_limits: VelocityZoneLimits, values: Sequence[float | None]
) -> None:
    for label, limit in zone_limits.boundaries():
        axes.axhline(
            limit,
            color=ZONE_LINE_COLORS[label],
            linestyle="--",
            linewidth=1.5,
            label=f"{zone_limits.name} {label} {limit:g} mm/s",
            gid=f"zone-{label}",
        )

    highest_value = max((value for value in values if value is not None), default=0.0)
    axes.set_ylim(0, max(highest_value, zone_limits.c_d) * Y_HEADROOM)
    axes.legend(loc="upper left", fontsize="small")
