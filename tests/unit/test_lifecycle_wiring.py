"""The pipeline's life-cycle switches that need no SAP: charts without matplotlib, phase names."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import pytest

from monitron_sap.pipeline import Pipeline, lifecycle
from monitron_sap.rules import RuleSettings
from monitron_sap.store.sqlite import SqliteStore
from tests.builders import measurement
from tests.unit.fake_sap import FakeSap


def hide_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        if name == "matplotlib":
            return None
        return real_find_spec(name)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(lifecycle, "_matplotlib_warning_logged", False)


def test_charts_off_without_matplotlib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hide_matplotlib(monkeypatch)
    caplog.set_level(logging.WARNING, logger="monitron_sap.pipeline.lifecycle")

    with SqliteStore(tmp_path / "ledger.sqlite3") as store:
        for _ in range(2):
            pipeline = Pipeline(
                ledger=store,
                mappings=store,
                sap=FakeSap(),
                rules=RuleSettings(charts=True),
                attachments=object(),  # type: ignore[arg-type]
            )
            pipeline.process([measurement("m1")])
        history = store.get_measurement_history("id:pos-a1b2c3d40101")

    assert history is None
    warnings = [record for record in caplog.records if "matplotlib" in record.getMessage()]
    assert len(warnings) == 1
    assert "lifecycle.charts = false" in warnings[0].getMessage()


def test_history_kept_with_charts_on(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "ledger.sqlite3") as store:
        pipeline = Pipeline(
            ledger=store,
            mappings=store,
            sap=FakeSap(),
            attachments=object(),  # type: ignore[arg-type]
        )
        pipeline.process_one(measurement("m1"))
        pipeline.process_one(measurement("m2", minutes=60))
        unsaved = store.get_measurement_history("id:pos-a1b2c3d40101")
        pipeline.save_histories()
        history = store.get_measurement_history("id:pos-a1b2c3d40101")

    assert unsaved is None

    assert history is not None
    assert '"iso_class": "CLASS2"' in history.history
    assert history.history.count("4.5") == 2


@pytest.mark.parametrize(
    ("phase", "name"),
    [("1", "outstanding"), ("2", "postponed"), ("3", "in process"), ("4", "completed")],
)
def test_phase_names(phase: str, name: str) -> None:
    assert lifecycle.phase_name(phase) == name


def test_phase_name_missing_notification() -> None:
    assert lifecycle.phase_name(None) == "not found"


def test_evicted_history_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifecycle, "HISTORY_CACHE_POSITIONS", 1)
    with SqliteStore(tmp_path / "ledger.sqlite3") as store:
        pipeline = Pipeline(
            ledger=store,
            mappings=store,
            sap=FakeSap(),
            attachments=object(),  # type: ignore[arg-type]
        )
        pipeline.process_one(measurement("m1"))
        pipeline.process_one(measurement("m2", position_id="pos-other"))
        evicted = store.get_measurement_history("id:pos-a1b2c3d40101")
        kept = store.get_measurement_history("id:pos-other")

    assert evicted is not None
    assert kept is None
