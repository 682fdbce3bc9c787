"""A local SAP emulator of the ``API_MAINTNOTIFICATION`` OData V2 service.

Real HTTP on loopback, SAP's CSRF protocol, basic and API key authentication, SQLite
persistence and fault injection, for tests, benchmarks and demos without an SAP system.
"""

from __future__ import annotations

from monitron_sap.emulator.config import (
    DEMO_PASSWORD,
    DEMO_PASSWORD_ENV,
    DEMO_USER,
    EmulatorConfig,
    FaultSettings,
    load_technical_objects,
)
from monitron_sap.emulator.faults import FaultController
from monitron_sap.emulator.protocol import ODataError, Service, ServiceRequest, ServiceResponse
from monitron_sap.emulator.server import EmulatorServer

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PASSWORD_ENV",
    "DEMO_USER",
    "EmulatorConfig",
    "EmulatorServer",
    "FaultController",
    "FaultSettings",
    "ODataError",
    "Service",
    "ServiceRequest",
    "ServiceResponse",
    "load_technical_objects",
]
