"""AWS managed policies functions commonly attach, with the statements AWS publishes for them
("AWS managed policy reference", as of 2025); wildcard actions are kept as AWS writes them.
A policy not in this table is treated as allowing everything (function_policy.py says so at
startup), since guessing its contents would deny calls AWS allows."""

from __future__ import annotations

from collections.abc import Mapping

_LOGS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")

# name -> (Allow actions on "*"); NotAction policies are spelled out in NOT_ACTION.
ACTIONS: Mapping[str, tuple[str, ...]] = {
    "AWSLambdaBasicExecutionRole": _LOGS,
    "AWSLambdaSQSQueueExecutionRole": (
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS),
    "AWSLambdaDynamoDBExecutionRole": (
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ListStreams", *_LOGS),
    "AWSLambdaKinesisExecutionRole": (
        "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
        "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
        "kinesis:SubscribeToShard", *_LOGS),
    "AWSLambdaVPCAccessExecutionRole": (
        *_LOGS, "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses"),
    "AWSLambdaRole": ("lambda:InvokeFunction",),
    "AWSXrayWriteOnlyAccess": (
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
        "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
    "AWSXRayDaemonWriteAccess": (
        "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
        "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
    "CloudWatchLambdaInsightsExecutionRolePolicy": ("logs:CreateLogStream",
                                                    "logs:PutLogEvents"),
    "CloudWatchLogsFullAccess": ("logs:*", "cloudwatch:GenerateQuery"),
    "AmazonS3FullAccess": ("s3:*", "s3-object-lambda:*"),
    "AmazonS3ReadOnlyAccess": ("s3:Get*", "s3:List*", "s3:Describe*",
                               "s3-object-lambda:Get*", "s3-object-lambda:List*"),
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonSQSReadOnlyAccess": ("sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                                "sqs:ListDeadLetterSourceQueues", "sqs:ListQueues",
                                "sqs:ListMessageMoveTasks", "sqs:ListQueueTags"),
    "AmazonSNSFullAccess": ("sns:*",),
    "AmazonSNSReadOnlyAccess": (
        "sns:GetTopicAttributes", "sns:List*", "sns:CheckIfPhoneNumberIsOptedOut",
        "sns:GetEndpointAttributes", "sns:GetDataProtectionPolicy",
        "sns:GetPlatformApplicationAttributes", "sns:GetSMSAttributes",
        "sns:GetSMSSandboxAccountStatus", "sns:GetSubscriptionAttributes"),
    "AmazonDynamoDBFullAccess": ("dynamodb:*", "dax:*"),
    "AmazonDynamoDBReadOnlyAccess": (
        "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem",
        "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
        "dynamodb:GetResourcePolicy", "dax:Describe*", "dax:List*", "dax:GetItem",
        "dax:BatchGetItem", "dax:Query", "dax:Scan"),
    "AmazonEventBridgeFullAccess": ("events:*", "schemas:*", "scheduler:*", "pipes:*"),
    "AmazonEventBridgeReadOnlyAccess": (
        "events:Describe*", "events:List*", "events:TestEventPattern", "schemas:Describe*",
        "schemas:List*", "scheduler:Get*", "scheduler:List*", "pipes:Describe*", "pipes:List*"),
    "SecretsManagerReadWrite": ("secretsmanager:*", "kms:DescribeKey", "kms:ListAliases",
                                "kms:ListKeys"),
    "AmazonSSMReadOnlyAccess": ("ssm:Describe*", "ssm:Get*", "ssm:List*"),
    "AmazonSSMFullAccess": ("ssm:*", "ec2messages:*", "ssmmessages:*"),
    "AWSStepFunctionsFullAccess": ("states:*",),
    "AmazonKinesisFullAccess": ("kinesis:*",),
    "AmazonKinesisReadOnlyAccess": ("kinesis:Get*", "kinesis:List*", "kinesis:Describe*"),
    "AWSLambda_ReadOnlyAccess": ("lambda:Get*", "lambda:List*"),
    "AdministratorAccess": ("*",),
}

# PowerUserAccess: everything but IAM, Organizations and Account management (and a few IAM
# reads it adds back, which no local call needs).
NOT_ACTION: Mapping[str, tuple[str, ...]] = {
    "PowerUserAccess": ("iam:*", "organizations:*", "account:*"),
}


def managed_name(arn_or_name: str) -> str | None:
    """The policy's name when it is an AWS managed one (arn:aws:iam::aws:policy/[path/]Name,
    or a bare name as SAM's Policies takes it); None for a customer policy ARN."""
    if arn_or_name.startswith("arn:"):
        parts = arn_or_name.split(":", 5)
        if len(parts) < 6 or parts[4] != "aws" or not parts[5].startswith("policy/"):
            return None
        return parts[5].rsplit("/", 1)[-1]
    return arn_or_name


def is_known(name: str) -> bool:
    return name in ACTIONS or name in NOT_ACTION
