"""Tests of the closure catalog: Monitron closure codes to SAP damage, cause and activity codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.events.model import ClosureCode
from monitron_sap.rules.closure import (
    ACTIONS_TAKEN,
    DEFAULT_ITEM_TEXT,
    FAILURE_CAUSES,
    FAILURE_MODES,
    CatalogCode,
    ClosureCatalog,
    closure_catalog_from_table,
    default_closure_catalog,
    load_closure_catalog,
    plan_closure,
)

# The default catalog as documented in docs/lifecycle.md, written out so a change shows here.
DEFAULT_DAMAGE = {
    "NO_ISSUE": ("D001", "No issue"),
    "BLOCKAGE": ("D002", "Blockage"),
    "CAVITATION": ("D003", "Cavitation"),
    "CORROSION": ("D004", "Corrosion"),
    "DEPOSIT": ("D005", "Deposit"),
    "IMBALANCE": ("D006", "Imbalance"),
    "LUBRICATION": ("D007", "Lubrication"),
    "MISALIGNMENT": ("D008", "Misalignment"),
    "OTHER": ("D009", "Other"),
    "RESONANCE": ("D010", "Resonance"),
    "ROTATING_LOOSENESS": ("D011", "Rotating looseness"),
    "STRUCTURAL_LOOSENESS": ("D012", "Structural looseness"),
    "TRANSMITTED_FAULT": ("D013", "Transmitted fault"),
    "UNDETERMINED": ("D014", "Undetermined"),
}
DEFAULT_CAUSE = {
    "ADMINISTRATION": ("C001", "Administration"),
    "DESIGN": ("C002", "Design"),
    "FABRICATION": ("C003", "Fabrication"),
    "MAINTENANCE": ("C004", "Maintenance"),
    "OPERATION": ("C005", "Operation"),
    "OTHER": ("C006", "Other"),
    "QUALITY": ("C007", "Quality"),
    "UNDETERMINED": ("C008", "Undetermined"),
    "WEAR": ("C009", "Wear"),
}
DEFAULT_ACTIVITY = {
    "ADJUST": ("A001", "Adjust"),
    "CLEAN": ("A002", "Clean"),
    "LUBRICATE": ("A003", "Lubricate"),
    "MODIFY": ("A004", "Modify"),
    "NO_ACTION": ("A005", "No action"),
    "OTHER": ("A006", "Other"),
    "OVERHAUL": ("A007", "Overhaul"),
    "REPLACE": ("A008", "Replace"),
}


def test_tables_cover_every_documented_value() -> None:
    assert tuple(DEFAULT_DAMAGE) == FAILURE_MODES
    assert tuple(DEFAULT_CAUSE) == FAILURE_CAUSES
    assert tuple(DEFAULT_ACTIVITY) == ACTIONS_TAKEN


@pytest.mark.parametrize(("failure_mode", "expected"), DEFAULT_DAMAGE.items())
def test_default_damage_code(failure_mode: str, expected: tuple[str, str]) -> None:
    plan = plan_closure(ClosureCode(failure_mode=failure_mode), default_closure_catalog())

    assert plan.damage == CatalogCode("MON-DMG", expected[0])
    assert plan.item_text == expected[1]
    assert plan.unmapped == ()


@pytest.mark.parametrize(("failure_cause", "expected"), DEFAULT_CAUSE.items())
def test_default_cause_code(failure_cause: str, expected: tuple[str, str]) -> None:
    plan = plan_closure(ClosureCode(failure_cause=failure_cause), default_closure_catalog())

    assert plan.cause == CatalogCode("MON-CAU", expected[0])
    assert plan.cause_text == expected[1]
    assert plan.unmapped == ()


@pytest.mark.parametrize(("action_taken", "expected"), DEFAULT_ACTIVITY.items())
def test_default_activity_code(action_taken: str, expected: tuple[str, str]) -> None:
    plan = plan_closure(ClosureCode(action_taken=action_taken), default_closure_catalog())

    assert plan.activity == CatalogCode("MON-ACT", expected[0])
    assert plan.activity_text == expected[1]
    assert plan.unmapped == ()


@pytest.mark.parametrize("failure_mode", FAILURE_MODES)
def test_unmapped_failure_mode_kept_as_text(failure_mode: str) -> None:
    plan = plan_closure(ClosureCode(failure_mode=failure_mode), ClosureCatalog())

    assert plan.damage is None
    assert plan.item_text == DEFAULT_DAMAGE[failure_mode][1]
    assert plan.unmapped == (f"failureMode={failure_mode}",)
    assert f"failure mode {failure_mode} (no catalog code)" in plan.summary


@pytest.mark.parametrize("failure_cause", FAILURE_CAUSES)
def test_unmapped_failure_cause_kept_as_text(failure_cause: str) -> None:
    plan = plan_closure(ClosureCode(failure_cause=failure_cause), ClosureCatalog())

    assert plan.cause is None
    assert plan.cause_text == DEFAULT_CAUSE[failure_cause][1]
    assert plan.unmapped == (f"failureCause={failure_cause}",)


@pytest.mark.parametrize("action_taken", ACTIONS_TAKEN)
def test_unmapped_action_kept_as_text(action_taken: str) -> None:
    plan = plan_closure(ClosureCode(action_taken=action_taken), ClosureCatalog())

    assert plan.activity is None
    assert plan.activity_text == DEFAULT_ACTIVITY[action_taken][1]
    assert plan.unmapped == (f"actionTaken={action_taken}",)


def test_undocumented_value_kept_as_text() -> None:
    closure = ClosureCode(failure_mode="BEARING_FAULT", action_taken="ADJUST")

    plan = plan_closure(closure, default_closure_catalog())

    assert plan.item_text == "Bearing fault"
    assert plan.damage is None
    assert plan.activity == CatalogCode("MON-ACT", "A001")
    assert plan.unmapped == ("failureMode=BEARING_FAULT",)


def test_values_matched_ignoring_case_and_spaces() -> None:
    plan = plan_closure(ClosureCode(failure_mode=" misalignment "), default_closure_catalog())

    assert plan.damage == CatalogCode("MON-DMG", "D008")


def test_empty_closure_code_plans_item_only() -> None:
    plan = plan_closure(ClosureCode(), default_closure_catalog())

    assert plan.item_text == DEFAULT_ITEM_TEXT
    assert plan.damage is None
    assert not plan.has_cause
    assert not plan.has_activity
    assert plan.unmapped == ()


def test_summary_lists_every_value() -> None:
    closure = ClosureCode(
        failure_mode="MISALIGNMENT",
        failure_cause="MAINTENANCE",
        action_taken="ADJUST",
        resolved_models=("vibrationISO", "vibrationML"),
    )

    plan = plan_closure(closure, default_closure_catalog())

    assert plan.summary == (
        "Closed in Monitron: failure mode MISALIGNMENT (code MON-DMG/D008); "
        "failure cause MAINTENANCE (code MON-CAU/C004); action taken ADJUST (code MON-ACT/A001); "
        "resolved models: vibrationISO, vibrationML."
    )


def test_item_text_fits_sap_length() -> None:
    plan = plan_closure(ClosureCode(failure_mode="X" * 60), ClosureCatalog())

    assert len(plan.item_text) == 40


CUSTOM_TOML = """
[closure]
damage_code_group = "YB-PMME1"
cause_code_group = "YB-PMME1"
object_part = { group = "YB-PMME1", code = "ME00" }

[closure.failure_mode]
MISALIGNMENT = "ME01"
IMBALANCE = { group = "YB-VIB", code = "V002" }

[closure.failure_cause]
WEAR = "ME03"

[closure.action_taken]
ADJUST = { group = "YB-PMAC1", code = "0001" }
"""


def write_catalog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_catalog_from_toml(tmp_path: Path) -> None:
    catalog = load_closure_catalog(write_catalog(tmp_path, CUSTOM_TOML))

    assert catalog.damage == {
        "MISALIGNMENT": CatalogCode("YB-PMME1", "ME01"),
        "IMBALANCE": CatalogCode("YB-VIB", "V002"),
    }
    assert catalog.cause == {"WEAR": CatalogCode("YB-PMME1", "ME03")}
    assert catalog.activity == {"ADJUST": CatalogCode("YB-PMAC1", "0001")}
    assert catalog.object_part == CatalogCode("YB-PMME1", "ME00")


def test_loaded_catalog_leaves_others_unmapped(tmp_path: Path) -> None:
    catalog = load_closure_catalog(write_catalog(tmp_path, CUSTOM_TOML))
    closure = ClosureCode(failure_mode="MISALIGNMENT", failure_cause="DESIGN", action_taken="CLEAN")

    plan = plan_closure(closure, catalog)

    assert plan.damage == CatalogCode("YB-PMME1", "ME01")
    assert plan.object_part == CatalogCode("YB-PMME1", "ME00")
    assert plan.unmapped == ("failureCause=DESIGN", "actionTaken=CLEAN")


def test_include_defaults_then_override() -> None:
    table = {"include_defaults": True, "failure_mode": {"IMBALANCE": {"group": "G", "code": "1"}}}

    catalog = closure_catalog_from_table(table, source="settings")

    assert catalog.damage["IMBALANCE"] == CatalogCode("G", "1")
    assert catalog.damage["MISALIGNMENT"] == CatalogCode("MON-DMG", "D008")
    assert len(catalog.cause) == len(FAILURE_CAUSES)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"failure_modes": {}}, "unknown key 'failure_modes'"),
        ({"failure_mode": {"MISALIGMENT": "ME01"}}, "'MISALIGMENT' is not a Monitron value"),
        ({"failure_mode": {"MISALIGNMENT": "ME01"}}, "has no group; set damage_code_group"),
        ({"failure_mode": {"MISALIGNMENT": {"group": "G"}}}, "expected a code string"),
        ({"failure_mode": {"MISALIGNMENT": 7}}, "expected a code string"),
        ({"failure_mode": []}, "expected a table of codes"),
        ({"damage_code_group": 5}, "damage_code_group: expected a string"),
        ({"include_defaults": "yes"}, "include_defaults: expected true or false"),
        (
            {"failure_cause": {"WEAR": {"group": "TOO-LONG-GROUP", "code": "1"}}},
            "1 to 8 characters",
        ),
        ({"action_taken": {"ADJUST": {"group": "G", "code": "12345"}}}, "1 to 4 characters"),
        ({"object_part": "ME00"}, "object_part: code 'ME00' has no group"),
    ],
)
def test_invalid_table_names_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        closure_catalog_from_table(table, source="catalog.toml [closure]")

    assert message in str(caught.value)
    assert str(caught.value).startswith("catalog.toml [closure]")


def test_load_catalog_invalid_toml_names_file(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, "[closure\n")

    with pytest.raises(ConfigurationError) as caught:
        load_closure_catalog(path)

    assert str(path) in str(caught.value)


def test_load_catalog_without_closure_table(tmp_path: Path) -> None:
    path = write_catalog(tmp_path, "[other]\nx = 1\n")

    with pytest.raises(ConfigurationError, match=r"missing \[closure\] table"):
        load_closure_catalog(path)


def test_load_catalog_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="failed to read closure catalog"):
        load_closure_catalog(tmp_path / "absent.toml")
