"""The asset mapping: which SAP technical object and defaults a Monitron position maps to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

WILDCARD: Final = "*"


@dataclass(frozen=True, slots=True)
class MappingEntry:
    """One row of the asset mapping.

    An entry matches by the stable ``asset_position_id``, by the sensor's ``sensor_id``, or by the
    Monitron path (``project``, ``site``, ``asset``, ``position``) where ``asset`` and
    ``position`` may be ``*`` to act as an asset-level or site-level fallback.
    Priorities are SAP priority codes per Monitron state (``None`` uses the product's default
    for that state). ``warning_notification_type`` is the notification type for WARNING alerts;
    ``None`` uses ``notification_type``.
    """

    technical_object: str
    technical_object_kind: str
    notification_type: str
    project: str = WILDCARD
    site: str = WILDCARD
    asset: str = WILDCARD
    position: str = WILDCARD
    asset_position_id: str | None = None
    sensor_id: str | None = None
    priority_warning: str | None = None
    priority_alarm: str | None = None
    priority_needs_maintenance: str | None = None
    planning_plant: str | None = None
    planner_group: str | None = None
    main_work_center: str | None = None
    main_work_center_plant: str | None = None
    warning_notification_type: str | None = None

    @property
    def key(self) -> str:
        """The store key: the stable id when present, else the sensor id, else the path."""
        if self.asset_position_id:
            return position_id_key(self.asset_position_id)
        if self.sensor_id:
            return sensor_key(self.sensor_id)
        return path_key(self.project, self.site, self.asset, self.position)


@dataclass(frozen=True, slots=True)
class PositionRef:
    """The identifiers of one Monitron asset position, as far as an event carries them."""

    project: str | None = None
    site: str | None = None
    asset: str | None = None
    position: str | None = None
    asset_position_id: str | None = None
    sensor_id: str | None = None

    @property
    def key(self) -> str:
        """The key under which per-position state is kept: the stable id, else the path."""
        if self.asset_position_id:
            return position_id_key(self.asset_position_id)
        return path_key(*(part or "?" for part in self.path))

    @property
    def path(self) -> tuple[str | None, str | None, str | None, str | None]:
        return (self.project, self.site, self.asset, self.position)

    def describe(self) -> str:
        """Return ``project / site / asset / position`` with ``?`` for each missing part."""
        return " / ".join(part if part is not None else "?" for part in self.path)


def position_id_key(asset_position_id: str) -> str:
    return f"id:{asset_position_id}"


def sensor_key(sensor_id: str) -> str:
    return f"sensor:{sensor_id}"


def path_key(project: str, site: str, asset: str, position: str) -> str:
    # A unit separator keeps names containing "/" from colliding.
    return "path:" + "\x1f".join((project, site, asset, position))
