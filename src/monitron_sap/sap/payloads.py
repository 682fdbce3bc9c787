"""Convert notification drafts and changes into OData request bodies, and entities back.

SAP limits the short text to 40 characters, the long text to 1333 characters per request and
the external reference to 20 upper-case characters. This module fits values into those limits
where that is safe and raises ``InputError`` where it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from monitron_sap.errors import ConfigurationError, InputError
from monitron_sap.sap.models import (
    EQUIPMENT,
    EXTERNAL_REFERENCE_MAX,
    FUNCTIONAL_LOCATION,
    LONG_TEXT_MAX_PER_REQUEST,
    SHORT_TEXT_MAX,
    Notification,
    NotificationChanges,
    NotificationDraft,
)
from monitron_sap.sap.profiles import NotificationFields, ServiceProfile
from monitron_sap.sap.wire import split_utc

# A cut between words is used only when it keeps at least this share of the limit. Otherwise
# a long first word would leave almost nothing, so the text is cut mid-word instead.
_MIN_WORD_CUT_SHARE: Final = 0.5
LONG_TEXT_CUT_MARKER: Final = "\n[cut: {count} more characters]"


@dataclass(frozen=True, slots=True)
class LongTextFit:
    """A long text fitted into one request; ``cut_characters`` is 0 when nothing was cut."""

    text: str
    cut_characters: int


def shorten_text(text: str, limit: int = SHORT_TEXT_MAX) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters, between words if possible."""
    single_line = " ".join(text.split())
    if len(single_line) <= limit:
        return single_line
    boundary = single_line.rfind(" ", 0, limit + 1)
    if boundary >= limit * _MIN_WORD_CUT_SHARE:
        return single_line[:boundary].rstrip(" ,;:-")
    return single_line[:limit]


def fit_long_text(text: str, limit: int = LONG_TEXT_MAX_PER_REQUEST) -> LongTextFit:
    """Cut a long text to ``limit`` characters, ending with a line that states how much was cut.

    SAP rejects more than 1333 characters in one request, and whether a second update appends
    or replaces the text differs between releases, so the rest is not sent in later requests.
    """
    if len(text) <= limit:
        return LongTextFit(text=text, cut_characters=0)
    # The marker's length depends on the count it states, so grow the cut until they agree.
    cut = len(text) - limit
    while True:
        marker = LONG_TEXT_CUT_MARKER.format(count=cut)
        needed = len(text) - (limit - len(marker))
        if needed == cut:
            return LongTextFit(text=text[: len(text) - cut] + marker, cut_characters=cut)
        cut = needed


def normalize_external_reference(reference: str) -> str:
    """Return the reference in upper case; SAP stores and searches it that way."""
    normalized = reference.strip().upper()
    if not normalized:
        raise InputError("external reference is empty; a stable reference is needed")
    if len(normalized) > EXTERNAL_REFERENCE_MAX:
        raise InputError(
            f"external reference {normalized!r} has {len(normalized)} characters; SAP allows at "
            f"most {EXTERNAL_REFERENCE_MAX}"
        )
    return normalized


def create_body(draft: NotificationDraft, profile: ServiceProfile) -> dict[str, Any]:
    """Build the JSON body that creates ``draft`` in the profile's entity set.

    Raises ``InputError`` for an empty text, a naive malfunction start or a technical object
    without its kind, and ``ConfigurationError`` for a value the service has no field for.
    """
    names = profile.fields
    text = shorten_text(draft.text)
    if not text:
        raise InputError("notification text is empty; SAP requires a short text")
    body: dict[str, Any] = {names.text: text}
    setter = _FieldSetter(body, profile)

    setter.set("notification_type", draft.notification_type)
    setter.set("priority", draft.priority)
    setter.set("planning_plant", draft.planning_plant)
    setter.set("planner_group", draft.planner_group)
    setter.set("main_work_center", draft.main_work_center)
    setter.set("main_work_center_plant", draft.main_work_center_plant)
    setter.set("reported_by", draft.reported_by)
    _set_technical_object(setter, draft)

    if draft.malfunction_start is not None:
        if draft.malfunction_start.utcoffset() is None:
            raise InputError(
                f"malfunction start {draft.malfunction_start.isoformat()} has no time zone"
            )
        start_date, start_time = split_utc(draft.malfunction_start)
        setter.set("malfunction_start_date", start_date)
        setter.set("malfunction_start_time", start_time)
    if draft.long_text:
        setter.set("long_text_for_edit", fit_long_text(draft.long_text).text)
    if draft.external_reference is not None:
        setter.set("external_reference", normalize_external_reference(draft.external_reference))
    return body


def update_body(changes: NotificationChanges, profile: ServiceProfile) -> dict[str, Any]:
    """Build the JSON body of a PATCH/MERGE; an empty dict means nothing to change."""
    body: dict[str, Any] = {}
    setter = _FieldSetter(body, profile)
    if changes.text is not None:
        text = shorten_text(changes.text)
        if not text:
            raise InputError("notification text is empty; SAP requires a short text")
        body[profile.fields.text] = text
    setter.set("priority", changes.priority)
    if changes.long_text:
        setter.set("long_text_for_edit", fit_long_text(changes.long_text).text)
    return body


def notification_from_entity(
    entity: Mapping[str, Any], profile: ServiceProfile, *, etag: str | None = None
) -> Notification:
    """Build a ``Notification`` from an entity; ``etag`` is used when the entity has none.

    Raises ``ValueError`` when the key or the short text is missing.
    """
    names = profile.fields
    number = entity.get(profile.key_field)
    if not isinstance(number, str) or not number:
        raise ValueError(f"the entity has no {profile.key_field} (the notification number)")
    text = entity.get(names.text)
    if not isinstance(text, str):
        raise ValueError(f"notification {number} has no {names.text}")

    metadata = entity.get("__metadata")
    metadata_etag = metadata.get("etag") if isinstance(metadata, dict) else None
    technical_object, kind = _read_technical_object(entity, names)
    return Notification(
        number=number,
        text=text,
        notification_type=_optional(entity, names.notification_type) or "",
        phase=_optional(entity, names.phase),
        priority=_optional(entity, names.priority),
        technical_object=technical_object,
        technical_object_kind=kind,
        external_reference=_optional(entity, names.external_reference),
        long_text=_optional(entity, names.long_text_read),
        etag=metadata_etag if isinstance(metadata_etag, str) else etag,
        raw=dict(entity),
    )


class _FieldSetter:
    """Writes draft values under the profile's field names; rejects values without a field."""

    def __init__(self, body: dict[str, Any], profile: ServiceProfile) -> None:
        self._body = body
        self.profile = profile

    def set(self, concept: str, value: str | None) -> None:
        if value is None:
            return
        name = getattr(self.profile.fields, concept)
        if name is None:
            raise ConfigurationError(
                f"service profile {self.profile.name!r} has no field for {concept}, but the "
                f"notification sets it to {value!r}; name the field in the profile or leave the "
                "value out of the mapping"
            )
        self._body[name] = value


def _set_technical_object(setter: _FieldSetter, draft: NotificationDraft) -> None:
    if draft.technical_object is None:
        return
    if draft.technical_object_kind not in (EQUIPMENT, FUNCTIONAL_LOCATION):
        raise InputError(
            f"technical object {draft.technical_object!r} has kind "
            f"{draft.technical_object_kind!r}; expected {EQUIPMENT} or {FUNCTIONAL_LOCATION}"
        )
    names = setter.profile.fields
    if names.technical_object is not None:
        setter.set("technical_object", draft.technical_object)
        setter.set("technical_object_kind", draft.technical_object_kind)
    elif draft.technical_object_kind == EQUIPMENT:
        setter.set("equipment", draft.technical_object)
    else:
        setter.set("functional_location", draft.technical_object)


def _read_technical_object(
    entity: Mapping[str, Any], names: NotificationFields
) -> tuple[str | None, str | None]:
    if names.technical_object is not None:
        # The label carries the external form (equipment without zero padding).
        value = _optional(entity, names.technical_object_label) or _optional(
            entity, names.technical_object
        )
        return value, _optional(entity, names.technical_object_kind)
    equipment = _optional(entity, names.equipment)
    if equipment is not None:
        return equipment, EQUIPMENT
    location = _optional(entity, names.functional_location)
    return location, FUNCTIONAL_LOCATION if location is not None else None


def _optional(entity: Mapping[str, Any], name: str | None) -> str | None:
    if name is None:
        return None
    value = entity.get(name)
    # SAP returns "" for fields that are not set.
    return value if isinstance(value, str) and value != "" else None
