"""Rule docs for family 7, 72xx-73xx: SAM's Globals rules (template/globals.py) and its rules
on function events (validation/checks/sam_event_rules.py, sam_rules.py's S3 buckets)."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import events, function, resource
from samlite.validation.rule_docs.model import SAM, RuleDoc

_FUNCTION = function().removeprefix(SAM)


def _with_globals(globals_: str, *, attribute: str = "") -> str:
    """A function template with a Globals section (`globals_`, written out) and, on the
    function, an extra resource attribute line."""
    body = _FUNCTION.replace("    Type: AWS::Serverless::Function\n",
                             "    Type: AWS::Serverless::Function\n" + attribute)
    return SAM + "Globals:\n" + globals_ + body


# The queue policy that lets topic Topic send to queue Buffer (W4006 otherwise).
TOPIC_MAY_SEND = resource(
    "BufferPolicy", "AWS::SQS::QueuePolicy",
    "Queues: [!Ref Buffer]\nPolicyDocument:\n  Statement:\n    - Effect: Allow\n"
    "      Principal: {Service: sns.amazonaws.com}\n      Action: sqs:SendMessage\n"
    "      Resource: !GetAtt Buffer.Arn\n"
    "      Condition: {ArnEquals: {'aws:SourceArn': !Ref Topic}}")
_POOL = resource("Users", "AWS::Cognito::UserPool")
_KAFKA = ("Type: SelfManagedKafka\n  Properties:\n"
          "    KafkaBootstrapServers: ['broker.example.com:9092']\n    Topics: [orders]\n")

DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E7201", title="Globals is not a mapping",
        why="SAM's translator reads Globals as a mapping of resource kinds (Function, Api, "
            "HttpApi, …) and refuses anything else (\"'Globals' section is invalid\").",
        example=SAM + "Globals: Function\n" + _FUNCTION,
        fix=_with_globals("  Function:\n    Timeout: 10\n"),
    ),
    RuleDoc(
        code="E7202", title="A Globals section for a kind SAM has no globals for",
        why="Globals takes Function, Api, HttpApi, WebSocketApi, SimpleTable, StateMachine, "
            "LayerVersion and CapacityProvider sections; SAM refuses any other name, such "
            "as a resource type written in full.",
        example=_with_globals("  AWS::Serverless::Function:\n    Timeout: 10\n"),
        fix=_with_globals("  Function:\n    Timeout: 10\n"),
    ),
    RuleDoc(
        code="E7203", title="A Globals section is not a mapping",
        why="Each Globals section holds properties to merge into every resource of its kind, "
            "so SAM refuses one that is not a mapping.",
        example=_with_globals("  Function: 10\n"),
        fix=_with_globals("  Function:\n    Timeout: 10\n"),
    ),
    RuleDoc(
        code="E7204", title="A property SAM does not accept in that Globals section",
        why="Only some properties can be set globally (for Function: Timeout, MemorySize, "
            "Runtime, Environment, …); SAM refuses others, such as a function's Events or "
            "Policies, and lists the allowed ones.",
        example=_with_globals("  Function:\n    Policies: [AWSLambdaBasicExecutionRole]\n"),
        fix=SAM + "Globals:\n  Function:\n    Timeout: 10\n"
            + _FUNCTION + "      Policies: [AWSLambdaBasicExecutionRole]\n",
    ),
    RuleDoc(
        code="E7205", title="IgnoreGlobals is not '*' or a list of properties set in Globals",
        why="IgnoreGlobals opts one resource out of Globals: '*' for all of them, or a list "
            "naming properties that Globals sets; SAM refuses anything else.",
        example=_with_globals("  Function:\n    Timeout: 10\n",
                              attribute="    IgnoreGlobals: [MemorySize]\n"),
        fix=_with_globals("  Function:\n    Timeout: 10\n",
                          attribute="    IgnoreGlobals: [Timeout]\n"),
    ),
    RuleDoc(
        code="E7301", title="An event is not a mapping with a Type and Properties mapping",
        why="SAM turns each event into resources by its Type, reading its Properties as a "
            "mapping; without them it cannot.",
        example=events("Nightly:\n  Properties:\n    Schedule: rate(1 day)"),
        fix=events("Nightly:\n  Type: Schedule\n  Properties:\n    Schedule: rate(1 day)"),
    ),
    RuleDoc(
        code="E7302", title="A rule event sets both State and Enabled",
        why="Schedule, CloudWatchEvent and EventBridgeRule events set the rule's state with "
            "State (ENABLED, DISABLED); Enabled is the older form, and SAM refuses both "
            "together.",
        example=events("Nightly:\n  Type: Schedule\n  Properties:\n"
                       "    Schedule: rate(1 day)\n    State: ENABLED\n    Enabled: true"),
        fix=events("Nightly:\n  Type: Schedule\n  Properties:\n"
                   "    Schedule: rate(1 day)\n    State: ENABLED"),
    ),
    RuleDoc(
        code="E7303", title="A rule event's DeadLetterConfig SAM cannot build",
        why="DeadLetterConfig takes either Arn (an existing queue) or Type: SQS (SAM creates "
            "the queue), exactly one of them, and QueueLogicalId as a string.",
        example=events("Nightly:\n  Type: Schedule\n  Properties:\n"
                       "    Schedule: rate(1 day)\n    DeadLetterConfig:\n"
                       "      Type: SQS\n      Arn: !GetAtt Dlq.Arn",
                       after=resource("Dlq", "AWS::SQS::Queue")),
        fix=events("Nightly:\n  Type: Schedule\n  Properties:\n"
                   "    Schedule: rate(1 day)\n    DeadLetterConfig:\n      Arn: !GetAtt Dlq.Arn",
                   after=resource("Dlq", "AWS::SQS::Queue")),
    ),
    RuleDoc(
        code="E7304", title="ScheduleV2's OmitName is not a boolean, or set with Name",
        why="OmitName: true lets EventBridge Scheduler name the schedule, so it cannot go with "
            "Name; SAM reads it while translating, so it must be true or false.",
        example=events("Nightly:\n  Type: ScheduleV2\n  Properties:\n"
                       "    ScheduleExpression: rate(1 day)\n    OmitName: true\n"
                       "    Name: nightly"),
        fix=events("Nightly:\n  Type: ScheduleV2\n  Properties:\n"
                   "    ScheduleExpression: rate(1 day)\n    Name: nightly"),
    ),
    RuleDoc(
        code="E7305", title="An SQS event without Queue",
        why="SAM builds the event source mapping from the queue's ARN (\"Missing required "
            "property 'Queue'\").",
        example=events("Jobs:\n  Type: SQS\n  Properties:\n    BatchSize: 5",
                       after=resource("Jobs", "AWS::SQS::Queue")),
        fix=events("Jobs:\n  Type: SQS\n  Properties:\n    Queue: !GetAtt Jobs.Arn\n"
                   "    BatchSize: 5", after=resource("Jobs", "AWS::SQS::Queue")),
    ),
    RuleDoc(
        code="E7306", title="An S3 event's bucket or Events SAM cannot extend",
        why="SAM writes an S3 event into its bucket's NotificationConfiguration and adds the "
            "permission to the bucket's DependsOn, so those must have shapes it can extend "
            "(LambdaConfigurations a list, DependsOn strings), and the event's Events must be "
            "written out, not an intrinsic.",
        example=events("Upload:\n  Type: S3\n  Properties:\n    Bucket: !Ref Uploads\n"
                       "    Events: s3:ObjectCreated:*",
                       after=resource("Uploads", "AWS::S3::Bucket",
                                      "NotificationConfiguration:\n  LambdaConfigurations:\n"
                                      "    Event: s3:ObjectRemoved:*\n"
                                      "    Function: arn:aws:lambda:eu-west-1:123456789012:"
                                      "function:audit")),
        fix=events("Upload:\n  Type: S3\n  Properties:\n    Bucket: !Ref Uploads\n"
                   "    Events: s3:ObjectCreated:*",
                   after=resource("Uploads", "AWS::S3::Bucket",
                                  "NotificationConfiguration:\n  LambdaConfigurations:\n"
                                  "    - Event: s3:ObjectRemoved:*\n"
                                  "      Function: arn:aws:lambda:eu-west-1:123456789012:"
                                  "function:audit")),
    ),
    RuleDoc(
        code="E7307", title="An SNS event's SqsSubscription lacks QueueArn or QueueUrl",
        why="A SqsSubscription map subscribes an existing queue, which SAM needs by ARN (the "
            "subscription) and URL (the queue policy); `SqsSubscription: true` lets SAM create "
            "the queue instead.",
        example=events("Orders:\n  Type: SNS\n  Properties:\n    Topic: !Ref Topic\n"
                       "    SqsSubscription:\n      QueueArn: !GetAtt Buffer.Arn",
                       after=resource("Topic", "AWS::SNS::Topic")
                       + resource("Buffer", "AWS::SQS::Queue")),
        fix=events("Orders:\n  Type: SNS\n  Properties:\n    Topic: !Ref Topic\n"
                   "    SqsSubscription:\n      QueueArn: !GetAtt Buffer.Arn\n"
                   "      QueueUrl: !Ref Buffer",
                   after=resource("Topic", "AWS::SNS::Topic")
                   + resource("Buffer", "AWS::SQS::Queue") + TOPIC_MAY_SEND),
    ),
    RuleDoc(
        code="E7308", title="A Cognito event SAM cannot attach",
        why="SAM writes the trigger into the user pool's LambdaConfig, so UserPool must be a "
            "Ref to a pool of the same template, and each trigger of a pool set only once.",
        example=events("SignUp:\n  Type: Cognito\n  Properties:\n"
                       "    UserPool: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/x\n"
                       "    Trigger: PreSignUp", after=_POOL),
        fix=events("SignUp:\n  Type: Cognito\n  Properties:\n    UserPool: !Ref Users\n"
                   "    Trigger: PreSignUp", after=_POOL),
    ),
    RuleDoc(
        code="E7309", title="A stream event's OnFailure destination type SAM does not know",
        why="SAM grants the function access to a stream source's failure destination by its "
            "Type, which must be SQS, SNS, S3 or Kafka.",
        example=events("Changes:\n  Type: Kinesis\n  Properties:\n"
                       "    Stream: !GetAtt Stream.Arn\n    StartingPosition: LATEST\n"
                       "    DestinationConfig:\n      OnFailure:\n        Type: Lambda\n"
                       "        Destination: !GetAtt Dlq.Arn",
                       after=resource("Stream", "AWS::Kinesis::Stream", "ShardCount: 1")
                       + resource("Dlq", "AWS::SQS::Queue")),
        fix=events("Changes:\n  Type: Kinesis\n  Properties:\n"
                   "    Stream: !GetAtt Stream.Arn\n    StartingPosition: LATEST\n"
                   "    DestinationConfig:\n      OnFailure:\n        Type: SQS\n"
                   "        Destination: !GetAtt Dlq.Arn",
                   after=resource("Stream", "AWS::Kinesis::Stream", "ShardCount: 1")
                   + resource("Dlq", "AWS::SQS::Queue")),
    ),
    RuleDoc(
        code="E7310", title="SourceAccessConfigurations the event source does not take",
        why="MQ and DocumentDB need exactly one BASIC_AUTH entry with its secret's URI and "
            "take only their own types; SelfManagedKafka takes one authentication mechanism, "
            "a URI string on every entry, and VPC_SUBNET with VPC_SECURITY_GROUP together.",
        example=events("Orders:\n  " + _KAFKA + "    SourceAccessConfigurations:\n"
                       "      - {Type: BASIC_AUTH, URI: !Ref Login}\n"
                       "      - {Type: SASL_SCRAM_512_AUTH, URI: !Ref Login}",
                       after=resource("Login", "AWS::SecretsManager::Secret",
                                      "GenerateSecretString: {}")),
        fix=events("Orders:\n  " + _KAFKA + "    SourceAccessConfigurations:\n"
                   "      - {Type: SASL_SCRAM_512_AUTH, URI: !Ref Login}",
                   after=resource("Login", "AWS::SecretsManager::Secret",
                                  "GenerateSecretString: {}")),
    ),
)
