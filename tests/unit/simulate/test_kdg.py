"""Kinesis Data Generator templates: helpers, errors with positions, the original template."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.kdg import parse_template, render_template, render_template_file
from tests.support import shared_path

START = datetime(2026, 1, 5, 8, 30, 15, 250000, tzinfo=UTC)


def render_one(text: str, seed: int = 0) -> str:
    records = list(render_template(text, count=1, seed=seed, start=START))
    raw = records[0].raw
    assert raw is not None
    return raw.decode("utf-8")


def test_date_now_default_is_moment_format() -> None:
    assert render_one("{{date.now}}") == "2026-01-05T08:30:15+00:00"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("YYYY-MM-DD HH:mm:ss.SSS", "2026-01-05 08:30:15.250"),
        ("YYYY-MM-DD hh:mm:ss A", "2026-01-05 08:30:15 AM"),
        ("X", "1767601815"),
        ("[Day] D/M/YY", "Day 5/1/26"),
    ],
)
def test_date_now_formats(pattern: str, expected: str) -> None:
    assert render_one(f'{{{{date.now("{pattern}")}}}}') == expected


def test_date_now_advances_per_record() -> None:
    records = list(render_template("{{date.now}}", count=3, start=START, interval_seconds=2.0))
    assert [r.raw for r in records] == [
        b"2026-01-05T08:30:15+00:00",
        b"2026-01-05T08:30:17+00:00",
        b"2026-01-05T08:30:19+00:00",
    ]


def test_random_number_multiline_min_max() -> None:
    text = '{{random.number(\n    {\n        "min":20,\n        "max":22\n    }\n)}}'
    values = {int(r.raw or b"") for r in render_template(text, count=200, start=START)}
    assert values == {20, 21, 22}


def test_random_number_maximum_only() -> None:
    values = {
        int(r.raw or b"") for r in render_template("{{random.number(2)}}", count=200, start=START)
    }
    assert values == {0, 1, 2}


def test_random_number_precision() -> None:
    text = '{{random.number({"min":1,"max":2,"precision":0.25})}}'
    values = {(r.raw or b"").decode() for r in render_template(text, count=300, start=START)}
    assert values == {"1", "1.25", "1.5", "1.75", "2"}


def test_array_element_and_others() -> None:
    text = (
        '{{random.arrayElement(["A", "B"])}}|{{random.uuid}}|{{random.boolean}}'
        "|{{random.alphaNumeric(6)}}"
    )
    element, identifier, flag, word = render_one(text).split("|")
    assert element in ("A", "B")
    assert uuid.UUID(identifier).version == 4
    assert flag in ("true", "false")
    assert re.fullmatch(r"[a-z0-9]{6}", word)


def test_same_seed_same_output() -> None:
    text = "{{random.number(1000)}} {{random.uuid}}"
    assert render_one(text, seed=3) == render_one(text, seed=3)
    assert render_one(text, seed=3) != render_one(text, seed=4)


def test_unsupported_helper_names_position() -> None:
    text = '{\n  "name": "{{name.firstName}}"\n}'
    with pytest.raises(ConfigurationError) as raised:
        parse_template(text, "t.json")
    message = str(raised.value)
    assert message.startswith("t.json:2:12: ")
    assert "name.firstName" in message


def test_invalid_argument_names_position() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_template("x\n {{random.number({min: 1})}}", "t.json")
    assert str(raised.value).startswith("t.json:2:2: invalid argument of random.number")


def test_unclosed_placeholder() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_template("{{random.uuid", "t.json")
    assert "not closed" in str(raised.value)


def test_bad_argument_type_names_position() -> None:
    with pytest.raises(ConfigurationError) as raised:
        list(
            render_template(
                'ab {{random.arrayElement("x")}}', count=1, start=START, source="t.json"
            )
        )
    assert str(raised.value).startswith("t.json:1:4: invalid arguments for random.arrayElement")


def test_original_template_renders_json() -> None:
    path = shared_path("samples/seed/kinesisdatatemplate.json")
    records = list(render_template_file(path, count=20, seed=1, start=START, interval_seconds=1.0))
    assert len(records) == 20
    for record in records:
        document = json.loads(record.encode())
        assert 233300 <= document["eventId"] <= 450000
        assert 20 <= document["measurement"]["features"]["temperature"] <= 150
        assert document["models"]["vibrationISO"]["isoClass"] in (
            "CLASS1",
            "CLASS2",
            "CLASS3",
            "CLASS4",
        )
        assert record.site == "1017"


def test_missing_template_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as raised:
        render_template_file(
            tmp_path / "none.json", count=1, seed=0, start=START, interval_seconds=1
        )
    assert "none.json" in str(raised.value)
