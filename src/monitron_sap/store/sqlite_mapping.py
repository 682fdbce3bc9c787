"""The asset mapping in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final

from monitron_sap.assets.model import MappingEntry
from monitron_sap.store.sqlite_base import SqliteDatabase

_MAPPING_COLUMNS: Final = (
    "project",
    "site",
    "asset",
    "position",
    "asset_position_id",
    "sensor_id",
    "technical_object",
    "technical_object_kind",
    "notification_type",
    "warning_notification_type",
    "priority_warning",
    "priority_alarm",
    "priority_needs_maintenance",
    "planning_plant",
    "planner_group",
    "main_work_center",
    "main_work_center_plant",
)
# SQLite limits the number of bound parameters per statement (999 before 3.32).
_MAX_PARAMETERS: Final = 900


class MappingTable(SqliteDatabase):
    """``MappingStore`` on the ``mapping`` table."""

    def replace_all(self, entries: Sequence[MappingEntry]) -> int:
        with self._transaction("replace the mapping"):
            self._db.execute("DELETE FROM mapping")
            self._insert_mapping(entries)
        return len(entries)

    def upsert(self, entries: Sequence[MappingEntry]) -> int:
        with self._transaction("update the mapping"):
            self._insert_mapping(entries)
        return len(entries)

    def get_many(self, keys: Sequence[str]) -> dict[str, MappingEntry]:
        found: dict[str, MappingEntry] = {}
        unique = list(dict.fromkeys(keys))
        with self._translate("read the mapping"):
            for start in range(0, len(unique), _MAX_PARAMETERS):
                chunk = unique[start : start + _MAX_PARAMETERS]
                marks = ", ".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT * FROM mapping WHERE key IN ({marks})", chunk)  # noqa: S608
                for row in rows:
                    found[row["key"]] = _mapping_from_row(row)
        return found

    def all(self) -> list[MappingEntry]:
        with self._translate("read the mapping"):
            rows = self._db.execute(
                "SELECT * FROM mapping ORDER BY project, site, asset, position, key"
            ).fetchall()
        return [_mapping_from_row(row) for row in rows]

    def _insert_mapping(self, entries: Sequence[MappingEntry]) -> None:
        columns = ("key", *_MAPPING_COLUMNS)
        marks = ", ".join("?" * len(columns))
        self._db.executemany(
            f"INSERT OR REPLACE INTO mapping ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
            [
                [entry.key, *(getattr(entry, name) for name in _MAPPING_COLUMNS)]
                for entry in entries
            ],
        )


def _mapping_from_row(row: sqlite3.Row) -> MappingEntry:
    return MappingEntry(**{name: row[name] for name in _MAPPING_COLUMNS})
