"""Generate the benchmark app: a template at CloudFormation's 500-resource limit.

166 functions, each with a queue and a bucket wired to it by SQS and S3 events, an HttpApi
route and a schedule (498 resources), plus one shared layer and one DLQ: 500 in all.
"""

from __future__ import annotations

from pathlib import Path

FUNCTIONS = 166

HANDLER = '''def handler(event, context):
    return {"statusCode": 200, "body": "ok"}
'''


def template_text(functions: int = FUNCTIONS) -> str:
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        "Description: samlite benchmark app at the 500-resource limit",
        "Parameters:",
        "  Stage:",
        "    Type: String",
        "    Default: dev",
        "    AllowedValues: [dev, prod]",
        "Globals:",
        "  Function:",
        "    Runtime: python3.12",
        "    CodeUri: src/",
        "    MemorySize: 256",
        "    Timeout: 10",
        "    Environment:",
        "      Variables:",
        "        STAGE: !Ref Stage",
        "Resources:",
        "  SharedLayer:",
        "    Type: AWS::Serverless::LayerVersion",
        "    Properties:",
        "      ContentUri: layer/",
        "      CompatibleRuntimes: [python3.12]",
        "  DeadLetters:",
        "    Type: AWS::SQS::Queue",
    ]
    for i in range(functions):
        lines += [
            f"  Worker{i}Queue:",
            "    Type: AWS::SQS::Queue",
            "    Properties:",
            "      VisibilityTimeout: 60",
            "      RedrivePolicy:",
            "        deadLetterTargetArn: !GetAtt DeadLetters.Arn",
            "        maxReceiveCount: 3",
            f"  Worker{i}Bucket:",
            "    Type: AWS::S3::Bucket",
            f"  Worker{i}Function:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            "      Handler: app.handler",
            "      Layers: [!Ref SharedLayer]",
            "      Environment:",
            "        Variables:",
            f"          BUCKET: !Ref Worker{i}Bucket",
            f"          QUEUE_URL: !Ref Worker{i}Queue",
            "      Events:",
            "        Queue:",
            "          Type: SQS",
            "          Properties:",
            f"            Queue: !GetAtt Worker{i}Queue.Arn",
            "            BatchSize: 10",
            "        Upload:",
            "          Type: S3",
            "          Properties:",
            f"            Bucket: !Ref Worker{i}Bucket",
            "            Events: s3:ObjectCreated:*",
            "            Filter:",
            "              S3Key:",
            "                Rules:",
            "                  - Name: suffix",
            "                    Value: .json",
            "        Route:",
            "          Type: HttpApi",
            "          Properties:",
            f"            Path: /workers/{i}/{{id}}",
            "            Method: POST",
            "        Nightly:",
            "          Type: ScheduleV2",
            "          Properties:",
            f"            ScheduleExpression: cron({i % 60} 3 * * ? *)",
            "            ScheduleExpressionTimezone: Europe/Berlin",
        ]
    return "\n".join(lines) + "\n"


def write_app(directory: Path, functions: int = FUNCTIONS) -> Path:
    """The app in `directory` (template, handler code, layer) ready to validate."""
    (directory / "src").mkdir(parents=True, exist_ok=True)
    (directory / "layer" / "python").mkdir(parents=True, exist_ok=True)
    (directory / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    template = directory / "template.yaml"
    template.write_text(template_text(functions), encoding="utf-8")
    return template
