"""Rule docs for family 2: a property's or a parameter's value (schema checks in
template/schema.py, parameter constraints in template/resolve.py)."""

from __future__ import annotations

from samlite.validation.rule_docs.model import SAM, RuleDoc


def _function(props: str = "") -> str:
    """A template with one zip function whose code is in S3, plus `props` (its extra lines)."""
    return (SAM + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            "    Properties:\n      CodeUri: s3://my-bucket/fn.zip\n"
            "      Handler: app.handler\n      Runtime: python3.12\n" + props)


def _parameter(spec: str, *, kind: str = "String", value: str = "dev") -> str:
    """A template with one parameter `Stage` (`spec` its constraint lines) used by a queue."""
    return ("Parameters:\n  Stage:\n    Type: " + kind + "\n" + spec
            + f"    Default: {value}\n"
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
            "    Properties:\n      QueueName: !Sub 'jobs-${Stage}'\n")


DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E2001", title="A property's value has the wrong type or is out of range",
        why="CloudFormation checks each property against the resource type's schema before it "
            "creates anything, and SAM's translator refuses a value it cannot read: the deploy "
            "fails with a validation error naming the property.",
        example=_function("      MemorySize: lots\n"),
        fix=_function("      MemorySize: 512\n"),
    ),
    RuleDoc(
        code="W2001", title="A property's value is not one AWS lists today",
        why="For a few enumerations (RecursiveLoop, RuntimeManagementConfig.UpdateRuntimeOn, "
            "ImageConfig's lists) AWS adds values over time, so a value samlite's schema does "
            "not know is likely a typo but may be new: a warning, not an error.",
        example=_function("      RecursiveLoop: Stop\n"),
        fix=_function("      RecursiveLoop: Terminate\n"),
    ),
    RuleDoc(
        code="E2002", title="Unknown property on a SAM resource, an event or a likely typo",
        why="SAM's translator refuses properties it does not define on AWS::Serverless::* "
            "resources and events (\"property ... not defined for resource of type ...\"); "
            "on other types samlite only calls it an error when it is close to a known name.",
        example=_function("      Timout: 10\n"),
        fix=_function("      Timeout: 10\n"),
    ),
    RuleDoc(
        code="W2002", title="Unknown property on a CloudFormation resource",
        why="CloudFormation refuses properties a resource type does not have, but AWS adds "
            "properties faster than samlite's schema copy follows, so a name far from any "
            "known one is a warning: check it against the resource type's reference page.",
        example="Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                "      Colour: blue\n",
        fix="Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n"
            "      QueueName: jobs\n",
    ),
    RuleDoc(
        code="E2003", title="A required property is missing",
        why="The resource type's schema (or SAM's translator, for AWS::Serverless::* types "
            "and events) requires it; CloudFormation refuses the resource without it.",
        example=_function("  Allow:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
                          "      Action: lambda:InvokeFunction\n"
                          "      FunctionName: !Ref Fn\n"),
        fix=_function("  Allow:\n    Type: AWS::Lambda::Permission\n    Properties:\n"
                      "      Action: lambda:InvokeFunction\n"
                      "      FunctionName: !Ref Fn\n"
                      "      Principal: events.amazonaws.com\n"),
    ),
    RuleDoc(
        code="E2004", title="An event has no Type, or a Type SAM does not know",
        why="SAM's translator turns each event into resources by its Type and refuses a type "
            "it does not define (the message lists the known ones).",
        example=_function("      Events:\n        Upload:\n          Type: S3Bucket\n"
                          "          Properties:\n            Bucket: !Ref Bucket\n"
                          "            Events: s3:ObjectCreated:*\n"
                          "  Bucket:\n    Type: AWS::S3::Bucket\n"),
        fix=_function("      Events:\n        Upload:\n          Type: S3\n"
                      "          Properties:\n            Bucket: !Ref Bucket\n"
                      "            Events: s3:ObjectCreated:*\n"
                      "  Bucket:\n    Type: AWS::S3::Bucket\n"),
    ),
    RuleDoc(
        code="E2201", title="A parameter's value is not in its AllowedValues",
        why="CloudFormation checks every parameter value against AllowedValues before it "
            "starts the stack operation and stops with the ConstraintDescription.",
        example=_parameter("    AllowedValues: [dev, prod]\n", value="test"),
        fix=_parameter("    AllowedValues: [dev, prod]\n", value="dev"),
    ),
    RuleDoc(
        code="E2202", title="A parameter's value does not match its AllowedPattern",
        why="CloudFormation matches the whole value against AllowedPattern and refuses the "
            "stack operation when it does not match.",
        example=_parameter("    AllowedPattern: '[a-z]+'\n", value="Dev1"),
        fix=_parameter("    AllowedPattern: '[a-z]+'\n", value="dev"),
    ),
    RuleDoc(
        code="E2203", title="A parameter's value is shorter than its MinLength",
        why="CloudFormation refuses a String parameter shorter than MinLength.",
        example=_parameter("    MinLength: 3\n", value="qa"),
        fix=_parameter("    MinLength: 3\n", value="staging"),
    ),
    RuleDoc(
        code="E2204", title="A parameter's value is longer than its MaxLength",
        why="CloudFormation refuses a String parameter longer than MaxLength.",
        example=_parameter("    MaxLength: 4\n", value="staging"),
        fix=_parameter("    MaxLength: 4\n", value="prod"),
    ),
    RuleDoc(
        code="E2205", title="A Number parameter's value is below its MinValue",
        why="CloudFormation refuses a Number parameter smaller than MinValue.",
        example=_parameter("    MinValue: 1\n", kind="Number", value="0"),
        fix=_parameter("    MinValue: 1\n", kind="Number", value="3"),
    ),
    RuleDoc(
        code="E2206", title="A Number parameter's value is above its MaxValue",
        why="CloudFormation refuses a Number parameter larger than MaxValue.",
        example=_parameter("    MaxValue: 5\n", kind="Number", value="9"),
        fix=_parameter("    MaxValue: 5\n", kind="Number", value="3"),
    ),
    RuleDoc(
        code="E2207", title="A Number parameter's value is not a number",
        why="CloudFormation refuses a value of a Number parameter that is not an integer or "
            "a float.",
        example=_parameter("", kind="Number", value="three"),
        fix=_parameter("", kind="Number", value="3"),
    ),
    RuleDoc(
        code="E2208", title="--parameter-overrides names a parameter the template lacks",
        why="CloudFormation refuses a stack operation that passes a parameter the template "
            "does not declare; here it is usually a typo in the override's name.",
        example=_parameter(""), fix=_parameter(""),
        parameter_overrides={"Stag": "prod"}, fix_parameter_overrides={"Stage": "prod"},
    ),
    RuleDoc(
        code="W2209", also=("E2209",),
        title="A parameter has no Default and nothing gives it a value",
        why="CloudFormation asks for such a parameter at deploy time, so `samlite validate` "
            "warns and treats its value as unknown; `samlite up` needs a value to run the "
            "app and stops, naming the parameter and how to give it (--parameter-overrides "
            "or samconfig.toml).",
        example="Parameters:\n  Stage:\n    Type: String\n"
                "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
                "    Properties:\n      QueueName: !Sub 'jobs-${Stage}'\n",
        fix=_parameter(""),
    ),
    RuleDoc(
        code="E2301", title="DynamoDB would refuse to create a table as declared",
        why="When `samlite up` starts, it holds the template's tables to the local "
            "DynamoDB's CreateTable rules before it is ready (it makes them just after), so a "
            "table DynamoDB refuses (a key without its attribute definition, a KeySchema "
            "longer than two) stops the start with DynamoDB's message, as it would fail the "
            "deploy. `samlite validate` does not create tables, so only `samlite up` reports "
            "it.",
        example="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                "      BillingMode: PAY_PER_REQUEST\n"
                "      AttributeDefinitions:\n        - {AttributeName: id, AttributeType: S}\n"
                "      KeySchema:\n        - {AttributeName: orderId, KeyType: HASH}\n",
        fix="Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
            "      BillingMode: PAY_PER_REQUEST\n"
            "      AttributeDefinitions:\n        - {AttributeName: orderId, AttributeType: S}\n"
            "      KeySchema:\n        - {AttributeName: orderId, KeyType: HASH}\n",
        found_by="samlite up",
    ),
)
