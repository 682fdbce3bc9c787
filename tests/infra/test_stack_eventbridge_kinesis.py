"""The stack with the optional keys: EventBridge trigger, Kinesis source, alarm topic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from tests.infra.support import Synthesized, cfn_lint_findings, resources_of_type, synthesize

CONFIG = (
    Path(__file__).resolve().parents[1] / "data" / "infra" / "appConfig-eventbridge-kinesis.json"
)
STREAM_ARN = "arn:aws:kinesis:eu-central-1:123456789012:stream/monitron-export"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    yield synthesize(CONFIG, tmp_path_factory.mktemp("synth-eventbridge"))


@pytest.fixture(scope="module")
def template(synthesized: Synthesized) -> Template:
    return Template.from_json(synthesized.template)


def test_eventbridge_rule_filters_bucket_and_prefix(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {
                    "bucket": {"name": ["plant-monitron-export"]},
                    "object": {"key": [{"prefix": "project=Plant A/"}]},
                },
            },
            "Targets": [Match.object_like({"DeadLetterConfig": Match.any_value()})],
        },
    )


def test_no_bucket_notification(synthesized: Synthesized) -> None:
    notifications = resources_of_type(synthesized.template, "Custom::S3BucketNotifications")

    assert notifications == {}


def test_kinesis_source_settings(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": STREAM_ARN,
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 4,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "StartingPosition": "TRIM_HORIZON",
            "DestinationConfig": {"OnFailure": {"Destination": Match.any_value()}},
        },
    )


def test_kinesis_function(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": "monitron_sap.aws.handlers.kinesis_handler",
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "ReservedConcurrentExecutions": 3,
            "Environment": {"Variables": Match.object_like({"MONITRON_SAP_SAP_CLIENT": "100"})},
        },
    )


def test_kinesis_read_permissions(synthesized: Synthesized) -> None:
    statements = [
        statement
        for policy in resources_of_type(synthesized.template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    kinesis = [
        statement
        for statement in statements
        if any(str(action).startswith("kinesis:") for action in statement["Action"])
    ]

    assert kinesis
    for statement in kinesis:
        assert statement["Resource"] == STREAM_ARN


def test_functions_outside_vpc(synthesized: Synthesized) -> None:
    functions = resources_of_type(synthesized.template, "AWS::Lambda::Function")

    for function in functions.values():
        assert "VpcConfig" not in function["Properties"]


def test_alarms_notify_topic(synthesized: Synthesized) -> None:
    alarms = resources_of_type(synthesized.template, "AWS::CloudWatch::Alarm")
    topic = "arn:aws:sns:eu-central-1:123456789012:plant-alarms"

    assert len(alarms) >= 6
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [topic]


def test_cfn_lint_finds_nothing(synthesized: Synthesized) -> None:
    assert cfn_lint_findings(synthesized.template_path) == []
