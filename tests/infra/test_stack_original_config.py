"""The stack synthesized from the original integration's appConfig.json, offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aws_cdk.assertions import Match, Template

from monitron_sap.store import dynamodb_common
from tests.infra.support import (
    Synthesized,
    as_list,
    cfn_lint_findings,
    policy_statements,
    resources_of_type,
    synthesize,
)
from tests.support import shared_path


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    config = shared_path("samples/seed/appConfig.json")
    yield synthesize(config, tmp_path_factory.mktemp("synth-original"))


@pytest.fixture(scope="module")
def template(synthesized: Synthesized) -> Template:
    return Template.from_json(synthesized.template)


def test_function_runtime_and_placement(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "Handler": "monitron_sap.aws.handlers.sqs_handler",
            "Timeout": 900,
            "ReservedConcurrentExecutions": 4,
            "VpcConfig": {"SubnetIds": ["subnet-0123456789abcdef0"]},
        },
    )


def test_function_environment(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {
                "Variables": Match.object_like(
                    {
                        "SAP_AUTH_SECRET": (
                            "arn:aws:secretsmanager:us-east-1:111122223333:secret:saps4auth-AbCdEf"
                        ),
                        "SAP_HOST_NAME": "s4.example.com",
                        "SAP_PORT": "443",
                        "SAP_PROTOCOL": "https",
                        "MONITRON_SAP_S3_PREFIX": "",
                        "MONITRON_SAP_LEDGER_TTL_DAYS": "90",
                        "MONITRON_SAP_MAPPING_TABLE": Match.any_value(),
                        "MONITRON_SAP_LEDGER_TABLE": Match.any_value(),
                    }
                )
            }
        },
    )


def test_queue_has_dead_letter_queue(template: Template) -> None:
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {
            "VisibilityTimeout": 5400,
            "RedrivePolicy": {"deadLetterTargetArn": Match.any_value(), "maxReceiveCount": 5},
        },
    )


def test_sqs_source_reports_item_failures(template: Template) -> None:
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 4},
        },
    )


def test_bucket_notification_targets_queue(template: Template) -> None:
    template.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "BucketName": "example-monitron-export",
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    {"Events": ["s3:ObjectCreated:*"], "QueueArn": Match.any_value()}
                ]
            },
            "Managed": False,
        },
    )


def test_tables_match_adapter_layout(template: Template) -> None:
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "configm4s",
            "KeySchema": [
                {"AttributeName": dynamodb_common.MAPPING_PARTITION_KEY, "KeyType": "HASH"}
            ],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [
                {"AttributeName": dynamodb_common.LEDGER_PARTITION_KEY, "KeyType": "HASH"}
            ],
            "TimeToLiveSpecification": {
                "AttributeName": dynamodb_common.LEDGER_TTL_ATTRIBUTE,
                "Enabled": True,
            },
            "GlobalSecondaryIndexes": [
                Match.object_like(
                    {
                        "IndexName": dynamodb_common.LEDGER_STATUS_INDEX,
                        "KeySchema": [
                            {
                                "AttributeName": dynamodb_common.LEDGER_STATUS_ATTRIBUTE,
                                "KeyType": "HASH",
                            },
                            {
                                "AttributeName": dynamodb_common.LEDGER_UPDATED_ATTRIBUTE,
                                "KeyType": "RANGE",
                            },
                        ],
                    }
                ),
                Match.object_like(
                    {
                        "IndexName": dynamodb_common.LEDGER_NOTIFICATION_INDEX,
                        "KeySchema": [
                            {
                                "AttributeName": dynamodb_common.LEDGER_NOTIFICATION_ATTRIBUTE,
                                "KeyType": "HASH",
                            },
                            {
                                "AttributeName": dynamodb_common.LEDGER_UPDATED_ATTRIBUTE,
                                "KeyType": "RANGE",
                            },
                        ],
                    }
                ),
            ],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        },
    )


def test_tables_are_retained(synthesized: Synthesized) -> None:
    tables = resources_of_type(synthesized.template, "AWS::DynamoDB::Table")

    assert len(tables) == 2
    for table in tables.values():
        assert table["DeletionPolicy"] == "Retain"


def test_no_wildcard_actions(synthesized: Synthesized) -> None:
    for statement in policy_statements(synthesized.template):
        for action in as_list(statement["Action"]):
            assert "*" not in action, statement


def test_data_permissions_name_resources(synthesized: Synthesized) -> None:
    data_prefixes = ("dynamodb:", "s3:GetObject", "secretsmanager:", "sqs:")
    for statement in policy_statements(synthesized.template):
        actions = as_list(statement["Action"])
        if any(action.startswith(data_prefixes) for action in actions):
            assert "*" not in as_list(statement["Resource"]), statement


def test_secret_read_is_limited_to_arn(synthesized: Synthesized) -> None:
    secret_statements = [
        statement
        for statement in policy_statements(synthesized.template)
        if "secretsmanager:GetSecretValue" in as_list(statement["Action"])
    ]

    assert len(secret_statements) == 1
    assert secret_statements[0]["Resource"] == (
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:saps4auth-AbCdEf"
    )


def test_alarms_on_dead_letters_and_errors(synthesized: Synthesized) -> None:
    alarms = resources_of_type(synthesized.template, "AWS::CloudWatch::Alarm")
    metric_names = sorted(alarm["Properties"].get("MetricName", "") for alarm in alarms.values())

    assert "ApproximateNumberOfMessagesVisible" in metric_names
    assert "Errors" in metric_names
    assert "RecordsDeadLettered" in metric_names


def test_queues_are_encrypted_and_tls_only(synthesized: Synthesized) -> None:
    queues = resources_of_type(synthesized.template, "AWS::SQS::Queue")
    policies = resources_of_type(synthesized.template, "AWS::SQS::QueuePolicy")
    denied_insecure = [
        statement
        for policy in policies.values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]

    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
    assert len(denied_insecure) == len(queues)


def test_cfn_lint_finds_nothing(synthesized: Synthesized) -> None:
    findings = cfn_lint_findings(synthesized.template_path)

    assert findings == []


def test_no_context_lookups(synthesized: Synthesized) -> None:
    assert synthesized.missing_context == []
