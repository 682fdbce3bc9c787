"""Measurement history and PNG trend charts with ISO vibration zone lines.

Importing this package does not import matplotlib; only rendering does.
"""

from monitron_sap.charts.history import MeasurementHistory, MeasurementSample, sample_from_event
from monitron_sap.charts.render import ChartOptions, chart_file_name, render_trend_chart
from monitron_sap.charts.zones import ISO_CLASS_LIMITS, VelocityZoneLimits, zone_limits_for_class

__all__ = [
    "ISO_CLASS_LIMITS",
    "ChartOptions",
    "MeasurementHistory",
    "MeasurementSample",
    "VelocityZoneLimits",
    "chart_file_name",
    "render_trend_chart",
    "sample_from_event",
    "zone_limits_for_class",
]
