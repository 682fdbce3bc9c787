"""The Lambda handlers' configuration: every environment variable they read, validated once.

The product's own settings (rules, retries, lease, SAP profile, client, TLS and timeout) come
from ``monitron_sap.config.load_settings`` and its ``MONITRON_SAP_*`` variables. This module adds
what only the Lambda needs: the DynamoDB tables, the secret and the S3 prefix filter. It also
reads the SAP address from the variables of the original integration (``SAP_HOST_NAME``,
``SAP_PORT``, ``SAP_PROTOCOL``), so that its ``appConfig.json`` ``sapenv`` block can be passed
through unchanged. boto3 reads its own variables (``AWS_REGION``, ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from monitron_sap.config import Settings, load_settings
from monitron_sap.errors import ConfigurationError

logger = logging.getLogger(__name__)

LEDGER_TABLE_ENV: Final = "MONITRON_SAP_LEDGER_TABLE"
MAPPING_TABLE_ENV: Final = "MONITRON_SAP_MAPPING_TABLE"
LEDGER_TTL_DAYS_ENV: Final = "MONITRON_SAP_LEDGER_TTL_DAYS"
S3_PREFIX_ENV: Final = "MONITRON_SAP_S3_PREFIX"
# The same variable as the command line's sap.oauth_token_url. The older name still works but
# logs a warning.
TOKEN_URL_ENV: Final = "MONITRON_SAP_SAP_OAUTH_TOKEN_URL"  # noqa: S105 (a variable name)
DEPRECATED_TOKEN_URL_ENV: Final = "MONITRON_SAP_SAP_TOKEN_URL"  # noqa: S105 (a variable name)
SAP_AUTH_SECRET_ENV: Final = "SAP_AUTH_SECRET"  # noqa: S105 (a variable name, not a secret)
SAP_HOST_NAME_ENV: Final = "SAP_HOST_NAME"
SAP_PORT_ENV: Final = "SAP_PORT"
SAP_PROTOCOL_ENV: Final = "SAP_PROTOCOL"
METRICS_NAMESPACE_ENV: Final = "POWERTOOLS_METRICS_NAMESPACE"

DEFAULT_LEDGER_TTL_DAYS: Final = 90
DEFAULT_METRICS_NAMESPACE: Final = "MonitronSap"


@dataclass(frozen=True, slots=True)
class HandlerSettings:
    """Settings of the Lambda handlers.

    ``core.sap.base_url`` is always set: from ``SAP_HOST_NAME``, ``SAP_PORT`` and
    ``SAP_PROTOCOL`` when present, else from ``MONITRON_SAP_SAP_BASE_URL``. ``s3_prefix`` limits
    the objects processed to keys that start with it (empty: all). ``ledger_ttl_days`` is None
    when finished ledger items never expire.
    """

    core: Settings
    ledger_table: str
    mapping_table: str
    sap_secret_id: str
    sap_token_url: str | None = None
    s3_prefix: str = ""
    ledger_ttl_days: int | None = DEFAULT_LEDGER_TTL_DAYS
    metrics_namespace: str = DEFAULT_METRICS_NAMESPACE

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
        original_url = _original_base_url(environ, problems)
        ttl_days = _ttl_days(environ, problems)
        token_url_env, token_url = _token_url(environ)
        if token_url is not None and urlsplit(token_url).scheme != "https":
            problems.append(f"{token_url_env} {token_url!r} must be an https:// URL")

        try:
            core = load_settings(None, environ)
        except ConfigurationError as error:
            problems.append(str(error))
            core = None
        if core is not None:
            if original_url is not None:
                core = dataclasses.replace(
                    core, sap=dataclasses.replace(core.sap, base_url=original_url)
                )
            elif core.sap.base_url is None:
                problems.append(f"{SAP_HOST_NAME_ENV} (or MONITRON_SAP_SAP_BASE_URL) is missing")
        if problems or core is None:
            raise ConfigurationError(
                "invalid Lambda configuration: "
                + "; ".join(problems)
                + ". Set the environment variables in the stack configuration."
            )
        return cls(
            core=core,
            ledger_table=ledger_table,
            mapping_table=mapping_table,
            sap_secret_id=secret_id,
            sap_token_url=token_url,
            s3_prefix=environ.get(S3_PREFIX_ENV, ""),
            ledger_ttl_days=ttl_days,
            metrics_namespace=environ.get(METRICS_NAMESPACE_ENV, "").strip()
            or DEFAULT_METRICS_NAMESPACE,
        )


def _token_url(environ: Mapping[str, str]) -> tuple[str, str | None]:
    """Return the variable that sets the OAuth token URL and its value (None when unset)."""
    current = environ.get(TOKEN_URL_ENV, "").strip() or None
    deprecated = environ.get(DEPRECATED_TOKEN_URL_ENV, "").strip() or None
    if deprecated is None:
        return TOKEN_URL_ENV, current
    if current is not None:
        logger.warning(
            "%s is deprecated and ignored because %s is set; remove it",
            DEPRECATED_TOKEN_URL_ENV,
            TOKEN_URL_ENV,
        )
        return TOKEN_URL_ENV, current
    logger.warning("%s is deprecated; rename it to %s", DEPRECATED_TOKEN_URL_ENV, TOKEN_URL_ENV)
    return DEPRECATED_TOKEN_URL_ENV, deprecated


def _original_base_url(environ: Mapping[str, str], problems: list[str]) -> str | None:
    """Build ``PROTOCOL://HOST:PORT`` from the original variables; None when no host is set."""
    host = environ.get(SAP_HOST_NAME_ENV, "").strip()
    if not host:
        return None
    protocol = environ.get(SAP_PROTOCOL_ENV, "https").strip().lower() or "https"
    if protocol not in ("https", "http"):
        problems.append(f"{SAP_PROTOCOL_ENV} {protocol!r} must be https or http")
    port = environ.get(SAP_PORT_ENV, "").strip()
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        problems.append(f"{SAP_PORT_ENV} {port!r} must be a port number from 1 to 65535")
        port = ""
    return f"{protocol}://{host}:{port}" if port else f"{protocol}://{host}"


def _ttl_days(environ: Mapping[str, str], problems: list[str]) -> int | None:
    text = environ.get(LEDGER_TTL_DAYS_ENV, "").strip()
    if not text:
        return DEFAULT_LEDGER_TTL_DAYS
    if not text.isdigit():
        problems.append(f"{LEDGER_TTL_DAYS_ENV} {text!r} must be a whole number of days (0: never)")
        return DEFAULT_LEDGER_TTL_DAYS
    days = int(text)
    return days if days > 0 else None
