"""AWS managed policies grant what AWS publishes for them: their resource limits, NotAction
and every statement (the documents of the AWS Managed Policy Reference Guide, as managed.py
names its source)."""

from __future__ import annotations

import pytest

from samlite.iam.evaluation import Outcome, Request, evaluate
from samlite.iam.function_policy import FunctionPolicy
from samlite.iam.managed import managed_name
from tests.iam.test_function_policy import policy_of

ACCOUNT = "123456789012"


def with_managed(name: str) -> FunctionPolicy:
    return policy_of(f"""\
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Policies: arn:aws:iam::aws:policy/{name}
    """)


def allowed(fp: FunctionPolicy, action: str, resource: str) -> bool:
    # Only the managed policy, not SAM's basic logging role beside it.
    return evaluate(fp.caller, Request(action=action, resource=resource),
                    identity=fp.policies[1:]).outcome is Outcome.ALLOWED


@pytest.mark.parametrize(("case", "policy", "action", "resource", "expected"), [
    ("lambda insights logs only to its own group", "CloudWatchLambdaInsightsExecutionRolePolicy",
     "logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/Worker:*",
     False),
    ("lambda insights writes /aws/lambda-insights", "CloudWatchLambdaInsightsExecutionRolePolicy",
     "logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda-insights:*",
     True),
    ("lambda insights creates any group", "CloudWatchLambdaInsightsExecutionRolePolicy",
     "logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/x", True),
    ("secrets rw invokes only SecretsManager* functions", "SecretsManagerReadWrite",
     "lambda:InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Worker", False),
    ("secrets rw reads any secret", "SecretsManagerReadWrite", "secretsmanager:GetSecretValue",
     f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:db-AbCdEf", True),
    ("eventbridge read-only cannot put events", "AmazonEventBridgeReadOnlyAccess",
     "events:PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default", False),
    ("eventbridge read-only lists rules", "AmazonEventBridgeReadOnlyAccess", "events:ListRules",
     f"arn:aws:events:us-east-1:{ACCOUNT}:rule/*", True),
    ("ssm full access includes logs", "AmazonSSMFullAccess", "logs:PutLogEvents",
     f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/x:*", True),
    ("lambda execute writes objects", "AWSLambdaExecute", "s3:PutObject",
     "arn:aws:s3:::inbox/a.txt", True),
    ("lambda execute cannot delete objects", "AWSLambdaExecute", "s3:DeleteObject",
     "arn:aws:s3:::inbox/a.txt", False),
    ("dynamodb read-only cannot write", "AmazonDynamoDBReadOnlyAccess", "dynamodb:PutItem",
     f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t", False),
    ("power user everything but iam", "PowerUserAccess", "dynamodb:PutItem",
     f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t", True),
    ("power user no iam", "PowerUserAccess", "iam:CreateRole",
     f"arn:aws:iam::{ACCOUNT}:role/x", False),
    ("power user lists roles", "PowerUserAccess", "iam:ListRoles", "*", True),
    ("lambda read-only reads only lambda's logs", "AWSLambda_ReadOnlyAccess",
     "logs:GetLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/app:*", False),
])
def test_a_managed_policy_grants_what_aws_publishes(case: str, policy: str, action: str,
                                                    resource: str, expected: bool) -> None:
    fp = with_managed(policy)
    assert fp.warnings == (), case
    assert allowed(fp, action, resource) is expected, case


def test_a_service_role_path_names_the_same_policy() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert managed_name(arn) == "AWSLambdaBasicExecutionRole"


def test_a_policy_samlite_has_not_checked_is_named_not_guessed() -> None:
    fp = with_managed("ReadOnlyAccess")
    assert allowed(fp, "s3:PutObject", "arn:aws:s3:::inbox/a.txt")
    assert "ReadOnlyAccess is not one samlite knows" in fp.warnings[0]
