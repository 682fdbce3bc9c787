"""Map a Monitron closure code to SAP catalog codes: damage, cause and activity of one item.

When a Monitron user closes an issue, the closure code carries a failure mode, a failure cause
and the action taken. A ``ClosureCatalog`` maps each value to a code group and code of the
plant's SAP catalogs (damage, cause, activity), and ``plan_closure`` turns a closure code into
a ``ClosurePlan``: the texts and codes of one notification item. The plan is SAP-neutral: the
caller turns it into an item with a cause and an activity. A value without a mapping gets no
code but is kept as text in the item, and every value, mapped or not, is listed in
``ClosurePlan.summary``.

The catalog is loaded from a TOML table; see ``closure_catalog_from_table`` for its layout.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from monitron_sap.errors import ConfigurationError
from monitron_sap.events.model import ClosureCode

# Documented values of closureCode in the Monitron export. Other values are kept as text.
FAILURE_MODES: Final = (
    "NO_ISSUE",
    "BLOCKAGE",
    "CAVITATION",
    "CORROSION",
    "DEPOSIT",
    "IMBALANCE",
    "LUBRICATION",
    "MISALIGNMENT",
    "OTHER",
    "RESONANCE",
    "ROTATING_LOOSENESS",
    "STRUCTURAL_LOOSENESS",
    "TRANSMITTED_FAULT",
    "UNDETERMINED",
)
FAILURE_CAUSES: Final = (
    "ADMINISTRATION",
    "DESIGN",
    "FABRICATION",
    "MAINTENANCE",
    "OPERATION",
    "OTHER",
    "QUALITY",
    "UNDETERMINED",
    "WEAR",
)
ACTIONS_TAKEN: Final = (
    "ADJUST",
    "CLEAN",
    "LUBRICATE",
    "MODIFY",
    "NO_ACTION",
    "OTHER",
    "OVERHAUL",
    "REPLACE",
)

# Field lengths of SAP's notification item, cause and activity entities.
CODE_GROUP_MAX: Final = 8
CODE_MAX: Final = 4
ITEM_TEXT_MAX: Final = 40

# Item text when the closure code has no failure mode.
DEFAULT_ITEM_TEXT: Final = "Closed in Monitron"

# Code groups of the default catalog. A plant that uses it creates these groups in its
# catalogs (damage, cause, activity) with the codes listed in DEFAULT_*_CODES.
DEFAULT_DAMAGE_GROUP: Final = "MON-DMG"
DEFAULT_CAUSE_GROUP: Final = "MON-CAU"
DEFAULT_ACTIVITY_GROUP: Final = "MON-ACT"
DEFAULT_DAMAGE_CODES: Final = MappingProxyType(
    {value: f"D{number:03d}" for number, value in enumerate(FAILURE_MODES, start=1)}
)
DEFAULT_CAUSE_CODES: Final = MappingProxyType(
    {value: f"C{number:03d}" for number, value in enumerate(FAILURE_CAUSES, start=1)}
)
DEFAULT_ACTIVITY_CODES: Final = MappingProxyType(
    {value: f"A{number:03d}" for number, value in enumerate(ACTIONS_TAKEN, start=1)}
)

# TOML keys of a catalog table: Monitron field -> (catalog kind, documented values).
_SECTIONS: Final = {
    "failure_mode": ("damage", FAILURE_MODES),
    "failure_cause": ("cause", FAILURE_CAUSES),
    "action_taken": ("activity", ACTIONS_TAKEN),
}
_GROUP_KEYS: Final = {
    "damage_code_group": "damage",
    "cause_code_group": "cause",
    "activity_code_group": "activity",
}
_TOP_LEVEL_KEYS: Final = {*_SECTIONS, *_GROUP_KEYS, "object_part", "include_defaults"}


@dataclass(frozen=True, slots=True)
class CatalogCode:
    """A code of an SAP catalog: the code group (at most 8 characters) and the code (at most 4)."""

    group: str
    code: str

    def __post_init__(self) -> None:
        if not self.group or len(self.group) > CODE_GROUP_MAX:
            raise ValueError(
                f"code group {self.group!r} must have 1 to {CODE_GROUP_MAX} characters"
            )
        if not self.code or len(self.code) > CODE_MAX:
            raise ValueError(f"code {self.code!r} must have 1 to {CODE_MAX} characters")

    def __str__(self) -> str:
        return f"{self.group}/{self.code}"


@dataclass(frozen=True, slots=True)
class ClosureCatalog:
    """Mappings from Monitron closure values to catalog codes.

    ``object_part``, when set, is sent on every item, because Monitron has no object part.
    """

    damage: Mapping[str, CatalogCode] = field(default_factory=dict)
    cause: Mapping[str, CatalogCode] = field(default_factory=dict)
    activity: Mapping[str, CatalogCode] = field(default_factory=dict)
    object_part: CatalogCode | None = None


@dataclass(frozen=True, slots=True)
class ClosurePlan:
    """The item, cause and activity to add to a notification when Monitron closes its issue.

    The item has ``item_text`` and optional object part and damage codes. The cause
    (``cause_text``, ``cause``) is present when the failure cause is known, and the activity
    (``activity_text``, ``activity``) when the action taken is known. A text is set even
    when its code is missing. ``unmapped`` lists ``field=value`` for every value that had no
    code, and ``summary`` describes all values for the notification's long text.
    """

    item_text: str
    object_part: CatalogCode | None
    damage: CatalogCode | None
    cause_text: str | None
    cause: CatalogCode | None
    activity_text: str | None
    activity: CatalogCode | None
    unmapped: tuple[str, ...]
    summary: str

    @property
    def has_cause(self) -> bool:
        """True when the plan has a cause to add to the item."""
        return self.cause_text is not None

    @property
    def has_activity(self) -> bool:
        """True when the plan has an activity to add to the item."""
        return self.activity_text is not None


def default_closure_catalog() -> ClosureCatalog:
    """Return the documented default catalog: one code per documented value, in three groups."""
    return ClosureCatalog(
        damage=_codes(DEFAULT_DAMAGE_GROUP, DEFAULT_DAMAGE_CODES),
        cause=_codes(DEFAULT_CAUSE_GROUP, DEFAULT_CAUSE_CODES),
        activity=_codes(DEFAULT_ACTIVITY_GROUP, DEFAULT_ACTIVITY_CODES),
    )


def plan_closure(closure: ClosureCode, catalog: ClosureCatalog) -> ClosurePlan:
    """Map a closure code to item, cause and activity texts and codes.

    Values are matched after stripping spaces and converting to upper case. A value the
    catalog does not map, including a value Monitron does not document, is kept as its text.
    """
    failure_mode = _normalized(closure.failure_mode)
    failure_cause = _normalized(closure.failure_cause)
    action_taken = _normalized(closure.action_taken)

    damage = catalog.damage.get(failure_mode) if failure_mode else None
    cause = catalog.cause.get(failure_cause) if failure_cause else None
    activity = catalog.activity.get(action_taken) if action_taken else None

    unmapped = tuple(
        f"{name}={value}"
        for name, value, code in (
            ("failureMode", failure_mode, damage),
            ("failureCause", failure_cause, cause),
            ("actionTaken", action_taken, activity),
        )
        if value and code is None
    )

    item_text = _label(failure_mode) if failure_mode else DEFAULT_ITEM_TEXT
    return ClosurePlan(
        item_text=item_text[:ITEM_TEXT_MAX],
        object_part=catalog.object_part,
        damage=damage,
        cause_text=_label(failure_cause)[:ITEM_TEXT_MAX] if failure_cause else None,
        cause=cause,
        activity_text=_label(action_taken)[:ITEM_TEXT_MAX] if action_taken else None,
        activity=activity,
        unmapped=unmapped,
        summary=_summary(
            closure, failure_mode, failure_cause, action_taken, damage, cause, activity
        ),
    )


def load_closure_catalog(path: Path) -> ClosureCatalog:
    """Load a catalog from a TOML file whose ``[closure]`` table has the layout of
    ``closure_catalog_from_table``. Raise ``ConfigurationError`` naming the file and key."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as error:
        raise ConfigurationError(f"failed to read closure catalog {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"closure catalog {path} is not valid TOML: {error}") from error

    table = document.get("closure")
    if not isinstance(table, dict):
        raise ConfigurationError(f"closure catalog {path}: missing [closure] table")
    return closure_catalog_from_table(table, source=f"{path} [closure]")


def closure_catalog_from_table(table: Mapping[str, Any], *, source: str) -> ClosureCatalog:
    """Build a catalog from a TOML table; ``source`` names the table in error messages.

    Layout of the table, every key optional (in a file the sections are ``[closure.failure_mode]``
    and so on)::

        include_defaults = false        # start from the default catalog, then override
        damage_code_group = "YB-PMME1"  # group of entries given as a bare code
        cause_code_group = "YB-PMME1"
        activity_code_group = "YB-PMAC1"
        object_part = { group = "YB-PMME1", code = "ME00" }

        [failure_mode]                  # Monitron failureMode -> damage code
        MISALIGNMENT = "ME01"
        IMBALANCE = { group = "YB-VIB", code = "V002" }

        [failure_cause]                 # failureCause -> cause code
        WEAR = "ME03"

        [action_taken]                  # actionTaken -> activity code
        ADJUST = "0001"

    Keys under the three sections must be documented Monitron values, so a typo is reported
    instead of never matching. Values left out have no code and are kept as text.
    """
    unknown = sorted(set(table) - _TOP_LEVEL_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_TOP_LEVEL_KEYS))
        raise ConfigurationError(f"{source}: unknown key {unknown[0]!r}; allowed keys: {allowed}")

    include_defaults = table.get("include_defaults", False)
    if not isinstance(include_defaults, bool):
        raise ConfigurationError(
            f"{source}.include_defaults: expected true or false, got {include_defaults!r}"
        )
    base = default_closure_catalog() if include_defaults else ClosureCatalog()
    mappings: dict[str, dict[str, CatalogCode]] = {
        "damage": dict(base.damage),
        "cause": dict(base.cause),
        "activity": dict(base.activity),
    }

    for section, (kind, documented) in _SECTIONS.items():
        entries = table.get(section, {})
        if not isinstance(entries, dict):
            raise ConfigurationError(f"{source}.{section}: expected a table of codes")
        group_key = f"{kind}_code_group"
        default_group = _optional_string(table, group_key, source)
        for value, entry in entries.items():
            where = f"{source}.{section}.{value}"
            if value not in documented:
                raise ConfigurationError(
                    f"{where}: {value!r} is not a Monitron value; expected one of "
                    f"{', '.join(documented)}"
                )
            mappings[kind][value] = _catalog_code(entry, default_group, group_key, where)

    object_part = base.object_part
    if "object_part" in table:
        object_part = _catalog_code(table["object_part"], None, None, f"{source}.object_part")

    return ClosureCatalog(
        damage=MappingProxyType(mappings["damage"]),
        cause=MappingProxyType(mappings["cause"]),
        activity=MappingProxyType(mappings["activity"]),
        object_part=object_part,
    )


def _catalog_code(
    entry: Any, default_group: str | None, group_key: str | None, where: str
) -> CatalogCode:
    if isinstance(entry, str):
        if default_group is None:
            hint = f"set {group_key} or write" if group_key else "write"
            raise ConfigurationError(
                f"{where}: code {entry!r} has no group; "
                f'{hint} {{ group = "...", code = "{entry}" }}'
            )
        group, code = default_group, entry
    elif isinstance(entry, dict) and set(entry) == {"group", "code"}:
        group, code = entry["group"], entry["code"]
    else:
        raise ConfigurationError(
            f'{where}: expected a code string or {{ group = "...", code = "..." }}, got {entry!r}'
        )

    if not isinstance(group, str) or not isinstance(code, str):
        raise ConfigurationError(f"{where}: group and code must be strings, got {entry!r}")
    try:
        return CatalogCode(group=group, code=code)
    except ValueError as error:
        raise ConfigurationError(f"{where}: {error}") from error


def _optional_string(table: Mapping[str, Any], key: str, source: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigurationError(f"{source}.{key}: expected a string, got {value!r}")
    return value


def _codes(group: str, codes: Mapping[str, str]) -> Mapping[str, CatalogCode]:
    return MappingProxyType({value: CatalogCode(group, code) for value, code in codes.items()})


def _normalized(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip().upper()
    return stripped or None


def _label(value: str) -> str:
    """Return ``ROTATING_LOOSENESS`` as ``Rotating looseness``."""
    return value.replace("_", " ").capitalize()


def _summary(
    closure: ClosureCode,
    failure_mode: str | None,
    failure_cause: str | None,
    action_taken: str | None,
    damage: CatalogCode | None,
    cause: CatalogCode | None,
    activity: CatalogCode | None,
) -> str:
    parts = [
        _describe("failure mode", failure_mode, damage),
        _describe("failure cause", failure_cause, cause),
        _describe("action taken", action_taken, activity),
    ]
    summary = "Closed in Monitron: " + "; ".join(parts)
    if closure.resolved_models:
        summary += "; resolved models: " + ", ".join(closure.resolved_models)
    return summary + "."


def _describe(name: str, value: str | None, code: CatalogCode | None) -> str:
    if value is None:
        return f"{name} not given"
    if code is None:
        return f"{name} {value} (no catalog code)"
    return f"{name} {value} (code {code})"
