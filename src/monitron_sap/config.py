"""Every setting of monitron-sap: one TOML file plus ``MONITRON_SAP_*`` environment variables.

A key ``name`` in the TOML section ``[section]`` is overridden by the environment variable
``MONITRON_SAP_<SECTION>_<NAME>`` (top-level keys: ``MONITRON_SAP_<NAME>``). ``load_settings``
validates everything once and raises ``ConfigurationError`` naming the key and the source of the
invalid value. Each SAP secret (password, API key, OAuth client secret) is read only from its
environment variable or from the file named by its ``*_file`` key, and is never printed.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from monitron_sap.errors import ConfigurationError
from monitron_sap.pipeline.core import DEFAULT_LEASE_SECONDS
from monitron_sap.pipeline.retry import (
    DEFAULT_BACKOFF_BASE_SECONDS,
    DEFAULT_BACKOFF_MAX_SECONDS,
    DEFAULT_MAX_ATTEMPTS,
    RetryPolicy,
)
from monitron_sap.rules.closure import (
    ClosureCatalog,
    closure_catalog_from_table,
    default_closure_catalog,
)
from monitron_sap.rules.settings import (
    DEFAULT_CHART_DAYS,
    DEFAULT_PHASE_CACHE_SECONDS,
    RuleSettings,
)

ENV_PREFIX: Final = "MONITRON_SAP_"
CONFIG_ENV: Final = "MONITRON_SAP_CONFIG"
DEFAULT_DATA_DIR: Final = Path("~/.local/share/monitron-sap")
DATABASE_NAME: Final = "monitron-sap.sqlite3"
DEFAULT_SAP_TIMEOUT_SECONDS: Final = 30.0
DEFAULT_SAP_PROFILE: Final = "s4-api-maintnotification"
DEFAULT_API_KEY_HEADER: Final = "APIKey"
AUTH_METHODS: Final = ("basic", "api_key", "oauth2")
# The table of the closure catalog, validated by ``closure_catalog_from_table``.
CLOSURE_TABLE: Final = "closure"


class Secret:
    """A secret string that shows as ``***`` in ``str``, ``repr`` and f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret itself; pass it only to the code that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class SapSettings:
    """How to reach SAP. ``base_url`` is scheme, host and port; ``profile`` names the service."""

    base_url: str | None = None
    profile: str = DEFAULT_SAP_PROFILE
    user: str | None = None
    password: Secret | None = field(default=None, repr=False)
    auth: str = "basic"
    api_key: Secret | None = field(default=None, repr=False)
    api_key_header: str = DEFAULT_API_KEY_HEADER
    oauth_token_url: str | None = None
    oauth_client_id: str | None = None
    oauth_client_secret: Secret | None = field(default=None, repr=False)
    oauth_scope: str | None = None
    client: str | None = None
    verify_tls: bool = True
    ca_bundle: Path | None = None
    timeout_seconds: float = DEFAULT_SAP_TIMEOUT_SECONDS


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings, validated. ``database`` defaults to ``data_dir / monitron-sap.sqlite3``."""

    data_dir: Path
    database: Path
    sap: SapSettings
    rules: RuleSettings
    retry: RetryPolicy
    lease_seconds: float
    closure_catalog: ClosureCatalog = field(default_factory=default_closure_catalog)
    config_file: Path | None = None


@dataclass(frozen=True, slots=True)
class _Key:
    section: str  # "" for top-level keys
    name: str
    kind: type
    default: Any
    minimum: float | None = None

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.name}" if self.section else self.name

    @property
    def env(self) -> str:
        parts = [self.section, self.name] if self.section else [self.name]
        return ENV_PREFIX + "_".join(parts).upper()


KEYS: Final = (
    _Key("", "data_dir", Path, DEFAULT_DATA_DIR),
    _Key("", "database", Path, None),
    _Key("sap", "base_url", str, None),
    _Key("sap", "profile", str, DEFAULT_SAP_PROFILE),
    _Key("sap", "user", str, None),
    _Key("sap", "password_file", Path, None),
    _Key("sap", "auth", str, "basic"),
    _Key("sap", "api_key_file", Path, None),
    _Key("sap", "api_key_header", str, DEFAULT_API_KEY_HEADER),
    _Key("sap", "oauth_token_url", str, None),
    _Key("sap", "oauth_client_id", str, None),
    _Key("sap", "oauth_client_secret_file", Path, None),
    _Key("sap", "oauth_scope", str, None),
    _Key("sap", "client", str, None),
    _Key("sap", "verify_tls", bool, True),
    _Key("sap", "ca_bundle", Path, None),
    _Key("sap", "timeout_seconds", float, DEFAULT_SAP_TIMEOUT_SECONDS, minimum=0.1),
    _Key("rules", "notify_on_alarm", bool, True),
    _Key("rules", "notify_on_needs_maintenance", bool, True),
    _Key("rules", "notify_on_warning", bool, True),
    _Key("rules", "escalate_priority", bool, True),
    _Key("rules", "complete_on_healthy", bool, False),
    _Key("rules", "iso_alarm_from_measurements", bool, False),
    _Key("rules", "disconnected_alert_minutes", int, None, minimum=1),
    _Key("rules", "reported_by", str, None),
    _Key("lifecycle", "update_on_repeat", bool, True),
    _Key("lifecycle", "in_process_on_acknowledgement", bool, True),
    _Key("lifecycle", "complete_on_closure", bool, True),
    _Key("lifecycle", "charts", bool, True),
    _Key("lifecycle", "chart_days", float, DEFAULT_CHART_DAYS, minimum=0.1),
    _Key("lifecycle", "phase_cache_seconds", float, DEFAULT_PHASE_CACHE_SECONDS, minimum=0),
    _Key("pipeline", "lease_seconds", float, DEFAULT_LEASE_SECONDS, minimum=1),
    _Key("pipeline", "max_attempts", int, DEFAULT_MAX_ATTEMPTS, minimum=1),
    _Key("pipeline", "backoff_base_seconds", float, DEFAULT_BACKOFF_BASE_SECONDS, minimum=0),
    _Key("pipeline", "backoff_max_seconds", float, DEFAULT_BACKOFF_MAX_SECONDS, minimum=0),
)
PASSWORD_ENV: Final = ENV_PREFIX + "SAP_PASSWORD"
API_KEY_ENV: Final = ENV_PREFIX + "SAP_API_KEY"
OAUTH_CLIENT_SECRET_ENV: Final = ENV_PREFIX + "SAP_OAUTH_CLIENT_SECRET"
# Secret keys that the configuration file must not contain, with where to put them instead.
_SECRET_KEYS: Final = {
    "password": (PASSWORD_ENV, "sap.password_file"),
    "api_key": (API_KEY_ENV, "sap.api_key_file"),
    "oauth_client_secret": (OAUTH_CLIENT_SECRET_ENV, "sap.oauth_client_secret_file"),
}
_SECTIONS: Final = frozenset(key.section for key in KEYS if key.section)
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the TOML file (``config_file``, else ``$MONITRON_SAP_CONFIG``, else none) and the
    environment, and return validated settings."""
    env = os.environ if environ is None else environ
    if config_file is None and env.get(CONFIG_ENV):
        config_file = Path(env[CONFIG_ENV])
    document = _read_toml(config_file) if config_file is not None else {}
    _reject_unknown(document, config_file)

    values: dict[str, Any] = {}
    for key in KEYS:
        values[key.dotted] = _value(key, document, env, config_file)

    data_dir = Path(values["data_dir"]).expanduser()
    database = values["database"]
    database = Path(database).expanduser() if database is not None else data_dir / DATABASE_NAME
    return Settings(
        data_dir=data_dir,
        database=database,
        sap=_sap_settings(values, env),
        rules=RuleSettings(
            notify_on_alarm=values["rules.notify_on_alarm"],
            notify_on_needs_maintenance=values["rules.notify_on_needs_maintenance"],
            notify_on_warning=values["rules.notify_on_warning"],
            escalate_priority=values["rules.escalate_priority"],
            complete_on_healthy=values["rules.complete_on_healthy"],
            iso_alarm_from_measurements=values["rules.iso_alarm_from_measurements"],
            disconnected_alert_minutes=values["rules.disconnected_alert_minutes"],
            reported_by=values["rules.reported_by"],
            update_on_repeat=values["lifecycle.update_on_repeat"],
            in_process_on_acknowledgement=values["lifecycle.in_process_on_acknowledgement"],
            complete_on_closure=values["lifecycle.complete_on_closure"],
            charts=values["lifecycle.charts"],
            chart_days=values["lifecycle.chart_days"],
            phase_cache_seconds=values["lifecycle.phase_cache_seconds"],
        ),
        retry=RetryPolicy(
            max_attempts=values["pipeline.max_attempts"],
            backoff_base_seconds=values["pipeline.backoff_base_seconds"],
            backoff_max_seconds=values["pipeline.backoff_max_seconds"],
        ),
        lease_seconds=values["pipeline.lease_seconds"],
        closure_catalog=_closure_catalog(document, config_file),
        config_file=config_file,
    )


def _closure_catalog(document: dict[str, Any], path: Path | None) -> ClosureCatalog:
    """Return the ``[closure]`` table's catalog, else the default catalog."""
    table = document.get(CLOSURE_TABLE)
    if table is None:
        return default_closure_catalog()
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [{CLOSURE_TABLE}] must be a table")
    return closure_catalog_from_table(table, source=f"{path} [{CLOSURE_TABLE}]")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigurationError(f"configuration file {path} not found") from error
    except OSError as error:
        raise ConfigurationError(f"cannot read configuration file {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"configuration file {path} is not valid TOML: {error}") from error


def _reject_unknown(document: dict[str, Any], path: Path | None) -> None:
    top_level = {key.name for key in KEYS if not key.section}
    for name, value in document.items():
        if name == CLOSURE_TABLE:
            continue
        if name in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigurationError(f"{path}: [{name}] must be a table")
            known = {key.name for key in KEYS if key.section == name}
            for inner in value:
                if name == "sap" and inner in _SECRET_KEYS:
                    env_name, file_key = _SECRET_KEYS[inner]
                    raise ConfigurationError(
                        f"{path}: sap.{inner} is not read from the configuration file; set "
                        f"{env_name} or put the value in a file named by {file_key}"
                    )
                if inner not in known:
                    raise ConfigurationError(
                        f"{path}: unknown key {name}.{inner}; known keys in [{name}]: "
                        f"{', '.join(sorted(known))}"
                    )
        elif name not in top_level:
            raise ConfigurationError(
                f"{path}: unknown key {name}; known top-level keys and tables: "
                f"{', '.join(sorted(top_level | _SECTIONS | {CLOSURE_TABLE}))}"
            )


def _value(key: _Key, document: dict[str, Any], env: Mapping[str, str], path: Path | None) -> Any:
    if key.env in env:
        return _convert(key, env[key.env], f"environment variable {key.env}", from_text=True)
    table = document.get(key.section, {}) if key.section else document
    if key.name in table:
        return _convert(key, table[key.name], f"{path}: {key.dotted}", from_text=False)
    return key.default


def _convert(key: _Key, raw: Any, where: str, *, from_text: bool) -> Any:
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
        try:
            if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
                raise ValueError(raw)
            value = key.kind(raw)
        except ValueError as error:
            raise ConfigurationError(f"{where} is {raw!r}; expected {expected}") from error
        if key.minimum is not None and value < key.minimum:
            raise ConfigurationError(f"{where} is {raw!r}; it must be at least {key.minimum}")
    else:
        if not isinstance(raw, str) or not raw.strip():
            raise ConfigurationError(f"{where} is {raw!r}; expected a non-empty string")
        value = Path(raw).expanduser() if key.kind is Path else raw.strip()
    return value


def _sap_settings(values: dict[str, Any], env: Mapping[str, str]) -> SapSettings:
    url = values["sap.base_url"]
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigurationError(
                f"sap.base_url {url!r} is invalid; expected scheme, host and port only, for "
                "example https://s4.example.com:44300 (the service path comes from sap.profile)"
            )
    client = values["sap.client"]
    if client is not None and not (client.isdigit() and len(client) == 3):
        raise ConfigurationError(f"sap.client {client!r} is invalid; expected three digits")
    auth = values["sap.auth"]
    if auth not in AUTH_METHODS:
        raise ConfigurationError(
            f"sap.auth {auth!r} is invalid; expected one of {', '.join(AUTH_METHODS)}"
        )
    ca_bundle = values["sap.ca_bundle"]
    if ca_bundle is not None and not ca_bundle.is_file():
        raise ConfigurationError(f"sap.ca_bundle {ca_bundle} is not a file")
    return SapSettings(
        base_url=url,
        profile=values["sap.profile"],
        user=values["sap.user"],
        password=_secret(PASSWORD_ENV, "sap.password_file", values["sap.password_file"], env),
        auth=auth,
        api_key=_secret(API_KEY_ENV, "sap.api_key_file", values["sap.api_key_file"], env),
        api_key_header=values["sap.api_key_header"],
        oauth_token_url=values["sap.oauth_token_url"],
        oauth_client_id=values["sap.oauth_client_id"],
        oauth_client_secret=_secret(
            OAUTH_CLIENT_SECRET_ENV,
            "sap.oauth_client_secret_file",
            values["sap.oauth_client_secret_file"],
            env,
        ),
        oauth_scope=values["sap.oauth_scope"],
        client=client,
        verify_tls=values["sap.verify_tls"],
        ca_bundle=ca_bundle,
        timeout_seconds=values["sap.timeout_seconds"],
    )


def _secret(
    env_name: str, file_key: str, secret_file: Path | None, env: Mapping[str, str]
) -> Secret | None:
    """Return the secret from ``env_name``, else from ``secret_file``, else ``None``."""
    if env.get(env_name):
        return Secret(env[env_name])
    if secret_file is None:
        return None
    try:
        text = secret_file.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigurationError(
            f"{file_key} {secret_file} cannot be read: {error.strerror}"
        ) from error
    if not text:
        raise ConfigurationError(f"{file_key} {secret_file} is empty")
    return Secret(text)
