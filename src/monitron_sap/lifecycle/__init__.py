"""Steps of a notification's life after its creation, composed from rules, charts and SAP.

* ``update_open_notification``: a further alert for a notification that SAP reports open.
* ``acknowledge_notification``: a Monitron user acknowledged the alarm.
* ``close_notification``: a Monitron user closed the issue with a closure code.
* ``attach_trend_chart``: render a position's trend chart and attach it.
"""

from monitron_sap.lifecycle.acknowledgement import acknowledge_notification
from monitron_sap.lifecycle.chart_attachment import attach_trend_chart
from monitron_sap.lifecycle.closure import ClosureResult, close_notification, item_draft_from_plan
from monitron_sap.lifecycle.update import update_open_notification

__all__ = [
    "ClosureResult",
    "acknowledge_notification",
    "attach_trend_chart",
    "close_notification",
    "item_draft_from_plan",
    "update_open_notification",
]
