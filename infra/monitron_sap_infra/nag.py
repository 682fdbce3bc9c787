"""cdk-nag acknowledgements, each with the reason the finding does not apply."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import aws_cdk as cdk
from constructs import IConstruct

if TYPE_CHECKING:
    from .stack import MonitronSapStack

# The construct CDK adds to put notifications on an imported bucket (one per stack).
BUCKET_NOTIFICATIONS_HANDLER_PREFIX = "BucketNotificationsHandler"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def add_suppressions(stack: MonitronSapStack) -> None:
    """Acknowledge the cdk-nag findings that this stack accepts on purpose."""
    for function in (stack.object_function, stack.kinesis_function):
        if function is None:
            continue
        acknowledge(
            function,
            "AwsSolutions::AwsSolutions-L1",
            "The function runs python3.12, not the newest Lambda Python runtime, because 3.12 "
            "is the newest version CI checks: the tests run on Python 3.11 and mypy checks the "
            "package against the standard library of 3.11 and of 3.12. The bundle is built "
            "from cp312 wheels. Change the runtime, the bundle's Python version and CI together.",
        )
        if stack.vpc_placement is not None and function.role is not None:
            acknowledge(
                function.role,
                "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaVPCAccessExecutionRole]",
                "AWS's policy for the network interfaces of a Lambda in a VPC; its EC2 actions "
                "cannot be limited by resource, and it grants no access to data.",
            )

    # The finding id shows spaces in the prefix as "-" (seen with aws-cdk-lib 2.275, cdk-nag 3.0).
    prefix = re.sub(r"\s", "-", stack.config.prefix)
    object_arn = f"arn:<AWS::Partition>:s3:::{stack.config.bucket_name}/{prefix}*"
    assert stack.object_function.role is not None
    acknowledge(
        stack.object_function.role,
        f"AwsSolutions::AwsSolutions-IAM5[Resource::{object_arn}]",
        "s3:GetObject only, on the objects under the configured export prefix: object keys "
        "are created by Firehose and cannot be listed in advance.",
    )

    if stack.kinesis_failure_queue is not None:
        acknowledge(
            stack.kinesis_failure_queue,
            "AwsSolutions::AwsSolutions-SQS3",
            "This queue is itself the on-failure destination of the Kinesis event source: it "
            "stores the shard and sequence numbers of batches that failed every retry.",
        )

    for child in stack.node.children:
        if child.node.id.startswith(BUCKET_NOTIFICATIONS_HANDLER_PREFIX):
            acknowledge(
                child,
                "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK's own handler that writes the notification configuration of the existing "
                "bucket; the managed policy only lets it write its CloudWatch logs.",
            )
