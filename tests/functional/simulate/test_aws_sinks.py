"""S3 and Kinesis sinks against a moto server over real HTTP."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from monitron_sap.errors import ConfigurationError
from monitron_sap.simulate.aws_sinks import kinesis_sink, s3_sink
from monitron_sap.simulate.engine import SimulationConfig, simulate
from monitron_sap.simulate.plant import load_plant
from monitron_sap.simulate.run import run
from monitron_sap.simulate.sinks import ObjectLayout
from tests.functional.simulate.clienv import PYTHON, REPO_ROOT, cli_env
from tests.unit.simulate.readback import decode_stream, object_files


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="eu-central-1")


def test_s3_objects_match_directory(
    moto_endpoint: str, aws_env: dict[str, str], tmp_path: Path
) -> None:
    s3 = client("s3", moto_endpoint)
    s3.create_bucket(
        Bucket="export-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    options = ["--duration", "1d", "--layout", "partitioned", "--gzip", "--seed", "3"]
    base = [PYTHON, "-m", "monitron_sap", "simulate", *options]
    subprocess.run(
        [*base, "--sink", "s3://export-bucket/monitron/", "--endpoint-url", moto_endpoint],
        check=True, cwd=REPO_ROOT, env=cli_env(aws_env), capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [*base, "--sink", f"dir:{tmp_path}"],
        check=True, cwd=REPO_ROOT, env=cli_env(), capture_output=True,
    )  # fmt: skip

    listed = s3.list_objects_v2(Bucket="export-bucket")["Contents"]
    keys = sorted(item["Key"] for item in listed)
    files = object_files(tmp_path)
    assert keys == sorted(f"monitron/{path.relative_to(tmp_path).as_posix()}" for path in files)
    for path in files:
        key = f"monitron/{path.relative_to(tmp_path).as_posix()}"
        body = s3.get_object(Bucket="export-bucket", Key=key)["Body"].read()
        assert body == path.read_bytes(), key
        assert decode_stream(body)


def test_s3_missing_bucket(moto_endpoint: str, aws_env: dict[str, str]) -> None:
    sink = s3_sink("no-such-bucket", "", ObjectLayout(), moto_endpoint)
    records = simulate(load_plant(), SimulationConfig(duration=timedelta(hours=2)))
    with pytest.raises(ConfigurationError) as raised:
        run(records, sink)
    assert "NoSuchBucket" in str(raised.value)


def read_stream(kinesis: Any, stream: str) -> list[bytes]:
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    data: list[bytes] = []
    while iterator:
        response = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        data.extend(item["Data"] for item in response["Records"])
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return data


def test_kinesis_receives_every_record(moto_endpoint: str, aws_env: dict[str, str]) -> None:
    kinesis = client("kinesis", moto_endpoint)
    kinesis.create_stream(StreamName="monitron", ShardCount=1)
    records = list(simulate(load_plant(), SimulationConfig(duration=timedelta(days=3))))

    summary = run(iter(records), kinesis_sink("monitron", moto_endpoint))

    assert len(records) > 500
    assert summary.objects == 2
    assert read_stream(kinesis, "monitron") == [record.encode() for record in records]


def test_kinesis_missing_stream(moto_endpoint: str, aws_env: dict[str, str]) -> None:
    records = simulate(load_plant(), SimulationConfig(duration=timedelta(hours=2)))
    with pytest.raises(ConfigurationError) as raised:
        run(records, kinesis_sink("absent", moto_endpoint))
    assert "ResourceNotFoundException" in str(raised.value)


def test_cli_kinesis_sink(moto_endpoint: str, aws_env: dict[str, str]) -> None:
    kinesis = client("kinesis", moto_endpoint)
    kinesis.create_stream(StreamName="cli-stream", ShardCount=1)
    result = subprocess.run(
        [PYTHON, "-m", "monitron_sap", "simulate", "--count", "40",
         "--sink", "kinesis://cli-stream", "--endpoint-url", moto_endpoint],
        cwd=REPO_ROOT, env=cli_env(aws_env), capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    received = read_stream(kinesis, "cli-stream")
    assert len(received) == 40
    assert all(decode_stream(data) for data in received)


def test_cli_missing_stream_exit_code_2(moto_endpoint: str, aws_env: dict[str, str]) -> None:
    result = subprocess.run(
        [PYTHON, "-m", "monitron_sap", "simulate", "--count", "3",
         "--sink", "kinesis://nowhere", "--endpoint-url", moto_endpoint],
        cwd=REPO_ROOT, env=cli_env(aws_env), capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert b"ResourceNotFoundException" in result.stderr
