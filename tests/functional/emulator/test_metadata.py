"""The emulator's $metadata against SAP's published metadata, and SAP's pyodata client."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pyodata
import pytest
import requests

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from tests.support import shared_path

EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
SAP = "{http://www.sap.com/Protocols/SAPData}"
COMPARED_TYPES = (
    "MaintenanceNotificationType",
    "MaintenanceNotificationItemType",
    "MaintNotificationItemCauseType",
    "MaintNotificationItemActivityType",
    "MaintenanceNotificationPartnerType",
)
OLDER_FUNCTION_IMPORTS = ("CompleteMaintNotification", "SetMaintNotifToInProcess")


def _describe_properties(entity_type: ET.Element) -> dict[str, tuple[Any, ...]]:
    return {
        prop.get("Name", ""): (
            prop.get("Type"),
            prop.get("MaxLength"),
            prop.get(f"{SAP}creatable", "true"),
            prop.get(f"{SAP}updatable", "true"),
        )
        for prop in entity_type.findall(f"{EDM}Property")
    }


def _entity_types(root: ET.Element) -> dict[str, ET.Element]:
    return {element.get("Name", ""): element for element in root.iter(f"{EDM}EntityType")}


def _keys(entity_type: ET.Element) -> list[str | None]:
    return [ref.get("Name") for ref in entity_type.findall(f"{EDM}Key/{EDM}PropertyRef")]


def _function_parameters(root: ET.Element, name: str) -> dict[str, tuple[Any, ...]]:
    for function in root.iter(f"{EDM}FunctionImport"):
        if function.get("Name") == name:
            return {
                parameter.get("Name", ""): (parameter.get("Type"), parameter.get("MaxLength"))
                for parameter in function.findall(f"{EDM}Parameter")
            }
    raise AssertionError(f"function import {name} not found")


@pytest.fixture
def emulator_metadata(sap: EmulatorServer) -> ET.Element:
    response = httpx.get(sap.service_url + "$metadata", auth=(DEMO_USER, DEMO_PASSWORD))
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


@pytest.fixture
def sap_metadata() -> ET.Element:
    return ET.parse(shared_path("sap-metadata/API_MAINTNOTIFICATION.newer.edmx")).getroot()  # noqa: S314 - trusted test data


@pytest.fixture
def older_sap_metadata() -> ET.Element:
    return ET.parse(shared_path("sap-metadata/API_MAINTNOTIFICATION.older.edmx")).getroot()  # noqa: S314 - trusted test data


def test_entity_sets_match(emulator_metadata: ET.Element, sap_metadata: ET.Element) -> None:
    def entity_sets(root: ET.Element) -> dict[str | None, str | None]:
        return {
            element.get("Name"): element.get("EntityType")
            for element in root.iter(f"{EDM}EntitySet")
            if element.get(f"{SAP}addressable") != "false"
        }

    assert entity_sets(emulator_metadata) == entity_sets(sap_metadata)


@pytest.mark.parametrize("type_name", COMPARED_TYPES)
def test_entity_type_keys_match(
    emulator_metadata: ET.Element, sap_metadata: ET.Element, type_name: str
) -> None:
    ours = _entity_types(emulator_metadata)[type_name]
    theirs = _entity_types(sap_metadata)[type_name]

    assert _keys(ours) == _keys(theirs)


@pytest.mark.parametrize("type_name", COMPARED_TYPES)
def test_entity_type_properties_match(
    emulator_metadata: ET.Element, sap_metadata: ET.Element, type_name: str
) -> None:
    ours = _describe_properties(_entity_types(emulator_metadata)[type_name])
    theirs = _describe_properties(_entity_types(sap_metadata)[type_name])

    assert ours == theirs


@pytest.mark.parametrize("name", OLDER_FUNCTION_IMPORTS)
def test_older_function_imports_exist(
    emulator_metadata: ET.Element, older_sap_metadata: ET.Element, name: str
) -> None:
    ours = _function_parameters(emulator_metadata, name)
    theirs = _function_parameters(older_sap_metadata, name)

    missing = set(theirs.items()) - set(ours.items())
    assert not missing


def test_header_has_etag_property(emulator_metadata: ET.Element) -> None:
    header = _entity_types(emulator_metadata)["MaintenanceNotificationType"]
    names = [prop.get("Name") for prop in header.findall(f"{EDM}Property")]

    assert "LastChangeDateTime" in names


def _pyodata_client(sap: EmulatorServer) -> pyodata.Client:
    session = requests.Session()
    session.auth = (DEMO_USER, DEMO_PASSWORD)
    session.params = {"sap-client": "100"}  # type: ignore[assignment]
    fetched = session.head(sap.service_url, headers={"x-csrf-token": "fetch"})
    session.headers["x-csrf-token"] = fetched.headers["x-csrf-token"]
    return pyodata.Client(sap.service_url, session)


def test_pyodata_loads_metadata(sap: EmulatorServer) -> None:
    logging.getLogger("pyodata").setLevel(logging.ERROR)
    client = _pyodata_client(sap)

    names = [entity_set.name for entity_set in client.schema.entity_sets]
    assert "MaintenanceNotification" in names


def test_pyodata_creates_notification(sap: EmulatorServer) -> None:
    client = _pyodata_client(sap)

    created = (
        client.entity_sets.MaintenanceNotification.create_entity()
        .set(
            NotificationText="Created through pyodata",
            NotificationType="M1",
            TechnicalObject="10000123",
            TechObjIsEquipOrFuncnlLoc="EAMS_EQUI",
        )
        .execute()
    )

    read_back = client.entity_sets.MaintenanceNotification.get_entity(
        created.MaintenanceNotification
    ).execute()
    assert read_back.NotificationText == "Created through pyodata"
