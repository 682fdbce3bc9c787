"""Per-position state in SQLite: open notifications, latest measurements, measurement
histories, unmapped positions and pending disconnections."""

from __future__ import annotations

from datetime import datetime

from monitron_sap.assets.model import PositionRef
from monitron_sap.store.ports import (
    LatestMeasurement,
    OpenNotification,
    PendingDisconnect,
    StoredHistory,
    UnmappedPosition,
)
from monitron_sap.store.sqlite_base import SqliteDatabase, time_from_text, time_to_text


class PositionState(SqliteDatabase):
    """The per-position part of ``LedgerStore``."""

    def get_open_notification(self, position_key: str) -> OpenNotification | None:
        with self._translate("read open notifications"):
            row = self._db.execute(
                "SELECT * FROM open_notifications WHERE position_key = ?", (position_key,)
            ).fetchone()
        if row is None:
            return None
        return OpenNotification(
            position_key=row["position_key"],
            notification_number=row["notification_number"],
            state=row["state"],
            record_key=row["record_key"],
            opened_at=time_from_text(row["opened_at"]),
            priority=row["priority"],
        )

    def set_open_notification(self, item: OpenNotification) -> None:
        with self._batched("record an open notification"):
            self._db.execute(
                "INSERT OR REPLACE INTO open_notifications VALUES (?, ?, ?, ?, ?, ?)",
                (
                    item.position_key,
                    item.notification_number,
                    item.state,
                    item.record_key,
                    time_to_text(item.opened_at),
                    item.priority,
                ),
            )

    def clear_open_notification(self, position_key: str, notification_number: str) -> None:
        with self._batched("clear an open notification"):
            self._db.execute(
                "DELETE FROM open_notifications WHERE position_key = ? AND notification_number = ?",
                (position_key, notification_number),
            )

    def save_latest_measurement(self, item: LatestMeasurement) -> None:
        with self._batched("store the latest measurement"):
            self._db.execute(
                "INSERT INTO latest_measurements VALUES (?, ?, ?) "
                "ON CONFLICT (position_key) DO UPDATE SET taken_at = excluded.taken_at, "
                "snapshot = excluded.snapshot WHERE excluded.taken_at > taken_at",
                (item.position_key, time_to_text(item.taken_at), item.snapshot),
            )

    def get_latest_measurement(self, position_key: str) -> LatestMeasurement | None:
        with self._translate("read the latest measurement"):
            row = self._db.execute(
                "SELECT * FROM latest_measurements WHERE position_key = ?", (position_key,)
            ).fetchone()
        if row is None:
            return None
        return LatestMeasurement(
            row["position_key"], time_from_text(row["taken_at"]), row["snapshot"]
        )

    def save_measurement_history(self, item: StoredHistory) -> None:
        with self._batched("store a measurement history"):
            self._db.execute(
                "INSERT OR REPLACE INTO measurement_histories VALUES (?, ?, ?)",
                (item.position_key, time_to_text(item.updated_at), item.history),
            )

    def get_measurement_history(self, position_key: str) -> StoredHistory | None:
        with self._translate("read a measurement history"):
            row = self._db.execute(
                "SELECT * FROM measurement_histories WHERE position_key = ?", (position_key,)
            ).fetchone()
        if row is None:
            return None
        return StoredHistory(row["position_key"], time_from_text(row["updated_at"]), row["history"])

    def note_unmapped(self, position: PositionRef, *, seen_at: datetime) -> None:
        seen = time_to_text(seen_at)
        with self._batched("record an unmapped position"):
            self._db.execute(
                "INSERT INTO unmapped_positions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
                "ON CONFLICT (position_key) DO UPDATE SET records = records + 1, "
                "first_seen = MIN(first_seen, excluded.first_seen), "
                "last_seen = MAX(last_seen, excluded.last_seen)",
                (
                    position.key,
                    position.project,
                    position.site,
                    position.asset,
                    position.position,
                    position.asset_position_id,
                    position.sensor_id,
                    seen,
                    seen,
                ),
            )

    def unmapped_positions(self, limit: int = 100) -> list[UnmappedPosition]:
        with self._translate("read unmapped positions"):
            rows = self._db.execute(
                "SELECT * FROM unmapped_positions ORDER BY last_seen DESC, position_key LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            UnmappedPosition(
                position=PositionRef(
                    project=row["project"],
                    site=row["site"],
                    asset=row["asset"],
                    position=row["position"],
                    asset_position_id=row["asset_position_id"],
                    sensor_id=row["sensor_id"],
                ),
                first_seen=time_from_text(row["first_seen"]),
                last_seen=time_from_text(row["last_seen"]),
                records=row["records"],
            )
            for row in rows
        ]

    def save_disconnect(self, item: PendingDisconnect) -> None:
        with self._batched("store a disconnection"):
            self._db.execute(
                "INSERT INTO pending_disconnects VALUES (?, ?, ?, ?) "
                "ON CONFLICT (device_key) DO UPDATE SET "
                "disconnected_at = excluded.disconnected_at, "
                "record_key = excluded.record_key, payload = excluded.payload "
                "WHERE excluded.disconnected_at > disconnected_at",
                (
                    item.device_key,
                    time_to_text(item.disconnected_at),
                    item.record_key,
                    item.payload,
                ),
            )

    def clear_disconnect(self, device_key: str, *, until: datetime) -> None:
        with self._batched("clear a disconnection"):
            self._db.execute(
                "DELETE FROM pending_disconnects WHERE device_key = ? AND disconnected_at <= ?",
                (device_key, time_to_text(until)),
            )

    def due_disconnects(self, cutoff: datetime, limit: int = 100) -> list[PendingDisconnect]:
        with self._translate("read disconnections"):
            rows = self._db.execute(
                "SELECT * FROM pending_disconnects WHERE disconnected_at <= ? "
                "ORDER BY disconnected_at, device_key LIMIT ?",
                (time_to_text(cutoff), limit),
            ).fetchall()
        return [
            PendingDisconnect(
                row["device_key"],
                time_from_text(row["disconnected_at"]),
                row["record_key"],
                row["payload"],
            )
            for row in rows
        ]
