"""The keys of the configuration, their bounds, and how one value is read and converted.

Every key has a TOML location (``[section] name``) and an environment variable
``MONITRON_SAP_<SECTION>_<NAME>``. A value read from either place is converted to the key's type
and checked against the key's bounds, and an error names the file or variable it came from.
"""

from __future__ import annotations

import difflib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from monitron_sap.errors import ConfigurationError
from monitron_sap.pipeline.core import DEFAULT_LEASE_SECONDS
from monitron_sap.pipeline.retry import (
    DEFAULT_BACKOFF_BASE_SECONDS,
    DEFAULT_BACKOFF_MAX_SECONDS,
    DEFAULT_MAX_ATTEMPTS,
)
from monitron_sap.rules.settings import DEFAULT_CHART_DAYS, DEFAULT_PHASE_CACHE_SECONDS

logger = logging.getLogger(__name__)

ENV_PREFIX: Final = "MONITRON_SAP_"
CONFIG_ENV: Final = "MONITRON_SAP_CONFIG"
DEFAULT_DATA_DIR: Final = Path("~/.local/share/monitron-sap")
DEFAULT_SAP_TIMEOUT_SECONDS: Final = 30.0
DEFAULT_SAP_PROFILE: Final = "s4-api-maintnotification"
DEFAULT_API_KEY_HEADER: Final = "APIKey"
DEFAULT_CSRF_FETCH_METHOD: Final = "GET"

# Upper bounds that catch typing mistakes (an extra digit, milliseconds for seconds) before a
# run waits hours on one request or repeats a call hundreds of times.
MAX_SAP_TIMEOUT_SECONDS: Final = 600.0
MAX_ATTEMPTS_LIMIT: Final = 20
MAX_BACKOFF_SECONDS: Final = 600.0
MAX_LEASE_SECONDS: Final = 86_400.0
MAX_CHART_DAYS: Final = 3_650.0
MAX_PHASE_CACHE_SECONDS: Final = 86_400.0
MAX_DISCONNECTED_ALERT_MINUTES: Final = 525_600  # one year

PASSWORD_ENV: Final = ENV_PREFIX + "SAP_PASSWORD"
API_KEY_ENV: Final = ENV_PREFIX + "SAP_API_KEY"
OAUTH_CLIENT_SECRET_ENV: Final = ENV_PREFIX + "SAP_OAUTH_CLIENT_SECRET"
# Variables with the product's prefix that other parts read: the Lambda settings, the emulator
# and the test suite.
OTHER_ENV_NAMES: Final = frozenset(
    {
        CONFIG_ENV,
        PASSWORD_ENV,
        API_KEY_ENV,
        OAUTH_CLIENT_SECRET_ENV,
        "MONITRON_SAP_LEDGER_TABLE",
        "MONITRON_SAP_MAPPING_TABLE",
        "MONITRON_SAP_LEDGER_TTL_DAYS",
        "MONITRON_SAP_S3_PREFIX",
        "MONITRON_SAP_SAP_TOKEN_URL",
        "MONITRON_SAP_EMULATOR_PASSWORD",
        "MONITRON_SAP_SHARED_DIR",
        "MONITRON_SAP_REQUIRE_SHARED",
    }
)
# Prefixes of variables that the test suite reads (a real SAP system for optional tests).
OTHER_ENV_PREFIXES: Final = ("MONITRON_SAP_TEST_",)

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})
DEFAULT_SOURCE: Final = "the built-in default"


@dataclass(frozen=True, slots=True)
class Key:
    """One configuration key: its TOML section and name, type, default and bounds."""

    section: str  # "" for top-level keys
    name: str
    kind: type
    default: Any
    minimum: float | None = None
    maximum: float | None = None

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name

    @property
    def env(self) -> str:
        parts = [self.section, self.name] if self.section else [self.name]
        return ENV_PREFIX + "_".join(parts).upper()


KEYS: Final = (
    Key("", "data_dir", Path, DEFAULT_DATA_DIR),
    Key("", "database", Path, None),
    Key("sap", "base_url", str, None),
    Key("sap", "profile", str, DEFAULT_SAP_PROFILE),
    Key("sap", "profile_file", Path, None),
    Key("sap", "user", str, None),
    Key("sap", "password_file", Path, None),
    Key("sap", "auth", str, "basic"),
    Key("sap", "api_key_file", Path, None),
    Key("sap", "api_key_header", str, DEFAULT_API_KEY_HEADER),
    Key("sap", "oauth_token_url", str, None),
    Key("sap", "oauth_client_id", str, None),
    Key("sap", "oauth_client_secret_file", Path, None),
    Key("sap", "oauth_scope", str, None),
    Key("sap", "client", str, None),
    Key("sap", "verify_tls", bool, True),
    Key("sap", "ca_bundle", Path, None),
    Key("sap", "csrf_fetch_method", str, DEFAULT_CSRF_FETCH_METHOD),
    Key(
        "sap",
        "timeout_seconds",
        float,
        DEFAULT_SAP_TIMEOUT_SECONDS,
        minimum=0.1,
        maximum=MAX_SAP_TIMEOUT_SECONDS,
    ),
    Key("rules", "notify_on_alarm", bool, True),
    Key("rules", "notify_on_needs_maintenance", bool, True),
    Key("rules", "notify_on_warning", bool, True),
    Key("rules", "escalate_priority", bool, True),
    Key("rules", "complete_on_healthy", bool, False),
    Key("rules", "iso_alarm_from_measurements", bool, False),
    Key(
        "rules",
        "disconnected_alert_minutes",
        int,
        None,
        minimum=1,
        maximum=MAX_DISCONNECTED_ALERT_MINUTES,
    ),
    Key("rules", "reported_by", str, None),
    Key("lifecycle", "update_on_repeat", bool, True),
    Key("lifecycle", "in_process_on_acknowledgement", bool, True),
    Key("lifecycle", "complete_on_closure", bool, True),
    Key("lifecycle", "charts", bool, True),
    Key("lifecycle", "chart_days", float, DEFAULT_CHART_DAYS, minimum=0.1, maximum=MAX_CHART_DAYS),
    Key(
        "lifecycle",
        "phase_cache_seconds",
        float,
        DEFAULT_PHASE_CACHE_SECONDS,
        minimum=0,
        maximum=MAX_PHASE_CACHE_SECONDS,
    ),
    Key(
        "pipeline",
        "lease_seconds",
        float,
        DEFAULT_LEASE_SECONDS,
        minimum=1,
        maximum=MAX_LEASE_SECONDS,
    ),
    Key(
        "pipeline",
        "max_attempts",
        int,
        DEFAULT_MAX_ATTEMPTS,
        minimum=1,
        maximum=MAX_ATTEMPTS_LIMIT,
    ),
    Key(
        "pipeline",
        "backoff_base_seconds",
        float,
        DEFAULT_BACKOFF_BASE_SECONDS,
        minimum=0,
        maximum=MAX_BACKOFF_SECONDS,
    ),
    Key(
        "pipeline",
        "backoff_max_seconds",
        float,
        DEFAULT_BACKOFF_MAX_SECONDS,
        minimum=0,
        maximum=MAX_BACKOFF_SECONDS,
    ),
)


def read_value(
    key: Key, document: dict[str, Any], env: Mapping[str, str], path: Path | None
) -> tuple[Any, str]:
    """Return the key's value and where it came from: the environment, the file or the default.

    A value in the file is validated even when the environment overrides it, so that a broken
    file does not go unnoticed until the variable is unset.
    """
    table = document.get(key.section, {}) if key.section else document
    value: Any = key.default
    source = DEFAULT_SOURCE
    if key.name in table:
        source = f"{path}: {key.dotted}"
        value = convert(key, table[key.name], source, from_text=False)
    if key.env in env:
        source = f"environment variable {key.env}"
        value = convert(key, env[key.env], source, from_text=True)
    return value, source


def convert(key: Key, raw: Any, where: str, *, from_text: bool) -> Any:
    """Convert ``raw`` to the key's type and check its bounds; ``where`` names its source."""
    expected = {bool: "true or false", int: "an integer", float: "a number"}.get(
        key.kind, "a string"
    )
    value: Any
    if key.kind is bool:
        if from_text and isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            value = raw.strip().lower() in _TRUE
        elif isinstance(raw, bool):
            value = raw
        else:
            raise ConfigurationError(f"{where} is {raw!r}; expected {expected}")
    elif key.kind in (int, float):
        value = _number(key, raw, where, expected)
    else:
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigurationError(f"{where} is {raw!r}; expected a non-empty string")
        value = Path(raw).expanduser() if key.kind is Path else raw.strip()
    return value


def _number(key: Key, raw: Any, where: str, expected: str) -> int | float:
    try:
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise ValueError(raw)
        value: int | float = key.kind(raw)
    except ValueError as error:
        raise ConfigurationError(f"{where} is {raw!r}; expected {expected}") from error
    if not math.isfinite(value):
        raise ConfigurationError(f"{where} is {raw!r}; expected a finite number")
    if key.minimum is not None and value < key.minimum:
        raise ConfigurationError(f"{where} is {raw!r}; it must be at least {key.minimum:g}")
    if key.maximum is not None and value > key.maximum:
        raise ConfigurationError(f"{where} is {raw!r}; it must be at most {key.maximum:g}")
    return value


def warn_unknown_environment(env: Mapping[str, str]) -> list[str]:
    """Log one warning per ``MONITRON_SAP_*`` variable that nothing reads; return their names."""
    known = {key.env for key in KEYS} | OTHER_ENV_NAMES
    unknown = sorted(
        name
        for name in env
        if name.startswith(ENV_PREFIX)
        and name not in known
        and not name.startswith(OTHER_ENV_PREFIXES)
    )
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        logger.warning("environment variable %s is not a monitron-sap setting%s", name, hint)
    return unknown
