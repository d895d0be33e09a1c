"""check_schema: what a user sees for wrong values, unknown names and intrinsics."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from samlite.template.load import load_template, parse_template
from samlite.template.schema import check_schema

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
VALID = sorted(CORPUS.glob("sam-translator/valid/*.yaml"))
INVALID = sorted(CORPUS.glob("sam-translator/invalid/*.yaml"))
APPS = sorted(CORPUS.glob("apps/*/template.y*ml"))


def problems(text: str):
    loaded = parse_template(textwrap.dedent(text), name="template.yaml")
    assert not loaded.problems
    return list(check_schema(loaded))


def function(props: str, extra: str = "") -> str:
    """A template with one function `Fn` whose Properties are `props` (YAML, 6-space indent)."""
    body = textwrap.indent(textwrap.dedent(props), " " * 6)
    return ("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
            "    Type: AWS::Serverless::Function\n    Properties:\n"
            "      Handler: app.handler\n      Runtime: python3.12\n" + body + extra)


def only(found):
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_corpus_has_no_schema_errors(path):
    errors = [str(p) for p in check_schema(load_template(path)) if p.is_error]
    assert errors == []


@pytest.mark.parametrize("path", APPS, ids=lambda p: p.parent.name)
def test_app_templates_have_no_schema_errors(path):
    errors = [str(p) for p in check_schema(load_template(path)) if p.is_error]
    assert errors == []


def test_invalid_corpus_rate_is_printed(capsys):
    hit = sum(any(p.is_error for p in check_schema(load_template(path))) for path in INVALID)
    with capsys.disabled():
        print(f"\nschema errors in {hit}/{len(INVALID)} invalid corpus templates")
    assert INVALID


WRONG_VALUES = [
    ("memory-too-small", "MemorySize: 64", "E2001", "Resources.Fn.Properties.MemorySize",
     "MemorySize must be an integer from 128 to 10240, got 64"),
    ("memory-too-big", "MemorySize: 20000", "E2001", "Resources.Fn.Properties.MemorySize",
     "MemorySize must be an integer from 128 to 10240, got 20000"),
    ("memory-string-too-small", "MemorySize: '64'", "E2001", "Resources.Fn.Properties.MemorySize",
     'MemorySize must be an integer from 128 to 10240, got "64"'),
    ("memory-not-a-number", "MemorySize: lots", "E2001", "Resources.Fn.Properties.MemorySize",
     'MemorySize must be an integer from 128 to 10240, got "lots"'),
    ("timeout-zero", "Timeout: 0", "E2001", "Resources.Fn.Properties.Timeout",
     "Timeout must be an integer from 1 to 900, got 0"),
    ("timeout-too-long", "Timeout: 901", "E2001", "Resources.Fn.Properties.Timeout",
     "Timeout must be an integer from 1 to 900, got 901"),
    ("ephemeral-too-small", "EphemeralStorage:\n  Size: 256", "E2001",
     "Resources.Fn.Properties.EphemeralStorage.Size",
     "Size must be an integer from 512 to 10240, got 256"),
    ("architecture-unknown", "Architectures: [x86]", "E2001",
     "Resources.Fn.Properties.Architectures[0]",
     'Architectures[0] must be one of x86_64, arm64, got "x86"'),
    ("two-architectures", "Architectures: [x86_64, arm64]", "E2001",
     "Resources.Fn.Properties.Architectures",
     "Architectures must be a list holding one of x86_64 or arm64, got a list of 2 items"),
    ("package-type", "PackageType: zip", "E2001", "Resources.Fn.Properties.PackageType",
     'PackageType must be one of Zip, Image, got "zip"'),
    ("dlq-type", "DeadLetterQueue:\n  Type: SES\n  TargetArn: arn", "E2001",
     "Resources.Fn.Properties.DeadLetterQueue.Type", 'Type must be one of SNS, SQS, got "SES"'),
    ("event-age", "EventInvokeConfig:\n  MaximumEventAgeInSeconds: 30", "E2001",
     "Resources.Fn.Properties.EventInvokeConfig.MaximumEventAgeInSeconds",
     "MaximumEventAgeInSeconds must be an integer from 60 to 21600, got 30"),
    ("retry-attempts", "EventInvokeConfig:\n  MaximumRetryAttempts: 3", "E2001",
     "Resources.Fn.Properties.EventInvokeConfig.MaximumRetryAttempts",
     "MaximumRetryAttempts must be an integer from 0 to 2, got 3"),
    ("destination-type", "EventInvokeConfig:\n  DestinationConfig:\n    OnFailure:\n"
     "      Type: Kinesis", "E2001",
     "Resources.Fn.Properties.EventInvokeConfig.DestinationConfig.OnFailure.Type",
     'Type must be one of SQS, SNS, Lambda, EventBridge, S3Bucket, got "Kinesis"'),
    ("url-auth", "FunctionUrlConfig:\n  AuthType: IAM", "E2001",
     "Resources.Fn.Properties.FunctionUrlConfig.AuthType",
     'AuthType must be one of AWS_IAM, NONE, got "IAM"'),
    ("url-invoke-mode", "FunctionUrlConfig:\n  AuthType: NONE\n  InvokeMode: STREAM", "E2001",
     "Resources.Fn.Properties.FunctionUrlConfig.InvokeMode",
     'InvokeMode must be one of BUFFERED, RESPONSE_STREAM, got "STREAM"'),
    ("url-needs-auth", "FunctionUrlConfig:\n  InvokeMode: BUFFERED", "E2003",
     "Resources.Fn.Properties.FunctionUrlConfig",
     "missing required property AuthType in FunctionUrlConfig"),
    ("layers-not-list", "Layers: arn:aws:lambda:us-east-1:123456789012:layer:x:1", "E2001",
     "Resources.Fn.Properties.Layers",
     'Layers must be a list of layer ARNs, got "arn:aws:lambda:us-east-1:123456789012:layer:x:1"'),
    ("env-not-mapping", "Environment:\n  Variables: [A, B]", "E2001",
     "Resources.Fn.Properties.Environment.Variables",
     "Variables must be a mapping of names to strings, got a list of 2 items"),
    ("codeuri-list", "CodeUri: []", "E2001", "Resources.Fn.Properties.CodeUri",
     "CodeUri must be a path, an s3:// URI or a mapping with Bucket and Key, "
     "got a list of 0 items"),
    ("codeuri-missing-key", "CodeUri:\n  Bucket: b", "E2003", "Resources.Fn.Properties.CodeUri",
     "missing required property Key in CodeUri"),
    ("reserved-negative", "ReservedConcurrentExecutions: -1", "E2001",
     "Resources.Fn.Properties.ReservedConcurrentExecutions",
     "ReservedConcurrentExecutions must be an integer of at least 0, got -1"),
    ("recursive-loop-warning", "RecursiveLoop: Sometimes", "W2001",
     "Resources.Fn.Properties.RecursiveLoop",
     'RecursiveLoop must be one of Allow, Terminate, got "Sometimes"'),
]


@pytest.mark.parametrize(("props", "code", "path", "message"),
                         [case[1:] for case in WRONG_VALUES], ids=[c[0] for c in WRONG_VALUES])
def test_wrong_values_say_what_was_expected(props, code, path, message):
    problem = only(problems(function(props)))
    assert (problem.code, problem.path, problem.message) == (code, path, message)
    assert problem.resource == "Fn"


def test_message_points_at_the_value_line_and_column():
    problem = only(problems(function("MemorySize: 64")))
    assert str(problem) == ("template.yaml:8:19: error E2001 Resources.Fn.Properties.MemorySize: "
                            "MemorySize must be an integer from 128 to 10240, got 64")


@pytest.mark.parametrize("props", [
    "MemorySize: '512'", "Timeout: '30'", "EphemeralStorage:\n  Size: '1024'",
    "AutoPublishAliasAllProperties: 'true'", "Description: 42",
], ids=["memory", "timeout", "ephemeral", "bool-string", "number-as-string"])
def test_values_cloudformation_converts_are_accepted(props):
    assert problems(function(props)) == []


@pytest.mark.parametrize("props", [
    "MemorySize: !Ref Memory",
    "MemorySize: !If [Big, 4096, 64]",
    "Timeout: !FindInMap [Sizes, !Ref AWS::Region, Timeout]",
    "Architectures: !Ref Arch",
    "Architectures: [!Ref Arch]",
    "DeadLetterQueue: !If [HasDlq, {Type: SQS, TargetArn: x}, !Ref AWS::NoValue]",
    "DeadLetterQueue:\n  Type: !Ref DlqType\n  TargetArn: !GetAtt Dlq.Arn",
    "Environment: !If [Prod, {Variables: {A: b}}, {Variables: {A: c}}]",
    "Layers: !Split [',', !Ref LayerList]",
    "FunctionUrlConfig:\n  AuthType: !Ref Auth\n"
    "  Cors: !If [C, {AllowOrigins: ['*']}, !Ref AWS::NoValue]",
    "Events: !If [HasEvents, {}, {}]",
    "Events:\n  E: !If [C, {Type: SQS, Properties: {Queue: q}}, !Ref AWS::NoValue]",
    "Events:\n  E:\n    Type: SQS\n    Properties:\n"
    "      Queue: !GetAtt Q.Arn\n      BatchSize: !Ref B",
    "Tags: {Fn::Transform: {Name: AWS::Include}}",
], ids=["ref", "if", "findinmap", "list-as-ref", "item-ref", "if-mapping", "nested-ref",
        "if-env", "split", "cors-if", "events-if", "event-if", "event-props", "transform"])
def test_intrinsics_are_accepted_anywhere(props):
    assert problems(function(props)) == []


def test_properties_may_be_an_intrinsic():
    text = function("") + "  Other:\n    Type: AWS::SQS::Queue\n    Properties: !If [C, {}, {}]\n"
    assert problems(text) == []


def test_unknown_property_says_did_you_mean_and_points_at_the_key():
    problem = only(problems(function("MemorySzie: 128")))
    assert problem.code == "E2002"
    assert problem.path == "Resources.Fn.Properties.MemorySzie"
    assert problem.message == ("unknown property MemorySzie of AWS::Serverless::Function; "
                               "did you mean MemorySize?")
    assert (problem.at.line, problem.at.column) == (8, 7)


def test_unknown_property_in_a_nested_mapping():
    found = problems(function("DeadLetterQueue:\n  Type: SQS\n  TargetArm: x"))
    messages = {p.message for p in found}
    assert messages == {"unknown property TargetArm in DeadLetterQueue; did you mean TargetArn?"}
    found = problems(function("DeadLetterQueue:\n  Type: SQS\n  TargetArn: x\n  Extra: 1"))
    assert only(found).message == ("unknown property Extra in DeadLetterQueue; "
                                   "expected one of Type, TargetArn")


def test_cloudformation_property_typo_is_an_error_but_unknown_name_a_warning():
    text = ("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            "      VisibiltyTimeout: 30\n      Brandnew: 1\n")
    found = {p.path: (p.code, p.message) for p in problems(text)}
    assert found == {
        "Resources.Q.Properties.VisibiltyTimeout": (
            "E2002", "unknown property VisibiltyTimeout of AWS::SQS::Queue; "
                     "did you mean VisibilityTimeout?"),
        "Resources.Q.Properties.Brandnew": (
            "W2002", "unknown property Brandnew of AWS::SQS::Queue"),
    }


@pytest.mark.parametrize("rtype", ["AWS::Kinesis::Stream", "Custom::Thing", "AWS::New::Service"])
def test_other_resource_types_are_accepted_without_property_checks(rtype):
    text = f"Resources:\n  R:\n    Type: {rtype}\n    Properties:\n      Anything: [1, 2]\n"
    assert problems(text) == []


def test_unknown_event_type_lists_the_known_ones():
    problem = only(problems(function("Events:\n  E:\n    Type: Sqs\n    Properties: {}")))
    assert problem.code == "E2004"
    assert problem.path == "Resources.Fn.Properties.Events.E.Type"
    assert problem.message.startswith(
        'unknown event type "Sqs" in event E; did you mean SQS? known types: AlexaSkill, Api,')
    for known in ("DocumentDB", "ScheduleV2", "SelfManagedKafka", "MQ", "MSK", "IoTRule"):
        assert known in problem.message


@pytest.mark.parametrize(("event", "message"), [
    ("Type: SQS\nProperties:\n  BatchSize: 10", "missing required property Queue of SQS event"),
    ("Type: S3\nProperties:\n  Bucket: !Ref B\n  Events: s3:ObjectCreated:*\n  Prefix: x",
     "unknown property Prefix of S3 event; expected one of Bucket, Events, Filter"),
    ("Type: Api\nProperties:\n  Path: /x\n  method: get",
     "unknown property method of Api event; did you mean Method?"),
    ("Type: Kinesis", "event E of type Kinesis needs Properties"),
], ids=["sqs-no-queue", "s3-unknown", "api-no-method", "no-properties"])
def test_event_properties_are_checked(event, message):
    props = "Events:\n  E:\n" + textwrap.indent(event, "    ")
    assert message in [p.message for p in problems(function(props))]


@pytest.mark.parametrize(("text", "code", "message"), [
    ("Resource:\n  A:\n    Type: AWS::SQS::Queue\n", "E1010",
     "unknown section Resource; did you mean Resources?"),
    ("Description: x\n", "E1011", "the template has no Resources section"),
    ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependOn: B\n", "E1013",
     "unknown resource attribute DependOn; did you mean DependsOn?"),
    ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DeletionPolicy: Keep\n", "E1014",
     'DeletionPolicy must be one of Delete, Retain, RetainExceptOnCreate, Snapshot, got "Keep"'),
    ("Resources:\n  A-b:\n    Type: AWS::SQS::Queue\n", "E1015",
     'name "A-b" must be alphanumeric (A-Z, a-z, 0-9)'),
    ("Resources:\n  A:\n    Properties: {}\n", "E1012", "missing required property Type in A"),
    ("Globals:\n  Function:\n    Events: {}\nResources:\n  A:\n    Type: AWS::SQS::Queue\n",
     "E1016", "Events is not supported in Globals.Function"),
    ("Globals:\n  Function:\n    MemorySize: 1\nResources:\n  A:\n    Type: AWS::SQS::Queue\n",
     "E2001", "MemorySize must be an integer from 128 to 10240, got 1"),
    ("Parameters:\n  P:\n    Type: Boolean\nResources:\n  A:\n    Type: AWS::SQS::Queue\n",
     "E1011", 'Type must be String, Number, List<Number>, CommaDelimitedList or an AWS-specific '
              'type, got "Boolean"'),
    ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 901\n",
     "E2001", "DelaySeconds must be an integer from 0 to 900, got 901"),
], ids=["section-typo", "no-resources", "attribute-typo", "deletion-policy", "logical-id",
        "no-type", "globals-unsupported", "globals-value", "parameter-type", "queue-delay"])
def test_template_structure(text, code, message):
    problem = only(problems(text))
    assert (problem.code, problem.message) == (code, message)


def big_template(functions: int = 166) -> str:
    """CloudFormation's 500-resource limit: functions with SQS, S3, HttpApi and Schedule events."""
    out = ["Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for i in range(functions):
        out += [f"  Fn{i}:", "    Type: AWS::Serverless::Function", "    Properties:",
                "      Handler: app.handler", "      Runtime: python3.12", "      CodeUri: src/",
                "      MemorySize: 256", "      Timeout: 30", "      Events:",
                "        Sqs:", "          Type: SQS", "          Properties:",
                f"            Queue: !GetAtt Queue{i}.Arn",
                "        Upload:", "          Type: S3", "          Properties:",
                f"            Bucket: !Ref Bucket{i}", "            Events: s3:ObjectCreated:*",
                "        Http:", "          Type: HttpApi", "          Properties:",
                f"            Path: /fn{i}", "            Method: GET",
                "        Tick:", "          Type: Schedule", "          Properties:",
                "            Schedule: rate(5 minutes)",
                f"  Queue{i}:", "    Type: AWS::SQS::Queue", "    Properties:",
                "      VisibilityTimeout: 180",
                f"  Bucket{i}:", "    Type: AWS::S3::Bucket"]
    return "\n".join(out) + "\n"


def test_a_500_resource_template_passes_the_schema_check():
    # How fast (target ~10 ms) is benchmarks/validate_500.py's figure, not a test's.
    loaded = parse_template(big_template(), name="big.yaml")
    assert list(check_schema(loaded)) == []
