"""Render a position's trend chart and attach it to a notification."""

from __future__ import annotations

import logging
from datetime import datetime

from monitron_sap.charts.history import MeasurementHistory
from monitron_sap.charts.render import ChartOptions, chart_file_name, render_trend_chart
from monitron_sap.charts.zones import zone_limits_for_class
from monitron_sap.sap.attachments import Attachment, AttachmentClient

logger = logging.getLogger(__name__)


def attach_trend_chart(
    attachments: AttachmentClient,
    number: str,
    history: MeasurementHistory,
    *,
    label: str,
    iso_class: str | None,
    event_time: datetime,
    options: ChartOptions | None = None,
) -> Attachment:
    """Render the days of ``history`` up to ``event_time`` and attach the PNG to a notification.

    ``label`` names the position in the chart title and the file name, and ``iso_class``
    (Monitron's ``vibrationISO.isoClass``) selects the zone lines. Raises
    ``ConfigurationError`` when matplotlib is missing and the attachment client's errors.
    """
    title = f"{label} ({iso_class})" if iso_class else label
    png = render_trend_chart(
        history,
        title=title,
        zone_limits=zone_limits_for_class(iso_class),
        end=event_time,
        options=options,
    )
    attachment = attachments.upload(number, chart_file_name(label, event_time), png)
    logger.info("attached trend chart %s to notification %s", attachment.file_name, number)
    return attachment
