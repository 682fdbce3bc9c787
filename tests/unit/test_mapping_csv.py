"""Mapping CSV import and export: every invalid row named by line, all or nothing."""

from __future__ import annotations

import io

import pytest

from monitron_sap.assets.csv_io import (
    COLUMNS,
    MappingFileError,
    read_mapping_text,
    write_mapping_csv,
)
from monitron_sap.assets.model import WILDCARD

HEADER = "project,site,asset,position,technical_object,technical_object_kind,notification_type"


def test_valid_file_parsed() -> None:
    text = (
        HEADER + ",priority_alarm\n"
        "Northwind Bottling,Plant Hamburg,Pump P-101,,10000101,EAMS_EQUI,M2,2\n"
        ",Plant Porto,,,1020-PORTO-PROD,EAMS_FL,M2,\n"
    )
    entries = read_mapping_text(text, "m.csv")
    assert len(entries) == 2
    assert entries[0].position == WILDCARD
    assert entries[0].priority_alarm == "2"
    assert entries[1].project == WILDCARD
    assert entries[1].technical_object_kind == "EAMS_FL"


def test_every_bad_row_reported_with_line() -> None:
    text = (
        HEADER + "\n"
        "P,Plant Hamburg,Pump P-101,,10000101,EAMS_EQUI,M2\n"  # line 2: fine
        "P,Plant Hamburg,Fan F-201,,10000201,EQUIPMENT,M2\n"  # line 3: bad kind
        "P,Plant Hamburg,Fan F-202,,,EAMS_EQUI,M2\n"  # line 4: no technical object
        "P,,,,10000301,EAMS_EQUI,M2\n"  # line 5: no site
        "P,Plant Hamburg,Pump P-101,,10000999,EAMS_EQUI,M2\n"  # line 6: duplicate of line 2
        "P,Plant Hamburg,Fan F-203,,10000203,EAMS_EQUI,M234\n"  # line 7: type too long
    )
    with pytest.raises(MappingFileError) as caught:
        read_mapping_text(text, "m.csv")
    lines = [problem.line for problem in caught.value.problems]
    assert lines == [3, 4, 5, 6, 7]
    message = str(caught.value)
    assert "m.csv:3: technical_object_kind 'EQUIPMENT' is invalid" in message
    assert "m.csv:4: technical_object is empty" in message
    assert "m.csv:6: duplicates the entry on line 2" in message
    assert "nothing was imported" in message


def test_unknown_column_rejected() -> None:
    with pytest.raises(MappingFileError) as caught:
        read_mapping_text(HEADER + ",colour\n", "m.csv")
    assert caught.value.problems[0].line == 1
    assert "colour" in caught.value.problems[0].message


def test_missing_required_column_rejected() -> None:
    with pytest.raises(MappingFileError) as caught:
        read_mapping_text("site,technical_object\nX,1\n", "m.csv")
    assert "technical_object_kind" in caught.value.problems[0].message


def test_empty_file_rejected() -> None:
    with pytest.raises(MappingFileError) as caught:
        read_mapping_text("", "m.csv")
    assert "empty" in caught.value.problems[0].message


def test_extra_field_rejected() -> None:
    text = HEADER + "\nP,S,A,,1,EAMS_EQUI,M2,surplus\n"
    with pytest.raises(MappingFileError) as caught:
        read_mapping_text(text, "m.csv")
    assert caught.value.problems[0].line == 2


def test_position_without_asset_rejected() -> None:
    text = HEADER + "\nP,S,,Motor DE,1,EAMS_EQUI,M2\n"
    with pytest.raises(MappingFileError) as caught:
        read_mapping_text(text, "m.csv")
    assert "name the asset" in caught.value.problems[0].message


def test_blank_lines_ignored() -> None:
    text = HEADER + "\n\nP,S,A,,1,EAMS_EQUI,M2\n,,,,,,\n"
    assert len(read_mapping_text(text, "m.csv")) == 1


def test_export_then_import_round_trip() -> None:
    text = (
        "asset_position_id,sensor_id,site,technical_object,technical_object_kind,"
        "notification_type,planner_group\n"
        "pos-1,,,10000101,EAMS_EQUI,M2,100\n"
        ",a1b2,,10000102,EAMS_EQUI,M2,\n"
        ",,Plant Porto,1020-PORTO-PROD,EAMS_FL,M1,200\n"
    )
    entries = read_mapping_text(text, "in.csv")
    out = io.StringIO()
    assert write_mapping_csv(entries, out) == 3
    assert out.getvalue().splitlines()[0] == ",".join(COLUMNS)
    assert read_mapping_text(out.getvalue(), "out.csv") == entries


def test_csv_reader_error_reported_with_line() -> None:
    text = HEADER + "\nP,Plant Hamburg,Pump P-101,,10000101,EAMS_EQUI,M2\n" + "P," + "x" * 140_000
    with pytest.raises(MappingFileError) as raised:
        read_mapping_text(text + ",Pump,,1,EAMS_EQUI,M2\nP,S,A,,2,EAMS_EQUI,M2\n", "m.csv")
    problems = raised.value.problems
    assert [problem.line for problem in problems] == [3]
    assert problems[0].message.startswith("is not valid CSV (field larger than field limit")


def test_rows_counted_once_with_several_problems() -> None:
    text = HEADER + "\nP,Plant Hamburg,Fan F-201,,,EQUIPMENT,M2\n"
    with pytest.raises(MappingFileError) as raised:
        read_mapping_text(text, "m.csv")
    assert len(raised.value.problems) == 2
    assert "has 1 invalid row(s)" in str(raised.value)


@pytest.mark.parametrize(("separator", "shown"), [(";", "';'"), ("\t", "a tab")])
def test_other_separator_gets_a_hint(separator: str, shown: str) -> None:
    text = HEADER.replace(",", separator) + "\n" + "P;S;A;;1;EAMS_EQUI;M2\n"
    with pytest.raises(MappingFileError) as raised:
        read_mapping_text(text, "m.csv")
    (problem,) = raised.value.problems
    assert problem.line == 1
    assert problem.message.startswith(f"the header is one column with {shown} in it;")
