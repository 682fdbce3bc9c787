"""Read and write the asset mapping as CSV.

The header row names the columns (in any order). ``technical_object``, ``technical_object_kind``
and ``notification_type`` are required, every other column may be left out or empty. A file is
accepted whole or not at all: ``read_mapping_csv`` collects every invalid row with its line number
and raises one ``MappingFileError`` listing them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, TextIO

from monitron_sap.assets.model import WILDCARD, MappingEntry
from monitron_sap.errors import ConfigurationError

COLUMNS: Final = (
    "project",
    "site",
    "asset",
    "position",
    "asset_position_id",
    "sensor_id",
    "technical_object",
    "technical_object_kind",
    "notification_type",
    "warning_notification_type",
    "priority_alarm",
    "priority_needs_maintenance",
    "priority_warning",
    "planning_plant",
    "planner_group",
    "main_work_center",
    "main_work_center_plant",
)
REQUIRED_COLUMNS: Final = ("technical_object", "technical_object_kind", "notification_type")
TECHNICAL_OBJECT_KINDS: Final = ("EAMS_EQUI", "EAMS_FL")

# Field lengths of SAP's API_MAINTNOTIFICATION entity MaintenanceNotification.
MAX_LENGTHS: Final = {
    "technical_object": 40,
    "notification_type": 2,
    "warning_notification_type": 2,
    "priority_alarm": 1,
    "priority_needs_maintenance": 1,
    "priority_warning": 1,
    "planning_plant": 4,
    "planner_group": 3,
    "main_work_center": 8,
    "main_work_center_plant": 4,
}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One invalid row: its line number in the file and what is wrong with it."""

    line: int
    message: str


class MappingFileError(ConfigurationError):
    """A mapping file has invalid rows; nothing from it was imported."""

    def __init__(self, source: str, problems: Sequence[RowProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listed = "\n".join(f"  {source}:{p.line}: {p.message}" for p in self.problems)
        rows = len({problem.line for problem in self.problems})
        super().__init__(
            f"mapping file {source} has {rows} invalid row(s); "
            f"nothing was imported. Fix these rows and import again:\n{listed}"
        )


def read_mapping_csv(stream: TextIO, source: str) -> list[MappingEntry]:
    """Parse a mapping CSV; raise ``MappingFileError`` naming every invalid row."""
    reader = csv.DictReader(stream)
    try:
        header = reader.fieldnames
    except csv.Error as error:
        raise MappingFileError(source, [_csv_problem(reader, error)]) from error
    if not header:
        raise MappingFileError(source, [RowProblem(1, "the file is empty; expected a header row")])
    header_problems = _check_header([name.strip() for name in header])
    if header_problems:
        raise MappingFileError(source, [RowProblem(1, message) for message in header_problems])

    entries: list[MappingEntry] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    for row in _rows_until_csv_error(reader, problems):
        line = reader.line_num
        values = {
            (name or "").strip(): (value or "").strip()
            for name, value in row.items()
            if name is not None
        }
        if None in row:
            problems.append(RowProblem(line, f"has more fields than the header ({len(header)})"))
            continue
        if not any(values.values()):
            continue
        entry, messages = _parse_row(values)
        problems.extend(RowProblem(line, message) for message in messages)
        if entry is None:
            continue
        if entry.key in first_line:
            problems.append(
                RowProblem(line, f"duplicates the entry on line {first_line[entry.key]}")
            )
            continue
        first_line[entry.key] = line
        entries.append(entry)
    if problems:
        raise MappingFileError(source, problems)
    return entries


def _rows_until_csv_error(
    reader: csv.DictReader[str], problems: list[RowProblem]
) -> Iterator[dict[str, str]]:
    """Yield the rows of ``reader`` up to one that Python's CSV reader rejects.

    That row is added to ``problems`` and ends the rows, because the CSV reader cannot go on
    after it.
    """
    try:
        yield from reader
    except csv.Error as error:
        problems.append(_csv_problem(reader, error))


def _csv_problem(reader: csv.DictReader[str], error: csv.Error) -> RowProblem:
    """Describe a row that Python's CSV reader rejects, such as a field over its size limit."""
    # DictReader.line_num is updated only after a row is read; its inner reader's is current.
    return RowProblem(
        reader.reader.line_num, f"is not valid CSV ({error}); the rows after it were not checked"
    )


def decode_mapping_bytes(data: bytes, source: str) -> str:
    """Decode a mapping file as UTF-8 (with or without a byte order mark).

    Raises ``MappingFileError`` naming the line and column of the first byte that is not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start]
        message = (
            f"byte 0x{byte:02x} at column {column} is not UTF-8; save the file as UTF-8 "
            "(in Excel: 'CSV UTF-8 (Comma delimited)') and import it again"
        )
        raise MappingFileError(source, [RowProblem(line, message)]) from error


def read_mapping_text(text: str, source: str) -> list[MappingEntry]:
    """Parse mapping CSV text; see ``read_mapping_csv``."""
    return read_mapping_csv(io.StringIO(text), source)


def write_mapping_csv(entries: Iterable[MappingEntry], stream: TextIO) -> int:
    """Write ``entries`` as CSV with every column; return the number of rows written."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for entry in entries:
        row = {name: getattr(entry, name) or "" for name in COLUMNS}
        writer.writerow(row)
        count += 1
    return count


def _check_header(names: list[str]) -> list[str]:
    if len(names) == 1:
        separator = next((mark for mark in (";", "\t", "|") if mark in names[0]), None)
        if separator is not None:
            separator_name = "a tab" if separator == "\t" else repr(separator)
            return [
                f"the header is one column with {separator_name} in it; columns must be "
                "separated by commas (in Excel: save as 'CSV UTF-8 (Comma delimited)')"
            ]
    messages = []
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        messages.append(
            f"unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        messages.append(f"missing required column(s) {', '.join(missing)}")
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        messages.append(f"column(s) {', '.join(duplicated)} appear more than once")
    return messages


def _parse_row(values: dict[str, str]) -> tuple[MappingEntry | None, list[str]]:
    messages: list[str] = []
    for name in REQUIRED_COLUMNS:
        if not values.get(name):
            messages.append(f"{name} is empty; it is required")
    for name, limit in MAX_LENGTHS.items():
        value = values.get(name, "")
        if len(value) > limit:
            messages.append(f"{name} {value!r} is longer than {limit} characters")
    kind = values.get("technical_object_kind", "")
    if kind and kind not in TECHNICAL_OBJECT_KINDS:
        messages.append(
            f"technical_object_kind {kind!r} is invalid; expected "
            f"{' or '.join(TECHNICAL_OBJECT_KINDS)} (equipment or functional location)"
        )
    messages.extend(_check_match_columns(values))
    if messages:
        return None, messages

    def optional(name: str) -> str | None:
        return values.get(name) or None

    entry = MappingEntry(
        technical_object=values["technical_object"],
        technical_object_kind=values["technical_object_kind"],
        notification_type=values["notification_type"],
        project=values.get("project") or WILDCARD,
        site=values.get("site") or WILDCARD,
        asset=values.get("asset") or WILDCARD,
        position=values.get("position") or WILDCARD,
        asset_position_id=optional("asset_position_id"),
        sensor_id=optional("sensor_id"),
        warning_notification_type=optional("warning_notification_type"),
        priority_alarm=optional("priority_alarm"),
        priority_needs_maintenance=optional("priority_needs_maintenance"),
        priority_warning=optional("priority_warning"),
        planning_plant=optional("planning_plant"),
        planner_group=optional("planner_group"),
        main_work_center=optional("main_work_center"),
        main_work_center_plant=optional("main_work_center_plant"),
    )
    return entry, []


def _check_match_columns(values: dict[str, str]) -> list[str]:
    """Check that a row names the positions it matches."""
    if values.get("asset_position_id") or values.get("sensor_id"):
        return []
    site = values.get("site") or WILDCARD
    asset = values.get("asset") or WILDCARD
    position = values.get("position") or WILDCARD
    if site == WILDCARD:
        return ["site is empty or '*'; a row needs a site, an asset_position_id or a sensor_id"]
    if asset == WILDCARD and position != WILDCARD:
        return [f"position {position!r} is set but asset is '*'; name the asset too"]
    return []
