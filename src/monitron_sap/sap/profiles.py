"""Service profiles: where a notification service lives and what its fields are called.

The client calls S/4HANA's ``API_MAINTNOTIFICATION`` by default. Older ECC systems expose
notifications through custom SAP Gateway services with their own entity set and field names.
A profile loaded from a TOML table or a dict maps the client's fields onto such a service.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Final, Literal

from monitron_sap.errors import ConfigurationError

UpdateMethod = Literal["PATCH", "MERGE"]


@dataclass(frozen=True, slots=True)
class NotificationFields:
    """Property names of the notification entity; ``None`` means the service has no such field.

    A service either has ``technical_object`` + ``technical_object_kind`` (S/4HANA) or separate
    ``equipment`` and ``functional_location`` fields (typical custom ECC services).
    """

    text: str = "NotificationText"
    notification_type: str | None = "NotificationType"
    technical_object: str | None = "TechnicalObject"
    technical_object_kind: str | None = "TechObjIsEquipOrFuncnlLoc"
    # Read-only external form of the technical object; SAP returns equipment numbers in
    # TechnicalObject zero-padded to 18 digits, so searches and reads use the label.
    technical_object_label: str | None = "TechnicalObjectLabel"
    equipment: str | None = None
    functional_location: str | None = None
    priority: str | None = "MaintPriority"
    planning_plant: str | None = "MaintenancePlanningPlant"
    planner_group: str | None = "MaintenancePlannerGroup"
    main_work_center: str | None = "MainWorkCenter"
    main_work_center_plant: str | None = "MainWorkCenterPlant"
    reported_by: str | None = "ReportedByUser"
    malfunction_start_date: str | None = "MalfunctionStartDate"
    malfunction_start_time: str | None = "MalfunctionStartTime"
    # SAP writes long text through one field and returns the whole text in another.
    long_text_for_edit: str | None = "MaintNotifLongTextForEdit"
    long_text_read: str | None = "MaintNotificationLongText"
    external_reference: str | None = "MaintNotifExtReferenceNumber"
    phase: str | None = "NotifProcessingPhase"


@dataclass(frozen=True, slots=True)
class ServiceProfile:
    """An OData V2 notification service: its path, entity set, key, fields and function imports.

    ``service_path`` is appended to the connection's base URL. A function import set to ``None``
    means the service does not offer that status change.
    """

    name: str
    service_path: str
    entity_set: str
    key_field: str
    fields: NotificationFields
    set_in_process_function: str | None = "SetMaintNotifToInProcess"
    complete_function: str | None = "CompleteMaintNotification"
    complete_date_parameter: str = "NotificationReferenceDate"
    complete_time_parameter: str = "NotificationReferenceTime"
    update_method: UpdateMethod = "PATCH"

    def __post_init__(self) -> None:
        if not self.service_path.startswith("/"):
            raise ConfigurationError(
                f"service profile {self.name!r}: service_path {self.service_path!r} must start "
                "with '/', for example /sap/opu/odata/sap/API_MAINTNOTIFICATION"
            )
        has_combined = self.fields.technical_object is not None
        has_split = self.fields.equipment is not None or self.fields.functional_location is not None
        if has_combined and has_split:
            raise ConfigurationError(
                f"service profile {self.name!r} names both technical_object and "
                "equipment/functional_location fields; set only one style"
            )
        if self.update_method not in ("PATCH", "MERGE"):
            raise ConfigurationError(
                f"service profile {self.name!r}: update_method {self.update_method!r} is invalid, "
                "expected PATCH or MERGE"
            )


S4_API_MAINTNOTIFICATION: Final = ServiceProfile(
    name="s4-api-maintnotification",
    service_path="/sap/opu/odata/sap/API_MAINTNOTIFICATION",
    entity_set="MaintenanceNotification",
    key_field="MaintenanceNotification",
    fields=NotificationFields(),
)

# An example of a custom ECC Gateway service. Every customer service differs, so copy this into
# a TOML table and adjust the names to the service's $metadata.
ECC_CUSTOM_GATEWAY_EXAMPLE: Final = ServiceProfile(
    name="ecc-custom-gateway-example",
    service_path="/sap/opu/odata/sap/ZPM_NOTIFICATION_SRV",
    entity_set="NotificationSet",
    key_field="Notification",
    fields=NotificationFields(
        text="ShortText",
        notification_type="NotifType",
        technical_object=None,
        technical_object_kind=None,
        technical_object_label=None,
        equipment="Equipment",
        functional_location="FunctLoc",
        priority="Priority",
        planning_plant="PlanPlant",
        planner_group="PlannerGroup",
        main_work_center="WorkCenter",
        main_work_center_plant="WorkCenterPlant",
        reported_by="ReportedBy",
        malfunction_start_date="MalfStartDate",
        malfunction_start_time="MalfStartTime",
        long_text_for_edit="LongText",
        long_text_read="LongText",
        external_reference="ExternalRef",
        phase="Phase",
    ),
    set_in_process_function=None,
    complete_function=None,
    update_method="MERGE",
)

BUILT_IN_PROFILES: Final[Mapping[str, ServiceProfile]] = {
    S4_API_MAINTNOTIFICATION.name: S4_API_MAINTNOTIFICATION,
    ECC_CUSTOM_GATEWAY_EXAMPLE.name: ECC_CUSTOM_GATEWAY_EXAMPLE,
}

_PROFILE_KEYS = frozenset(f.name for f in fields(ServiceProfile)) - {"fields"}
_FIELD_KEYS = frozenset(f.name for f in fields(NotificationFields))


def profile_from_mapping(data: Mapping[str, Any], *, source: str = "profile") -> ServiceProfile:
    """Build a profile from a dict, for example a TOML table.

    ``base`` names a built-in profile to start from (default: the S/4HANA one); other keys
    override it. The ``fields`` table overrides field names, and an empty string marks a field
    the service does not have (TOML has no null). Unknown keys raise ``ConfigurationError``.
    """
    values = dict(data)
    base_name = values.pop("base", S4_API_MAINTNOTIFICATION.name)
    base = BUILT_IN_PROFILES.get(base_name) if isinstance(base_name, str) else None
    if base is None:
        known = ", ".join(sorted(BUILT_IN_PROFILES))
        raise ConfigurationError(f"{source}: unknown base profile {base_name!r}; known: {known}")

    field_overrides = values.pop("fields", {})
    if not isinstance(field_overrides, Mapping):
        raise ConfigurationError(f"{source}: 'fields' must be a table of field names")
    _reject_unknown(values, _PROFILE_KEYS, source)
    _reject_unknown(field_overrides, _FIELD_KEYS, f"{source}.fields")
    for key, value in (*values.items(), *field_overrides.items()):
        if not isinstance(value, str):
            raise ConfigurationError(f"{source}: {key} must be a string, got {value!r}")

    field_values: dict[str, Any] = {key: value or None for key, value in field_overrides.items()}
    new_fields = replace(base.fields, **field_values)
    profile_values: dict[str, Any] = {key: value or None for key, value in values.items()}
    for required in ("name", "service_path", "entity_set", "key_field", "update_method"):
        if required in profile_values and profile_values[required] is None:
            raise ConfigurationError(f"{source}: {required} must not be empty")
    return replace(base, fields=new_fields, **profile_values)


def load_profile(path: Path, *, table: str = "sap.profile") -> ServiceProfile:
    """Read a profile from a dotted table of a TOML file, for example ``[sap.profile]``."""
    try:
        with path.open("rb") as file:
            document: Any = tomllib.load(file)
    except OSError as error:
        raise ConfigurationError(f"cannot read service profile file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{path} is not valid TOML: {error}") from error

    for part in table.split("."):
        if not isinstance(document, dict) or part not in document:
            raise ConfigurationError(f"{path} has no [{table}] table")
        document = document[part]
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path}: [{table}] must be a table")
    return profile_from_mapping(document, source=f"{path} [{table}]")


def _reject_unknown(values: Mapping[str, Any], allowed: frozenset[str], source: str) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ConfigurationError(
            f"{source}: unknown keys {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
