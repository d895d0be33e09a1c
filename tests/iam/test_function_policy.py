"""A function's effective policy from its template: SAM's role (basic logging, event-source
policies, Policies entries) or the Role it names, as "AWS SAM policy templates" and
"AWS::Serverless::Function" (SAM developer guide) describe them."""

from __future__ import annotations

from textwrap import dedent, indent

from samlite.iam.evaluation import Caller, Outcome, Request, evaluate
from samlite.iam.function_policy import FunctionPolicy, function_policies
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

HEAD = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Inbox:
    Type: AWS::S3::Bucket
    Properties: {BucketName: inbox}
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs}
"""


def policy_of(functions: str, name: str = "Worker") -> FunctionPolicy:
    text = HEAD + indent(dedent(functions), "  ")
    return function_policies(resolve(parse_template(text, name="template.yaml")))[name]


def allowed(fp: FunctionPolicy, action: str, resource: str) -> bool:
    return evaluate(fp.caller, Request(action=action, resource=resource),
                    identity=fp.policies).outcome is Outcome.ALLOWED


WORKER = """\
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - S3ReadPolicy: {BucketName: !Ref Inbox}
        - SQSSendMessagePolicy: {QueueName: !GetAtt Jobs.QueueName}
"""


def test_a_policy_template_grants_what_sam_expands_it_to() -> None:
    fp = policy_of(WORKER)
    assert allowed(fp, "s3:GetObject", "arn:aws:s3:::inbox/a.txt")
    assert allowed(fp, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")


def test_a_policy_template_grants_nothing_more() -> None:
    fp = policy_of(WORKER)
    assert not allowed(fp, "s3:PutObject", "arn:aws:s3:::inbox/a.txt")
    assert not allowed(fp, "s3:GetObject", "arn:aws:s3:::other/a.txt")


def test_sams_role_can_always_write_logs() -> None:
    fp = policy_of(WORKER)
    assert allowed(fp, "logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:x")


def test_the_session_is_the_function_in_sams_role() -> None:
    fp = policy_of(WORKER)
    assert fp.caller.session_arn.startswith("arn:aws:sts::123456789012:assumed-role/samlite-")
    assert fp.caller.session_arn.endswith("WorkerRole-" + fp.caller.role_name.rsplit("-")[-1]
                                          + "/Worker")


def test_policies_name_their_template_line() -> None:
    fp = policy_of(WORKER)
    assert [p.source for p in fp.policies] == [
        "template.yaml:10 (SAM's role) AWSLambdaBasicExecutionRole",
        "template.yaml:16 S3ReadPolicy: {BucketName: inbox}",
        "template.yaml:17 SQSSendMessagePolicy: {QueueName: jobs}"]


def test_inline_statements_and_managed_names() -> None:
    fp = policy_of("""\
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Policies:
            - AmazonSQSReadOnlyAccess
            - Statement:
                - Effect: Allow
                  Action: s3:PutObject
                  Resource: !Sub "${Inbox.Arn}/out/*"
    """)
    assert allowed(fp, "s3:PutObject", "arn:aws:s3:::inbox/out/1.json")
    assert allowed(fp, "sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:123456789012:jobs")
    assert not allowed(fp, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")
    assert fp.warnings == ()


def test_an_unknown_managed_policy_allows_all_with_a_warning() -> None:
    fp = policy_of("""\
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Policies: arn:aws:iam::aws:policy/SomethingNew
    """)
    assert allowed(fp, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/t")
    assert len(fp.warnings) == 1
    assert "template.yaml:15" in fp.warnings[0]
    assert "SomethingNew is not one samlite knows" in fp.warnings[0]


def test_an_sqs_event_adds_the_poller_policy() -> None:
    fp = policy_of("""\
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
    """)
    assert allowed(fp, "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")


ROLE = """\
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: worker-role
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
      Policies:
        - PolicyName: queue
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: "sqs:SendMessage", Resource: !GetAtt Jobs.Arn}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Role: !GetAtt WorkerRole.Arn
      Policies: [AmazonS3FullAccess]
"""


def test_a_template_role_is_the_functions_identity() -> None:
    fp = policy_of(ROLE)
    assert fp.caller == Caller(account_id="123456789012", role_name="worker-role",
                               session_name="Worker")
    assert allowed(fp, "sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs")
    assert allowed(fp, "logs:CreateLogStream", "*")


def test_policies_beside_a_role_are_not_added() -> None:
    # SAM ignores Policies when Role is given (it makes no role to put them in).
    fp = policy_of(ROLE)
    assert not allowed(fp, "s3:GetObject", "arn:aws:s3:::inbox/a")


def test_an_external_role_allows_all_with_a_warning() -> None:
    fp = policy_of("""\
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Role: arn:aws:iam::123456789012:role/made-elsewhere
    """)
    assert allowed(fp, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/t")
    assert fp.caller.role_name == "made-elsewhere"
    assert "is not a role of this template" in fp.warnings[0]


def test_a_bucket_policy_governs_the_buckets_objects() -> None:
    from samlite.iam.resource_policies import policy_for, resource_policies

    text = HEAD + indent(dedent("""\
      InboxPolicy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref Inbox
          PolicyDocument:
            Statement:
              - Effect: Deny
                Principal: "*"
                Action: s3:DeleteObject
                Resource: !Sub "${Inbox.Arn}/*"
      JobsPolicy:
        Type: AWS::SQS::QueuePolicy
        Properties:
          Queues: [!Ref Jobs]
          PolicyDocument:
            Statement:
              - {Effect: Allow, Principal: "*", Action: "sqs:SendMessage", Resource: "*"}
    """), "  ")
    policies, warnings = resource_policies(resolve(parse_template(text, name="template.yaml")))
    assert sorted(policies) == ["arn:aws:s3:::inbox", "arn:aws:sqs:us-east-1:123456789012:jobs"]
    bucket = policy_for(policies, "arn:aws:s3:::inbox/a.txt")
    assert bucket is not None and bucket.source == "template.yaml:15 InboxPolicy"
    caller = Caller(account_id="123456789012", role_name="r", session_name="Worker")
    decision = evaluate(caller, Request(action="s3:DeleteObject",
                                        resource="arn:aws:s3:::inbox/a.txt"),
                        identity=[], resource_policy=bucket)
    assert (decision.outcome, warnings) == (Outcome.DENIED_BY_RESOURCE, [])
