"""Entity data model (EDM) building blocks for the emulator's OData V2 services.

The classes describe what ``$metadata`` publishes and what the request handlers enforce:
property types, ``MaxLength``, whether a property may be set on create or update, keys,
navigation properties and function imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

STRING = "Edm.String"
BOOLEAN = "Edm.Boolean"
DATETIME = "Edm.DateTime"
DATETIMEOFFSET = "Edm.DateTimeOffset"
TIME = "Edm.Time"
DOUBLE = "Edm.Double"
INT32 = "Edm.Int32"
DECIMAL = "Edm.Decimal"


class Access(Enum):
    """Permission to set a property on create and update (``sap:creatable``, ``sap:updatable``)."""

    READ_WRITE = (True, True)
    READ_ONLY = (False, False)
    CREATE_ONLY = (True, False)

    @property
    def creatable(self) -> bool:
        return self.value[0]

    @property
    def updatable(self) -> bool:
        return self.value[1]


READ_WRITE = Access.READ_WRITE
READ_ONLY = Access.READ_ONLY
CREATE_ONLY = Access.CREATE_ONLY


@dataclass(frozen=True)
class Property:
    """A structural property of an entity type or a function import parameter."""

    name: str
    edm_type: str
    max_length: int | None = None
    access: Access = READ_WRITE
    nullable: bool = True
    upper: bool = False
    """Values are stored upper-case (``sap:display-format="UpperCase"``)."""
    date_only: bool = False
    """An ``Edm.DateTime`` that carries a date at midnight UTC (``sap:display-format="Date"``)."""

    @property
    def creatable(self) -> bool:
        return self.access.creatable

    @property
    def updatable(self) -> bool:
        return self.access.updatable


def string(
    name: str,
    max_length: int | None = None,
    access: Access = READ_WRITE,
    *,
    nullable: bool = True,
    upper: bool = False,
) -> Property:
    """Build an ``Edm.String`` property."""
    return Property(name, STRING, max_length, access, nullable=nullable, upper=upper)


def boolean(name: str, access: Access = READ_WRITE) -> Property:
    """Build an ``Edm.Boolean`` property."""
    return Property(name, BOOLEAN, access=access)


def date(name: str, access: Access = READ_WRITE) -> Property:
    """Build a date-only ``Edm.DateTime`` property."""
    return Property(name, DATETIME, access=access, date_only=True)


def timestamp(name: str, access: Access = READ_WRITE) -> Property:
    """Build an ``Edm.DateTimeOffset`` property."""
    return Property(name, DATETIMEOFFSET, access=access)


def time(name: str, access: Access = READ_WRITE) -> Property:
    """Build an ``Edm.Time`` property."""
    return Property(name, TIME, access=access)


def double(name: str, access: Access = READ_WRITE) -> Property:
    """Build an ``Edm.Double`` property."""
    return Property(name, DOUBLE, access=access)


def int32(name: str, access: Access = READ_WRITE) -> Property:
    """Build an ``Edm.Int32`` property."""
    return Property(name, INT32, access=access)


@dataclass(frozen=True)
class Association:
    """A one-to-many or one-to-zero-or-one relation between two entity sets.

    ``keys`` are the principal's key properties that the dependent repeats.
    """

    name: str
    principal_set: str
    dependent_set: str
    keys: tuple[str, ...]
    dependent_many: bool = True


@dataclass(frozen=True)
class NavigationProperty:
    """A navigation property: ``forward`` goes from principal to dependent."""

    name: str
    association: str
    forward: bool = True


@dataclass(frozen=True)
class EntityType:
    """An entity type together with the one entity set that exposes it."""

    name: str
    entity_set: str
    keys: tuple[str, ...]
    properties: tuple[Property, ...]
    navigation: tuple[NavigationProperty, ...] = ()
    deletable: bool = False
    etag_property: str | None = None
    required_on_create: tuple[str, ...] = ()
    non_filterable: frozenset[str] = frozenset()
    """Properties that ``$filter`` may not compare (SAP's filter restrictions)."""
    non_sortable: frozenset[str] = frozenset()
    """Properties that ``$orderby`` may not use (SAP's sort restrictions)."""
    _by_name: dict[str, Property] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({prop.name: prop for prop in self.properties})

    def property(self, name: str) -> Property | None:
        """Return the property called ``name``, or ``None``."""
        return self._by_name.get(name)

    def navigation_property(self, name: str) -> NavigationProperty | None:
        """Return the navigation property called ``name``, or ``None``."""
        for navigation in self.navigation:
            if navigation.name == name:
                return navigation
        return None


@dataclass(frozen=True)
class FunctionImport:
    """A function import whose parameters travel in the query string as URI literals."""

    name: str
    return_type: str
    entity_set: str
    http_method: str
    parameters: tuple[Property, ...]
    action_for: str | None = None


@dataclass(frozen=True)
class Schema:
    """A complete service model: namespace, entity types, associations and function imports."""

    namespace: str
    container: str
    entity_types: tuple[EntityType, ...]
    associations: tuple[Association, ...]
    function_imports: tuple[FunctionImport, ...] = ()

    def entity_type_for_set(self, entity_set: str) -> EntityType | None:
        """Return the entity type exposed by ``entity_set``, or ``None``."""
        for entity_type in self.entity_types:
            if entity_type.entity_set == entity_set:
                return entity_type
        return None

    def association(self, name: str) -> Association:
        """Return the association called ``name``; raise ``KeyError`` when unknown."""
        for association in self.associations:
            if association.name == name:
                return association
        raise KeyError(name)

    def function_import(self, name: str) -> FunctionImport | None:
        """Return the function import called ``name``, or ``None``."""
        for function in self.function_imports:
            if function.name == name:
                return function
        return None

    def navigation_target(self, navigation: NavigationProperty) -> tuple[str, bool]:
        """Return the target entity set of ``navigation`` and whether it yields many entities."""
        association = self.association(navigation.association)
        if navigation.forward:
            return association.dependent_set, association.dependent_many
        return association.principal_set, False
