"""Attachments of maintenance notifications through SAP's ``API_CV_ATTACHMENT_SRV``.

A file is attached with a media upload: ``POST AttachmentContentSet`` with the file as the body,
its MIME type as ``Content-Type`` and the headers ``Slug`` (file name),
``BusinessObjectTypeName`` and ``LinkedSAPObjectKey``. Attachments of a maintenance
notification are Generic Object Services (GOS) attachments of business object type
``BUS2038``, and their object key is the notification number zero-padded to 12 digits.
``GetAllOriginals`` lists an object's attachments, and ``…/$value`` returns a file.

NOTE: the 12-digit padding follows how GOS keys BUS2038 instances; SAP's documentation of the
service does not state it, and some systems may also resolve an unpadded number.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

import httpx

from monitron_sap.errors import (
    CreateOutcomeUnknownError,
    InputError,
    SapError,
    SapRejectedError,
    SapUnavailableError,
)
from monitron_sap.sap.outcomes import certainly_not_processed
from monitron_sap.sap.session import SapSession, SessionClient
from monitron_sap.sap.settings import SapConnectionSettings
from monitron_sap.sap.wire import (
    key_literal,
    parse_datetimeoffset,
    string_literal,
    unwrap_entity,
    unwrap_results,
)

logger = logging.getLogger(__name__)

ATTACHMENT_SERVICE_PATH: Final = "/sap/opu/odata/sap/API_CV_ATTACHMENT_SRV"
ATTACHMENT_ENTITY_SET: Final = "AttachmentContentSet"
# BOR object type of a maintenance notification; its attachments are GOS attachments.
NOTIFICATION_OBJECT_TYPE: Final = "BUS2038"
GOS_KEY_LENGTH: Final = 12
FILE_NAME_MAX: Final = 255
KEY_PROPERTIES: Final = (
    "DocumentInfoRecordDocType",
    "DocumentInfoRecordDocNumber",
    "DocumentInfoRecordDocVersion",
    "DocumentInfoRecordDocPart",
    "LogicalDocument",
    "ArchiveDocumentID",
    "LinkedSAPObjectKey",
    "BusinessObjectTypeName",
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment as SAP lists it. ``key`` contains the eight key properties of the entity."""

    file_name: str
    mime_type: str
    size: int | None
    business_object_type: str
    linked_object_key: str
    key: Mapping[str, str]
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def linked_object_key(notification: str) -> str:
    """Return the GOS object key of a notification: its number zero-padded to 12 digits.

    Raises ``InputError`` for a number that is not 1 to 12 digits.
    """
    number = notification.strip()
    if not number.isdigit() or len(number) > GOS_KEY_LENGTH:
        raise InputError(
            f"notification number {notification!r} is invalid for an attachment; "
            f"expected 1 to {GOS_KEY_LENGTH} digits"
        )
    return number.zfill(GOS_KEY_LENGTH)


def attachment_settings(settings: SapConnectionSettings) -> SapConnectionSettings:
    """Return ``settings`` pointed at ``API_CV_ATTACHMENT_SRV`` of the same SAP system.

    Credentials, ``sap-client``, TLS, timeouts and retries stay the same; only the service path
    of the profile changes, because the session uses nothing else of it.
    """
    profile = replace(
        settings.profile,
        name=f"{settings.profile.name} attachments",
        service_path=ATTACHMENT_SERVICE_PATH,
    )
    return replace(settings, profile=profile)


class AttachmentClient(SessionClient):
    """Upload, list and download notification attachments over one ``SapSession``.

    The session must be bound to the attachment service (see ``attachment_settings``).
    Closing the client closes the session. Every method raises ``SapUnavailableError`` (retry
    later), ``SapRejectedError`` or ``SapAuthorizationError`` (permanent) and ``InputError``
    for a value SAP cannot take.
    """

    def __init__(self, session: SapSession) -> None:
        self._session = session

    @classmethod
    def from_settings(cls, settings: SapConnectionSettings) -> AttachmentClient:
        """Open a session to the attachment service of the system that ``settings`` names."""
        return cls(SapSession(attachment_settings(settings)))

    def upload(
        self,
        notification: str,
        file_name: str,
        content: bytes,
        *,
        mime_type: str = "image/png",
    ) -> Attachment:
        """Attach ``content`` to a notification as ``file_name`` and return the attachment.

        An upload is never blindly resent. After a failure that SAP may have processed (a read
        timeout, a dropped connection, a 5xx), the client lists the notification's attachments.
        It returns the one with this file name and size when SAP has it, and resends only when
        SAP has none, so file names should be unique per notification. Raises
        ``CreateOutcomeUnknownError`` when that listing fails too.
        """
        object_key = linked_object_key(notification)
        _check_file_name(file_name)
        if not content:
            raise InputError(f"attachment {file_name} for notification {notification} is empty")

        action = f"upload {file_name} to notification {notification}"
        headers = {
            "Content-Type": mime_type,
            "Slug": file_name,
            "BusinessObjectTypeName": NOTIFICATION_OBJECT_TYPE,
            "LinkedSAPObjectKey": object_key,
        }
        # A failed token fetch cannot have stored anything, so it is outside the lookup logic.
        self._session.ensure_csrf_token()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.send(
                    "POST", ATTACHMENT_ENTITY_SET, content=content, headers=headers, action=action
                )
            except SapUnavailableError as error:
                delay = self._session.retry_delay(attempt, error)
                if not certainly_not_processed(error):
                    # Waiting first lets a slow upload commit before the lookup.
                    if delay is not None:
                        self._session.sleep(delay)
                    existing = self._find_uploaded(notification, file_name, len(content), error)
                    if existing is not None:
                        return existing
                    if delay is None:
                        raise
                    logger.warning("%s; SAP has no such attachment, uploading again", error)
                    continue
                if delay is None:
                    raise
                logger.warning("%s; retry %d in %.1f s", error, attempt, delay)
                self._session.sleep(delay)
                continue

            attachment = _attachment_from_response(response, action)
            logger.info(
                "attached %s (%d bytes) to notification %s", file_name, len(content), notification
            )
            return attachment

    def list_attachments(self, notification: str) -> list[Attachment]:
        """Return the attachments of a notification, through ``GetAllOriginals``."""
        object_key = linked_object_key(notification)
        action = f"list attachments of notification {notification}"
        params = {
            "BusinessObjectTypeName": string_literal(NOTIFICATION_OBJECT_TYPE),
            "LinkedSAPObjectKey": string_literal(object_key),
        }
        response = self._session.read("GetAllOriginals", params=params, action=action)
        try:
            entities, _next_link = unwrap_results(response.json())
            return [_attachment_from_entity(entity) for entity in entities]
        except ValueError as error:
            raise SapRejectedError(
                f"{action}: unexpected response from SAP: {error}", status=response.status_code
            ) from error

    def download(self, attachment: Attachment) -> bytes:
        """Return the content of an attachment (``…/$value``)."""
        predicate = ",".join(
            f"{name}={key_literal(attachment.key[name])}" for name in KEY_PROPERTIES
        )
        action = f"download {attachment.file_name} of {attachment.linked_object_key}"
        response = self._session.read(f"{ATTACHMENT_ENTITY_SET}({predicate})/$value", action=action)
        return response.content

    def _find_uploaded(
        self, notification: str, file_name: str, size: int, error: SapError
    ) -> Attachment | None:
        try:
            attachments = self.list_attachments(notification)
        except SapError as lookup_error:
            raise CreateOutcomeUnknownError(
                f"upload of {file_name} to notification {notification} failed ({error}) and "
                f"listing its attachments failed too ({lookup_error}); the file may be "
                "attached already, so list the attachments before uploading it again",
                status=error.status,
            ) from lookup_error
        for attachment in attachments:
            if attachment.file_name == file_name and attachment.size in (size, None):
                logger.info(
                    "upload of %s to notification %s failed (%s) but SAP has the file",
                    file_name,
                    notification,
                    error,
                )
                return attachment
        return None


def _check_file_name(file_name: str) -> None:
    # The Slug header carries the name unencoded, so it must be printable ASCII.
    if not file_name or len(file_name) > FILE_NAME_MAX:
        raise InputError(
            f"attachment file name {file_name!r} must have 1 to {FILE_NAME_MAX} characters"
        )
    if not file_name.isascii() or not file_name.isprintable():
        raise InputError(
            f"attachment file name {file_name!r} must be printable ASCII, because it is sent "
            "in the Slug header"
        )


def _attachment_from_response(response: httpx.Response, action: str) -> Attachment:
    try:
        return _attachment_from_entity(unwrap_entity(response.json()))
    except ValueError as error:
        raise SapRejectedError(
            f"{action}: unexpected response from SAP: {error}", status=response.status_code
        ) from error


def _attachment_from_entity(entity: dict[str, Any]) -> Attachment:
    """Build an ``Attachment``; raise ``ValueError`` when a key property is missing."""
    missing = [name for name in KEY_PROPERTIES if not isinstance(entity.get(name), str)]
    if missing:
        raise ValueError(f"attachment entity has no {', '.join(missing)}")

    size_text = entity.get("FileSize")
    size = int(size_text) if isinstance(size_text, str) and size_text.strip().isdigit() else None
    created_text = entity.get("CreationDateTime")
    created_at = parse_datetimeoffset(created_text) if isinstance(created_text, str) else None
    return Attachment(
        file_name=str(entity.get("FileName") or ""),
        mime_type=str(entity.get("MimeType") or ""),
        size=size,
        business_object_type=entity["BusinessObjectTypeName"],
        linked_object_key=entity["LinkedSAPObjectKey"],
        key={name: entity[name] for name in KEY_PROPERTIES},
        created_at=created_at,
        raw=entity,
    )
