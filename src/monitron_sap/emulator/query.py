"""Query options (``$filter``, ``$select``, ``$orderby``, ``$top``, ``$skip``, ``$expand``,
``$inlinecount``) and the OData V2 JSON form of entities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from monitron_sap.emulator.edm import (
    BOOLEAN,
    DECIMAL,
    DOUBLE,
    INT32,
    STRING,
    TIME,
    EntityType,
    NavigationProperty,
    Property,
    Schema,
)
from monitron_sap.emulator.filter import FilterError, Predicate, compile_filter
from monitron_sap.emulator.protocol import ODataError
from monitron_sap.emulator.state import EntityKey, EntityStore, Row, normalize_key_value
from monitron_sap.emulator.wire import format_etag, format_literal, to_json

INVALID_QUERY = "ZEMU/014"
_DEFAULTS: dict[str, Any] = {
    STRING: "",
    BOOLEAN: False,
    INT32: 0,
    DOUBLE: 0.0,
    DECIMAL: "0",
    TIME: timedelta(0),
}


def bad_query(message: str) -> ODataError:
    """Build the 400 error for an invalid system query option."""
    return ODataError(400, INVALID_QUERY, message)


@dataclass(frozen=True)
class QueryOptions:
    """Parsed system query options of one read request."""

    predicate: Predicate | None = None
    select: tuple[str, ...] | None = None
    orderby: tuple[tuple[str, bool], ...] = ()
    """Pairs of property name and descending flag."""
    top: int | None = None
    skip: int = 0
    inlinecount: bool = False
    expand: tuple[tuple[str, ...], ...] = ()
    """Navigation paths such as ``("to_Item", "to_ItemCause")``."""
    skiptoken: int | None = None
    """Position of the first row of a server-driven page, from a ``__next`` link."""


def _non_negative(query: Mapping[str, str], name: str) -> int | None:
    text = query.get(name)
    if text is None:
        return None
    if not text.isdigit():
        raise bad_query(f"Invalid value {text!r} for {name}; expected a non-negative integer")
    return int(text)


def parse_query_options(
    query: Mapping[str, str], entity_type: EntityType, schema: Schema
) -> QueryOptions:
    """Parse and check the system query options against ``entity_type``."""
    predicate = None
    if query.get("$filter"):
        try:
            predicate = compile_filter(query["$filter"], entity_type)
        except FilterError as error:
            raise bad_query(f"Invalid $filter: {error}") from None

    expand = tuple(
        tuple(part.strip() for part in path.split("/"))
        for path in query.get("$expand", "").split(",")
        if path.strip()
    )
    for path in expand:
        _check_expand_path(schema, entity_type, path)

    inlinecount = query.get("$inlinecount", "none")
    if inlinecount not in ("allpages", "none"):
        raise bad_query(f"Invalid $inlinecount {inlinecount!r}; use allpages or none")

    return QueryOptions(
        predicate,
        _parse_select(query.get("$select", ""), entity_type, expand),
        _parse_orderby(query.get("$orderby", ""), entity_type),
        _non_negative(query, "$top"),
        _non_negative(query, "$skip") or 0,
        inlinecount == "allpages",
        expand,
        _non_negative(query, "$skiptoken"),
    )


def _parse_select(
    text: str, entity_type: EntityType, expand: tuple[tuple[str, ...], ...]
) -> tuple[str, ...] | None:
    if not text.strip() or text.strip() == "*":
        return None
    expanded = {path[0] for path in expand}
    select = tuple(name.strip() for name in text.split(",") if name.strip())
    for name in select:
        if entity_type.property(name) is None and name.split("/")[0] not in expanded:
            raise bad_query(f"Property {name!r} not found in type {entity_type.name}")
    return select


def _parse_orderby(text: str, entity_type: EntityType) -> tuple[tuple[str, bool], ...]:
    orderby: list[tuple[str, bool]] = []
    for clause in text.split(","):
        words = clause.split()
        if not words:
            continue
        if entity_type.property(words[0]) is None or len(words) > 2:
            raise bad_query(f"Invalid $orderby clause {clause.strip()!r}")
        if words[0] in entity_type.non_sortable:
            raise bad_query(f"Property {words[0]!r} of {entity_type.name} is not sortable")
        direction = words[1].lower() if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise bad_query(f"Invalid $orderby direction {words[1]!r}; use asc or desc")
        orderby.append((words[0], direction == "desc"))
    return tuple(orderby)


def _check_expand_path(schema: Schema, entity_type: EntityType, path: tuple[str, ...]) -> None:
    current = entity_type
    for name in path:
        navigation = current.navigation_property(name)
        if navigation is None:
            raise bad_query(f"Navigation property {name!r} not found in type {current.name}")
        target_set, _ = schema.navigation_target(navigation)
        target = schema.entity_type_for_set(target_set)
        if target is None:
            raise bad_query(f"Navigation property {name!r} has no entity set")
        current = target


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, None) if value is None else (1, value)


def apply_options(
    rows: list[Row], options: QueryOptions, page_size: int | None = None
) -> tuple[list[Row], int, int | None]:
    """Filter, sort and page ``rows``.

    Returns the page, the count before paging and, when ``page_size`` cuts the result short,
    the ``$skiptoken`` of the next page (else ``None``).
    """
    if options.predicate is not None:
        rows = [row for row in rows if options.predicate(row)]
    for name, descending in reversed(options.orderby):
        rows.sort(key=lambda row, n=name: _sort_key(row.get(n)), reverse=descending)  # type: ignore[misc]
    total = len(rows)

    start = options.skiptoken if options.skiptoken is not None else options.skip
    end = total if options.top is None else min(total, options.skip + options.top)
    next_start = None
    if page_size is not None and end - start > page_size:
        next_start = start + page_size
        end = next_start
    return rows[start:end], total, next_start


def key_of(entity_type: EntityType, values: Mapping[str, Any]) -> EntityKey:
    """Return the normalized store key of an entity from its key property values."""
    return tuple(normalize_key_value(str(values.get(name) or "")) for name in entity_type.keys)


class EntityWriter:
    """Renders entities of one service as OData V2 JSON and follows navigation properties."""

    def __init__(self, schema: Schema, store: EntityStore, service_url: str) -> None:
        self.schema = schema
        self.store = store
        self.service_url = service_url

    def entity_url(self, entity_type: EntityType, row: Mapping[str, Any]) -> str:
        """Return the canonical URL of an entity."""
        if len(entity_type.keys) == 1:
            predicate = format_literal(str(row.get(entity_type.keys[0]) or ""))
        else:
            predicate = ",".join(
                f"{name}={format_literal(str(row.get(name) or ''))}" for name in entity_type.keys
            )
        return f"{self.service_url}/{entity_type.entity_set}({predicate})"

    def etag(self, entity_type: EntityType, row: Mapping[str, Any]) -> str | None:
        """Return the ETag of an entity, or ``None`` when its type has none."""
        if entity_type.etag_property is None:
            return None
        changed_at = row.get(entity_type.etag_property)
        return format_etag(changed_at) if changed_at is not None else None

    def related(
        self, entity_type: EntityType, row: Mapping[str, Any], navigation: NavigationProperty
    ) -> tuple[EntityType, list[Row]]:
        """Return the target type and the entities reached from ``row`` over ``navigation``."""
        association = self.schema.association(navigation.association)
        target_set, _ = self.schema.navigation_target(navigation)
        target = self.schema.entity_type_for_set(target_set)
        if target is None:
            raise KeyError(target_set)
        keys = {name: row.get(name) for name in association.keys}
        if navigation.forward:
            return target, self.store.matching(target_set, keys)
        principal = self.store.get(target_set, key_of(target, keys))
        return target, [principal] if principal is not None else []

    def to_json(
        self,
        entity_type: EntityType,
        row: Mapping[str, Any],
        expand: tuple[tuple[str, ...], ...] = (),
        select: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """Render one entity with ``__metadata``, its properties and its navigation links."""
        url = self.entity_url(entity_type, row)
        metadata: dict[str, Any] = {
            "id": url,
            "uri": url,
            "type": f"{self.schema.namespace}.{entity_type.name}",
        }
        etag = self.etag(entity_type, row)
        if etag is not None:
            metadata["etag"] = etag
        result: dict[str, Any] = {"__metadata": metadata}
        for prop in entity_type.properties:
            if select is None or prop.name in select:
                result[prop.name] = _json_value(prop, row.get(prop.name))
        for navigation in entity_type.navigation:
            nested = tuple(path[1:] for path in expand if path and path[0] == navigation.name)
            if nested:
                result[navigation.name] = self._expanded(entity_type, row, navigation, nested)
            elif select is None:
                result[navigation.name] = {"__deferred": {"uri": f"{url}/{navigation.name}"}}
        return result

    def _expanded(
        self,
        entity_type: EntityType,
        row: Mapping[str, Any],
        navigation: NavigationProperty,
        nested: tuple[tuple[str, ...], ...],
    ) -> Any:
        target, rows = self.related(entity_type, row, navigation)
        deeper = tuple(path for path in nested if path)
        rendered = [self.to_json(target, related, deeper) for related in rows]
        _, many = self.schema.navigation_target(navigation)
        if many:
            return {"results": rendered}
        return rendered[0] if rendered else None


def _json_value(prop: Property, value: Any) -> Any:
    if value is None:
        value = _DEFAULTS.get(prop.edm_type)
    return to_json(prop, value)
