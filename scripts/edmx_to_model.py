"""Print emulator model source for the entity types of an OData V2 ``$metadata`` file.

Developer aid: the output is a starting point for ``monitron_sap/emulator/maintnotification.py``,
which is then edited and kept as our own code. Usage::

    python scripts/edmx_to_model.py METADATA.edmx [EntityTypeName ...]
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET

EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
SAP = "{http://www.sap.com/Protocols/SAPData}"

HELPERS = {
    "Edm.String": "string",
    "Edm.Boolean": "boolean",
    "Edm.DateTime": "date",
    "Edm.DateTimeOffset": "timestamp",
    "Edm.Time": "time",
    "Edm.Double": "double",
    "Edm.Int32": "int32",
    "Edm.Decimal": "decimal",
}


def property_source(element: ET.Element) -> str:
    """Return one model line for a ``<Property>`` element."""
    name = element.get("Name", "")
    helper = HELPERS[element.get("Type", "")]
    arguments = [repr(name)]
    if element.get("MaxLength"):
        arguments.append(element.get("MaxLength", ""))
    elif helper == "string":
        arguments.append("None")
    creatable = element.get(f"{SAP}creatable", "true") == "true"
    updatable = element.get(f"{SAP}updatable", "true") == "true"
    if not creatable and not updatable:
        arguments.append("READ_ONLY")
    elif not updatable:
        arguments.append("CREATE_ONLY")
    elif not creatable:
        arguments.append("UPDATE_ONLY")
    if element.get("Nullable") == "false":
        arguments.append("nullable=False")
    if element.get(f"{SAP}display-format") == "UpperCase":
        arguments.append("upper=True")
    return f"    {helper}({', '.join(arguments)}),".replace("'", '"')


def main(argv: list[str]) -> int:
    """Print the model lines of the requested entity types (all when none is named)."""
    root = ET.parse(argv[1]).getroot()  # noqa: S314 - a metadata file the developer chose
    requested = set(argv[2:])
    for entity_type in root.iter(f"{EDM}EntityType"):
        name = entity_type.get("Name", "")
        if requested and name not in requested:
            continue
        keys = [ref.get("Name") for ref in entity_type.iter(f"{EDM}PropertyRef")]
        print(f"# {name}: keys {keys}")
        print(f"{name.upper()}_PROPERTIES = (")
        for element in entity_type.findall(f"{EDM}Property"):
            print(property_source(element))
        print(")")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
