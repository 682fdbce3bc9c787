"""The monitron-sap stack: triggers, queues, tables, the Lambda functions and their alarms."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kinesis as kinesis
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3_notifications
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .bundling import lambda_code
from .config import StackConfig

# The table layout the DynamoDB adapters expect (monitron_sap.store.dynamodb_common).
LEDGER_PARTITION_KEY: Final = "pk"
LEDGER_STATUS_INDEX: Final = "status-index"
LEDGER_NOTIFICATION_INDEX: Final = "notification-index"
LEDGER_NOTIFICATION_ATTRIBUTE: Final = "notification_number"
LEDGER_TTL_ATTRIBUTE: Final = "expires_at"
MAPPING_PARTITION_KEY: Final = "key"

SQS_HANDLER: Final = "monitron_sap.aws.handlers.sqs_handler"
KINESIS_HANDLER: Final = "monitron_sap.aws.handlers.kinesis_handler"
METRICS_NAMESPACE: Final = "MonitronSap"
SERVICE_NAME: Final = "monitron_sap"
# AWS recommends a queue visibility timeout of at least six times the function timeout.
VISIBILITY_TIMEOUT_FACTOR: Final = 6
SQS_BATCH_SIZE: Final = 5

LEDGER_ACTIONS: Final = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
]
MAPPING_ACTIONS: Final = ["dynamodb:GetItem", "dynamodb:BatchGetItem"]


class MonitronSapStack(cdk.Stack):
    """Everything monitron-sap needs around an existing export bucket and SAP secret."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: StackConfig, project_dir: Path
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=config.stack_name,
            env=cdk.Environment(account=config.account, region=config.region),
            description="monitron-sap: Amazon Monitron events to SAP PM notifications",
        )
        self.config = config
        self.alarm_topic = (
            sns.Topic.from_topic_arn(self, "AlarmTopic", config.alarm_topic_arn)
            if config.alarm_topic_arn
            else None
        )

        self.mapping_table = self._mapping_table()
        self.ledger_table = self._ledger_table()
        self.secret = self._secret()
        self.bucket = s3.Bucket.from_bucket_name(self, "ExportBucket", config.bucket_name)

        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        self.queue = sqs.Queue(
            self,
            "ObjectQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=cdk.Duration.seconds(
                config.lambda_timeout_seconds * VISIBILITY_TIMEOUT_FACTOR
            ),
            retention_period=cdk.Duration.days(4),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=config.max_receive_count
            ),
        )

        self.vpc_placement = self._vpc_placement()
        code = lambda_code(self, project_dir)
        self.object_function = self._function("ObjectFunction", SQS_HANDLER, code)
        self._grant_object_reads(self.object_function)
        self.object_function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=SQS_BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=config.reserved_concurrency,
            )
        )
        self._trigger()

        self.kinesis_function: lambda_.Function | None = None
        self.kinesis_failure_queue: sqs.Queue | None = None
        if config.kinesis_stream_arn:
            self._kinesis(code, config.kinesis_stream_arn)

        self._alarms()
        cdk.CfnOutput(self, "QueueUrl", value=self.queue.queue_url)
        cdk.CfnOutput(self, "DeadLetterQueueUrl", value=self.dead_letter_queue.queue_url)
        cdk.CfnOutput(self, "MappingTableName", value=self.mapping_table.table_name)
        cdk.CfnOutput(self, "LedgerTableName", value=self.ledger_table.table_name)

    # Data ---------------------------------------------------------------------------------------

    def _mapping_table(self) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            "MappingTable",
            table_name=self.config.mapping_table_name,
            partition_key=dynamodb.Attribute(
                name=MAPPING_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def _ledger_table(self) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            "LedgerTable",
            table_name=self.config.ledger_table_name,
            partition_key=dynamodb.Attribute(
                name=LEDGER_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=LEDGER_TTL_ATTRIBUTE,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        table.add_global_secondary_index(
            index_name=LEDGER_STATUS_INDEX,
            partition_key=dynamodb.Attribute(name="status", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="updated_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        table.add_global_secondary_index(
            index_name=LEDGER_NOTIFICATION_INDEX,
            partition_key=dynamodb.Attribute(
                name=LEDGER_NOTIFICATION_ATTRIBUTE, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name="updated_at", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        return table

    def _secret(self) -> secretsmanager.ISecret:
        arn = self.config.secret_arn
        # A complete ARN ends in "-" and six random characters that Secrets Manager adds.
        name_part = arn.rsplit(":", 1)[-1]
        if len(name_part) > 7 and name_part[-7] == "-":
            return secretsmanager.Secret.from_secret_complete_arn(self, "SapSecret", arn)
        return secretsmanager.Secret.from_secret_partial_arn(self, "SapSecret", arn)

    # Compute ------------------------------------------------------------------------------------

    def _vpc_placement(self) -> tuple[ec2.IVpc, ec2.SubnetSelection, ec2.SecurityGroup] | None:
        if not self.config.vpc_id:
            return None
        # No context lookup: the VPC and subnets are referenced by id, so synth works offline.
        vpc = ec2.Vpc.from_vpc_attributes(
            self,
            "Vpc",
            vpc_id=self.config.vpc_id,
            availability_zones=[cdk.Fn.select(0, cdk.Fn.get_azs())],
        )
        subnets = [
            ec2.Subnet.from_subnet_id(self, f"Subnet{index}", subnet_id)
            for index, subnet_id in enumerate(self.config.subnet_ids)
        ]
        security_group = ec2.SecurityGroup(
            self,
            "FunctionSecurityGroup",
            vpc=vpc,
            description="monitron-sap Lambda: outbound to SAP and AWS endpoints, no inbound",
            allow_all_outbound=True,
        )
        return vpc, ec2.SubnetSelection(subnets=subnets), security_group

    def _function(self, construct_id: str, handler: str, code: lambda_.Code) -> lambda_.Function:
        config = self.config
        log_group = logs.LogGroup(
            self,
            f"{construct_id}Logs",
            retention=_retention(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        role = iam.Role(
            self,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"monitron-sap {construct_id}: least privilege",
        )
        log_group.grant_write(role)
        if self.vpc_placement is not None:
            # The network interface actions of this AWS policy cannot be limited by resource.
            role.add_managed_policy(
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaVPCAccessExecutionRole"
                )
            )

        environment = {
            **config.sap_environment,
            "MONITRON_SAP_LEDGER_TABLE": self.ledger_table.table_name,
            "MONITRON_SAP_MAPPING_TABLE": self.mapping_table.table_name,
            "MONITRON_SAP_LEDGER_TTL_DAYS": str(config.ledger_ttl_days),
            "MONITRON_SAP_S3_PREFIX": config.prefix,
            "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }

        placement = self.vpc_placement
        function = lambda_.Function(
            self,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.ARM_64,
            handler=handler,
            code=code,
            role=role,
            timeout=cdk.Duration.seconds(config.lambda_timeout_seconds),
            memory_size=config.memory_mb,
            reserved_concurrent_executions=config.reserved_concurrency,
            environment=environment,
            log_group=log_group,
            vpc=placement[0] if placement else None,
            vpc_subnets=placement[1] if placement else None,
            security_groups=[placement[2]] if placement else None,
        )

        role.add_to_policy(
            iam.PolicyStatement(
                actions=LEDGER_ACTIONS,
                resources=[
                    self.ledger_table.table_arn,
                    f"{self.ledger_table.table_arn}/index/{LEDGER_STATUS_INDEX}",
                    f"{self.ledger_table.table_arn}/index/{LEDGER_NOTIFICATION_INDEX}",
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=MAPPING_ACTIONS, resources=[self.mapping_table.table_arn])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[self.secret.secret_arn]
            )
        )
        return function

    def _grant_object_reads(self, function: lambda_.Function) -> None:
        assert function.role is not None
        function.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{self.config.prefix}*")],
            )
        )

    # Triggers -----------------------------------------------------------------------------------

    def _trigger(self) -> None:
        prefix = self.config.prefix
        if self.config.trigger == "eventbridge":
            # Needs EventBridge notifications turned on for the bucket (see docs/deploy.md).
            object_filter: dict[str, object] = {"bucket": {"name": [self.bucket.bucket_name]}}
            if prefix:
                object_filter["object"] = {"key": [{"prefix": prefix}]}
            rule = events.Rule(
                self,
                "ObjectCreatedRule",
                description="Monitron export objects created in the bucket",
                event_pattern=events.EventPattern(
                    source=["aws.s3"], detail_type=["Object Created"], detail=object_filter
                ),
            )
            rule.add_target(targets.SqsQueue(self.queue, dead_letter_queue=self.dead_letter_queue))
            return
        filters = [s3.NotificationKeyFilter(prefix=prefix)] if prefix else []
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3_notifications.SqsDestination(self.queue), *filters
        )

    def _kinesis(self, code: lambda_.Code, stream_arn: str) -> None:
        config = self.config
        stream = kinesis.Stream.from_stream_attributes(
            self,
            "MonitronStream",
            stream_arn=stream_arn,
            encryption_key=(
                kms.Key.from_key_arn(self, "StreamKey", config.kinesis_kms_key_arn)
                if config.kinesis_kms_key_arn
                else None
            ),
        )
        self.kinesis_failure_queue = sqs.Queue(
            self,
            "KinesisFailureQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        function = self._function("KinesisFunction", KINESIS_HANDLER, code)
        function.add_event_source(
            event_sources.KinesisEventSource(
                stream,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=config.kinesis_batch_size,
                bisect_batch_on_error=True,
                retry_attempts=config.kinesis_retry_attempts,
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(self.kinesis_failure_queue),
                max_record_age=cdk.Duration.days(1),
            )
        )
        self.kinesis_function = function

    # Alarms -------------------------------------------------------------------------------------

    def _alarms(self) -> None:
        self._alarm(
            "DeadLetterAlarm",
            self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5)
            ),
            "S3 objects whose processing failed repeatedly are in the dead-letter queue",
        )
        self._alarm(
            "DeadLetteredRecordsAlarm",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="RecordsDeadLettered",
                dimensions_map={"service": SERVICE_NAME},
                statistic="Sum",
                period=cdk.Duration.minutes(5),
            ),
            "Records were dead-lettered because SAP stayed unavailable",
        )
        functions = [self.object_function]
        if self.kinesis_function is not None:
            functions.append(self.kinesis_function)
        for function in functions:
            name = function.node.id
            self._alarm(
                f"{name}ErrorsAlarm",
                function.metric_errors(period=cdk.Duration.minutes(5), statistic="Sum"),
                f"{name} invocations failed",
            )
            self._alarm(
                f"{name}ThrottlesAlarm",
                function.metric_throttles(period=cdk.Duration.minutes(5), statistic="Sum"),
                f"{name} invocations were throttled by the concurrency cap",
                threshold=10,
            )
        if self.kinesis_failure_queue is not None:
            self._alarm(
                "KinesisFailureAlarm",
                self.kinesis_failure_queue.metric_approximate_number_of_messages_visible(
                    period=cdk.Duration.minutes(5)
                ),
                "Kinesis batches failed after every retry; see the failure queue",
            )

    def _alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, description: str, threshold: int = 1
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        if self.alarm_topic is not None:
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.alarm_topic))


# The retention periods CloudWatch Logs accepts, in days.
_RETENTION_DAYS: Final = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def _retention(days: int) -> logs.RetentionDays:
    """Return the shortest CloudWatch Logs retention of at least ``days`` days."""
    for allowed, retention in sorted(_RETENTION_DAYS.items()):
        if allowed >= days:
            return retention
    return logs.RetentionDays.TEN_YEARS
