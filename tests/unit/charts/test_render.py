"""Tests of the PNG trend chart, rendered with the real matplotlib Agg backend."""

from __future__ import annotations

import io
import struct
import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from matplotlib import image as mpimage
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D

from monitron_sap.charts.history import MeasurementHistory, MeasurementSample
from monitron_sap.charts.render import (
    ZONE_LINE_COLORS,
    ChartOptions,
    build_trend_figure,
    chart_file_name,
    render_trend_chart,
)
from monitron_sap.charts.zones import ISO_CLASS_LIMITS
from monitron_sap.errors import ConfigurationError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2024, 3, 1, tzinfo=UTC)
CLASS2 = ISO_CLASS_LIMITS["CLASS2"]


def rising_history(hours: int = 24 * 8) -> MeasurementHistory:
    return MeasurementHistory(
        MeasurementSample(
            timestamp=T0 + timedelta(hours=hour),
            velocity_rms=0.8 + hour * 0.02,
            acceleration_rms=0.1 + hour * 0.001,
            temperature_c=40.0 + (hour % 24) / 4,
        )
        for hour in range(hours)
    )


def png_size(png: bytes) -> tuple[int, int]:
    # The IHDR chunk follows the signature: 4-byte length, b"IHDR", width, height.
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def pixels_near(png: bytes, color: str, tolerance: float = 0.06) -> int:
    rgb = np.asarray(mpimage.imread(io.BytesIO(png), format="png"))[:, :, :3]
    distance = np.abs(rgb - np.asarray(to_rgb(color))).max(axis=2)
    return int((distance < tolerance).sum())


def test_chart_is_png() -> None:
    png = render_trend_chart(rising_history(), title="Pump 7 / Motor DE", zone_limits=CLASS2)

    assert png.startswith(PNG_SIGNATURE)


def test_chart_has_requested_size() -> None:
    options = ChartOptions(width_px=800, height_px=600, dpi=100)

    png = render_trend_chart(rising_history(), title="t", zone_limits=CLASS2, options=options)

    assert png_size(png) == (800, 600)


def test_chart_size_does_not_depend_on_data() -> None:
    short = render_trend_chart(rising_history(3), title="short", zone_limits=None)
    long = render_trend_chart(
        rising_history(), title="a much longer title " * 3, zone_limits=CLASS2
    )

    assert png_size(short) == png_size(long)


def test_same_history_gives_same_bytes() -> None:
    first = render_trend_chart(rising_history(), title="Pump 7", zone_limits=CLASS2)
    second = render_trend_chart(rising_history(), title="Pump 7", zone_limits=CLASS2)

    assert first == second


def test_figure_has_one_line_per_zone_boundary() -> None:
    history = rising_history()
    end = history.samples[-1].timestamp

    figure = build_trend_figure(
        history.samples,
        title="Pump 7",
        zone_limits=CLASS2,
        start=end - timedelta(days=7),
        end=end,
        options=ChartOptions(),
    )
    velocity_axes = figure.axes[0]
    zone_lines = {
        line.get_gid(): line for line in velocity_axes.get_lines() if isinstance(line, Line2D)
    }

    assert zone_lines["zone-A/B"].get_ydata()[0] == 1.12
    assert zone_lines["zone-B/C"].get_ydata()[0] == 2.8
    assert zone_lines["zone-C/D"].get_ydata()[0] == 7.1
    assert velocity_axes.get_ylim()[1] > 7.1


def test_figure_has_three_panels() -> None:
    figure = build_trend_figure(
        [],
        title="empty",
        zone_limits=None,
        start=T0,
        end=T0 + timedelta(days=7),
        options=ChartOptions(),
    )

    assert [axes.get_ylabel() for axes in figure.axes] == [
        "Velocity RMS (mm/s)",
        "Acceleration RMS (m/s²)",
        "Temperature (°C)",
    ]


@pytest.mark.parametrize("boundary", ["A/B", "B/C", "C/D"])
def test_zone_line_colour_in_png(boundary: str) -> None:
    png = render_trend_chart(rising_history(), title="Pump 7", zone_limits=CLASS2)

    assert pixels_near(png, ZONE_LINE_COLORS[boundary]) > 200


def test_no_zone_colours_without_limits() -> None:
    png = render_trend_chart(rising_history(), title="Pump 7", zone_limits=None)

    assert pixels_near(png, ZONE_LINE_COLORS["C/D"]) == 0


def test_chart_shows_only_requested_days() -> None:
    history = rising_history(24 * 10)
    end = history.samples[-1].timestamp

    figure = build_trend_figure(
        history.window(2),
        title="Pump 7",
        zone_limits=CLASS2,
        start=end - timedelta(days=2),
        end=end,
        options=ChartOptions(days=2),
    )
    series = next(line for line in figure.axes[0].get_lines() if line.get_gid() is None)

    assert len(series.get_xdata()) == 49


def test_empty_history_needs_end_time() -> None:
    with pytest.raises(ValueError, match="end time"):
        render_trend_chart(MeasurementHistory(), title="empty", zone_limits=CLASS2)


def test_empty_window_still_renders() -> None:
    png = render_trend_chart(
        MeasurementHistory(), title="empty", zone_limits=CLASS2, end=T0 + timedelta(days=1)
    )

    assert png.startswith(PNG_SIGNATURE)


def test_missing_matplotlib_raises_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes the import raise ImportError, as when it is missing.
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)

    with pytest.raises(ConfigurationError) as caught:
        render_trend_chart(rising_history(), title="Pump 7", zone_limits=CLASS2)

    assert "monitron-sap[charts]" in str(caught.value)


@pytest.mark.parametrize(
    "kwargs",
    [{"days": 0}, {"width_px": 50}, {"height_px": 10}, {"dpi": 1}],
)
def test_invalid_options_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="chart"):
        ChartOptions(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Pump 7 / Motor DE", "trend-pump-7-motor-de-20240308T101502Z.png"),
        ("Kühlwasserpumpe Süd", "trend-kuhlwasserpumpe-sud-20240308T101502Z.png"),
        ("///", "trend-position-20240308T101502Z.png"),
    ],
)
def test_chart_file_name(label: str, expected: str) -> None:
    assert chart_file_name(label, datetime(2024, 3, 8, 10, 15, 2, tzinfo=UTC)) == expected


def test_chart_file_name_is_bounded_ascii() -> None:
    name = chart_file_name("Ä" + "x" * 300, T0)

    assert name.isascii()
    assert len(name) <= len("trend--20240301T000000Z.png") + 80


def test_chart_file_name_needs_time_zone() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        chart_file_name("pump", datetime(2024, 3, 8))
