"""Run-time control of the faults the emulator injects (errors, delays, lost responses, CSRF)."""

from __future__ import annotations

import dataclasses
import math
import random
import threading
import time
from collections.abc import Mapping
from typing import Any

from monitron_sap.emulator.config import FaultSettings
from monitron_sap.errors import ConfigurationError

_SETTING_NAMES = {field.name for field in dataclasses.fields(FaultSettings)}
# The JSON types of the admin fields: the fields not listed here take a finite number. ``None``
# (JSON null) is allowed where the setting is optional.
_INTEGER_FIELDS = {
    "error_status",
    "retry_after_seconds",
    "seed",
    "fail_next",
    "fail_next_status",
    "drop_next_create_responses",
    "drop_next_update_responses",
}
_BOOLEAN_FIELDS = {"head_not_supported", "expire_csrf_tokens", "reset"}
_OPTIONAL_FIELDS = {"csrf_token_lifetime_seconds", "seed"}
_COUNT_FIELDS = {
    "fail_next",
    "drop_next_create_responses",
    "drop_next_update_responses",
    "retry_after_seconds",
}
_ACTION_NAMES = {
    "fail_next",
    "fail_next_status",
    "drop_next_create_responses",
    "drop_next_update_responses",
    "expire_csrf_tokens",
}


class FaultController:
    """Thread-safe fault switches; shared by all request threads of one emulator.

    Besides the shares in :class:`FaultSettings`, one-shot actions make single faults exact:
    ``fail_next`` fails the next requests with an error status, ``drop_next_create_responses``
    drops the responses of the next successful creates, ``drop_next_update_responses`` those
    of the next successful updates and function imports, and ``expire_csrf_tokens`` makes every
    token issued so far invalid.
    """

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self._settings = settings or FaultSettings()
        self._random = random.Random(self._settings.seed)
        self._fail_next: list[int] = []
        self._drop_next_creates = 0
        self._drop_next_updates = 0
        self._tokens_expired_at: float | None = None

    @property
    def settings(self) -> FaultSettings:
        """The fault settings in force."""
        with self._lock:
            return self._settings

    def configure(self, settings: FaultSettings) -> None:
        """Replace all settings and reseed the random generator from ``settings.seed``."""
        with self._lock:
            self._settings = settings
            self._random = random.Random(settings.seed)

    def update(self, **changes: Any) -> FaultSettings:
        """Change some settings, keep the others, and return the new settings."""
        unknown = set(changes) - _SETTING_NAMES
        if unknown:
            raise ConfigurationError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        try:
            settings = dataclasses.replace(self.settings, **changes)
        except TypeError as error:
            raise ConfigurationError(f"invalid fault setting: {error}") from error
        self.configure(settings)
        return settings

    def reset(self) -> None:
        """Turn every fault off and forget pending one-shot actions."""
        self.configure(FaultSettings())
        with self._lock:
            self._fail_next.clear()
            self._drop_next_creates = 0
            self._drop_next_updates = 0
            self._tokens_expired_at = None

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        """Fail the next ``count`` service requests with ``status`` (429 or 5xx)."""
        FaultSettings(error_status=status)  # validates the status
        with self._lock:
            self._fail_next.extend([status] * count)

    def drop_next_create_responses(self, count: int = 1) -> None:
        """Create the next ``count`` entities but close the connection instead of responding."""
        with self._lock:
            self._drop_next_creates += count

    def drop_next_update_responses(self, count: int = 1) -> None:
        """Apply the next ``count`` updates or function imports but close the connection
        instead of responding."""
        with self._lock:
            self._drop_next_updates += count

    def expire_csrf_tokens(self) -> None:
        """Invalidate every CSRF token issued so far; the next modifying request gets 403."""
        with self._lock:
            self._tokens_expired_at = time.monotonic()

    def apply(self, payload: Mapping[str, Any]) -> FaultSettings:
        """Apply a JSON object of settings and one-shot actions, as the admin endpoint gets it."""
        unknown = set(payload) - _SETTING_NAMES - _ACTION_NAMES - {"reset"}
        if unknown:
            raise ConfigurationError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        for name, value in payload.items():
            _check_field(name, value)
        if "fail_next_status" in payload:
            FaultSettings(error_status=payload["fail_next_status"])  # validates the status
        if payload.get("reset"):
            self.reset()
        changes = {name: value for name, value in payload.items() if name in _SETTING_NAMES}
        if changes:
            self.update(**changes)
        if payload.get("fail_next"):
            self.fail_next(int(payload["fail_next"]), int(payload.get("fail_next_status", 503)))
        if payload.get("drop_next_create_responses"):
            self.drop_next_create_responses(int(payload["drop_next_create_responses"]))
        if payload.get("drop_next_update_responses"):
            self.drop_next_update_responses(int(payload["drop_next_update_responses"]))
        if payload.get("expire_csrf_tokens"):
            self.expire_csrf_tokens()
        return self.settings

    def snapshot(self) -> dict[str, Any]:
        """Return the settings and pending one-shot actions as a JSON-ready dict."""
        with self._lock:
            state = dataclasses.asdict(self._settings)
            state["pending_failures"] = len(self._fail_next)
            state["pending_dropped_creates"] = self._drop_next_creates
            state["pending_dropped_updates"] = self._drop_next_updates
            return state

    def draw_error(self) -> tuple[int, int] | None:
        """Decide whether to fail this request; return (status, Retry-After seconds) or None."""
        with self._lock:
            if self._fail_next:
                return self._fail_next.pop(0), self._settings.retry_after_seconds
            rate = self._settings.error_rate
            if rate > 0 and self._random.random() < rate:
                return self._settings.error_status, self._settings.retry_after_seconds
        return None

    def draw_lost_response(self) -> bool:
        """Decide whether to drop the response of a successful create."""
        with self._lock:
            if self._drop_next_creates > 0:
                self._drop_next_creates -= 1
                return True
            rate = self._settings.lost_response_rate
            return rate > 0 and self._random.random() < rate

    def draw_lost_update_response(self) -> bool:
        """Decide whether to drop the response of a successful update or function import."""
        with self._lock:
            if self._drop_next_updates > 0:
                self._drop_next_updates -= 1
                return True
            rate = self._settings.lost_update_response_rate
            return rate > 0 and self._random.random() < rate

    def token_expired(self, issued_at: float) -> bool:
        """Tell whether a CSRF token issued at ``issued_at`` (monotonic seconds) has expired."""
        with self._lock:
            if self._tokens_expired_at is not None and issued_at <= self._tokens_expired_at:
                return True
            lifetime = self._settings.csrf_token_lifetime_seconds
        return lifetime is not None and time.monotonic() - issued_at > lifetime


def _check_field(name: str, value: Any) -> None:
    """Raise ``ConfigurationError`` when ``value`` has the wrong JSON type for field ``name``."""
    if value is None and name in _OPTIONAL_FIELDS:
        return
    if name in _BOOLEAN_FIELDS:
        valid = isinstance(value, bool)
        expected = "true or false"
    elif name in _INTEGER_FIELDS:
        valid = isinstance(value, int) and not isinstance(value, bool)
        expected = "an integer"
    else:
        valid = isinstance(value, int | float) and not isinstance(value, bool)
        valid = valid and math.isfinite(value)
        expected = "a finite number"
    if name in _OPTIONAL_FIELDS:
        expected += " or null"
    if not valid:
        raise ConfigurationError(f"fault field {name} is {value!r}; expected {expected}")
    if name in _COUNT_FIELDS and value < 0:
        raise ConfigurationError(f"fault field {name} is {value!r}; it must not be negative")
