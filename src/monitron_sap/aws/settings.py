"""The Lambda handlers' configuration: every environment variable they read, validated once.

The SAP variables keep the names of the original integration (``SAP_AUTH_SECRET``,
``SAP_HOST_NAME``, ``SAP_PORT``, ``SAP_PROTOCOL``), so that its ``appConfig.json`` ``sapenv``
block can be passed through unchanged. boto3 reads its own variables (``AWS_REGION``,
``AWS_ENDPOINT_URL``) and Powertools its own (``POWERTOOLS_SERVICE_NAME``,
``POWERTOOLS_METRICS_NAMESPACE``, ``POWERTOOLS_LOG_LEVEL``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from monitron_sap.errors import ConfigurationError

LEDGER_TABLE_ENV: Final = "MONITRON_SAP_LEDGER_TABLE"
MAPPING_TABLE_ENV: Final = "MONITRON_SAP_MAPPING_TABLE"
LEDGER_TTL_DAYS_ENV: Final = "MONITRON_SAP_LEDGER_TTL_DAYS"
LEASE_SECONDS_ENV: Final = "MONITRON_SAP_LEASE_SECONDS"
S3_PREFIX_ENV: Final = "MONITRON_SAP_S3_PREFIX"
SAP_AUTH_SECRET_ENV: Final = "SAP_AUTH_SECRET"  # noqa: S105 (a variable name, not a secret)
SAP_HOST_NAME_ENV: Final = "SAP_HOST_NAME"
SAP_PORT_ENV: Final = "SAP_PORT"
SAP_PROTOCOL_ENV: Final = "SAP_PROTOCOL"
SAP_BASE_URL_ENV: Final = "SAP_BASE_URL"
SAP_CLIENT_ENV: Final = "SAP_CLIENT"
SAP_TOKEN_URL_ENV: Final = "SAP_TOKEN_URL"  # noqa: S105 (a variable name, not a secret)
SAP_VERIFY_TLS_ENV: Final = "SAP_VERIFY_TLS"
SAP_CA_BUNDLE_ENV: Final = "SAP_CA_BUNDLE"

DEFAULT_LEDGER_TTL_DAYS: Final = 90
DEFAULT_LEASE_SECONDS: Final = 300.0

_TRUE_WORDS: Final = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS: Final = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True, slots=True)
class HandlerSettings:
    """Settings of the Lambda handlers.

    ``sap_base_url`` is scheme, host and port, such as ``https://s4.example.com:443``.
    ``s3_prefix`` limits the objects processed to keys that start with it (empty: all).
    ``sap_verify_tls`` is True, False or the path of a CA bundle.
    """

    ledger_table: str
    mapping_table: str
    sap_secret_id: str
    sap_base_url: str
    sap_client: str | None = None
    sap_token_url: str | None = None
    sap_verify_tls: bool | str = True
    s3_prefix: str = ""
    ledger_ttl_days: int | None = DEFAULT_LEDGER_TTL_DAYS
    lease_seconds: float = DEFAULT_LEASE_SECONDS

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> HandlerSettings:
        """Read and validate the settings; raise ``ConfigurationError`` naming every problem."""
        problems: list[str] = []

        def required(name: str) -> str:
            value = environ.get(name, "").strip()
            if not value:
                problems.append(f"{name} is missing")
            return value

        ledger_table = required(LEDGER_TABLE_ENV)
        mapping_table = required(MAPPING_TABLE_ENV)
        secret_id = required(SAP_AUTH_SECRET_ENV)
        base_url = _base_url(environ, problems)
        verify = _verify_tls(environ, problems)
        ttl_days = _ttl_days(environ, problems)
        lease = _positive_number(environ, LEASE_SECONDS_ENV, DEFAULT_LEASE_SECONDS, problems)
        if problems:
            raise ConfigurationError(
                "invalid Lambda configuration: " + "; ".join(problems) + ". "
                "Set the environment variables in the stack configuration."
            )
        return cls(
            ledger_table=ledger_table,
            mapping_table=mapping_table,
            sap_secret_id=secret_id,
            sap_base_url=base_url,
            sap_client=environ.get(SAP_CLIENT_ENV, "").strip() or None,
            sap_token_url=environ.get(SAP_TOKEN_URL_ENV, "").strip() or None,
            sap_verify_tls=verify,
            s3_prefix=environ.get(S3_PREFIX_ENV, ""),
            ledger_ttl_days=ttl_days,
            lease_seconds=lease,
        )


def _base_url(environ: Mapping[str, str], problems: list[str]) -> str:
    explicit = environ.get(SAP_BASE_URL_ENV, "").strip().rstrip("/")
    if explicit:
        if not explicit.startswith(("https://", "http://")):
            problems.append(f"{SAP_BASE_URL_ENV} {explicit!r} must start with https:// or http://")
        return explicit
    host = environ.get(SAP_HOST_NAME_ENV, "").strip()
    if not host:
        problems.append(f"{SAP_HOST_NAME_ENV} (or {SAP_BASE_URL_ENV}) is missing")
        return ""
    protocol = environ.get(SAP_PROTOCOL_ENV, "https").strip().lower() or "https"
    if protocol not in ("https", "http"):
        problems.append(f"{SAP_PROTOCOL_ENV} {protocol!r} must be https or http")
    port = environ.get(SAP_PORT_ENV, "").strip()
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        problems.append(f"{SAP_PORT_ENV} {port!r} must be a port number from 1 to 65535")
    return f"{protocol}://{host}:{port}" if port else f"{protocol}://{host}"


def _verify_tls(environ: Mapping[str, str], problems: list[str]) -> bool | str:
    bundle = environ.get(SAP_CA_BUNDLE_ENV, "").strip()
    word = environ.get(SAP_VERIFY_TLS_ENV, "true").strip().lower() or "true"
    if word in _FALSE_WORDS:
        return False
    if word not in _TRUE_WORDS:
        problems.append(f"{SAP_VERIFY_TLS_ENV} {word!r} must be true or false")
    return bundle or True


def _ttl_days(environ: Mapping[str, str], problems: list[str]) -> int | None:
    text = environ.get(LEDGER_TTL_DAYS_ENV, "").strip()
    if not text:
        return DEFAULT_LEDGER_TTL_DAYS
    if text == "0":
        return None  # 0 turns expiry off
    if not text.isdigit():
        problems.append(f"{LEDGER_TTL_DAYS_ENV} {text!r} must be a whole number of days (0: never)")
        return DEFAULT_LEDGER_TTL_DAYS
    return int(text)


def _positive_number(
    environ: Mapping[str, str], name: str, default: float, problems: list[str]
) -> float:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        problems.append(f"{name} {text!r} must be a positive number")
        return default
    return value
