"""Reading the stack configuration file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from monitron_sap_infra.config import ConfigError, load_config, parse_config

from tests.infra.support import INFRA_DIR

VALID: dict[str, Any] = {
    "env": {"account": "123456789012", "region": "eu-central-1"},
    "stackName": "monitron-sap",
    "sapenv": {
        "SAP_AUTH_SECRET": "arn:aws:secretsmanager:eu-central-1:123456789012:secret:sap-AbC123",
        "SAP_HOST_NAME": "s4.example.com",
        "SAP_PORT": "443",
        "SAP_PROTOCOL": "https",
    },
    "ddbtablename": "mapping",
    "s3": {"bucketname": "bucket", "equipment": "CAM-01", "inferencefolder": ""},
    "lambdaTimeout": 900,
}


def test_original_keys() -> None:
    config = parse_config(VALID)

    assert config.bucket_name == "bucket"
    assert config.prefix == ""
    assert config.mapping_table_name == "mapping"
    assert config.lambda_timeout_seconds == 900
    assert config.equipment == "CAM-01"
    assert config.trigger == "s3-notification"
    assert config.vpc_id is None


def test_subnet_list_accepted() -> None:
    config = parse_config({**VALID, "vpcId": "vpc-1", "subnet": ["subnet-1", "subnet-2"]})

    assert config.subnet_ids == ("subnet-1", "subnet-2")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lambdaTimeout": 901}, "lambdaTimeout 901 must be between 1 and 900"),
        ({"vpcId": "vpc-1"}, "subnet is missing"),
        ({"trigger": "lambda"}, "trigger 'lambda' must be one of"),
        ({"sapenv": {"SAP_HOST_NAME": "h"}}, "sapenv.SAP_AUTH_SECRET must be the ARN"),
        ({"s3": {}}, "s3.bucketname is missing"),
        ({"env": {"account": "1", "region": "eu-central-1"}}, "env.account '1' is invalid"),
        ({"kinesisStreamArn": "stream"}, "kinesisStreamArn 'stream' is not"),
        ({"reservedConcurrency": 1}, "reservedConcurrency 1 must be between 2"),
        (
            {"sapenv": {"SAP_AUTH_SECRET": VALID["sapenv"]["SAP_AUTH_SECRET"]}},
            "sapenv.SAP_HOST_NAME (or sapenv.MONITRON_SAP_SAP_BASE_URL) is missing",
        ),
    ],
)
def test_invalid_configuration(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({**VALID, **change}, source="my/appConfig.json")

    assert message in str(raised.value)
    assert str(raised.value).startswith("my/appConfig.json: ")


def test_invalid_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "appConfig.json"
    path.write_text('{\n  "env": {,\n}')

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    assert f"{path}:2:" in str(raised.value)


def test_example_config_is_valid() -> None:
    config = load_config(INFRA_DIR / "appConfig.example.json")

    assert config.prefix == "project=Plant A/"
    assert json.loads((INFRA_DIR / "appConfig.example.json").read_text())["trigger"] == (
        "s3-notification"
    )
