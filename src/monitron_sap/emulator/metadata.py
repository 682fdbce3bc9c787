"""``$metadata`` (EDMX) and the service document, rendered from an emulator :class:`Schema`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from monitron_sap.emulator.edm import DATETIME, DATETIMEOFFSET, TIME, EntityType, Property, Schema

EDMX_NS = "http://schemas.microsoft.com/ado/2007/06/edmx"
METADATA_NS = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
SAP_NS = "http://www.sap.com/Protocols/SAPData"
EDM_NS = "http://schemas.microsoft.com/ado/2008/09/edm"
APP_NS = "http://www.w3.org/2007/app"
ATOM_NS = "http://www.w3.org/2005/Atom"

for _prefix, _uri in (
    ("edmx", EDMX_NS),
    ("m", METADATA_NS),
    ("sap", SAP_NS),
    ("", EDM_NS),
    ("app", APP_NS),
    ("atom", ATOM_NS),
):
    ET.register_namespace(_prefix, _uri)


def _edm(tag: str) -> str:
    return f"{{{EDM_NS}}}{tag}"


def _sap(name: str) -> str:
    return f"{{{SAP_NS}}}{name}"


def _property_attributes(prop: Property) -> dict[str, str]:
    attributes = {"Name": prop.name, "Type": prop.edm_type}
    if not prop.nullable:
        attributes["Nullable"] = "false"
    if prop.max_length is not None:
        attributes["MaxLength"] = str(prop.max_length)
    if prop.edm_type in (DATETIME, DATETIMEOFFSET, TIME):
        attributes["Precision"] = "0"
    if prop.date_only:
        attributes[_sap("display-format")] = "Date"
    elif prop.upper:
        attributes[_sap("display-format")] = "UpperCase"
    if not prop.creatable:
        attributes[_sap("creatable")] = "false"
    if not prop.updatable:
        attributes[_sap("updatable")] = "false"
    return attributes


def _entity_type(schema: Schema, parent: ET.Element, entity_type: EntityType) -> None:
    element = ET.SubElement(
        parent, _edm("EntityType"), {"Name": entity_type.name, _sap("content-version"): "1"}
    )
    key = ET.SubElement(element, _edm("Key"))
    for name in entity_type.keys:
        ET.SubElement(key, _edm("PropertyRef"), {"Name": name})
    for prop in entity_type.properties:
        ET.SubElement(element, _edm("Property"), _property_attributes(prop))
    for navigation in entity_type.navigation:
        source, target = "FromRole", "ToRole"
        if not navigation.forward:
            source, target = target, source
        ET.SubElement(
            element,
            _edm("NavigationProperty"),
            {
                "Name": navigation.name,
                "Relationship": f"{schema.namespace}.{navigation.association}",
                "FromRole": f"{source}_{navigation.association}",
                "ToRole": f"{target}_{navigation.association}",
            },
        )


def _associations(schema: Schema, parent: ET.Element) -> None:
    for association in schema.associations:
        principal = schema.entity_type_for_set(association.principal_set)
        dependent = schema.entity_type_for_set(association.dependent_set)
        if principal is None or dependent is None:
            raise ValueError(f"association {association.name} names an unknown entity set")
        element = ET.SubElement(
            parent, _edm("Association"), {"Name": association.name, _sap("content-version"): "1"}
        )
        from_role = f"FromRole_{association.name}"
        to_role = f"ToRole_{association.name}"
        ET.SubElement(
            element,
            _edm("End"),
            {
                "Type": f"{schema.namespace}.{principal.name}",
                "Multiplicity": "1",
                "Role": from_role,
            },
        )
        ET.SubElement(
            element,
            _edm("End"),
            {
                "Type": f"{schema.namespace}.{dependent.name}",
                "Multiplicity": "*" if association.dependent_many else "0..1",
                "Role": to_role,
            },
        )
        constraint = ET.SubElement(element, _edm("ReferentialConstraint"))
        for role_tag, role in (("Principal", from_role), ("Dependent", to_role)):
            role_element = ET.SubElement(constraint, _edm(role_tag), {"Role": role})
            for name in association.keys:
                ET.SubElement(role_element, _edm("PropertyRef"), {"Name": name})


def _container(schema: Schema, parent: ET.Element) -> None:
    container = ET.SubElement(
        parent,
        _edm("EntityContainer"),
        {
            "Name": schema.container,
            f"{{{METADATA_NS}}}IsDefaultEntityContainer": "true",
            _sap("supported-formats"): "atom json xlsx",
        },
    )
    for entity_type in schema.entity_types:
        attributes = {
            "Name": entity_type.entity_set,
            "EntityType": f"{schema.namespace}.{entity_type.name}",
        }
        if not entity_type.deletable:
            attributes[_sap("deletable")] = "false"
        attributes[_sap("content-version")] = "1"
        ET.SubElement(container, _edm("EntitySet"), attributes)
    for association in schema.associations:
        element = ET.SubElement(
            container,
            _edm("AssociationSet"),
            {
                "Name": association.name,
                "Association": f"{schema.namespace}.{association.name}",
                _sap("creatable"): "false",
                _sap("updatable"): "false",
                _sap("deletable"): "false",
                _sap("content-version"): "1",
            },
        )
        for entity_set, role in (
            (association.principal_set, f"FromRole_{association.name}"),
            (association.dependent_set, f"ToRole_{association.name}"),
        ):
            ET.SubElement(element, _edm("End"), {"EntitySet": entity_set, "Role": role})
    for function in schema.function_imports:
        attributes = {
            "Name": function.name,
            "ReturnType": f"{schema.namespace}.{function.return_type}",
            "EntitySet": function.entity_set,
            f"{{{METADATA_NS}}}HttpMethod": function.http_method,
        }
        if function.action_for:
            attributes[_sap("action-for")] = f"{schema.namespace}.{function.action_for}"
        element = ET.SubElement(container, _edm("FunctionImport"), attributes)
        for parameter in function.parameters:
            parameter_attributes = _property_attributes(parameter)
            parameter_attributes.pop(_sap("creatable"), None)
            parameter_attributes.pop(_sap("updatable"), None)
            parameter_attributes["Mode"] = "In"
            ET.SubElement(element, _edm("Parameter"), parameter_attributes)


def render_metadata(schema: Schema) -> bytes:
    """Render the EDMX document that ``$metadata`` returns."""
    root = ET.Element(f"{{{EDMX_NS}}}Edmx", {"Version": "1.0"})
    services = ET.SubElement(
        root, f"{{{EDMX_NS}}}DataServices", {f"{{{METADATA_NS}}}DataServiceVersion": "2.0"}
    )
    schema_element = ET.SubElement(
        services,
        _edm("Schema"),
        {
            "Namespace": schema.namespace,
            "{http://www.w3.org/XML/1998/namespace}lang": "en",
            _sap("schema-version"): "1",
        },
    )
    for entity_type in schema.entity_types:
        _entity_type(schema, schema_element, entity_type)
    _associations(schema, schema_element)
    _container(schema, schema_element)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def render_service_document_xml(schema: Schema, service_url: str) -> bytes:
    """Render the AtomPub service document that SAP returns without a JSON request."""
    root = ET.Element(
        f"{{{APP_NS}}}service", {"{http://www.w3.org/XML/1998/namespace}base": service_url + "/"}
    )
    workspace = ET.SubElement(root, f"{{{APP_NS}}}workspace")
    ET.SubElement(workspace, f"{{{ATOM_NS}}}title").text = "Data"
    for entity_type in schema.entity_types:
        collection = ET.SubElement(
            workspace, f"{{{APP_NS}}}collection", {"href": entity_type.entity_set}
        )
        ET.SubElement(collection, f"{{{ATOM_NS}}}title").text = entity_type.entity_set
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
