"""Rule docs for family 4: events and schedules (validation/checks/events.py, messaging.py,
delivery_policies.py, schedules.py)."""

from __future__ import annotations

from samlite.validation.rule_docs.examples import events, resource
from samlite.validation.rule_docs.family_7_events import TOPIC_MAY_SEND
from samlite.validation.rule_docs.model import SAM, RuleDoc

_QUEUE = resource("Jobs", "AWS::SQS::Queue", "VisibilityTimeout: 60")


def _sqs_filter(pattern: str) -> str:
    return events("Jobs:\n  Type: SQS\n  Properties:\n    Queue: !GetAtt Jobs.Arn\n"
                  "    FilterCriteria:\n      Filters:\n        - Pattern: '" + pattern + "'",
                  after=_QUEUE)


def _subscription(policy: str = "") -> str:
    return (SAM + "Resources:\n" + resource("Topic", "AWS::SNS::Topic")
            + resource("Buffer", "AWS::SQS::Queue")
            + resource("BufferSubscription", "AWS::SNS::Subscription",
                       "TopicArn: !Ref Topic\nProtocol: sqs\nEndpoint: !GetAtt Buffer.Arn")
            + policy)


def _schedule(expression: str, zone: str = "Europe/Paris") -> str:
    return events("Nightly:\n  Type: ScheduleV2\n  Properties:\n"
                  f"    ScheduleExpression: '{expression}'\n"
                  f"    ScheduleExpressionTimezone: {zone}")


DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E4001", title="An S3 event's Bucket is not a bucket of this template",
        why="SAM adds the notification to the bucket's own NotificationConfiguration, so it "
            "can only use a bucket declared in the same template, named with !Ref (\"S3 "
            "events must reference an S3 bucket in the same template\").",
        example=events("Upload:\n  Type: S3\n  Properties:\n    Bucket: my-uploads\n"
                       "    Events: s3:ObjectCreated:*"),
        fix=events("Upload:\n  Type: S3\n  Properties:\n    Bucket: !Ref Uploads\n"
                   "    Events: s3:ObjectCreated:*",
                   after=resource("Uploads", "AWS::S3::Bucket")),
    ),
    RuleDoc(
        code="E4002", title="A queue's visibility timeout is shorter than the function's "
                            "timeout",
        why="Lambda refuses to map such a queue to the function (\"Queue visibility timeout: "
            "… seconds is less than Function timeout\"), since a message would reappear while "
            "the function still works on it. AWS recommends six times the function timeout.",
        example=events("Jobs:\n  Type: SQS\n  Properties:\n    Queue: !GetAtt Jobs.Arn",
                       after=resource("Jobs", "AWS::SQS::Queue", "VisibilityTimeout: 30")
                       ).replace("Runtime: python3.13\n", "Runtime: python3.13\n"
                                 "      Timeout: 60\n"),
        fix=events("Jobs:\n  Type: SQS\n  Properties:\n    Queue: !GetAtt Jobs.Arn",
                   after=resource("Jobs", "AWS::SQS::Queue", "VisibilityTimeout: 360")
                   ).replace("Runtime: python3.13\n", "Runtime: python3.13\n"
                             "      Timeout: 60\n"),
    ),
    RuleDoc(
        code="W4003", title="A FilterCriteria pattern Lambda would refuse",
        why="Lambda checks each filter pattern when it creates the event source mapping and "
            "refuses an invalid one (every value to match is in a list, operators have their "
            "documented shapes). SAM translates the template anyway, so it is a warning; "
            "samlite does not run the mapping.",
        example=_sqs_filter('{"body": {"kind": "order"}}'),
        fix=_sqs_filter('{"body": {"kind": ["order"]}}'),
    ),
    RuleDoc(
        code="W4004", title="An EventBridge event pattern that is not valid",
        why="EventBridge refuses the rule (InvalidEventPatternException) when it is created; "
            "locally the pattern matches nothing. Every value to match is in a list.",
        example=events("Orders:\n  Type: EventBridgeRule\n  Properties:\n"
                       "    Pattern:\n      source: my.orders"),
        fix=events("Orders:\n  Type: EventBridgeRule\n  Properties:\n"
                   "    Pattern:\n      source: [my.orders]"),
    ),
    RuleDoc(
        code="W4005", title="An SNS filter policy that is not valid",
        why="SNS refuses the subscription's FilterPolicy when it is set (every value to match "
            "is in a list, operators have their documented shapes); locally it matches "
            "nothing.",
        example=events("Orders:\n  Type: SNS\n  Properties:\n    Topic: !Ref Topic\n"
                       "    FilterPolicy:\n      store: example",
                       after=resource("Topic", "AWS::SNS::Topic")),
        fix=events("Orders:\n  Type: SNS\n  Properties:\n    Topic: !Ref Topic\n"
                   "    FilterPolicy:\n      store: [example]",
                   after=resource("Topic", "AWS::SNS::Topic")),
    ),
    RuleDoc(
        code="W4006", title="No queue policy lets a topic or rule send to a queue",
        why="On AWS, SNS and EventBridge deliver to an SQS queue only when the queue's policy "
            "allows sqs:SendMessage to sns.amazonaws.com (with the topic as aws:SourceArn) or "
            "events.amazonaws.com; without it messages never arrive. samlite does not "
            "evaluate queue policies and delivers anyway, so this warning is where the "
            "difference shows.",
        example=_subscription(), fix=_subscription(TOPIC_MAY_SEND),
    ),
    RuleDoc(
        code="E4101", title="A schedule expression EventBridge does not accept",
        why="EventBridge takes rate(value unit), cron(six fields) with ? in day-of-month or "
            "day-of-week, and (for EventBridge Scheduler) at(yyyy-mm-ddThh:mm:ss); it refuses "
            "the rule or schedule otherwise, and the message names the part that is wrong.",
        example=_schedule("cron(0 9 * * * *)"), fix=_schedule("cron(0 9 * * ? *)"),
    ),
    RuleDoc(
        code="E4102", title="ScheduleExpressionTimezone is not a time zone name",
        why="EventBridge Scheduler takes IANA time zone names such as Europe/Paris or UTC and "
            "refuses the schedule otherwise.",
        example=_schedule("cron(0 9 * * ? *)", zone="Europe/Pariss"),
        fix=_schedule("cron(0 9 * * ? *)"),
    ),
)

