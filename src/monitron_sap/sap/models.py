"""SAP maintenance notifications as the client sends and reads them, in SAP's own terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, Protocol

EQUIPMENT: Final = "EAMS_EQUI"
FUNCTIONAL_LOCATION: Final = "EAMS_FL"
TechnicalObjectKind = Literal["EAMS_EQUI", "EAMS_FL"]

# NotifProcessingPhase values.
PHASE_OUTSTANDING: Final = "1"
PHASE_POSTPONED: Final = "2"
PHASE_IN_PROCESS: Final = "3"
PHASE_COMPLETED: Final = "4"

SHORT_TEXT_MAX: Final = 40
LONG_TEXT_MAX_PER_REQUEST: Final = 1333
EXTERNAL_REFERENCE_MAX: Final = 20


@dataclass(frozen=True, slots=True)
class NotificationDraft:
    """The fields of a notification to create. ``None`` leaves a field out of the request.

    ``malfunction_start`` must be timezone-aware; it is sent as UTC date and time.
    """

    text: str
    notification_type: str
    technical_object: str | None = None
    technical_object_kind: TechnicalObjectKind | None = None
    priority: str | None = None
    planning_plant: str | None = None
    planner_group: str | None = None
    main_work_center: str | None = None
    main_work_center_plant: str | None = None
    reported_by: str | None = None
    malfunction_start: datetime | None = None
    long_text: str | None = None
    external_reference: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationChanges:
    """Fields to change on an existing notification; ``None`` leaves a field unchanged.

    ``long_text`` is written through ``MaintNotifLongTextForEdit``.
    """

    text: str | None = None
    priority: str | None = None
    long_text: str | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    """A notification as read from SAP. ``etag`` is needed for updates."""

    number: str
    text: str
    notification_type: str
    phase: str | None = None
    priority: str | None = None
    technical_object: str | None = None
    technical_object_kind: str | None = None
    external_reference: str | None = None
    long_text: str | None = None
    etag: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_open(self) -> bool:
        """True unless SAP reports the notification completed or postponed."""
        return self.phase not in (PHASE_COMPLETED, PHASE_POSTPONED)


class NotificationApi(Protocol):
    """The SAP operations the pipeline uses; ``sap.notifications.NotificationClient`` has them.

    Every method raises ``SapUnavailableError`` (retry later), ``SapRejectedError`` or
    ``SapAuthorizationError`` (permanent) from ``monitron_sap.errors``.
    """

    def create(self, draft: NotificationDraft) -> Notification:
        """Create a notification; never blindly resent after a lost response.

        When the response is lost, the client looks the notification up by the draft's external
        reference and returns it if SAP has it. It raises ``CreateOutcomeUnknownError`` only when
        that lookup fails too.
        """
        ...

    def get(self, number: str) -> Notification: ...

    def find_by_external_reference(self, reference: str) -> list[Notification]: ...

    def find_by_technical_object(
        self, technical_object: str, *, open_only: bool = True
    ) -> list[Notification]: ...

    def update(
        self, number: str, changes: NotificationChanges, *, etag: str | None = None
    ) -> Notification:
        """Update with ``If-Match``; reads the current ETag first when ``etag`` is None."""
        ...

    def set_in_process(self, number: str) -> Notification: ...

    def complete(self, number: str, *, reference_time: datetime) -> Notification: ...
