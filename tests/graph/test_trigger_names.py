"""The names `samlite trigger` takes: the event's own name, its full id, and a clear refusal
of a short name two functions share."""

from __future__ import annotations

import pytest

from samlite.errors import UsageError
from samlite.graph.trigger_names import Firing, TriggerNames
from tests.graph.test_build import graph_of

EVERY_KIND = """
    Resources:
      Uploads: {Type: AWS::S3::Bucket}
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          KeySchema: [{AttributeName: pk, KeyType: HASH}]
          AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
          StreamSpecification: {StreamViewType: NEW_IMAGE}
      Jobs: {Type: AWS::SQS::Queue}
      Alerts: {Type: AWS::SNS::Topic, Properties: {TopicName: alerts}}
      Nightly:
        Type: AWS::Events::Rule
        Properties:
          ScheduleExpression: cron(0 3 * * ? *)
          Targets: [{Id: t, Arn: !GetAtt Tick.Arn}]
      Tick:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            Every5Min: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}
            Hourly:
              Type: ScheduleV2
              Properties: {ScheduleExpression: rate(1 hour), ScheduleExpressionTimezone: UTC}
            Paid: {Type: EventBridgeRule, Properties: {Pattern: {source: [shop]}}}
            Alert: {Type: SNS, Properties: {Topic: !Ref Alerts}}
            Put: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: s3:ObjectCreated:*}}
            Changes:
              Type: DynamoDB
              Properties: {Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST}
            Work: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
            Hello: {Type: HttpApi, Properties: {Path: /hi, Method: get}}
"""


@pytest.mark.parametrize(("short", "full_id", "firing"), [
    ("Every5Min", "TickEvery5Min", Firing.SCHEDULE),
    ("Hourly", "TickHourly", Firing.SCHEDULE),
    ("Paid", "TickPaid", Firing.RULE),
    ("Alert", "TickAlert", Firing.SUBSCRIPTION),
    ("Put", "TickPut", Firing.S3),
    ("Changes", "TickChanges", Firing.DYNAMODB),
    ("Work", "TickWork", Firing.SQS),
    ("Hello", "TickHello", Firing.NONE),
])
def test_an_event_is_found_by_its_own_name_and_by_its_full_id(
        short: str, full_id: str, firing: Firing) -> None:
    names = TriggerNames.of(graph_of(EVERY_KIND))
    by_short, by_full, by_dotted = (names.find(short), names.find(full_id),
                                    names.find(f"Tick.{short}"))
    assert by_short == by_full == by_dotted
    assert (by_short.full_id, by_short.event, by_short.firing) == (full_id, short, firing)


@pytest.mark.parametrize(("name", "full_id", "firing"), [
    ("Nightly", "Nightly", Firing.SCHEDULE),      # an AWS::Events::Rule with a schedule
    ("Alerts", "Alerts", Firing.TOPIC),
    ("alerts", "Alerts", Firing.TOPIC),           # its TopicName
])
def test_a_resource_is_found_by_its_logical_id(name: str, full_id: str,
                                               firing: Firing) -> None:
    found = TriggerNames.of(graph_of(EVERY_KIND)).find(name)
    assert (found.full_id, found.event, found.firing) == (full_id, None, firing)


TWO_FUNCTIONS = """
    Resources:
      TickFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            Every5Min: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}
      TockFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events:
            Every5Min: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(5 minutes)}}
            Nightly: {Type: Schedule, Properties: {Schedule: cron(0 3 * * ? *)}}
"""


def test_a_short_name_two_functions_share_is_refused_with_their_full_ids() -> None:
    names = TriggerNames.of(graph_of(TWO_FUNCTIONS))
    with pytest.raises(UsageError) as refused:
        names.find("Every5Min")
    assert str(refused.value) == ("'Every5Min' names 2 triggers: TickFunctionEvery5Min, "
                                  "TockFunctionEvery5Min; name one of them as written here")
    assert names.find("TockFunctionEvery5Min").full_id == "TockFunctionEvery5Min"
    assert names.find("Nightly").full_id == "TockFunctionNightly"


def test_the_label_shows_a_short_name_only_where_it_reaches_the_trigger() -> None:
    names = TriggerNames.of(graph_of(TWO_FUNCTIONS))
    labels = {e.full_id: names.label(e) for e in names.entries}
    assert labels == {"TickFunctionEvery5Min": "TickFunctionEvery5Min",
                      "TockFunctionEvery5Min": "TockFunctionEvery5Min",
                      "TockFunctionNightly": "Nightly or TockFunctionNightly"}


def test_an_unknown_name_lists_what_can_be_fired() -> None:
    with pytest.raises(UsageError) as refused:
        TriggerNames.of(graph_of(TWO_FUNCTIONS)).find("Nope")
    assert str(refused.value) == (
        "no schedule, S3, DynamoDB or SQS trigger, rule or topic 'Nope' (triggers: "
        "Nightly or TockFunctionNightly, TickFunctionEvery5Min, TockFunctionEvery5Min)")


def test_a_shared_name_none_of_whose_triggers_fires_says_so_at_once() -> None:
    names = TriggerNames.of(graph_of("""
        Resources:
          A:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Events: {Api: {Type: HttpApi, Properties: {Path: /a, Method: get}}}
          B:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.12
              Events: {Api: {Type: HttpApi, Properties: {Path: /b, Method: get}}}
    """))
    with pytest.raises(UsageError) as refused:
        names.find("Api")
    assert str(refused.value) == ("'Api' names 2 triggers (AApi, BApi), of a kind samlite "
                                  "trigger cannot fire (HttpApi); invoke the function instead")
