"""Rule docs for family 5: CloudFormation's template quotas and Lambda's environment variable
limits (validation/checks/limits.py). Examples over a quota are built here and shown
abridged; the test runs the whole template."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import function
from samlite.validation.rule_docs.model import RuleDoc

_QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def _many(section: str, count: int, entry: str) -> str:
    """`section` with `count` entries, each `entry` formatted with its number."""
    return f"{section}:\n" + "".join(entry.format(n=n) for n in range(1, count + 1))


def _queues(count: int) -> str:
    return _many("Resources", count, "  Queue{n}:\n    Type: AWS::SQS::Queue\n")


def _parameters(count: int) -> str:
    return _many("Parameters", count, "  Setting{n}:\n    Type: String\n    Default: x\n") \
        + _QUEUE


def _outputs(count: int) -> str:
    return _QUEUE + _many("Outputs", count, "  Out{n}:\n    Value: !GetAtt Queue.Arn\n")


def _mappings(count: int) -> str:
    return _many("Mappings", count, "  Map{n}:\n    dev: {{Size: 1}}\n") + _QUEUE


def _mapping_keys(count: int) -> str:
    return "Mappings:\n  Sizes:\n" + "".join(f"    stage{n}: {{Size: {n}}}\n"
                                            for n in range(1, count + 1)) + _QUEUE


def _environment(value: str) -> str:
    return function("Environment:\n  Variables:\n    SETTINGS: " + value)


_LONG_ID = "Queue" + "X" * 251           # 256 characters
_BIG_BLOB = "x" * (1024 * 1024)          # a 1 MiB string makes the template too large

DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E5001", title="The template is larger than 1 MB",
        why="CloudFormation accepts a template body of at most 1 MB from S3 (51,200 bytes "
            "passed directly), which is how `sam deploy` sends it. Move parts into nested "
            "stacks (AWS::Serverless::Application or AWS::CloudFormation::Stack).",
        example=f"Metadata:\n  Notes: {_BIG_BLOB}\n" + _QUEUE,
        example_shown="Metadata:\n  Notes: xxxxxxxx…   # 1,048,576 characters\n" + _QUEUE,
        fix="Metadata:\n  Notes: see docs/notes.md\n" + _QUEUE,
    ),
    RuleDoc(
        code="E5002", title="More than 500 resources",
        why="A CloudFormation stack holds at most 500 resources (after SAM's transform adds "
            "its own, so keep a margin). Move groups of them into nested stacks.",
        example=_queues(501), fix=_queues(500),
        example_shown="Resources:\n  Queue1:\n    Type: AWS::SQS::Queue\n"
                      "  # … Queue2 to Queue500 …\n  Queue501:\n    Type: AWS::SQS::Queue\n",
        fix_shown="Resources:\n  Queue1:\n    Type: AWS::SQS::Queue\n"
                  "  # … Queue2 to Queue499 …\n  Queue500:\n    Type: AWS::SQS::Queue\n",
    ),
    RuleDoc(
        code="E5003", title="More than 200 parameters",
        why="CloudFormation allows at most 200 parameters in one template. Group settings "
            "into fewer parameters, or read them from SSM Parameter Store.",
        example=_parameters(201), fix=_parameters(200),
        example_shown="Parameters:\n  Setting1:\n    Type: String\n    Default: x\n"
                      "  # … Setting2 to Setting201 …\n" + _QUEUE,
        fix_shown="Parameters:\n  Setting1:\n    Type: String\n    Default: x\n"
                  "  # … Setting2 to Setting200 …\n" + _QUEUE,
    ),
    RuleDoc(
        code="E5004", title="More than 200 outputs",
        why="CloudFormation allows at most 200 outputs in one template.",
        example=_outputs(201), fix=_outputs(200),
        example_shown=_QUEUE + "Outputs:\n  Out1:\n    Value: !GetAtt Queue.Arn\n"
                               "  # … Out2 to Out201 …\n",
        fix_shown=_QUEUE + "Outputs:\n  Out1:\n    Value: !GetAtt Queue.Arn\n"
                           "  # … Out2 to Out200 …\n",
    ),
    RuleDoc(
        code="E5005", title="More than 200 mappings",
        why="CloudFormation allows at most 200 mappings in one template.",
        example=_mappings(201), fix=_mappings(200),
        example_shown="Mappings:\n  Map1:\n    dev: {Size: 1}\n  # … Map2 to Map201 …\n"
                      + _QUEUE,
        fix_shown="Mappings:\n  Map1:\n    dev: {Size: 1}\n  # … Map2 to Map200 …\n" + _QUEUE,
    ),
    RuleDoc(
        code="E5006", title="A resource, parameter, output or mapping name longer than 255 "
                            "characters",
        why="CloudFormation limits each of these names to 255 characters.",
        example=f"Resources:\n  {_LONG_ID}:\n    Type: AWS::SQS::Queue\n",
        example_shown="Resources:\n  QueueXXXXXXXX…:   # 256 characters\n"
                      "    Type: AWS::SQS::Queue\n",
        fix=_QUEUE,
    ),
    RuleDoc(
        code="E5007", title="A mapping with more than 200 keys",
        why="CloudFormation allows at most 200 top-level keys in one mapping. Split it into "
            "several mappings.",
        example=_mapping_keys(201), fix=_mapping_keys(200),
        example_shown="Mappings:\n  Sizes:\n    stage1: {Size: 1}\n"
                      "    # … stage2 to stage201 …\n" + _QUEUE,
        fix_shown="Mappings:\n  Sizes:\n    stage1: {Size: 1}\n"
                  "    # … stage2 to stage200 …\n" + _QUEUE,
    ),
    RuleDoc(
        code="E5008", title="The template's Description is longer than 1024 bytes",
        why="CloudFormation limits a template's Description to 1,024 bytes.",
        example="Description: " + "An app. " * 130 + "\n" + _QUEUE,
        example_shown="Description: An app. An app. An app. …   # 1,040 bytes\n" + _QUEUE,
        fix="Description: An app.\n" + _QUEUE,
    ),
    RuleDoc(
        code="E5101", title="An environment variable Lambda reserves",
        why="Lambda sets these variables itself (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, "
            "_HANDLER, TZ, …) and refuses a function that sets one (\"Reserved keys used in "
            "this request\").",
        example=function("Environment:\n  Variables:\n    AWS_REGION: eu-west-1"),
        fix=function("Environment:\n  Variables:\n    TARGET_REGION: eu-west-1"),
    ),
    RuleDoc(
        code="E5102", title="A function's environment variables take more than 4 KB",
        why="Lambda limits all of a function's environment variables, keys and values as "
            "JSON, to 4 KB (Globals' variables count too). Keep large settings in SSM "
            "Parameter Store, Secrets Manager or a file in the code.",
        example=_environment("x" * 4200), fix=_environment("/app/settings"),
        example_shown=function("Environment:\n  Variables:\n"
                               "    SETTINGS: xxxxxxxx…   # 4,200 characters"),
    ),
)
