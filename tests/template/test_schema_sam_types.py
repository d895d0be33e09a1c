"""SAM's own property types and required properties (samtranslator's property_types and the
event sources' required ones), as `check_schema` reports them: one case per rule."""

from __future__ import annotations

import textwrap

import pytest

from samlite.template.load import parse_template
from samlite.template.schema import check_schema


def errors(text: str) -> list[tuple[str, str | None]]:
    loaded = parse_template(textwrap.dedent(text), name="template.yaml")
    return [(p.code, p.path) for p in check_schema(loaded) if p.is_error]


def api(props: str) -> str:
    return ("Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n"
            "      StageName: prod\n" + textwrap.indent(props, " " * 6) + "\n")


def event(kind: str, props: str) -> str:
    return ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      CodeUri: s3://b/k\n      Handler: a.b\n      Runtime: python3.12\n"
            f"      Events:\n        E:\n          Type: {kind}\n          Properties:\n"
            + textwrap.indent(props, " " * 12) + "\n")


EVENT = "Resources.Fn.Properties.Events.E.Properties"
STREAM = "Stream: arn:aws:kinesis:us-east-1:123456789012:stream/s"
KAFKA_AUTH = "SourceAccessConfigurations: [{Type: SASL_SCRAM_512_AUTH, URI: arn:x}]"

# (case, template, code, path)
RULES = [
    ("api-method-settings-must-be-a-list", api("MethodSettings: INFO"),
     "E2001", "Resources.Api.Properties.MethodSettings"),
    ("api-access-log-setting-must-be-a-map", api("AccessLogSetting: logs"),
     "E2001", "Resources.Api.Properties.AccessLogSetting"),
    ("api-tracing-enabled-must-be-a-boolean", api("TracingEnabled: [true]"),
     "E2001", "Resources.Api.Properties.TracingEnabled"),
    ("kinesis-needs-starting-position", event("Kinesis", STREAM),
     "E2003", EVENT),
    ("dynamodb-needs-starting-position",
     event("DynamoDB", "Stream: arn:aws:dynamodb:us-east-1:1:table/t/stream/x"), "E2003", EVENT),
    ("msk-needs-starting-position",
     event("MSK", "Stream: arn:aws:kafka:us-east-1:1:cluster/c\nTopics: [t]"), "E2003", EVENT),
    ("filter-criteria-takes-filters-only",
     event("Kinesis", f"{STREAM}\nStartingPosition: LATEST\nFilterCriteria: {{Pattern: x}}"),
     "E2002", f"{EVENT}.FilterCriteria.Pattern"),
    ("filter-criteria-must-be-a-map",
     event("Kinesis", f"{STREAM}\nStartingPosition: LATEST\nFilterCriteria: [x]"),
     "E2001", f"{EVENT}.FilterCriteria"),
    ("stream-destination-config-must-be-a-map",
     event("Kinesis", f"{STREAM}\nStartingPosition: LATEST\nDestinationConfig: arn:x"),
     "E2001", f"{EVENT}.DestinationConfig"),
    ("mq-source-access-configurations-must-be-a-list",
     event("MQ", "Broker: arn:x\nQueues: [q]\nSourceAccessConfigurations: {Type: BASIC_AUTH}"),
     "E2001", f"{EVENT}.SourceAccessConfigurations"),
    ("self-managed-kafka-needs-bootstrap-servers",
     event("SelfManagedKafka", f"Topics: [t]\n{KAFKA_AUTH}"), "E2003", EVENT),
    ("self-managed-kafka-takes-one-topic",
     event("SelfManagedKafka", f"KafkaBootstrapServers: [b:9092]\nTopics: [t, u]\n{KAFKA_AUTH}"),
     "E2001", f"{EVENT}.Topics"),
    ("schema-registry-needs-its-fields",
     event("MSK", "Stream: arn:aws:kafka:us-east-1:1:cluster/c\nTopics: [t]\n"
                  "StartingPosition: LATEST\nSchemaRegistryConfig: {EventRecordFormat: JSON}"),
     "E2003", f"{EVENT}.SchemaRegistryConfig"),
    ("schema-registry-record-format",
     event("MSK", "Stream: arn:aws:kafka:us-east-1:1:cluster/c\nTopics: [t]\n"
                  "StartingPosition: LATEST\nSchemaRegistryConfig: {SchemaRegistryURI: arn:r,"
                  " EventRecordFormat: AVRO, SchemaValidationConfigs: []}"),
     "E2001", f"{EVENT}.SchemaRegistryConfig.EventRecordFormat"),
    ("sns-redrive-policy-must-be-a-map",
     event("SNS", "Topic: arn:aws:sns:us-east-1:1:t\nRedrivePolicy: arn:x"),
     "E2001", f"{EVENT}.RedrivePolicy"),
]


@pytest.mark.parametrize(("template", "code", "path"), [r[1:] for r in RULES],
                         ids=[r[0] for r in RULES])
def test_sam_property_types_and_required_properties(template: str, code: str, path: str) -> None:
    assert (code, path) in errors(template)


def test_intrinsics_stay_accepted_where_sam_wants_a_list() -> None:
    assert errors(api("MethodSettings: !Ref Settings")) == []
