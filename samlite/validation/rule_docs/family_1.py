"""Rule docs for family 1: the template's structure, as CloudFormation's template anatomy
and SAM's Globals define it (template/load.py, template/schema.py)."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import function
from samlite.validation.rule_docs.model import SAM, RuleDoc

_QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"

DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E1001", title="The template is not a mapping",
        why="A template is a mapping of sections (Resources at least); CloudFormation refuses "
            "a file whose top level is a list or a single value.",
        example="- Queue:\n    Type: AWS::SQS::Queue\n",
        fix=_QUEUE,
    ),
    RuleDoc(
        code="E1010", title="An unknown top-level section",
        why="CloudFormation knows AWSTemplateFormatVersion, Description, Metadata, "
            "Parameters, Rules, Mappings, Conditions, Transform, Resources and Outputs (SAM "
            "adds Globals) and refuses any other section (\"Invalid template property or "
            "properties\").",
        example=_QUEUE + "Output:\n  QueueUrl:\n    Value: !Ref Queue\n",
        fix=_QUEUE + "Outputs:\n  QueueUrl:\n    Value: !Ref Queue\n",
    ),
    RuleDoc(
        code="E1011", title="A section's entry does not have the shape CloudFormation defines",
        why="Each section has a documented anatomy: a parameter takes Type, Default, "
            "AllowedValues and the like; an output Value, Description, Export, Condition. "
            "CloudFormation refuses unknown keys and wrong shapes there.",
        example="Parameters:\n  Stage:\n    Type: String\n    Defualt: dev\n" + _QUEUE,
        fix="Parameters:\n  Stage:\n    Type: String\n    Default: dev\n" + _QUEUE,
    ),
    RuleDoc(
        code="E1012", title="A resource without Type, or with attributes of the wrong shape",
        why="Every resource needs Type, and its attributes (Properties, DependsOn, Condition, "
            "DeletionPolicy, Metadata, …) have fixed shapes; CloudFormation refuses others.",
        example="Resources:\n  Queue:\n    Properties:\n      QueueName: jobs\n",
        fix="Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            "      QueueName: jobs\n",
    ),
    RuleDoc(
        code="E1013", title="A misspelt resource attribute",
        why="CloudFormation refuses attributes it does not define on a resource; a name close "
            "to a real one (DependOn for DependsOn) is certainly a typo, so an error.",
        example=_QUEUE + "    DeletionPolice: Retain\n",
        fix=_QUEUE + "    DeletionPolicy: Retain\n",
    ),
    RuleDoc(
        code="W1013", title="An unknown resource attribute",
        why="CloudFormation refuses resource attributes it does not define, but a name far "
            "from any known one may be newer than samlite's list, so it is a warning; "
            "custom data belongs under Metadata.",
        example=_QUEUE + "    Owner: payments-team\n",
        fix=_QUEUE + "    Metadata:\n      Owner: payments-team\n",
    ),
    RuleDoc(
        code="E1014", title="A value inside a resource attribute has the wrong shape",
        why="A resource's attributes take documented values (DeletionPolicy and "
            "UpdateReplacePolicy one of Delete, Retain, Snapshot…, CreationPolicy and "
            "UpdatePolicy their own keys); CloudFormation refuses others.",
        example=_QUEUE + "    DeletionPolicy: Keep\n",
        fix=_QUEUE + "    DeletionPolicy: Retain\n",
    ),
    RuleDoc(
        code="E1015", title="A parameter, resource, output or condition name is not "
                            "alphanumeric",
        why="CloudFormation's logical names use only A-Z, a-z and 0-9.",
        example="Parameters:\n  queue-name:\n    Type: String\n    Default: jobs\n"
                "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                "      QueueName: !Ref queue-name\n",
        fix="Parameters:\n  QueueName:\n    Type: String\n    Default: jobs\n"
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            "      QueueName: !Ref QueueName\n",
    ),
    RuleDoc(
        code="E1016", title="A Globals section or property SAM does not accept, as the "
                            "schema sees it",
        why="The template schema's own finding about Globals. SAM's Globals rules find the "
            "same problem with SAM's wording, so `samlite validate` shows it once, as E7202, "
            "E7203 or E7204; ignoring E1016 alone silences nothing.",
        example=SAM + "Globals:\n  Functions:\n    Timeout: 10\n"
                + function().removeprefix(SAM),
        fix=SAM + "Globals:\n  Function:\n    Timeout: 10\n" + function().removeprefix(SAM),
        shown_as="E7202",
    ),
    RuleDoc(
        code="E1017", title="A misspelt SAM resource type",
        why="The SAM transform defines a closed list of AWS::Serverless:: types (Function, "
            "Api, HttpApi, SimpleTable, LayerVersion, Application, StateMachine, Connector, "
            "GraphQLApi) and leaves any other to CloudFormation, which refuses it at deploy "
            "(\"Unrecognized resource types\"). Locally nothing would be made for it, so the "
            "first call to it would fail instead.",
        example=SAM + "Resources:\n  Orders:\n    Type: AWS::Serverless::SimpleTabel\n",
        fix=SAM + "Resources:\n  Orders:\n    Type: AWS::Serverless::SimpleTable\n",
    ),
    RuleDoc(
        code="W1017", title="An AWS resource type a small edit from one samlite knows",
        why="CloudFormation refuses a type it does not define, but samlite has no full registry "
            "of CloudFormation's types, only those it models; a type one or two letters from "
            "one of those (or differing in case) is most likely a typo, but could be a real "
            "type samlite does not know, so it is a warning. Custom:: and third-party "
            "registry types are not checked.",
        example="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Tabel\n",
        fix="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            "      AttributeDefinitions:\n        - {AttributeName: id, AttributeType: S}\n"
            "      KeySchema:\n        - {AttributeName: id, KeyType: HASH}\n"
            "      BillingMode: PAY_PER_REQUEST\n",
    ),
)
