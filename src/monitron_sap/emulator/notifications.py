"""Business rules of maintenance notifications: numbering, defaults, checks, deep insert,
updates with ETag and the status actions."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from monitron_sap.emulator import maintnotification as model
from monitron_sap.emulator.config import EmulatorConfig
from monitron_sap.emulator.edm import EntityType
from monitron_sap.emulator.master_data import PRIORITIES, MasterData
from monitron_sap.emulator.protocol import ODataError
from monitron_sap.emulator.query import key_of
from monitron_sap.emulator.resource import not_found
from monitron_sap.emulator.state import EntityKey, EntityStore, Row, normalize_key_value
from monitron_sap.emulator.validation import (
    INVALID_PROPERTY,
    convert_properties,
    nested_list,
    require,
)

# Customer-namespace codes: SAP's own message numbers for these checks are not published.
DUPLICATE_KEY = "ZEMU/005"
INVALID_STATUS_CHANGE = "ZEMU/006"

PHASE_OUTSTANDING = "1"
PHASE_IN_PROCESS = "3"
PHASE_COMPLETED = "4"
_PHASES = {
    PHASE_OUTSTANDING: ("Outstanding", "OSNO"),
    PHASE_IN_PROCESS: ("In process", "NOPR"),
    PHASE_COMPLETED: ("Completed", "NOCO"),
}
_CHILD_NAVIGATION = {
    "to_Item": model.ITEM,
    "to_Partner": model.PARTNER,
    "to_FailureEffect": model.EFFECT,
    "to_ItemCause": model.CAUSE,
    "to_ItemActivity": model.ACTIVITY,
}

Change = tuple[str, EntityKey, Row]


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _since_midnight(moment: datetime) -> timedelta:
    return moment - _midnight(moment)


class NotificationRules:
    """Creates and changes notifications and their children in an :class:`EntityStore`."""

    def __init__(
        self,
        config: EmulatorConfig,
        store: EntityStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.store = store
        self._clock = clock
        self.lock = threading.RLock()
        """Lock that the service holds while it checks an ETag and stores the change."""
        self._last_change = datetime.min.replace(tzinfo=UTC)
        self.master = MasterData(config.notification_types, config.technical_objects)

    def _now(self) -> datetime:
        """Return the current time, strictly later than any earlier change (ETags differ)."""
        now = self._clock()
        if now <= self._last_change:
            now = self._last_change + timedelta(microseconds=1)
        self._last_change = now
        return now

    def _stamp_change(self, row: Row, now: datetime) -> None:
        row["LastChangeDateTime"] = now
        row["LastChangeDate"] = _midnight(now)
        row["LastChangeTime"] = _since_midnight(now)

    def find(self, entity_type: EntityType, key_values: dict[str, str], segment: str) -> Row:
        """Return the entity with the given key values or raise the 404 error."""
        row = self.store.get(entity_type.entity_set, key_of(entity_type, key_values))
        if row is None:
            raise not_found(segment)
        return row

    # Creating

    def create_notification(self, payload: dict[str, Any], user: str) -> Row:
        """Validate and store a notification with its children from a deep insert."""
        values, navigation = convert_properties(model.HEADER, payload, creating=True)
        require(model.HEADER, values, model.HEADER.required_on_create)
        self.master.check_notification_type(values)
        self.master.check_priority(values)
        self.master.resolve_technical_object(values)
        with self.lock:
            number = str(
                self.store.next_number("notification", self.config.first_notification_number)
            )
            now = self._now()
            row = self._notification_defaults(number, now, user)
            row.update(values)
            self._apply_derived_fields(row)
            self._append_long_text(row, values)
            changes: list[Change] = [(model.NOTIFICATION_SET, (number,), row)]
            parent = {"MaintenanceNotification": number}
            for name, raw in navigation.items():
                changes.extend(self._deep_children(model.HEADER, name, raw, parent, now, user))
            self._check_unique(changes)
            self.store.put(changes)
        return row

    def _notification_defaults(self, number: str, now: datetime, user: str) -> Row:
        row: Row = {
            "MaintenanceNotification": number,
            "MaintNotifInternalID": "QM" + number.zfill(12),
            "NotificationType": self.master.default_notification_type,
            "CreationDate": _midnight(now),
            "CreationTime": _since_midnight(now),
            "CreationDateTime": now,
            "NotificationCreationDate": _midnight(now),
            "NotificationCreationTime": _since_midnight(now),
            "NotificationTimeZone": "UTC",
            "ReportedByUser": user.upper(),
            "CreatedByUser": user.upper(),
            "MaintNotificationLongText": "",
        }
        self._set_phase(row, PHASE_OUTSTANDING)
        self._stamp_change(row, now)
        return row

    def _apply_derived_fields(self, row: Row) -> None:
        priority = row.get("MaintPriority")
        row["MaintPriorityDesc"] = PRIORITIES.get(str(priority or ""), "")
        for prefix in ("MalfunctionStart", "MalfunctionEnd", "NotificationCreation"):
            day = row.get(f"{prefix}Date")
            clock = row.get(f"{prefix}Time")
            if isinstance(day, datetime):
                offset = clock if isinstance(clock, timedelta) else timedelta(0)
                row[f"{prefix}DateTime"] = day + offset

    def _append_long_text(self, row: Row, values: Row) -> None:
        """Append ``MaintNotifLongTextForEdit`` to the long text; the edit field reads empty."""
        addition = values.get("MaintNotifLongTextForEdit")
        row["MaintNotifLongTextForEdit"] = ""
        if not addition:
            return
        existing = str(row.get("MaintNotificationLongText") or "")
        row["MaintNotificationLongText"] = f"{existing}\n{addition}" if existing else addition

    def _deep_children(
        self,
        parent_type: EntityType,
        name: str,
        raw: Any,
        parent_keys: dict[str, str],
        now: datetime,
        user: str,
    ) -> list[Change]:
        child_type = _CHILD_NAVIGATION.get(name)
        if child_type is None or parent_type.navigation_property(name) is None:
            raise ODataError(
                400,
                INVALID_PROPERTY,
                f"Navigation property {name} of {parent_type.name} cannot be written",
            )
        changes: list[Change] = []
        for entry in nested_list(parent_type, name, raw):
            changes.extend(self.build_child(child_type, entry, parent_keys, now, user))
        return changes

    def build_child(
        self,
        child_type: EntityType,
        payload: dict[str, Any],
        parent_keys: dict[str, str],
        now: datetime,
        user: str,
    ) -> list[Change]:
        """Validate one child entity (and its own children) for storage under a parent."""
        values, navigation = convert_properties(child_type, payload, creating=True)
        values.update(parent_keys)
        own_keys = tuple(name for name in child_type.keys if name not in parent_keys)
        require(child_type, values, own_keys + child_type.required_on_create)
        for name in own_keys:
            values[name] = normalize_key_value(str(values[name]))
        self._stamp_child(child_type, values, now, user)
        changes: list[Change] = [(child_type.entity_set, key_of(child_type, values), values)]
        child_keys = {name: str(values[name]) for name in child_type.keys}
        for name, raw in navigation.items():
            changes.extend(self._deep_children(child_type, name, raw, child_keys, now, user))
        return changes

    def _stamp_child(self, child_type: EntityType, values: Row, now: datetime, user: str) -> None:
        for prop in child_type.properties:
            if prop.name.endswith(("CreationDateTime", "CrtnDateTime")):
                values[prop.name] = now
            if prop.name in ("CreatedByUser", "LastChangedByUser"):
                values[prop.name] = user.upper()
        if child_type.property("IsDeleted") is not None:
            values["IsDeleted"] = False

    def _check_unique(self, changes: list[Change]) -> None:
        seen: set[tuple[str, EntityKey]] = set()
        for entity_set, key, _ in changes:
            if (entity_set, key) in seen or self.store.get(entity_set, key) is not None:
                raise ODataError(
                    400,
                    DUPLICATE_KEY,
                    f"An entity of {entity_set} with key {', '.join(key)} already exists",
                )
            seen.add((entity_set, key))

    def create_child(
        self,
        child_type: EntityType,
        payload: dict[str, Any],
        parent_keys: dict[str, str],
        user: str,
    ) -> Row:
        """Store a child posted to a navigation property or to its own entity set."""
        notification = parent_keys.get("MaintenanceNotification") or str(
            payload.get("MaintenanceNotification") or ""
        )
        self.find(model.HEADER, {"MaintenanceNotification": notification}, notification)
        keys = dict(parent_keys)
        keys["MaintenanceNotification"] = normalize_key_value(notification)
        with self.lock:
            now = self._now()
            changes = self.build_child(child_type, payload, keys, now, user)
            self._check_unique(changes)
            header = self.store.get(model.NOTIFICATION_SET, (keys["MaintenanceNotification"],))
            if header is not None:
                self._stamp_change(header, now)
                header_key = key_of(model.HEADER, header)
                changes.append((model.NOTIFICATION_SET, header_key, header))
            self.store.put(changes)
        return changes[0][2]

    # Changing

    def update(
        self,
        entity_type: EntityType,
        row: Row,
        payload: dict[str, Any],
        user: str,
        *,
        replace: bool = False,
    ) -> Row:
        """Apply an update body to ``row`` and store it; return the stored entity.

        PATCH and MERGE change the properties in the body. PUT (``replace``) also resets every
        updatable property missing from the body to its empty value.
        """
        values, navigation = convert_properties(entity_type, payload, creating=False)
        if replace:
            for prop in entity_type.properties:
                if prop.updatable and prop.name not in values:
                    values[prop.name] = None
        if navigation:
            raise ODataError(
                400,
                INVALID_PROPERTY,
                f"Navigation properties ({', '.join(navigation)}) cannot be changed by an update",
            )
        if entity_type is model.HEADER:
            if "NotificationText" in values:
                require(entity_type, values, ("NotificationText",))
            self.master.check_priority(values)
            if "TechnicalObject" in values or "TechObjIsEquipOrFuncnlLoc" in values:
                values.setdefault("TechnicalObject", row.get("TechnicalObjectLabel"))
                values.setdefault("TechObjIsEquipOrFuncnlLoc", row.get("TechObjIsEquipOrFuncnlLoc"))
                self.master.resolve_technical_object(values)
        with self.lock:
            now = self._now()
            row.update(values)
            if entity_type is model.HEADER:
                self._apply_derived_fields(row)
                self._append_long_text(row, values)
                self._stamp_change(row, now)
            else:
                for prop in entity_type.properties:
                    if prop.name.endswith(("ChangedDateTime", "ChgdDateTime")) or (
                        prop.name == "LastChangeDateTime"
                    ):
                        row[prop.name] = now
            self.store.put([(entity_type.entity_set, key_of(entity_type, row), row)])
        return row

    # Status actions

    def _set_phase(self, row: Row, phase: str) -> None:
        description, status = _PHASES[phase]
        row["NotifProcessingPhase"] = phase
        row["NotifProcessingPhaseDesc"] = description
        row["ConcatenatedActiveSystStsName"] = status

    def set_in_process(self, row: Row, user: str) -> Row:
        """Put an outstanding notification in process (phase 1 to 3, status NOPR)."""
        phase = row.get("NotifProcessingPhase")
        if phase != PHASE_OUTSTANDING:
            raise self._transition_error(row, "put in process")
        with self.lock:
            self._set_phase(row, PHASE_IN_PROCESS)
            self._stamp_change(row, self._now())
            self.store.put([(model.NOTIFICATION_SET, key_of(model.HEADER, row), row)])
        return row

    def complete(
        self,
        row: Row,
        user: str,
        reference: datetime | None,
        reference_date: datetime | None,
        reference_time: timedelta | None,
    ) -> Row:
        """Complete an outstanding or in-process notification (phase 4, status NOCO)."""
        allowed = {PHASE_IN_PROCESS}
        if not self.config.complete_requires_in_process:
            allowed.add(PHASE_OUTSTANDING)
        if row.get("NotifProcessingPhase") not in allowed:
            raise self._transition_error(row, "completed")
        with self.lock:
            now = self._now()
            if reference is None:
                day = _midnight(reference_date) if reference_date is not None else _midnight(now)
                if reference_time is None:
                    reference_time = (
                        _since_midnight(now) if reference_date is None else timedelta(0)
                    )
                reference = day + reference_time
            row["NotificationReferenceDate"] = _midnight(reference)
            row["NotificationReferenceTime"] = _since_midnight(reference)
            row["NotificationCompletionDate"] = _midnight(reference)
            row["CompletionTime"] = _since_midnight(reference)
            self._set_phase(row, PHASE_COMPLETED)
            self._stamp_change(row, now)
            self.store.put([(model.NOTIFICATION_SET, key_of(model.HEADER, row), row)])
        return row

    def _transition_error(self, row: Row, action: str) -> ODataError:
        phase = str(row.get("NotifProcessingPhase") or "")
        description = _PHASES.get(phase, (phase, ""))[0]
        return ODataError(
            400,
            INVALID_STATUS_CHANGE,
            f"Notification {row.get('MaintenanceNotification')} is {description.lower()} "
            f"(phase {phase}) and cannot be {action}",
        )
