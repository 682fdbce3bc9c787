"""Steps of a notification's life after its creation, composed from rules, charts and SAP.

``acknowledge_notification`` puts a notification in process when a Monitron user acknowledges
the alarm, ``close_notification`` turns a Monitron closure into an item and completes the
notification, and ``attach_trend_chart`` renders a position's trend chart and attaches it.
"""

from monitron_sap.lifecycle.acknowledgement import acknowledge_notification
from monitron_sap.lifecycle.chart_attachment import attach_trend_chart
from monitron_sap.lifecycle.closure import ClosureResult, close_notification, item_draft_from_plan

__all__ = [
    "ClosureResult",
    "acknowledge_notification",
    "attach_trend_chart",
    "close_notification",
    "item_draft_from_plan",
]
