"""Maintenance notifications through OData: create, read, search, update, change status.

``NotificationClient`` implements ``NotificationApi``. A create is never blindly resent: after a
failure that SAP may have processed (a read timeout, a dropped connection, a 5xx), the client
looks the notification up by its external reference and resends only when SAP has none.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from monitron_sap.errors import (
    ConfigurationError,
    CreateOutcomeUnknownError,
    InputError,
    SapError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.errors import SapPreconditionFailedError, certainly_not_processed
from monitron_sap.sap.models import (
    PHASE_COMPLETED,
    PHASE_IN_PROCESS,
    PHASE_POSTPONED,
    Notification,
    NotificationChanges,
    NotificationDraft,
)
from monitron_sap.sap.payloads import (
    create_body,
    fit_long_text,
    normalize_external_reference,
    notification_from_entity,
    update_body,
)
from monitron_sap.sap.profiles import ServiceProfile
from monitron_sap.sap.session import SapSession, SessionClient
from monitron_sap.sap.wire import (
    datetime_literal,
    key_literal,
    string_literal,
    time_literal,
    unwrap_entity,
)

logger = logging.getLogger(__name__)

# After a 412 on an ETag the client read itself, it reads again and retries this many times.
MAX_ETAG_RETRIES: Final = 1
_KEY_IN_LOCATION = re.compile(r"\('?([^')]*)'?\)$")


class NotificationClient(SessionClient):
    """The ``NotificationApi`` over one ``SapSession``; closing the client closes the session.

    Every method raises ``SapUnavailableError`` (retry later), ``SapRejectedError`` or
    ``SapAuthorizationError`` (permanent), ``InputError`` for values SAP cannot take and
    ``ConfigurationError`` when the service profile lacks a field the call needs.
    """

    def __init__(self, session: SapSession) -> None:
        self._session = session
        self._profile: ServiceProfile = session.settings.profile

    @property
    def profile(self) -> ServiceProfile:
        """The service profile in use."""
        return self._profile

    def create(self, draft: NotificationDraft) -> Notification:
        """Create a notification and return it as SAP stored it.

        Failures that SAP certainly did not process (connect errors, 429, lock conflicts) are
        retried up to ``max_retries`` times. After any other failure the client waits, looks
        the notification up by the draft's external reference, returns it when SAP has it and
        resends only when SAP has none. ``CreateOutcomeUnknownError`` is raised when that
        lookup fails or the draft has no external reference.
        """
        body = create_body(draft, self._profile)
        reference = (
            normalize_external_reference(draft.external_reference)
            if draft.external_reference is not None
            else None
        )
        action = f"create notification {reference or '(no external reference)'}"
        if draft.long_text and fit_long_text(draft.long_text).cut_characters:
            logger.warning(
                "%s: long text has %d characters; SAP takes %d per request, so the rest is cut",
                action,
                len(draft.long_text),
                len(body[self._profile.fields.long_text_for_edit or ""]),
            )

        # A failed token fetch cannot have created anything, so it is outside the lookup logic.
        self._session.ensure_csrf_token()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.send(
                    "POST", self._profile.entity_set, json_body=body, action=action
                )
            except SapUnavailableError as error:
                delay = self._session.retry_delay(attempt, error)
                if certainly_not_processed(error):
                    if delay is None:
                        raise
                    logger.warning("%s; retry %d in %.1f s", error, attempt, delay)
                    self._session.sleep(delay)
                    continue
                # SAP may have created the notification. Waiting first lets a slow request
                # commit before the lookup, which narrows the window for a duplicate.
                if delay is not None:
                    self._session.sleep(delay)
                existing = self._find_after_lost_response(reference, action, error)
                if existing is not None:
                    return existing
                if delay is None:
                    raise
                logger.warning("%s; SAP has no such notification, sending it again", error)
                continue
            return self._created(response, reference, action)

    def get(self, number: str) -> Notification:
        """Read one notification by its number."""
        action = f"read notification {number}"
        response = self._session.read(self._entity_path(number), action=action)
        return self._parse_entity(response, action)

    def find_by_external_reference(self, reference: str) -> list[Notification]:
        """Return the notifications whose external reference is ``reference`` (upper-cased)."""
        field = self._require_field("external_reference")
        normalized = normalize_external_reference(reference)
        return self._query(
            f"{field} eq {string_literal(normalized)}",
            f"find notifications with external reference {normalized}",
        )

    def find_by_technical_object(
        self, technical_object: str, *, open_only: bool = True
    ) -> list[Notification]:
        """Return the notifications of an equipment or functional location.

        With ``open_only`` the notifications SAP reports completed or postponed are left out.
        """
        names = self._profile.fields
        literal = string_literal(technical_object)
        if names.technical_object is not None:
            field = names.technical_object_label or names.technical_object
            condition = f"{field} eq {literal}"
        else:
            equipment = self._require_field("equipment")
            location = self._require_field("functional_location")
            condition = f"({equipment} eq {literal} or {location} eq {literal})"
        if open_only and names.phase is not None:
            condition += (
                f" and {names.phase} ne {string_literal(PHASE_COMPLETED)}"
                f" and {names.phase} ne {string_literal(PHASE_POSTPONED)}"
            )
        found = self._query(condition, f"find notifications of {technical_object}")
        return [notification for notification in found if notification.is_open or not open_only]

    def update(
        self, number: str, changes: NotificationChanges, *, etag: str | None = None
    ) -> Notification:
        """Change a notification with ``If-Match`` and return it as SAP stored it.

        Without ``etag`` the client reads the current ETag first, and when SAP responds 412
        (changed in between) it reads again and retries ``MAX_ETAG_RETRIES`` times. A stale
        ``etag`` passed by the caller raises ``SapPreconditionFailedError``. Connect errors,
        429 and lock conflicts are retried. After a failure that SAP may have processed (a
        timeout, a 5xx) the error is raised without resending.
        """
        body = update_body(changes, self._profile)
        if not body:
            return self.get(number)
        action = f"update notification {number}"
        if changes.long_text and fit_long_text(changes.long_text).cut_characters:
            logger.warning(
                "%s: long text has %d characters, cut to the %d SAP takes per request",
                action,
                len(changes.long_text),
                len(body[self._profile.fields.long_text_for_edit or ""]),
            )

        caller_etag = etag
        for attempt in range(MAX_ETAG_RETRIES + 1):
            current = caller_etag if caller_etag is not None else self.get(number).etag
            headers = {"If-Match": current} if current is not None else {}
            try:
                self._send_with_safe_retries(
                    self._profile.update_method,
                    self._entity_path(number),
                    json_body=body,
                    headers=headers,
                    action=action,
                )
            except SapPreconditionFailedError as error:
                if caller_etag is not None or error.status != 412 or attempt == MAX_ETAG_RETRIES:
                    raise
                logger.info("%s: changed in SAP since it was read; reading it again", action)
                continue
            break
        return self.get(number)

    def set_in_process(self, number: str) -> Notification:
        """Put the notification in process (phase 3) with the service's function import."""
        function = self._require_function(self._profile.set_in_process_function, "set_in_process")
        return self._change_status(
            number, function, {}, PHASE_IN_PROCESS, f"set notification {number} in process"
        )

    def complete(self, number: str, *, reference_time: datetime) -> Notification:
        """Complete the notification (phase 4) with ``reference_time`` as UTC date and time."""
        function = self._require_function(self._profile.complete_function, "complete")
        if reference_time.utcoffset() is None:
            raise InputError(
                f"completion reference time {reference_time.isoformat()} has no time zone"
            )
        utc = reference_time.astimezone(UTC)
        parameters = {
            self._profile.complete_date_parameter: datetime_literal(utc.date()),
            self._profile.complete_time_parameter: time_literal(utc.time()),
        }
        return self._change_status(
            number, function, parameters, PHASE_COMPLETED, f"complete notification {number}"
        )

    def _created(
        self, response: httpx.Response, reference: str | None, action: str
    ) -> Notification:
        if not response.content:
            # A 201/204 without a body: the Location header names the new entity.
            match = _KEY_IN_LOCATION.search(response.headers.get("location", ""))
            if match is None:
                raise SapRejectedError(f"{action}: SAP sent neither a body nor a Location header")
            return self.get(match.group(1))
        try:
            return self._parse_entity(response, action)
        except SapRejectedError as error:
            # SAP accepted the create but the body is unusable; find what it stored.
            found = self._find_after_lost_response(reference, action, error)
            if found is None:
                raise
            return found

    def _find_after_lost_response(
        self, reference: str | None, action: str, error: SapError
    ) -> Notification | None:
        if reference is None:
            raise CreateOutcomeUnknownError(
                f"{action}: the outcome is unknown ({error}) and the draft has no external "
                "reference to look it up by; check SAP before creating it again",
                status=error.status,
            ) from error
        try:
            found = self.find_by_external_reference(reference)
        except SapError as lookup_error:
            raise CreateOutcomeUnknownError(
                f"{action}: the outcome is unknown ({error}) and the lookup by external "
                f"reference failed too ({lookup_error}); look it up before creating it again",
                status=error.status,
            ) from lookup_error
        if not found:
            return None
        found.sort(key=lambda notification: (len(notification.number), notification.number))
        if len(found) > 1:
            numbers = ", ".join(notification.number for notification in found)
            logger.warning("%s: SAP has several notifications for it: %s", action, numbers)
        logger.info(
            "%s: response was lost but SAP has notification %s; not sending it again",
            action,
            found[0].number,
        )
        return found[0]

    def _change_status(
        self,
        number: str,
        function: str,
        parameters: Mapping[str, str],
        target_phase: str,
        action: str,
    ) -> Notification:
        params = {self._profile.key_field: string_literal(number), **parameters}
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.send("POST", function, params=params, action=action)
            except SapUnavailableError as error:
                delay = self._session.retry_delay(attempt, error)
                if delay is None:
                    raise
                self._session.sleep(delay)
                if not certainly_not_processed(error):
                    # SAP may have changed the status already; a second call could fail.
                    current = self.get(number)
                    if current.phase == target_phase:
                        return current
                logger.warning("%s; retry %d", error, attempt)
                continue
            if not response.content:
                return self.get(number)
            return self._parse_entity(response, action, wrapper=function)

    def _send_with_safe_retries(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any],
        headers: Mapping[str, str],
        action: str,
    ) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._session.send(
                    method, path, json_body=json_body, headers=headers, action=action
                )
            except SapUnavailableError as error:
                delay = self._session.retry_delay(attempt, error)
                if delay is None or not certainly_not_processed(error):
                    raise
                logger.warning("%s; retry %d in %.1f s", error, attempt, delay)
                self._session.sleep(delay)

    def _query(self, condition: str, action: str) -> list[Notification]:
        entities = self._session.read_collection(
            self._profile.entity_set, params={"$filter": condition}, action=action
        )
        try:
            return [notification_from_entity(entity, self._profile) for entity in entities]
        except ValueError as error:
            raise SapRejectedError(f"{action}: unexpected response from SAP: {error}") from error

    def _parse_entity(
        self, response: httpx.Response, action: str, *, wrapper: str | None = None
    ) -> Notification:
        try:
            entity = unwrap_entity(response.json())
            # Some Gateway releases wrap a function import's result in its name.
            if wrapper is not None and isinstance(entity.get(wrapper), dict):
                entity = entity[wrapper]
            return notification_from_entity(
                entity, self._profile, etag=response.headers.get("etag")
            )
        except ValueError as error:
            raise SapRejectedError(
                f"{action}: unexpected response from SAP: {error}", status=response.status_code
            ) from error

    def _entity_path(self, number: str) -> str:
        return f"{self._profile.entity_set}({key_literal(number)})"

    def _require_field(self, concept: str) -> str:
        name: str | None = getattr(self._profile.fields, concept)
        if name is None:
            raise ConfigurationError(
                f"service profile {self._profile.name!r} has no field for {concept}"
            )
        return name

    def _require_function(self, function: str | None, operation: str) -> str:
        if function is None:
            raise ConfigurationError(
                f"service profile {self._profile.name!r} names no function import for "
                f"{operation}; the service cannot change the status"
            )
        return function
