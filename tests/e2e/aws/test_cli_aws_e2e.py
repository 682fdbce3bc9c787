"""The command line's AWS paths in a subprocess: a backfill from S3 and a mapping import into
DynamoDB, against moto in server mode and the SAP emulator."""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest

from monitron_sap.emulator import DEMO_PASSWORD, DEMO_USER, EmulatorServer
from monitron_sap.store.dynamodb import DynamoMappingStore
from monitron_sap.store.dynamodb_common import create_mapping_table, make_dynamodb_client
from tests.e2e.conftest import DEMO_MAPPING, demo_mapping
from tests.e2e.records import v2_transition
from tests.e2e.test_cli_e2e import run_cli
from tests.moto_server import REGION, unique_name
from tests.support import REPO_ROOT


@pytest.fixture
def cli_env(tmp_path: Path, emulator: EmulatorServer, moto_endpoint: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MONITRON_SAP_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT / "src"),
        AWS_ENDPOINT_URL=moto_endpoint,
        MONITRON_SAP_DATA_DIR=str(tmp_path / "data"),
        MONITRON_SAP_SAP_BASE_URL=emulator.base_url,
        MONITRON_SAP_SAP_USER=DEMO_USER,
        MONITRON_SAP_SAP_PASSWORD=DEMO_PASSWORD,
        MONITRON_SAP_SAP_CLIENT="100",
        MONITRON_SAP_PIPELINE_BACKOFF_BASE_SECONDS="0",
        MONITRON_SAP_PIPELINE_MAX_ATTEMPTS="2",
    )
    return env


def test_process_s3_prefix(cli_env: dict[str, str], moto_endpoint: str) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name=REGION)
    bucket = unique_name("backfill")
    s3.create_bucket(Bucket=bucket)
    prefix = "project=Northwind Bottling/site=Plant Hamburg/"
    first = json.dumps(v2_transition("b1", "ALARM")) + "\n"
    second = json.dumps(v2_transition("b2", "HEALTHY", previous_state="ALARM")) + "\n"
    s3.put_object(Bucket=bucket, Key=f"{prefix}time=2026-01-06 00:00:00/a", Body=first.encode())
    s3.put_object(Bucket=bucket, Key=f"{prefix}time=2026-01-07 00:00:00/b", Body=second.encode())
    s3.put_object(Bucket=bucket, Key="other/c", Body=b"not json\n")
    assert run_cli(["mapping", "import", str(DEMO_MAPPING)], cli_env).returncode == 0

    result = run_cli(["process", f"s3://{bucket}/{prefix}"], cli_env)

    assert result.returncode == 0, result.stderr
    assert f"reading s3://{bucket}/{prefix}time=2026-01-06 00:00:00/a" in result.stderr
    assert result.stderr.index("2026-01-06") < result.stderr.index("2026-01-07")
    assert "other/c" not in result.stderr
    assert "Read 2 records: 1 notified" in result.stdout


def test_process_missing_bucket_exits_2(cli_env: dict[str, str]) -> None:
    result = run_cli(["process", "s3://no-such-bucket-for-cli/"], cli_env)

    assert result.returncode == 2
    assert "s3://no-such-bucket-for-cli/" in result.stderr
    assert "does not exist" in result.stderr


def test_mapping_import_to_dynamodb(cli_env: dict[str, str], moto_endpoint: str) -> None:
    client = make_dynamodb_client(endpoint_url=moto_endpoint, region_name=REGION)
    table = unique_name("mapping")
    create_mapping_table(client, table)

    result = run_cli(
        ["mapping", "import", str(DEMO_MAPPING), "--target", f"dynamodb://{table}"], cli_env
    )

    assert result.returncode == 0, result.stderr
    stored = DynamoMappingStore(client, table).all()
    assert sorted(stored, key=lambda entry: entry.key) == sorted(
        demo_mapping(), key=lambda entry: entry.key
    )


def test_mapping_import_invalid_target(cli_env: dict[str, str]) -> None:
    result = run_cli(["mapping", "import", str(DEMO_MAPPING), "--target", "dynamo:table"], cli_env)

    assert result.returncode == 2
    assert "expected dynamodb://TABLE" in result.stderr
