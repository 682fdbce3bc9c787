"""The simulated plant: project, sites, gateways, assets and sensor positions, read from TOML.

A plant file names every key it needs; a missing or invalid value raises ``ConfigurationError``
naming the file and the key path (for example ``sites[0].assets[1].iso_class``). The built-in
default is the demo plant shipped in ``monitron_sap/data/demo/plant.toml``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.scenarios import Outage, Scenario, parse_outage, parse_scenario

ISO_CLASSES: Final = ("CLASS1", "CLASS2", "CLASS3", "CLASS4")
AXES: Final = ("x", "y", "z")
_PHYSICAL_ID = re.compile(r"^[0-9a-f]{12}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
BUILTIN_PLANT_NAME: Final = "built-in demo plant"


@dataclass(frozen=True, slots=True)
class Gateway:
    """A Monitron gateway; ``physical_id`` is 12 lowercase hex characters."""

    name: str
    physical_id: str
    site: str


@dataclass(frozen=True, slots=True)
class Position:
    """A sensor position on an asset, with the sensor mounted there."""

    site: str
    asset: str
    name: str
    sensor_id: str
    position_id: str
    gateway_id: str
    iso_class: str
    gravity_axis: str

    @property
    def path(self) -> str:
        """``site/asset/position``, the form used in messages."""
        return f"{self.site}/{self.asset}/{self.name}"


@dataclass(frozen=True, slots=True)
class Asset:
    """A machine with an ISO 20816 class and optional make, model and serial number."""

    name: str
    iso_class: str
    positions: tuple[Position, ...]
    serial_number: str | None = None
    make: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """A Monitron site: its location, ambient temperature in °C, gateways and assets."""

    name: str
    gateways: tuple[Gateway, ...]
    assets: tuple[Asset, ...]
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    ambient_c: float = 20.0


@dataclass(frozen=True, slots=True)
class Plant:
    """A whole Monitron project: sites, scenarios and outages."""

    project_name: str
    project_id: str
    account_id: str
    sites: tuple[Site, ...]
    scenarios: tuple[Scenario, ...] = ()
    outages: tuple[Outage, ...] = ()
    company: str | None = None

    def positions(self) -> list[Position]:
        """Return every position in file order."""
        return [p for site in self.sites for asset in site.assets for p in asset.positions]

    def gateways(self) -> list[Gateway]:
        """Return every gateway in file order."""
        return [gateway for site in self.sites for gateway in site.gateways]

    def site(self, name: str) -> Site:
        """Return the site called ``name``."""
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(name)

    def asset(self, site_name: str, asset_name: str) -> Asset:
        """Return the asset called ``asset_name`` on site ``site_name``."""
        for asset in self.site(site_name).assets:
            if asset.name == asset_name:
                return asset
        raise KeyError(asset_name)

    def find_position(self, reference: str) -> Position:
        """Find a position by sensor id, ``assetPositionId``, name, ``asset/position`` or full path.

        Raises ``ConfigurationError`` listing the known positions when nothing or more than one
        position matches.
        """
        matches = [
            p
            for p in self.positions()
            if reference in (p.sensor_id, p.position_id, p.name, p.path, f"{p.asset}/{p.name}")
        ]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(f"{p.asset}/{p.name} ({p.sensor_id})" for p in self.positions())
        if not matches:
            raise ConfigurationError(f"position {reference!r} not found; known positions: {known}")
        raise ConfigurationError(
            f"position {reference!r} is ambiguous; use site/asset/position or the sensor id "
            f"({known})"
        )

    def with_scenarios(self, scenarios: tuple[Scenario, ...]) -> Plant:
        """Return a copy of the plant with ``scenarios`` in place of the file's scenarios."""
        return Plant(
            project_name=self.project_name,
            project_id=self.project_id,
            account_id=self.account_id,
            sites=self.sites,
            scenarios=scenarios,
            outages=self.outages,
            company=self.company,
        )


def load_plant(path: Path | None = None) -> Plant:
    """Load and validate a plant file, or the built-in demo plant when ``path`` is None."""
    if path is None:
        text = resources.files("monitron_sap").joinpath("data/demo/plant.toml").read_text("utf-8")
        return parse_plant(text, source=BUILTIN_PLANT_NAME)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read plant file {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ConfigurationError(f"plant file {path} is not valid UTF-8: {error}") from error
    return parse_plant(text, source=str(path))


def parse_plant(text: str, *, source: str) -> Plant:
    """Parse plant TOML text; ``source`` names the file in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source}: invalid TOML: {error}") from error
    reader = _TableReader(source)
    return reader.plant(document)


class _TableReader:
    """Read typed values out of TOML tables, naming the file and key path on every error."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.seen_ids: dict[str, str] = {}

    def fail(self, key: str, message: str) -> ConfigurationError:
        return ConfigurationError(f"{self.source}: {key}: {message}")

    def check_keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        """Reject a key that is not in ``allowed``, so that a misspelt optional key is noticed."""
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            raise self.fail(
                f"{where}{unknown[0]}", f"unknown key; known keys: {', '.join(allowed)}"
            )

    def string(
        self, table: dict[str, Any], key: str, where: str, default: str | None = None
    ) -> str:
        value = table.get(key, default)
        if value is None:
            raise self.fail(f"{where}{key}", "missing required string")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key}", f"expected a non-empty string, got {value!r}")
        return value

    def optional_string(self, table: dict[str, Any], key: str, where: str) -> str | None:
        if key not in table:
            return None
        return self.string(table, key, where)

    def number(self, table: dict[str, Any], key: str, where: str) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}{key}", f"expected a number, got {value!r}")
        return float(value)

    def tables(self, table: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = table.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(f"{where}{key}", "expected an array of tables ([[...]])")
        return value

    def physical_id(self, table: dict[str, Any], key: str, where: str, owner: str) -> str:
        value = self.string(table, key, where)
        if not _PHYSICAL_ID.match(value):
            raise self.fail(f"{where}{key}", f"expected 12 lowercase hex characters, got {value!r}")
        if value in self.seen_ids:
            raise self.fail(f"{where}{key}", f"{value!r} is already used by {self.seen_ids[value]}")
        self.seen_ids[value] = owner
        return value

    def plant(self, document: dict[str, Any]) -> Plant:
        project = document.get("project")
        if not isinstance(project, dict):
            raise self.fail("project", "missing [project] table")
        self.check_keys(document, ("project", "sites", "scenarios", "outages"), "")
        self.check_keys(project, ("name", "id", "account_id", "company"), "project.")
        project_name = self.string(project, "name", "project.")
        project_id = self.string(project, "id", "project.")
        company = self.optional_string(project, "company", "project.")
        account_id = self.string(project, "account_id", "project.")
        if not _ACCOUNT_ID.match(account_id):
            raise self.fail("project.account_id", f"expected 12 digits, got {account_id!r}")

        sites_tables = self.tables(document, "sites", "")
        if not sites_tables:
            raise self.fail("sites", "a plant needs at least one [[sites]] table")
        sites = tuple(
            self.site(table, f"sites[{index}].") for index, table in enumerate(sites_tables)
        )
        names = [site.name for site in sites]
        if len(set(names)) != len(names):
            raise self.fail("sites", f"site names must be unique, got {names}")

        plant = Plant(
            project_name=project_name,
            project_id=project_id,
            account_id=account_id,
            company=company,
            sites=sites,
        )
        scenarios = tuple(
            parse_scenario(table, f"{self.source}: scenarios[{index}]", plant.find_position)
            for index, table in enumerate(self.tables(document, "scenarios", ""))
        )
        outages = tuple(
            parse_outage(table, f"{self.source}: outages[{index}]", self.seen_ids)
            for index, table in enumerate(self.tables(document, "outages", ""))
        )
        return Plant(
            project_name=plant.project_name,
            project_id=plant.project_id,
            account_id=plant.account_id,
            company=plant.company,
            sites=sites,
            scenarios=scenarios,
            outages=outages,
        )

    def site(self, table: dict[str, Any], where: str) -> Site:
        self.check_keys(
            table,
            ("name", "address", "latitude", "longitude", "ambient_c", "gateways", "assets"),
            where,
        )
        name = self.string(table, "name", where)
        gateway_tables = self.tables(table, "gateways", where)
        if not gateway_tables:
            raise self.fail(f"{where}gateways", "a site needs at least one [[sites.gateways]]")
        for index, gateway in enumerate(gateway_tables):
            self.check_keys(gateway, ("name", "physical_id"), f"{where}gateways[{index}].")
        gateways = tuple(
            Gateway(
                name=self.string(gateway, "name", f"{where}gateways[{index}]."),
                physical_id=self.physical_id(
                    gateway, "physical_id", f"{where}gateways[{index}].", f"gateway of {name}"
                ),
                site=name,
            )
            for index, gateway in enumerate(gateway_tables)
        )
        assets = tuple(
            self.asset(asset, f"{where}assets[{index}].", name, gateways)
            for index, asset in enumerate(self.tables(table, "assets", where))
        )
        ambient = self.number(table, "ambient_c", where)
        return Site(
            name=name,
            gateways=gateways,
            assets=assets,
            address=self.optional_string(table, "address", where),
            latitude=self.number(table, "latitude", where),
            longitude=self.number(table, "longitude", where),
            ambient_c=20.0 if ambient is None else ambient,
        )

    def asset(
        self, table: dict[str, Any], where: str, site: str, gateways: tuple[Gateway, ...]
    ) -> Asset:
        self.check_keys(
            table, ("name", "iso_class", "positions", "serial_number", "make", "model"), where
        )
        name = self.string(table, "name", where)
        iso_class = self.string(table, "iso_class", where)
        if iso_class not in ISO_CLASSES:
            raise self.fail(
                f"{where}iso_class", f"expected one of {ISO_CLASSES}, got {iso_class!r}"
            )
        position_tables = self.tables(table, "positions", where)
        if not position_tables:
            raise self.fail(f"{where}positions", "an asset needs at least one position")
        positions = tuple(
            self.position(position, f"{where}positions[{index}].", site, name, iso_class, gateways)
            for index, position in enumerate(position_tables)
        )
        return Asset(
            name=name,
            iso_class=iso_class,
            positions=positions,
            serial_number=self.optional_string(table, "serial_number", where),
            make=self.optional_string(table, "make", where),
            model=self.optional_string(table, "model", where),
        )

    def position(
        self,
        table: dict[str, Any],
        where: str,
        site: str,
        asset: str,
        iso_class: str,
        gateways: tuple[Gateway, ...],
    ) -> Position:
        self.check_keys(
            table, ("name", "sensor_id", "position_id", "gateway", "gravity_axis"), where
        )
        name = self.string(table, "name", where)
        sensor_id = self.physical_id(table, "sensor_id", where, f"sensor of {asset}/{name}")
        gateway_id = self.string(table, "gateway", where, default=gateways[0].physical_id)
        if gateway_id not in {gateway.physical_id for gateway in gateways}:
            raise self.fail(f"{where}gateway", f"no gateway {gateway_id!r} on site {site!r}")
        gravity_axis = self.string(table, "gravity_axis", where, default="z")
        if gravity_axis not in AXES:
            raise self.fail(f"{where}gravity_axis", f"expected x, y or z, got {gravity_axis!r}")
        return Position(
            site=site,
            asset=asset,
            name=name,
            sensor_id=sensor_id,
            position_id=self.string(table, "position_id", where, default=f"pos-{sensor_id}"),
            gateway_id=gateway_id,
            iso_class=iso_class,
            gravity_axis=gravity_axis,
        )
