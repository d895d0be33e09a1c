"""AWS managed policies functions commonly attach, with the statements AWS publishes for them.
Each entry follows the policy's default version as the IAM API returns it (GetPolicyVersion),
read on 2026-12-01 from the zoph-io/MAMIP mirror (snapshot of 2026-03-07); the comment after
each name gives that version and its date, as the "AWS Managed Policy Reference Guide" lists
them. A policy not in this table is treated as allowing everything (function_policy.py says so
at startup), since guessing its contents would deny calls AWS allows."""

from __future__ import annotations

from collections.abc import Mapping

from samlite.iam.policy import Condition, Effect, Statement

_SSM_SERVICE_ROLE = ("arn:aws:iam::*:role/aws-service-role/ssm.amazonaws.com/"
                     "AWSServiceRoleForAmazonSSM*")


def _allow(actions: tuple[str, ...] = (), *, not_actions: tuple[str, ...] = (),
           resources: tuple[str, ...] = ("*",),
           condition: tuple[str, str, tuple[str, ...]] | None = None) -> Statement:
    conditions = () if condition is None else (
        Condition(operator=condition[0], key=condition[1], values=condition[2]),)
    return Statement(effect=Effect.ALLOW, actions=not_actions or actions,
                     not_action=bool(not_actions), resources=resources, conditions=conditions)


# name -> its statements (all Allow). Statements for actions the local endpoint never serves
# (iam:PassRole, sms-voice:*, ...) are kept as AWS writes them, so `samlite policy` shows the
# whole policy.
POLICIES: Mapping[str, tuple[Statement, ...]] = {
    "AWSLambdaBasicExecutionRole": (  # v1, 2015-04-09
        _allow(("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")),
    ),
    "AWSLambdaSQSQueueExecutionRole": (  # v1, 2018-06-14
        _allow(("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
            "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")),
    ),
    "AWSLambdaDynamoDBExecutionRole": (  # v1, 2015-04-09
        _allow(("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
            "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream",
            "logs:PutLogEvents")),
    ),
    "AWSLambdaKinesisExecutionRole": (  # v2, 2018-11-19
        _allow(("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
            "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams",
            "kinesis:SubscribeToShard", "logs:CreateLogGroup", "logs:CreateLogStream",
            "logs:PutLogEvents")),
    ),
    "AWSLambdaVPCAccessExecutionRole": (  # v3, 2024-01-05
        _allow(("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
            "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
            "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses")),
    ),
    "AWSLambdaRole": (  # v1, 2015-02-06
        _allow(("lambda:InvokeFunction",)),
    ),
    "AWSLambdaExecute": (  # v1, 2015-02-06
        _allow(("logs:*",), resources=("arn:aws:logs:*:*:*",)),
        _allow(("s3:GetObject", "s3:PutObject"), resources=("arn:aws:s3:::*",)),
    ),
    "AWSXrayWriteOnlyAccess": (  # v2, 2018-08-28
        _allow(("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
            "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")),
    ),
    "AWSXRayDaemonWriteAccess": (  # v2, 2024-02-13
        _allow(("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
            "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")),
    ),
    "CloudWatchLambdaInsightsExecutionRolePolicy": (  # v1, 2020-10-07
        _allow(("logs:CreateLogGroup",)),
        _allow(("logs:CreateLogStream", "logs:PutLogEvents"),
            resources=("arn:aws:logs:*:*:log-group:/aws/lambda-insights:*",)),
    ),
    "CloudWatchLogsFullAccess": (  # v8, 2026-02-12
        _allow(("logs:*", "cloudwatch:GenerateQuery", "cloudwatch:GenerateQueryResultsSummary",
            "observabilityadmin:GetS3TableIntegration",
            "observabilityadmin:ListS3TableIntegrations",
            "observabilityadmin:ListTelemetryPipelines")),
    ),
    "AmazonS3FullAccess": (  # v2, 2021-09-27
        _allow(("s3:*", "s3-object-lambda:*")),
    ),
    "AmazonS3ReadOnlyAccess": (  # v3, 2023-08-10
        _allow(("s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
            "s3-object-lambda:List*")),
    ),
    "AmazonSQSFullAccess": (  # v1, 2015-02-06
        _allow(("sqs:*",)),
    ),
    "AmazonSQSReadOnlyAccess": (  # v4, 2024-05-24
        _allow(("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues",
            "sqs:ListQueues", "sqs:ListMessageMoveTasks", "sqs:ListQueueTags")),
    ),
    "AmazonSNSFullAccess": (  # v2, 2024-09-24
        _allow(("sns:*",)),
        _allow(("sms-voice:DescribeVerifiedDestinationNumbers",
            "sms-voice:CreateVerifiedDestinationNumber",
            "sms-voice:SendDestinationNumberVerificationCode", "sms-voice:SendTextMessage",
            "sms-voice:DeleteVerifiedDestinationNumber", "sms-voice:VerifyDestinationNumber",
            "sms-voice:DescribeAccountAttributes", "sms-voice:DescribeSpendLimits",
            "sms-voice:DescribePhoneNumbers", "sms-voice:SetTextMessageSpendLimitOverride",
            "sms-voice:DescribeOptedOutNumbers", "sms-voice:DeleteOptedOutNumber"),
            condition=("StringEquals", "aws:CalledViaLast", ("sns.amazonaws.com",))),
    ),
    "AmazonSNSReadOnlyAccess": (  # v2, 2024-09-24
        _allow(("sns:GetTopicAttributes", "sns:List*", "sns:CheckIfPhoneNumberIsOptedOut",
            "sns:GetEndpointAttributes", "sns:GetDataProtectionPolicy",
            "sns:GetPlatformApplicationAttributes", "sns:GetSMSAttributes",
            "sns:GetSMSSandboxAccountStatus", "sns:GetSubscriptionAttributes")),
        _allow(("sms-voice:DescribeVerifiedDestinationNumbers",
            "sms-voice:DescribeAccountAttributes", "sms-voice:DescribeSpendLimits",
            "sms-voice:DescribePhoneNumbers", "sms-voice:DescribeOptedOutNumbers"),
            condition=("StringEquals", "aws:CalledViaLast", ("sns.amazonaws.com",))),
    ),
    "AmazonDynamoDBFullAccess": (  # v15, 2021-01-29
        _allow(("dynamodb:*", "dax:*", "application-autoscaling:DeleteScalingPolicy",
            "application-autoscaling:DeregisterScalableTarget",
            "application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:DescribeScalingActivities",
            "application-autoscaling:DescribeScalingPolicies",
            "application-autoscaling:PutScalingPolicy",
            "application-autoscaling:RegisterScalableTarget", "cloudwatch:DeleteAlarms",
            "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
            "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics",
            "cloudwatch:ListMetrics", "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData",
            "datapipeline:ActivatePipeline", "datapipeline:CreatePipeline",
            "datapipeline:DeletePipeline", "datapipeline:DescribeObjects",
            "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition",
            "datapipeline:ListPipelines", "datapipeline:PutPipelineDefinition",
            "datapipeline:QueryObjects", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey",
            "kms:ListAliases", "sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions",
            "sns:ListSubscriptionsByTopic", "sns:ListTopics", "sns:Subscribe", "sns:Unsubscribe",
            "sns:SetTopicAttributes", "lambda:CreateFunction", "lambda:ListFunctions",
            "lambda:ListEventSourceMappings", "lambda:CreateEventSourceMapping",
            "lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration",
            "lambda:DeleteFunction", "resource-groups:ListGroups",
            "resource-groups:ListGroupResources", "resource-groups:GetGroup",
            "resource-groups:GetGroupQuery", "resource-groups:DeleteGroup",
            "resource-groups:CreateGroup", "tag:GetResources", "kinesis:ListStreams",
            "kinesis:DescribeStream", "kinesis:DescribeStreamSummary")),
        _allow(("cloudwatch:GetInsightRuleReport",),
            resources=("arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*",)),
        _allow(("iam:PassRole",), condition=("StringLike", "iam:PassedToService",
            ("application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn",
            "dax.amazonaws.com"))),
        _allow(("iam:CreateServiceLinkedRole",), condition=("StringEquals", "iam:AWSServiceName",
            ("replication.dynamodb.amazonaws.com", "dax.amazonaws.com",
            "dynamodb.application-autoscaling.amazonaws.com",
            "contributorinsights.dynamodb.amazonaws.com",
            "kinesisreplication.dynamodb.amazonaws.com"))),
    ),
    "AmazonDynamoDBReadOnlyAccess": (  # v15, 2024-11-18
        _allow(("application-autoscaling:DescribeScalableTargets",
            "application-autoscaling:DescribeScalingActivities",
            "application-autoscaling:DescribeScalingPolicies", "cloudwatch:DescribeAlarmHistory",
            "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric",
            "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
            "datapipeline:DescribeObjects", "datapipeline:DescribePipelines",
            "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines",
            "datapipeline:QueryObjects", "dynamodb:BatchGetItem", "dynamodb:Describe*",
            "dynamodb:List*", "dynamodb:GetAbacStatus", "dynamodb:GetItem",
            "dynamodb:GetResourcePolicy", "dynamodb:Query", "dynamodb:Scan",
            "dynamodb:PartiQLSelect", "dax:Describe*", "dax:List*", "dax:GetItem",
            "dax:BatchGetItem", "dax:Query", "dax:Scan", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey",
            "kms:ListAliases", "sns:ListSubscriptionsByTopic", "sns:ListTopics",
            "lambda:ListFunctions", "lambda:ListEventSourceMappings",
            "lambda:GetFunctionConfiguration", "resource-groups:ListGroups",
            "resource-groups:ListGroupResources", "resource-groups:GetGroup",
            "resource-groups:GetGroupQuery", "tag:GetResources", "kinesis:ListStreams",
            "kinesis:DescribeStream", "kinesis:DescribeStreamSummary")),
        _allow(("cloudwatch:GetInsightRuleReport",),
            resources=("arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*",)),
    ),
    "AmazonEventBridgeFullAccess": (  # v7, 2026-02-12
        _allow(("events:*", "schemas:*", "scheduler:*", "pipes:*")),
        _allow(("iam:CreateServiceLinkedRole",),
            resources=("arn:aws:iam::*:role/aws-service-role/apidestinations.events.amazonaws.com/"
                       "AWSServiceRoleForAmazonEventBridgeApiDestinations",),
            condition=("StringEquals", "iam:AWSServiceName",
            ("apidestinations.events.amazonaws.com",))),
        _allow(("iam:CreateServiceLinkedRole",),
            resources=("arn:aws:iam::*:role/aws-service-role/schemas.amazonaws.com/"
                       "AWSServiceRoleForSchemas",),
            condition=("StringEquals", "iam:AWSServiceName", ("schemas.amazonaws.com",))),
        _allow(("secretsmanager:CreateSecret", "secretsmanager:UpdateSecret",
            "secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue"),
            resources=("arn:aws:secretsmanager:*:*:secret:events!*",)),
        _allow(("iam:PassRole",), resources=("arn:aws:iam::*:role/*",), condition=("StringLike",
            "iam:PassedToService", ("events.amazonaws.com",))),
        _allow(("iam:PassRole",), resources=("arn:aws:iam::*:role/*",), condition=("StringLike",
            "iam:PassedToService", ("scheduler.amazonaws.com",))),
        _allow(("iam:PassRole",), resources=("arn:aws:iam::*:role/*",), condition=("StringLike",
            "iam:PassedToService", ("pipes.amazonaws.com",))),
    ),
    "AmazonEventBridgeReadOnlyAccess": (  # v6, 2022-12-01
        _allow(("events:DescribeRule", "events:DescribeEventBus", "events:DescribeEventSource",
            "events:ListEventBuses", "events:ListEventSources", "events:ListRuleNamesByTarget",
            "events:ListRules", "events:ListTargetsByRule", "events:TestEventPattern",
            "events:DescribeArchive", "events:ListArchives", "events:DescribeReplay",
            "events:ListReplays", "events:DescribeConnection", "events:ListConnections",
            "events:DescribeApiDestination", "events:ListApiDestinations",
            "events:DescribeEndpoint", "events:ListEndpoints", "schemas:DescribeCodeBinding",
            "schemas:DescribeDiscoverer", "schemas:DescribeRegistry", "schemas:DescribeSchema",
            "schemas:ExportSchema", "schemas:GetCodeBindingSource", "schemas:GetDiscoveredSchema",
            "schemas:GetResourcePolicy", "schemas:ListDiscoverers", "schemas:ListRegistries",
            "schemas:ListSchemas", "schemas:ListSchemaVersions", "schemas:ListTagsForResource",
            "schemas:SearchSchemas", "scheduler:GetSchedule", "scheduler:GetScheduleGroup",
            "scheduler:ListSchedules", "scheduler:ListScheduleGroups",
            "scheduler:ListTagsForResource", "pipes:DescribePipe", "pipes:ListPipes",
            "pipes:ListTagsForResource")),
    ),
    "SecretsManagerReadWrite": (  # v5, 2024-02-22
        _allow(("secretsmanager:*", "cloudformation:CreateChangeSet",
            "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackResource",
            "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
            "docdb-elastic:GetCluster", "docdb-elastic:ListClusters", "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:DescribeKey", "kms:ListAliases",
            "kms:ListKeys", "lambda:ListFunctions", "rds:DescribeDBClusters",
            "rds:DescribeDBInstances", "redshift:DescribeClusters",
            "redshift-serverless:ListWorkgroups", "redshift-serverless:GetNamespace",
            "tag:GetResources")),
        _allow(("lambda:AddPermission", "lambda:CreateFunction", "lambda:GetFunction",
            "lambda:InvokeFunction", "lambda:UpdateFunctionConfiguration"),
            resources=("arn:aws:lambda:*:*:function:SecretsManager*",)),
        _allow(("serverlessrepo:CreateCloudFormationChangeSet", "serverlessrepo:GetApplication"),
            resources=("arn:aws:serverlessrepo:*:*:applications/SecretsManager*",)),
        _allow(("s3:GetObject",), resources=("arn:aws:s3:::awsserverlessrepo-changesets*",
            "arn:aws:s3:::secrets-manager-rotation-apps-*/*")),
    ),
    "AmazonSSMReadOnlyAccess": (  # v1, 2015-05-29
        _allow(("ssm:Describe*", "ssm:Get*", "ssm:List*")),
    ),
    "AmazonSSMFullAccess": (  # v4, 2019-11-20
        _allow(("cloudwatch:PutMetricData", "ds:CreateComputer", "ds:DescribeDirectories",
            "ec2:DescribeInstanceStatus", "logs:*", "ssm:*", "ec2messages:*")),
        _allow(("iam:CreateServiceLinkedRole",),
            resources=(_SSM_SERVICE_ROLE,),
            condition=("StringLike", "iam:AWSServiceName", ("ssm.amazonaws.com",))),
        _allow(("iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"),
            resources=(_SSM_SERVICE_ROLE,)),
        _allow(("ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel")),
    ),
    "AWSStepFunctionsFullAccess": (  # v1, 2017-01-11
        _allow(("states:*",)),
    ),
    "AmazonKinesisFullAccess": (  # v1, 2015-02-06
        _allow(("kinesis:*",)),
    ),
    "AmazonKinesisReadOnlyAccess": (  # v1, 2015-02-06
        _allow(("kinesis:Get*", "kinesis:List*", "kinesis:Describe*")),
    ),
    "AWSLambda_ReadOnlyAccess": (  # v5, 2026-02-12
        _allow(("cloudformation:DescribeStacks", "cloudformation:ListStacks",
            "cloudformation:ListStackResources", "cloudwatch:GetMetricData",
            "cloudwatch:ListMetrics", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
            "ec2:DescribeVpcs", "kms:ListAliases", "iam:GetPolicy", "iam:GetPolicyVersion",
            "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
            "iam:ListRolePolicies", "iam:ListRoles", "logs:DescribeLogGroups", "lambda:Get*",
            "lambda:List*", "states:DescribeStateMachine", "states:ListStateMachines",
            "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces")),
        _allow(("logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents",
            "logs:StartQuery", "logs:StopQuery", "logs:DescribeQueries", "logs:GetLogGroupFields",
            "logs:GetLogRecord", "logs:GetQueryResults", "logs:StartLiveTail", "logs:StopLiveTail"),
            resources=("arn:aws:logs:*:*:log-group:/aws/lambda/*",)),
    ),
    "AdministratorAccess": (  # v1, 2015-02-06
        _allow(("*",)),
    ),
    "PowerUserAccess": (  # v12, 2026-02-12
        _allow(not_actions=("iam:*", "organizations:*", "account:*")),
        _allow(("account:GetAccountInformation", "account:GetGovCloudAccountInformation",
            "account:GetPrimaryEmail", "account:ListRegions", "iam:CreateServiceLinkedRole",
            "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeEffectivePolicy",
            "organizations:DescribeOrganization")),
    ),

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
    return name in POLICIES
