"""Settings of the SAP emulator: users, API keys, ``sap-client``, master data and faults."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from monitron_sap.errors import ConfigurationError

DEMO_USER = "MONITRON"
DEMO_PASSWORD = "monitron-demo"  # noqa: S105 - the documented password of the local demo user
DEMO_PASSWORD_ENV = "MONITRON_SAP_EMULATOR_PASSWORD"  # noqa: S105 - a variable name
EQUIPMENT = "EAMS_EQUI"
FUNCTIONAL_LOCATION = "EAMS_FL"
TECHNICAL_OBJECT_KINDS = (EQUIPMENT, FUNCTIONAL_LOCATION)

# The default master list contains the objects of the demo mapping (data/demo/mapping.csv), so
# that the demo mapping works against a plain ``sap-emulator``, and a few more for tests.
DEFAULT_TECHNICAL_OBJECTS: Mapping[str, str] = MappingProxyType(
    {
        "10000005": EQUIPMENT,
        "10000101": EQUIPMENT,
        "10000201": EQUIPMENT,
        "10000301": EQUIPMENT,
        "1020-PORTO-PROD": FUNCTIONAL_LOCATION,
        "10000123": EQUIPMENT,
        "10000124": EQUIPMENT,
        "10000125": EQUIPMENT,
        "210100094": EQUIPMENT,
        "1010-CWS-WCS-CWCP1": FUNCTIONAL_LOCATION,
        "1010-PMP-LINE1": FUNCTIONAL_LOCATION,
    }
)


@dataclass(frozen=True)
class FaultSettings:
    """Faults the emulator injects; all off by default.

    Shares are probabilities between 0 and 1, drawn from a random generator seeded with
    ``seed`` so that a run is repeatable.
    """

    error_rate: float = 0.0
    """Share of service requests rejected with ``error_status`` before they are processed."""
    error_status: int = 503
    """Status of injected errors: 429 or a 5xx status."""
    retry_after_seconds: int = 1
    """Value of the ``Retry-After`` header sent with injected 429 and 503 responses."""
    delay_seconds: float = 0.0
    """Delay before every service request is processed, in seconds."""
    lost_response_rate: float = 0.0
    """Share of successful creates whose response is dropped by closing the connection."""
    lost_update_response_rate: float = 0.0
    """Share of successful updates (PUT, PATCH, MERGE) and function imports whose response is
    dropped by closing the connection after the change is applied."""
    head_not_supported: bool = False
    """Reject HEAD requests with 405, so that no CSRF token can be fetched with HEAD."""
    csrf_token_lifetime_seconds: float | None = None
    """Age after which a CSRF token is rejected; ``None`` keeps tokens valid for the session."""
    seed: int | None = None
    """Seed of the random generator behind the shares; ``None`` seeds from the system."""

    def __post_init__(self) -> None:
        for name in ("error_rate", "lost_response_rate", "lost_update_response_rate"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ConfigurationError(f"fault {name} must be between 0 and 1, got {share}")
        if self.error_status != 429 and not 500 <= self.error_status <= 599:
            raise ConfigurationError(
                f"fault error_status must be 429 or a 5xx status, got {self.error_status}"
            )
        if self.delay_seconds < 0:
            raise ConfigurationError(f"fault delay_seconds must be >= 0, got {self.delay_seconds}")


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything an emulator instance needs to start; the defaults give a working demo."""

    users: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({DEMO_USER: DEMO_PASSWORD})
    )
    """Users accepted with HTTP basic authentication: name to password."""
    api_keys: frozenset[str] = frozenset()
    """Keys accepted in the ``api_key_header`` in place of basic authentication."""
    api_key_header: str = "APIKey"
    oauth_clients: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """OAuth 2.0 clients accepted by the token endpoint ``/oauth/token``: id to secret."""
    oauth_token_lifetime_seconds: float = 3600.0
    """Lifetime of an issued access token, sent as ``expires_in``."""
    sap_client: str = "100"
    require_sap_client: bool = False
    """Reject requests without the ``sap-client`` query parameter with 401, as a system with
    several clients does when the user does not exist in its default client."""
    system_id: str = "EMU"
    """System id shown in the authentication realm and the session cookie names."""
    technical_objects: Mapping[str, str] = field(default_factory=lambda: DEFAULT_TECHNICAL_OBJECTS)
    """Technical object master list: external id to ``EAMS_EQUI`` or ``EAMS_FL``."""
    notification_types: frozenset[str] = frozenset({"M1", "M2", "M3"})
    db_path: Path | None = None
    """SQLite file that keeps the data across restarts; ``None`` keeps it in memory."""
    faults: FaultSettings = field(default_factory=FaultSettings)
    require_if_match: bool = True
    """Reject updates without ``If-Match`` with 428 Precondition Required, as S/4HANA Cloud does."""
    first_notification_number: int = 10000000
    complete_requires_in_process: bool = False
    """Reject ``CompleteMaintNotification`` on an outstanding notification (phase 1). SAP's
    own rule is not published; by default the emulator completes from phase 1 or 3."""
    page_size: int | None = None
    """Maximum rows per collection response; more rows come with a ``__next`` link
    (server-driven paging with ``$skiptoken``). ``None`` returns every row at once."""

    def __post_init__(self) -> None:
        if self.oauth_token_lifetime_seconds <= 0:
            raise ConfigurationError(
                "oauth_token_lifetime_seconds must be positive, got "
                f"{self.oauth_token_lifetime_seconds}"
            )
        if self.page_size is not None and self.page_size < 1:
            raise ConfigurationError(f"page_size must be at least 1, got {self.page_size}")
        for identifier, kind in self.technical_objects.items():
            if kind not in TECHNICAL_OBJECT_KINDS:
                raise ConfigurationError(
                    f"technical object {identifier!r} has kind {kind!r}; "
                    f"expected one of {', '.join(TECHNICAL_OBJECT_KINDS)}"
                )


KIND_COLUMNS = ("kind", "technical_object_kind")
"""Columns that can hold the kind: ``kind`` in a master list, ``technical_object_kind`` in a
monitron-sap mapping CSV."""


def load_technical_objects(path: Path) -> dict[str, str]:
    """Read a technical object master list from a CSV file.

    The file needs a header row with the column ``technical_object`` and the kind (``EAMS_EQUI``
    or ``EAMS_FL``) in the column ``kind`` or ``technical_object_kind``, so a monitron-sap
    mapping CSV works too. Other columns are ignored.
    """
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or ()]
            reader.fieldnames = header
            kind_column = next((name for name in KIND_COLUMNS if name in header), None)
            missing = [] if "technical_object" in header else ["technical_object"]
            if kind_column is None:
                missing.append("kind (or technical_object_kind, as in a mapping CSV)")
            if missing:
                raise ConfigurationError(
                    f"{path}: missing column(s) {', '.join(missing)} in the header row"
                )
            objects: dict[str, str] = {}
            for line_number, row in enumerate(reader, start=2):
                identifier = (row["technical_object"] or "").strip().upper()
                kind = (row[kind_column] or "").strip().upper()
                if not identifier or kind not in TECHNICAL_OBJECT_KINDS:
                    raise ConfigurationError(
                        f"{path} line {line_number}: expected a technical object and a kind "
                        f"of {' or '.join(TECHNICAL_OBJECT_KINDS)}, got {identifier!r}, {kind!r}"
                    )
                objects[identifier] = kind
    except OSError as error:
        raise ConfigurationError(f"cannot read technical objects from {path}: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            f"{path} is not UTF-8 text (invalid byte at offset {error.start}); save it as UTF-8"
        ) from error
    return objects
