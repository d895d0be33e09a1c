"""Resolution of whole templates: parameters, conditions, resource names, marks, loops, and
the shared corpus."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from samlite.errors import Mark
from samlite.template.load import LoadedTemplate, load_template, parse_template
from samlite.template.model import PseudoParameters, ResolvedTemplate, Unresolved
from samlite.template.nodes import MappingNode
from samlite.template.resolve import resolve

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


def loaded(text: str) -> LoadedTemplate:
    return parse_template(textwrap.dedent(text), name="template.yaml")


def resolved(text: str, **options: object) -> ResolvedTemplate:
    return resolve(loaded(text), **options)  # type: ignore[arg-type]


def codes(result: ResolvedTemplate) -> list[str]:
    return [p.code for p in result.problems]


# ---- parameters ----

PARAMETER = """\
Parameters:
  P:
    Type: {kind}
    {constraint}
Resources:
  Q: {{Type: AWS::SQS::Queue}}
"""


@pytest.mark.parametrize(("kind", "constraint", "value", "code", "words"), [
    pytest.param("String", "AllowedValues: [dev, prod]", "qa", "E2201", "dev, prod",
                 id="allowed-values"),
    pytest.param("String", "AllowedPattern: '[a-z]+'", "Dev1", "E2202", "[a-z]+",
                 id="allowed-pattern-must-match-whole-value"),
    pytest.param("String", "MinLength: 3", "ab", "E2203", "MinLength is 3", id="min-length"),
    pytest.param("String", "MaxLength: 3", "abcd", "E2204", "MaxLength is 3", id="max-length"),
    pytest.param("Number", "MinValue: 128", "64", "E2205", "MinValue is 128", id="min-value"),
    pytest.param("Number", "MaxValue: 10", "11", "E2206", "MaxValue is 10", id="max-value"),
    pytest.param("Number", "MinValue: 1", "many", "E2207", "must be a number", id="not-number"),
    pytest.param("CommaDelimitedList", "AllowedValues: [a, b]", "a,c", "E2201", "got 'c'",
                 id="list-items-each-checked"),
])
def test_parameter_constraints(kind: str, constraint: str, value: str, code: str,
                               words: str) -> None:
    text = PARAMETER.format(kind=kind, constraint=constraint)
    result = resolved(text, parameter_overrides={"P": value})
    assert codes(result) == [code]
    message = result.problems[0].message
    assert message.startswith("Parameter P: ")
    assert words in message


@pytest.mark.parametrize(("kind", "constraint", "value"), [
    pytest.param("String", "AllowedValues: [dev, prod]", "prod", id="allowed-value"),
    pytest.param("String", "AllowedPattern: '[a-z]+'", "dev", id="pattern"),
    pytest.param("Number", "MaxValue: 10", "10", id="max-value-inclusive"),
    pytest.param("String", "AllowedValues: [1, true]", "true", id="allowed-values-as-text"),
])
def test_parameter_values_that_pass(kind: str, constraint: str, value: str) -> None:
    text = PARAMETER.format(kind=kind, constraint=constraint)
    assert codes(resolved(text, parameter_overrides={"P": value})) == []


def test_constraint_message_names_parameter_value_and_description() -> None:
    result = resolved("""\
        Parameters:
          Stage:
            Type: String
            Default: qa
            AllowedValues: [dev, prod]
            ConstraintDescription: must be dev or prod
        Resources: {}
        """)
    (problem,) = result.problems
    assert str(problem) == (
        "template.yaml:4:14: error E2201 Parameters.Stage.Default: Parameter Stage: "
        "AllowedValues allows only dev, prod, got 'qa' (must be dev or prod)")


def test_override_wins_over_default() -> None:
    result = resolved("""\
        Parameters:
          Stage: {Type: String, Default: dev}
        Resources: {}
        """, parameter_overrides={"Stage": "prod"})
    assert result.parameters == {"Stage": "prod"}


def test_override_for_undeclared_parameter_is_an_error() -> None:
    result = resolved("""\
        Parameters:
          Stage: {Type: String, Default: dev}
        Resources: {}
        """, parameter_overrides={"Stgae": "prod"})
    assert codes(result) == ["E2208"]
    assert "did you mean Stage?" in result.problems[0].message


@pytest.mark.parametrize(("is_error", "code"), [
    pytest.param(False, "W2209", id="validate-warns"),
    pytest.param(True, "E2209", id="up-errs"),
])
def test_parameter_without_default_or_override(is_error: bool, code: str) -> None:
    result = resolved("""\
        Parameters:
          Bucket: {Type: String}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {FunctionName: !Sub "${Bucket}-fn"}
        """, missing_parameter_is_error=is_error)
    assert codes(result) == [code]
    assert result.problems[0].message == (
        "Parameter Bucket has no Default; pass it with --parameter-overrides Bucket=value")
    assert result.resources["Fn"].properties["FunctionName"] == Unresolved("${Bucket}-fn")


def test_ssm_parameter_types_are_read_by_aws() -> None:
    result = resolved("""\
        Parameters:
          Ami: {Type: "AWS::SSM::Parameter::Value<String>", Default: /my/ami}
        Resources: {}
        """)
    assert result.parameters["Ami"] == Unresolved("SSM parameter /my/ami")


# ---- conditions and resources ----

def test_resources_whose_condition_is_false_are_left_out() -> None:
    result = resolved("""\
        Parameters:
          Stage: {Type: String, Default: dev}
        Conditions:
          IsProd: !Equals [!Ref Stage, prod]
        Resources:
          Alarm: {Type: AWS::SNS::Topic, Condition: IsProd}
          Queue: {Type: AWS::SQS::Queue}
        Outputs:
          AlarmArn: {Condition: IsProd, Value: !Ref Alarm}
          QueueUrl: {Value: !Ref Queue}
        """)
    assert result.conditions == {"IsProd": False}
    assert list(result.resources) == ["Queue"]
    assert list(result.outputs) == ["QueueUrl"]
    assert result.problems == ()


def test_condition_loop_is_a_problem_not_a_hang() -> None:
    result = resolved("""\
        Conditions:
          A: !Condition B
          B: !Not [!Condition A]
        Resources:
          Q: {Type: AWS::SQS::Queue, Condition: A}
        """)
    assert "E3204" in codes(result)
    assert "A -> B -> A" in " ".join(p.message for p in result.problems)


def test_resource_naming_itself_is_a_loop() -> None:
    result = resolved("""\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: !Sub "${Fn}-x"
        """)
    assert codes(result) == ["E3205"]
    assert result.problems[0].resource == "Fn"


def test_names_referring_to_each_other_are_one_loop_problem() -> None:
    result = resolved("""\
        Resources:
          A: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref B}}
          B: {Type: AWS::S3::Bucket, Properties: {BucketName: !Ref A}}
        """)
    assert codes(result) == ["E3205"]


def test_deeply_nested_intrinsics_end_in_a_problem() -> None:
    mark = Mark("template.yaml")
    value: object = "x"
    for _ in range(5000):
        value = MappingNode([("Fn::Base64", value)], mark=mark)
    properties = MappingNode([("Value", value)], mark=mark)
    resource = MappingNode([("Type", "AWS::SNS::Topic"), ("Properties", properties)], mark=mark)
    root = MappingNode([("Resources", MappingNode([("T", resource)], mark=mark))], mark=mark)
    result = resolve(LoadedTemplate(Path("t.yaml"), "t.yaml", root, (), 0))
    assert codes(result) == ["E3206"]


def test_resolved_containers_keep_their_marks() -> None:
    result = resolved("""\
        Parameters:
          Size: {Type: Number, Default: 256}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              MemorySize: !Ref Size
              Layers:
                - !Ref AWS::NoValue
                - arn:aws:lambda:us-east-1:123456789012:layer:x:1
        """)
    fn = result.resources["Fn"]
    assert fn.at == Mark("template.yaml", 4, 3)
    assert fn.properties.mark == Mark("template.yaml", 7, 7)
    assert fn.properties.mark_of("MemorySize") == Mark("template.yaml", 7, 19)
    assert fn.properties["MemorySize"] == 256
    layers = fn.properties["Layers"]
    assert layers.item_marks == [Mark("template.yaml", 10, 11)]
    assert fn.raw["Properties"]["MemorySize"] == {"Ref": "Size"}


def test_resource_fields() -> None:
    result = resolved("""\
        Conditions:
          Always: !Equals [a, a]
        Resources:
          Q:
            Type: AWS::SQS::Queue
            Condition: Always
            DependsOn: Other
            Metadata: {Region: !Ref AWS::Region}
          Other:
            Type: AWS::SQS::Queue
            DependsOn: [Q]
        """)
    q, other = result.resources["Q"], result.resources["Other"]
    assert (q.type, q.condition, q.depends_on, dict(q.metadata)) == (
        "AWS::SQS::Queue", "Always", ("Other",), {"Region": "us-east-1"})
    assert other.depends_on == ("Q",)
    assert dict(other.properties) == {}


# ---- names: what Ref and GetAtt give, per resource type ----

NAMES = """\
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {AutoPublishAlias: live}
  Named:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: !Sub "${AWS::StackName}-named"}
  Bucket: {Type: AWS::S3::Bucket}
  Site: {Type: AWS::S3::Bucket, Properties: {BucketName: site}}
  Queue: {Type: AWS::SQS::Queue, Properties: {QueueName: jobs}}
  Fifo: {Type: AWS::SQS::Queue, Properties: {FifoQueue: true}}
  Layer: {Type: AWS::Serverless::LayerVersion, Properties: {ContentUri: layer/}}
  Table: {Type: AWS::Serverless::SimpleTable}
  Topic: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
  Rule: {Type: AWS::Events::Rule, Properties: {Name: nightly}}
  Schedule: {Type: AWS::Scheduler::Schedule, Properties: {Name: hourly}}
  Role: {Type: AWS::IAM::Role, Properties: {RoleName: runner, Path: /app/}}
  Api: {Type: AWS::Serverless::Api, Properties: {StageName: v1}}
  Http: {Type: AWS::Serverless::HttpApi}
  Key: {Type: AWS::KMS::Key}
Outputs:
  Value: {Value: EXPRESSION}
"""

ACCOUNT = "123456789012"


def name_of(expression: str) -> object:
    result = resolved(NAMES.replace("EXPRESSION", expression))
    assert [p for p in result.problems if p.is_error] == []
    return result.outputs["Value"]["Value"]


@pytest.mark.parametrize(("expression", "expected"), [
    pytest.param("!Ref Fn", "Fn", id="function-ref-is-logical-id"),
    pytest.param("!GetAtt Fn.Arn", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Fn",
                 id="function-arn"),
    pytest.param("!Ref Named", "samlite-named", id="function-ref-is-function-name"),
    pytest.param("!Ref Fn.Alias", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Fn:live",
                 id="function-alias"),
    pytest.param("!Ref Fn.Version", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Fn:1",
                 id="function-version"),
    pytest.param("!GetAtt FnRole.Arn", re.compile(rf"arn:aws:iam::{ACCOUNT}:role/samlite-FnRole-"
                                                  r"[0-9A-F]{12}"), id="sam-generated-role"),
    pytest.param("!Ref Site", "site", id="bucket-ref-is-name"),
    pytest.param("!GetAtt Site.Arn", "arn:aws:s3:::site", id="bucket-arn"),
    pytest.param("!GetAtt Site.DomainName", "site.s3.amazonaws.com", id="bucket-domain"),
    pytest.param("!GetAtt Site.RegionalDomainName", "site.s3.us-east-1.amazonaws.com",
                 id="bucket-regional-domain"),
    pytest.param("!GetAtt Site.WebsiteURL", "http://site.s3-website-us-east-1.amazonaws.com",
                 id="bucket-website"),
    pytest.param("!Ref Bucket", re.compile(r"samlite-bucket-[0-9a-f]{12}"),
                 id="bucket-generated-name-follows-s3-rules"),
    pytest.param("!Ref Queue", f"http://127.0.0.1:3001/{ACCOUNT}/jobs", id="queue-ref-is-url"),
    pytest.param("!GetAtt Queue.Arn", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", id="queue-arn"),
    pytest.param("!GetAtt Queue.QueueUrl", f"http://127.0.0.1:3001/{ACCOUNT}/jobs",
                 id="queue-url"),
    pytest.param("!GetAtt Fifo.QueueName", re.compile(r"samlite-Fifo-[0-9A-F]{12}\.fifo"),
                 id="fifo-queue-generated-name"),
    pytest.param("!Ref Layer", f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:Layer:1",
                 id="layer-version-arn"),
    pytest.param("!GetAtt Table.Arn",
                 re.compile(rf"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/samlite-Table-\w+"),
                 id="simple-table-arn"),
    pytest.param("!Ref Topic", f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts", id="topic-ref-arn"),
    pytest.param("!GetAtt Rule.Arn", f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nightly",
                 id="rule-arn"),
    pytest.param("!GetAtt Schedule.Arn",
                 f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/hourly",
                 id="schedule-arn"),
    pytest.param("!GetAtt Role.Arn", f"arn:aws:iam::{ACCOUNT}:role/app/runner",
                 id="role-arn-with-path"),
    pytest.param("!Ref Api", re.compile(r"[0-9a-z]{10}"), id="rest-api-id"),
    pytest.param("!Ref Api.Stage", "v1", id="api-stage"),
    pytest.param("!GetAtt Http.ApiEndpoint",
                 re.compile(r"https://[0-9a-z]{10}\.execute-api\.us-east-1\.amazonaws\.com"),
                 id="http-api-endpoint"),
    pytest.param("!Ref ServerlessRestApi", re.compile(r"[0-9a-z]{10}"), id="implicit-rest-api"),
    pytest.param("!Ref ServerlessHttpApi", re.compile(r"[0-9a-z]{10}"), id="implicit-http-api"),
    pytest.param("!Ref Key", re.compile(r"samlite-Key-[0-9A-F]{12}"), id="other-type-ref"),
    pytest.param("!GetAtt Key.Arn", Unresolved("Key.Arn"), id="other-type-attribute"),
    pytest.param("!Ref AWS::StackId", re.compile(
        rf"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/samlite/[0-9a-f-]{{36}}"),
        id="stack-id"),
])
def test_names(expression: str, expected: object) -> None:
    value = name_of(expression)
    if isinstance(expected, re.Pattern):
        assert isinstance(value, str)
        assert expected.fullmatch(value), value
    else:
        assert value == expected


def test_names_are_the_same_every_time_and_follow_the_pseudo_parameters() -> None:
    assert name_of("!Ref Bucket") == name_of("!Ref Bucket")
    pseudo = PseudoParameters(region="eu-west-1", stack_name="shop",
                              endpoint_url="http://127.0.0.1:4000")
    result = resolve(loaded(NAMES.replace("EXPRESSION", "!Ref Queue")), pseudo=pseudo)
    assert result.outputs["Value"]["Value"] == f"http://127.0.0.1:4000/{ACCOUNT}/jobs"


# ---- the corpus ----

# Valid for SAM's translator, which never checks references, but CloudFormation would reject
# them: each names something the template does not define.
REJECTED_VALID = {
    "api_with_any_method_in_swagger.yaml": "E3201",       # !Ref Stage, no such parameter
    "function_with_event_dest_basic.yaml": "E3203",       # Fn::If on undefined SomeCondition
    "http_api_existing_openapi.yaml": "E3202",            # GetAtt DifferentFunction
    "intrinsic_functions.yaml": "E3210",                  # Fn::Ref is no intrinsic function
    "layers_with_intrinsics.yaml": "E3201",               # !Ref LayerRuntimeString
}


@pytest.mark.parametrize("path", sorted(CORPUS.glob("sam-translator/valid/*.yaml")),
                         ids=lambda p: p.name)
def test_valid_corpus_resolves_without_errors(path: Path) -> None:
    result = resolve(load_template(path))
    errors = {p.code for p in result.problems if p.is_error}
    expected = {REJECTED_VALID[path.name]} if path.name in REJECTED_VALID else set()
    assert errors == expected, [str(p) for p in result.problems]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("apps/*/template.y*ml")),
                         ids=lambda p: p.parent.name)
def test_app_templates_resolve_without_errors(path: Path) -> None:
    result = resolve(load_template(path))
    assert [str(p) for p in result.problems if p.is_error] == []


@pytest.mark.parametrize("path", sorted(CORPUS.glob("sam-translator/invalid/*.yaml")),
                         ids=lambda p: p.name)
def test_invalid_corpus_never_raises(path: Path) -> None:
    result = resolve(load_template(path))
    assert all(p.code[0] in "EW" for p in result.problems)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Resources: [1, 2]", [], id="resources-a-list"),
    pytest.param("Parameters: [a]\nResources: {}", [], id="parameters-a-list"),
    pytest.param("Conditions: nope\nResources: {}", [], id="conditions-a-string"),
    pytest.param("Resources: {A: {Type: AWS::SQS::Queue, Properties: hello}}", [],
                 id="properties-a-string"),
    pytest.param("Resources: {A: 5}", [], id="resource-a-number"),
    pytest.param("Resources: {A: {Type: X::Y, Properties: {V: !Ref [a]}}}", ["E3207"],
                 id="ref-of-a-list"),
    pytest.param("Resources: {A: {Type: X::Y, Properties: {V: !Sub [1, 2]}}}", ["E3207"],
                 id="sub-of-numbers"),
    pytest.param("Conditions: {C: !Equals [!Ref AWS::NoValue, '']}\nResources: {}", [],
                 id="equals-novalue"),
    pytest.param("Conditions: {C: !If [C, true, false]}\nResources: {}", ["E3204"],
                 id="condition-naming-itself"),
    pytest.param("Outputs: {O: 5, P: {Value: !Ref Q, Condition: Z}}\nResources: {}",
                 ["E3203"], id="output-with-unknown-condition"),
    pytest.param("Parameters: {P: {Type: Number, Default: [1], MinValue: x, "
                 "AllowedPattern: '('}}\nResources: {}", [], id="odd-constraints-ignored"),
])
def test_odd_shapes_give_problems_not_exceptions(text: str, expected: list[str]) -> None:
    assert codes(resolve(parse_template(text, name="t.yaml"))) == expected
