"""Find the mapping entry for a Monitron position, with wildcard fallbacks.

The lookup tries these keys in order and returns the first entry stored under one of them:

1. the position's ``assetPositionId``;
2. the sensor's ``physicalId``;
3. the exact path project / site / asset / position;
4. the asset-level entry project / site / asset / ``*``;
5. the site-level entry project / site / ``*`` / ``*``.

Steps 3 to 5 each try the event's project first and then the project ``*``, so an entry written
without a project applies to every project that has that site.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from monitron_sap.assets.model import (
    WILDCARD,
    MappingEntry,
    PositionRef,
    path_key,
    position_id_key,
    sensor_key,
)


class MappingReader(Protocol):
    """The part of a mapping store that the lookup needs."""

    def get_many(self, keys: Sequence[str]) -> dict[str, MappingEntry]: ...


def candidate_keys(position: PositionRef) -> list[str]:
    """Return the mapping keys to try for ``position``, most specific first."""
    keys: list[str] = []
    if position.asset_position_id:
        keys.append(position_id_key(position.asset_position_id))
    if position.sensor_id:
        keys.append(sensor_key(position.sensor_id))

    site = position.site
    if site is None:
        return keys
    projects = [WILDCARD]
    if position.project:
        projects.insert(0, position.project)
    levels: list[tuple[str, str]] = []
    if position.asset is not None and position.position is not None:
        levels.append((position.asset, position.position))
    if position.asset is not None:
        levels.append((position.asset, WILDCARD))
    levels.append((WILDCARD, WILDCARD))
    for asset, pos in levels:
        for project in projects:
            keys.append(path_key(project, site, asset, pos))
    return keys


def find_mapping(position: PositionRef, reader: MappingReader) -> MappingEntry | None:
    """Return the most specific entry for ``position``, or ``None`` when nothing matches."""
    keys = candidate_keys(position)
    if not keys:
        return None
    found = reader.get_many(keys)
    for key in keys:
        entry = found.get(key)
        if entry is not None:
            return entry
    return None
