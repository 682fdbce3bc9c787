"""Customizing and master data the emulator checks notifications against: notification types,
priorities and the technical object master list."""

from __future__ import annotations

from collections.abc import Mapping

from monitron_sap.emulator.config import EQUIPMENT, FUNCTIONAL_LOCATION, TECHNICAL_OBJECT_KINDS
from monitron_sap.emulator.protocol import ODataError
from monitron_sap.emulator.state import Row

# Customer-namespace codes: SAP's own message numbers for these checks are not published.
UNKNOWN_NOTIFICATION_TYPE = "ZEMU/001"
UNKNOWN_TECHNICAL_OBJECT = "ZEMU/002"
WRONG_TECHNICAL_OBJECT_KIND = "ZEMU/003"
INVALID_PRIORITY = "ZEMU/004"

PRIORITIES = {"1": "Very high", "2": "High", "3": "Medium", "4": "Low"}
"""Priorities of SAP's standard priority type PM and their texts."""
_OBJECT_KIND_TEXT = {EQUIPMENT: "Equipment", FUNCTIONAL_LOCATION: "Functional Location"}


class MasterData:
    """Notification types, priorities and technical objects known to the emulator."""

    def __init__(
        self, notification_types: frozenset[str], technical_objects: Mapping[str, str]
    ) -> None:
        self._notification_types = notification_types
        self.default_notification_type = sorted(notification_types)[0]
        self._objects = {
            self._object_lookup_key(identifier, kind): (identifier.upper(), kind)
            for identifier, kind in technical_objects.items()
        }

    @staticmethod
    def _object_lookup_key(identifier: str, kind: str) -> tuple[str, str]:
        text = identifier.strip().upper()
        if kind == EQUIPMENT and text.isdigit():
            text = str(int(text))
        return text, kind

    def check_notification_type(self, values: Row) -> None:
        notification_type = values.get("NotificationType")
        if notification_type is not None and notification_type not in (self._notification_types):
            allowed = ", ".join(sorted(self._notification_types))
            raise ODataError(
                400,
                UNKNOWN_NOTIFICATION_TYPE,
                f"Notification type {notification_type} is not defined; use one of {allowed}",
                target="/MaintenanceNotification/NotificationType",
            )

    def check_priority(self, values: Row) -> None:
        priority = values.get("MaintPriority")
        if priority and priority not in PRIORITIES:
            raise ODataError(
                400,
                INVALID_PRIORITY,
                f"Priority {priority} is not defined for priority type PM; use 1, 2, 3 or 4",
                target="/MaintenanceNotification/MaintPriority",
            )

    def resolve_technical_object(self, values: Row) -> None:
        """Check the technical object against the master list and store its two forms.

        Equipment numbers are stored in SAP's internal form (18 digits, zero-padded) in
        ``TechnicalObject`` and in the external form in ``TechnicalObjectLabel``.
        """
        identifier = str(values.get("TechnicalObject") or "")
        kind = str(values.get("TechObjIsEquipOrFuncnlLoc") or "")
        if not identifier:
            if "TechnicalObject" in values:
                values["TechnicalObjectLabel"] = ""
            return

        if kind not in TECHNICAL_OBJECT_KINDS:
            raise ODataError(
                400,
                WRONG_TECHNICAL_OBJECT_KIND,
                f"Technical object type {kind or '(empty)'} is invalid for {identifier}; "
                f"use {' or '.join(TECHNICAL_OBJECT_KINDS)}",
                target="/MaintenanceNotification/TechObjIsEquipOrFuncnlLoc",
            )
        label = self._find_object(identifier, kind)

        if kind == EQUIPMENT and label.isdigit():
            label = str(int(label))
            values["TechnicalObject"] = label.zfill(18)
        else:
            values["TechnicalObject"] = label
        values["TechnicalObjectLabel"] = label
        values["TechObjIsEquipOrFuncnlLocDesc"] = _OBJECT_KIND_TEXT[kind]

    def _find_object(self, identifier: str, kind: str) -> str:
        """Return the master list id of a technical object, or raise the 400 error."""
        found = self._objects.get(self._object_lookup_key(identifier, kind))
        if found is not None:
            return found[0]

        other = next(known for known in TECHNICAL_OBJECT_KINDS if known != kind)
        if self._objects.get(self._object_lookup_key(identifier, other)) is not None:
            raise ODataError(
                400,
                WRONG_TECHNICAL_OBJECT_KIND,
                f"Technical object {identifier} is of type {other}, not {kind}",
                target="/MaintenanceNotification/TechObjIsEquipOrFuncnlLoc",
            )
        raise ODataError(
            400,
            UNKNOWN_TECHNICAL_OBJECT,
            f"{_OBJECT_KIND_TEXT[kind]} {identifier} does not exist",
            target="/MaintenanceNotification/TechnicalObject",
        )
