"""Plant files: the built-in demo plant and validation errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.plant import load_plant, parse_plant

DEMO_POSITIONS = [
    ("Plant Hamburg", "Pump P-101", "CLASS2", "Motor DE", "a1b2c3d40101"),
    ("Plant Hamburg", "Pump P-101", "CLASS2", "Motor NDE", "a1b2c3d40102"),
    ("Plant Hamburg", "Pump P-101", "CLASS2", "Pump DE", "a1b2c3d40103"),
    ("Plant Hamburg", "Fan F-201", "CLASS1", "Motor DE", "a1b2c3d40201"),
    ("Plant Hamburg", "Fan F-201", "CLASS1", "Fan Bearing", "a1b2c3d40202"),
    ("Plant Porto", "Compressor C-301", "CLASS3", "Motor DE", "a1b2c3d40301"),
    ("Plant Porto", "Compressor C-301", "CLASS3", "Compressor DE", "a1b2c3d40302"),
    ("Plant Porto", "Conveyor CV-401", "CLASS1", "Gearbox Input", "a1b2c3d40401"),
]

MINIMAL = """
[project]
name = "P"
id = "p1"
account_id = "111122223333"

[[sites]]
name = "S"

[[sites.gateways]]
name = "G"
physical_id = "f0e1d2c30009"

[[sites.assets]]
name = "A"
iso_class = "CLASS2"

[[sites.assets.positions]]
name = "Motor DE"
sensor_id = "a1b2c3d40999"
"""


def test_builtin_plant_is_demo_plant() -> None:
    plant = load_plant()
    positions = [(p.site, p.asset, p.iso_class, p.name, p.sensor_id) for p in plant.positions()]
    assert positions == DEMO_POSITIONS
    assert plant.project_name == "Northwind Bottling"
    assert plant.project_id == "nwbottling01"
    assert plant.account_id == "111122223333"


def test_builtin_plant_gateways_and_position_ids() -> None:
    plant = load_plant()
    gateways = [(g.site, g.name, g.physical_id) for g in plant.gateways()]
    assert gateways == [
        ("Plant Hamburg", "Hall 1 gateway", "f0e1d2c30001"),
        ("Plant Porto", "Line 2 gateway", "f0e1d2c30002"),
    ]
    for position in plant.positions():
        assert position.position_id == f"pos-{position.sensor_id}"


def test_minimal_plant_defaults() -> None:
    plant = parse_plant(MINIMAL, source="mini.toml")
    position = plant.positions()[0]
    assert position.gateway_id == "f0e1d2c30009"
    assert position.gravity_axis == "z"
    assert plant.scenarios == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('iso_class = "CLASS2"', 'iso_class = "CLASS9"'), "sites[0].assets[0].iso_class"),
        (
            ('sensor_id = "a1b2c3d40999"', 'sensor_id = "XYZ"'),
            "sites[0].assets[0].positions[0].sensor_id",
        ),
        (('account_id = "111122223333"', 'account_id = "12"'), "project.account_id"),
        (('name = "P"\n', ""), "project.name"),
        (('physical_id = "f0e1d2c30009"', 'physical_id = "a1b2c3d40999"'), "already used"),
        (
            ('[[sites.gateways]]\nname = "G"\nphysical_id = "f0e1d2c30009"\n', ""),
            "sites[0].gateways",
        ),
        (("[[sites.gateways]]", "[[sites.other]]"), "sites[0].other: unknown key"),
    ],
)
def test_invalid_plant_names_key(change: tuple[str, str], expected: str) -> None:
    text = MINIMAL.replace(change[0], change[1], 1)
    with pytest.raises(ConfigurationError) as raised:
        parse_plant(text, source="mini.toml")
    assert expected in str(raised.value)
    assert str(raised.value).startswith("mini.toml: ")


def test_invalid_toml_names_file() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_plant("[project\n", source="broken.toml")
    assert "broken.toml: invalid TOML" in str(raised.value)


def test_missing_plant_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_plant(tmp_path / "absent.toml")
    assert "absent.toml" in str(raised.value)


def test_scenario_unknown_position() -> None:
    text = MINIMAL + '\n[[scenarios]]\nposition = "Nowhere"\nfault = "looseness"\n'
    with pytest.raises(ConfigurationError) as raised:
        parse_plant(text, source="mini.toml")
    assert "scenarios[0].position" in str(raised.value)
    assert "not found" in str(raised.value)


def test_scenario_unknown_fault() -> None:
    text = MINIMAL + '\n[[scenarios]]\nposition = "A/Motor DE"\nfault = "rust"\n'
    with pytest.raises(ConfigurationError) as raised:
        parse_plant(text, source="mini.toml")
    assert "scenarios[0].fault" in str(raised.value)


def test_outage_unknown_sensor() -> None:
    text = MINIMAL + '\n[[outages]]\nsensor = "f0e1d2c30009"\nstart = "1h"\nduration = "1h"\n'
    with pytest.raises(ConfigurationError) as raised:
        parse_plant(text, source="mini.toml")
    assert "outages[0].sensor" in str(raised.value)


def test_find_position_ambiguous() -> None:
    plant = load_plant()
    with pytest.raises(ConfigurationError) as raised:
        plant.find_position("Motor DE")
    assert "ambiguous" in str(raised.value)


def test_find_position_forms() -> None:
    plant = load_plant()
    by_sensor = plant.find_position("a1b2c3d40202")
    assert plant.find_position("Fan F-201/Fan Bearing") == by_sensor
    assert plant.find_position("Plant Hamburg/Fan F-201/Fan Bearing") == by_sensor
    assert plant.find_position("pos-a1b2c3d40202") == by_sensor
