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

from monitron_sap.config_values import (
    API_KEY_ENV,
    CONFIG_ENV,
    DEFAULT_API_KEY_HEADER,
    DEFAULT_CSRF_FETCH_METHOD,
    DEFAULT_SAP_PROFILE,
    DEFAULT_SAP_TIMEOUT_SECONDS,
    DEFAULT_SOURCE,
    ENV_PREFIX,
    KEYS,
    OAUTH_CLIENT_SECRET_ENV,
    PASSWORD_ENV,
    read_value,
    warn_unknown_environment,
)
from monitron_sap.errors import ConfigurationError
from monitron_sap.pipeline.retry import RetryPolicy
from monitron_sap.rules.closure import (
    ClosureCatalog,
    closure_catalog_from_table,
    default_closure_catalog,
)
from monitron_sap.rules.settings import RuleSettings
from monitron_sap.sap.profiles import (
    BUILT_IN_PROFILES,
    ServiceProfile,
    load_profile,
    profile_from_mapping,
)

__all__ = [
    "API_KEY_ENV",
    "CONFIG_ENV",
    "ENV_PREFIX",
    "KEYS",
    "OAUTH_CLIENT_SECRET_ENV",
    "PASSWORD_ENV",
    "SapSettings",
    "Secret",
    "Settings",
    "load_settings",
]

DATABASE_NAME: Final = "monitron-sap.sqlite3"
AUTH_METHODS: Final = ("basic", "api_key", "oauth2")
CSRF_FETCH_METHODS: Final = ("GET", "HEAD")
# The table that defines a custom service profile inside the configuration file.
PROFILE_TABLE: Final = "sap.profile"
# The table of the closure catalog, validated by ``closure_catalog_from_table``.
CLOSURE_TABLE: Final = "closure"
# Secret keys that the configuration file must not contain, with where to put them instead.
_SECRET_KEYS: Final = {
    "password": (PASSWORD_ENV, "sap.password_file"),
    "api_key": (API_KEY_ENV, "sap.api_key_file"),
    "oauth_client_secret": (OAUTH_CLIENT_SECRET_ENV, "sap.oauth_client_secret_file"),
}
_SECTIONS: Final = frozenset(key.section for key in KEYS if key.section)


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
    """How to reach SAP. ``base_url`` is scheme, host and port; ``profile`` names the service.

    ``service_profile`` is a custom profile from the ``[sap.profile]`` table or the file named
    by ``sap.profile_file``. When it is ``None``, the built-in profile named by ``profile`` is
    used.
    """

    base_url: str | None = None
    profile: str = DEFAULT_SAP_PROFILE
    service_profile: ServiceProfile | None = None
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
    csrf_fetch_method: str = DEFAULT_CSRF_FETCH_METHOD


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


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the TOML file (``config_file``, else ``$MONITRON_SAP_CONFIG``, else none) and the
    environment, and return validated settings."""
    env = os.environ if environ is None else environ
    if config_file is None and env.get(CONFIG_ENV):
        config_file = Path(env[CONFIG_ENV])
    document = _read_toml(config_file) if config_file is not None else {}
    document, profile_table = _split_profile_table(document)
    _reject_unknown(document, config_file)
    warn_unknown_environment(env)

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key in KEYS:
        values[key.dotted], sources[key.dotted] = read_value(key, document, env, config_file)

    data_dir = Path(values["data_dir"]).expanduser()
    database = values["database"]
    database = Path(database).expanduser() if database is not None else data_dir / DATABASE_NAME
    return Settings(
        data_dir=data_dir,
        database=database,
        sap=_sap_settings(
            values, sources, env, _custom_profile(profile_table, values, sources, config_file)
        ),
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
    except UnicodeDecodeError as error:
        raise ConfigurationError(
            f"configuration file {path} is not UTF-8 text (invalid byte at offset "
            f"{error.start}); save it as UTF-8"
        ) from error
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


def _split_profile_table(document: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Return the document without the ``[sap.profile]`` table, and that table (or ``None``).

    ``sap.profile`` is either a built-in profile name (a string, read like every other key)
    or a table that defines a custom profile.
    """
    sap = document.get("sap")
    if not isinstance(sap, dict) or not isinstance(sap.get("profile"), dict):
        return document, None
    rest = {name: value for name, value in sap.items() if name != "profile"}
    return {**document, "sap": rest}, sap["profile"]


def _custom_profile(
    table: Mapping[str, Any] | None,
    values: dict[str, Any],
    sources: dict[str, str],
    path: Path | None,
) -> ServiceProfile | None:
    """Return the custom profile from ``[sap.profile]`` or ``sap.profile_file``, if any.

    Only one way of choosing the profile may be set, so that a forgotten name does not
    silently override a table, or the other way round.
    """
    profile_file = values["sap.profile_file"]
    name_source = sources["sap.profile"]
    if table is not None and profile_file is not None:
        raise ConfigurationError(
            f"{path}: both a [{PROFILE_TABLE}] table and sap.profile_file (set in "
            f"{sources['sap.profile_file']}) define the service profile; keep only one"
        )
    if (table is not None or profile_file is not None) and name_source != DEFAULT_SOURCE:
        custom = f"[{PROFILE_TABLE}] in {path}" if table is not None else "sap.profile_file"
        raise ConfigurationError(
            f"sap.profile {values['sap.profile']!r} (set in {name_source}) and {custom} both "
            "choose the service profile; keep only one"
        )
    if table is not None:
        return profile_from_mapping(table, source=f"{path} [{PROFILE_TABLE}]")
    if profile_file is not None:
        return load_profile(profile_file, table=PROFILE_TABLE)

    name = values["sap.profile"]
    if name not in BUILT_IN_PROFILES:
        raise ConfigurationError(
            f"sap.profile {name!r} (set in {name_source}) is not a built-in profile; expected "
            f"one of {', '.join(sorted(BUILT_IN_PROFILES))}, or define a [{PROFILE_TABLE}] "
            "table or sap.profile_file"
        )
    return None


def _sap_settings(
    values: dict[str, Any],
    sources: dict[str, str],
    env: Mapping[str, str],
    service_profile: ServiceProfile | None = None,
) -> SapSettings:
    url = values["sap.base_url"]
    if url is not None:
        _check_base_url(url, sources["sap.base_url"])
    client = values["sap.client"]
    if client is not None and not (client.isdigit() and len(client) == 3):
        raise ConfigurationError(
            f"sap.client {client!r} is invalid (set in {sources['sap.client']}); expected "
            "three digits, for example 100"
        )
    auth = values["sap.auth"]
    if auth not in AUTH_METHODS:
        raise ConfigurationError(
            f"sap.auth {auth!r} is invalid (set in {sources['sap.auth']}); expected one of "
            f"{', '.join(AUTH_METHODS)}"
        )
    ca_bundle = values["sap.ca_bundle"]
    if ca_bundle is not None and not ca_bundle.is_file():
        raise ConfigurationError(
            f"sap.ca_bundle {ca_bundle} is not a file (set in {sources['sap.ca_bundle']})"
        )
    csrf_fetch_method = values["sap.csrf_fetch_method"].upper()
    if csrf_fetch_method not in CSRF_FETCH_METHODS:
        raise ConfigurationError(
            f"sap.csrf_fetch_method {values['sap.csrf_fetch_method']!r} is invalid (set in "
            f"{sources['sap.csrf_fetch_method']}); expected GET or HEAD"
        )
    return SapSettings(
        base_url=url,
        profile=values["sap.profile"],
        service_profile=service_profile,
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
        csrf_fetch_method=csrf_fetch_method,
    )


def _check_base_url(url: str, source: str) -> None:
    """Reject a base URL that is not scheme, host and port, or that contains credentials."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        # The URL is left out of the message because it contains a password.
        raise ConfigurationError(
            f"sap.base_url (set in {source}) contains a user name or password before '@'; remove "
            f"them from the URL and set sap.user and {PASSWORD_ENV} or sap.password_file"
        )
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigurationError(
            f"sap.base_url {url!r} is invalid (set in {source}); expected scheme, host and "
            "port only, for example https://s4.example.com:44300 (the service path comes from "
            "sap.profile)"
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
    except UnicodeDecodeError as error:
        # The message leaves out the bytes, because they are part of the secret.
        raise ConfigurationError(
            f"{file_key} {secret_file} is not UTF-8 text (invalid byte at offset {error.start}); "
            "save the file as UTF-8"
        ) from error
    if not text:
        raise ConfigurationError(f"{file_key} {secret_file} is empty")
    return Secret(text)
