"""The emulated ``API_CV_ATTACHMENT_SRV``: attachments of SAP business objects.

It serves what monitron-sap uses of SAP's attachment service:

* ``POST AttachmentContentSet``: a media upload. The body is the file, ``Content-Type`` its MIME
  type, and the headers ``Slug`` (file name), ``BusinessObjectTypeName`` and
  ``LinkedSAPObjectKey`` name the object it is attached to. Returns 201 with the entity.
* ``GET GetAllOriginals?BusinessObjectTypeName='…'&LinkedSAPObjectKey='…'``: the object's
  attachments. ``GetAttachmentCount`` takes the same parameters and returns their number.
* ``GET AttachmentContentSet(<key>)`` and ``…/$value``: one attachment and its content.
* ``DELETE AttachmentContentSet(<key>)``.

Authentication, CSRF tokens, ``sap-client`` and fault injection are the server's job, so this
service gets them exactly as ``API_MAINTNOTIFICATION`` does.

Only Generic Object Services (GOS) attachments of maintenance notifications (``BUS2038``) are
accepted. Their ``LinkedSAPObjectKey`` must be the notification number zero-padded to 12
digits, the GOS instance key. NOTE: SAP may also resolve an unpadded number; this emulator
rejects it so that clients are tested against the stricter form.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from monitron_sap.emulator.maintnotification import NOTIFICATION_SET
from monitron_sap.emulator.protocol import (
    XML_TYPE,
    ODataError,
    ServiceRequest,
    ServiceResponse,
)
from monitron_sap.emulator.resource import not_found, parse_key, parse_path
from monitron_sap.emulator.service import method_not_allowed
from monitron_sap.emulator.state import EntityStore, Row
from monitron_sap.emulator.wire import format_literal, parse_literal

if TYPE_CHECKING:
    from monitron_sap.emulator.server import EmulatorServer

logger = logging.getLogger(__name__)

SERVICE_ID: Final = "API_CV_ATTACHMENT_SRV"
SERVICE_PATH: Final = "/sap/opu/odata/sap/API_CV_ATTACHMENT_SRV"
NAMESPACE: Final = "API_CV_ATTACHMENT_SRV"
ENTITY_SET: Final = "AttachmentContentSet"
ENTITY_TYPE: Final = "AttachmentContent"
BUSINESS_OBJECT_NOTIFICATION: Final = "BUS2038"
GOS_KEY_LENGTH: Final = 12
FILE_NAME_MAX: Final = 255
MIME_TYPE_MAX: Final = 128
# Upload limit of the emulator; SAP's limit is a system setting.
MAX_CONTENT_BYTES: Final = 20 * 1024 * 1024

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
_CONTENT: Final = "_content"
# Message codes of the emulator's own namespace: SAP's codes for these errors are not documented.
_BAD_REQUEST: Final = "ZEMU/040"
_OBJECT_NOT_FOUND: Final = "ZEMU/041"

NotificationExists = Callable[[str], bool]


class AttachmentService:
    """The attachment service, keeping attachments in the emulator's entity store.

    ``notification_exists`` is called with the unpadded notification number of each upload;
    without it, uploads to any well-formed number are accepted.
    """

    service_id = SERVICE_ID

    def __init__(
        self, store: EntityStore, notification_exists: NotificationExists | None = None
    ) -> None:
        self._store = store
        self._notification_exists = notification_exists

    def handle(self, request: ServiceRequest) -> ServiceResponse:
        """Route one request below the service root."""
        path = request.path.strip("/")
        if path == "":
            return ServiceResponse.json(200, {"d": {"EntitySets": [ENTITY_SET]}})
        if path == "$metadata":
            return ServiceResponse(200, render_metadata(), XML_TYPE)

        segments = parse_path(path)
        first = segments[0]
        if first.name == "GetAllOriginals" and len(segments) == 1:
            return self._get_all_originals(request)
        if first.name == "GetAttachmentCount" and len(segments) == 1:
            return self._get_attachment_count(request)
        if first.name != ENTITY_SET:
            raise not_found(first.name)

        if first.key is None and len(segments) == 1:
            if request.method == "POST":
                return self._upload(request)
            raise method_not_allowed(request.method, ENTITY_SET)

        key = tuple(parse_key(first, KEY_PROPERTIES)[name] for name in KEY_PROPERTIES)
        row = self._store.get(ENTITY_SET, key)
        if row is None:
            raise not_found(path)
        if len(segments) == 2 and segments[1].name == "$value" and request.method == "GET":
            return ServiceResponse(200, _content_of(row), str(row["MimeType"]))
        if len(segments) == 1 and request.method == "GET":
            return ServiceResponse.json(200, {"d": _entity_json(row, request.service_url)})
        if len(segments) == 1 and request.method == "DELETE":
            self._store.delete(ENTITY_SET, key)
            logger.info("deleted attachment %s of %s", row["FileName"], row["LinkedSAPObjectKey"])
            return ServiceResponse(204)
        raise method_not_allowed(request.method, path)

    def _upload(self, request: ServiceRequest) -> ServiceResponse:
        file_name = (request.header("slug") or "").strip()
        object_type = (request.header("businessobjecttypename") or "").strip()
        object_key = (request.header("linkedsapobjectkey") or "").strip()
        mime_type = (request.header("content-type") or "").split(";")[0].strip().lower()

        if not file_name:
            raise _bad_request("Header Slug with the file name is missing", "Slug")
        if len(file_name) > FILE_NAME_MAX:
            raise _bad_request(f"File name is longer than {FILE_NAME_MAX} characters", "Slug")
        if not mime_type or len(mime_type) > MIME_TYPE_MAX:
            raise _bad_request("Header Content-Type with the MIME type is missing", "MimeType")
        if not request.body:
            raise _bad_request(f"File {file_name} is empty", "")
        if len(request.body) > MAX_CONTENT_BYTES:
            raise ODataError(
                413, _BAD_REQUEST, f"File {file_name} exceeds {MAX_CONTENT_BYTES} bytes"
            )
        self._check_object(object_type, object_key)

        now = datetime.now(UTC)
        row: Row = {
            "DocumentInfoRecordDocType": "",
            "DocumentInfoRecordDocNumber": "",
            "DocumentInfoRecordDocVersion": "",
            "DocumentInfoRecordDocPart": "",
            "LogicalDocument": secrets.token_hex(16).upper(),
            "ArchiveDocumentID": secrets.token_hex(16).upper(),
            "LinkedSAPObjectKey": object_key,
            "BusinessObjectTypeName": object_type,
            "FileName": file_name,
            "FileSize": str(len(request.body)),
            "MimeType": mime_type,
            "CreatedByUser": request.user,
            "CreationDateTime": now,
            "StorageCategory": "SOFFDB",
            "AttachmentDeletionIsAllowed": True,
            "AttachmentRenameIsAllowed": True,
            "Source": "GOS",
            _CONTENT: base64.b64encode(request.body).decode("ascii"),
        }
        key = tuple(str(row[name]) for name in KEY_PROPERTIES)
        self._store.put([(ENTITY_SET, key, row)])
        logger.info(
            "stored attachment %s (%d bytes, %s) for %s %s",
            file_name,
            len(request.body),
            mime_type,
            object_type,
            object_key,
        )

        entity = _entity_json(row, request.service_url)
        response = ServiceResponse.json(
            201, {"d": entity}, {"location": entity["__metadata"]["uri"]}
        )
        response.created = True
        return response

    def _check_object(self, object_type: str, object_key: str) -> None:
        if object_type != BUSINESS_OBJECT_NOTIFICATION:
            raise _bad_request(
                f"Business object type {object_type or '(missing)'} is not supported; "
                f"expected {BUSINESS_OBJECT_NOTIFICATION}",
                "BusinessObjectTypeName",
            )
        if len(object_key) != GOS_KEY_LENGTH or not object_key.isdigit():
            raise _bad_request(
                f"Object key {object_key or '(missing)'} is invalid; expected the notification "
                f"number padded with zeros to {GOS_KEY_LENGTH} digits",
                "LinkedSAPObjectKey",
            )
        number = str(int(object_key))
        if self._notification_exists is not None and not self._notification_exists(number):
            raise ODataError(
                404,
                _OBJECT_NOT_FOUND,
                f"Notification {number} does not exist",
                target="LinkedSAPObjectKey",
            )

    def _originals(self, request: ServiceRequest) -> list[Row]:
        if request.method != "GET":
            raise method_not_allowed(request.method, request.path)
        object_type = _string_parameter(request, "BusinessObjectTypeName")
        object_key = _string_parameter(request, "LinkedSAPObjectKey")
        rows = self._store.matching(
            ENTITY_SET,
            {"BusinessObjectTypeName": object_type, "LinkedSAPObjectKey": object_key},
        )
        return sorted(rows, key=_creation_time)

    def _get_all_originals(self, request: ServiceRequest) -> ServiceResponse:
        entities = [_entity_json(row, request.service_url) for row in self._originals(request)]
        return ServiceResponse.json(200, {"d": {"results": entities}})

    def _get_attachment_count(self, request: ServiceRequest) -> ServiceResponse:
        count = len(self._originals(request))
        return ServiceResponse.json(200, {"d": {"GetAttachmentCount": count}})


def _string_parameter(request: ServiceRequest, name: str) -> str:
    raw = request.query.get(name)
    if raw is None:
        raise _bad_request(f"Parameter {name} is missing", name)
    try:
        value = parse_literal(raw)
    except ValueError:
        raise _bad_request(f"Parameter {name} has an invalid value {raw}", name) from None
    if not isinstance(value, str):
        raise _bad_request(f"Parameter {name} must be a quoted string, got {raw}", name)
    return value


def _entity_json(row: Row, service_url: str) -> dict[str, Any]:
    predicate = ",".join(f"{name}={format_literal(row[name])}" for name in KEY_PROPERTIES)
    uri = f"{service_url}/{ENTITY_SET}({predicate})"
    created = _creation_time(row)
    entity: dict[str, Any] = {
        "__metadata": {
            "id": uri,
            "uri": uri,
            "type": f"{NAMESPACE}.{ENTITY_TYPE}",
            "content_type": row["MimeType"],
            "media_src": f"{uri}/$value",
            "edit_media": f"{uri}/$value",
        }
    }
    for name, value in row.items():
        if name == _CONTENT:
            continue
        if name == "CreationDateTime":
            entity[name] = f"/Date({int(created.timestamp() * 1000)}+0000)/"
        else:
            entity[name] = value
    return entity


def _creation_time(row: Row) -> datetime:
    created = row["CreationDateTime"]
    if not isinstance(created, datetime):
        raise ODataError(
            500, "/IWBEP/CM_MGW_RT/000", "Stored attachment has an invalid creation time"
        )
    return created


def _content_of(row: Row) -> bytes:
    try:
        return base64.b64decode(str(row[_CONTENT]), validate=True)
    except (KeyError, binascii.Error) as error:
        raise ODataError(
            500, "/IWBEP/CM_MGW_RT/000", "Stored attachment content is invalid"
        ) from error


def _bad_request(message: str, target: str) -> ODataError:
    return ODataError(400, _BAD_REQUEST, message, target=target)


_EDMX_NS: Final = "http://schemas.microsoft.com/ado/2007/06/edmx"
_EDM_NS: Final = "http://schemas.microsoft.com/ado/2008/09/edm"
_METADATA_NS: Final = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
# Property name and MaxLength of AttachmentContent, keys first.
_PROPERTIES: Final = (
    ("DocumentInfoRecordDocType", 3),
    ("DocumentInfoRecordDocNumber", 25),
    ("DocumentInfoRecordDocVersion", 2),
    ("DocumentInfoRecordDocPart", 3),
    ("LogicalDocument", 32),
    ("ArchiveDocumentID", 40),
    ("LinkedSAPObjectKey", 90),
    ("BusinessObjectTypeName", 40),
    ("FileName", 255),
    ("FileSize", 12),
    ("MimeType", 128),
    ("CreatedByUser", 12),
    ("StorageCategory", 10),
    ("Source", 10),
)


def render_metadata() -> bytes:
    """Render a ``$metadata`` document for the part of the service the emulator serves."""
    root = ET.Element(f"{{{_EDMX_NS}}}Edmx", {"Version": "1.0"})
    services = ET.SubElement(
        root, f"{{{_EDMX_NS}}}DataServices", {f"{{{_METADATA_NS}}}DataServiceVersion": "2.0"}
    )
    schema = ET.SubElement(services, f"{{{_EDM_NS}}}Schema", {"Namespace": NAMESPACE})
    entity_type = ET.SubElement(
        schema,
        f"{{{_EDM_NS}}}EntityType",
        {"Name": ENTITY_TYPE, f"{{{_METADATA_NS}}}HasStream": "true"},
    )
    key = ET.SubElement(entity_type, f"{{{_EDM_NS}}}Key")
    for name in KEY_PROPERTIES:
        ET.SubElement(key, f"{{{_EDM_NS}}}PropertyRef", {"Name": name})
    for name, max_length in _PROPERTIES:
        nullable = "false" if name in KEY_PROPERTIES else "true"
        ET.SubElement(
            entity_type,
            f"{{{_EDM_NS}}}Property",
            {
                "Name": name,
                "Type": "Edm.String",
                "Nullable": nullable,
                "MaxLength": str(max_length),
            },
        )
    for name, edm_type in (
        ("CreationDateTime", "Edm.DateTimeOffset"),
        ("AttachmentDeletionIsAllowed", "Edm.Boolean"),
        ("AttachmentRenameIsAllowed", "Edm.Boolean"),
    ):
        ET.SubElement(entity_type, f"{{{_EDM_NS}}}Property", {"Name": name, "Type": edm_type})

    container = ET.SubElement(
        schema,
        f"{{{_EDM_NS}}}EntityContainer",
        {"Name": f"{NAMESPACE}_Entities", f"{{{_METADATA_NS}}}IsDefaultEntityContainer": "true"},
    )
    ET.SubElement(
        container,
        f"{{{_EDM_NS}}}EntitySet",
        {"Name": ENTITY_SET, "EntityType": f"{NAMESPACE}.{ENTITY_TYPE}"},
    )
    for function, return_type in (
        ("GetAllOriginals", f"Collection({NAMESPACE}.{ENTITY_TYPE})"),
        ("GetAttachmentCount", "Edm.Int32"),
    ):
        attributes = {
            "Name": function,
            "ReturnType": return_type,
            f"{{{_METADATA_NS}}}HttpMethod": "GET",
        }
        if function == "GetAllOriginals":
            attributes["EntitySet"] = ENTITY_SET
        element = ET.SubElement(container, f"{{{_EDM_NS}}}FunctionImport", attributes)
        for parameter in ("BusinessObjectTypeName", "LinkedSAPObjectKey"):
            ET.SubElement(
                element,
                f"{{{_EDM_NS}}}Parameter",
                {"Name": parameter, "Type": "Edm.String", "Mode": "In"},
            )
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def register_attachment_service(server: EmulatorServer) -> AttachmentService:
    """Serve ``API_CV_ATTACHMENT_SRV`` from ``server``, beside its notification service.

    Uploads are accepted only for notifications that exist in the server's store.
    """

    def notification_exists(number: str) -> bool:
        return server.store.get(NOTIFICATION_SET, (number,)) is not None

    service = AttachmentService(server.store, notification_exists)
    server.register_service(SERVICE_PATH, service)
    return service
