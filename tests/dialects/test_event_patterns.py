"""Lambda event filtering, with the patterns and records of the Lambda developer guide's
"Lambda event filtering" page and EventBridge's content-filtering operators."""

from __future__ import annotations

import json
from typing import Any

import pytest

from samlite.dialects.event_patterns import EventFilter, sqs_filter_view

# The Kinesis record of the guide's "Event filtering basics" (data shown decoded).
KINESIS = {"partitionKey": "1",
           "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
           "data": {"City": "Seattle", "State": "WA", "Temperature": "46",
                    "Month": "December"},
           "approximateArrivalTimestamp": 1545084650.987}
# The DynamoDB data of the guide's "Multi-level filtering".
DYNAMODB = {"dynamodb": {"Keys": {"Id": {"N": "101"}},
                         "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
                         "SequenceNumber": "111", "SizeBytes": 26,
                         "StreamViewType": "NEW_AND_OLD_IMAGES"}}


def matches(pattern: dict[str, Any] | str, record: dict[str, Any]) -> bool:
    text = pattern if isinstance(pattern, str) else json.dumps(pattern)
    return EventFilter.from_patterns([text]).matches(record)


def test_guide_examples() -> None:
    la = dict(KINESIS, data=dict(KINESIS["data"], Location="Los Angeles"))
    pattern = {"partitionKey": ["1"], "data": {"Location": ["Los Angeles"]}}
    assert matches(pattern, la)
    assert not matches(pattern, KINESIS)
    assert matches({"dynamodb": {"Keys": {"Id": {"N": ["101"]}}}}, DYNAMODB)
    assert not matches({"dynamodb": {"Keys": {"Id": {"N": ["102"]}}}}, DYNAMODB)
    warm = {"data": {"Temperature": 55}}
    temperature = {"data": {"Temperature": [{"numeric": [">", 50, "<=", 60]}]}}
    assert matches(temperature, warm)
    assert not matches(temperature, {"data": {"Temperature": 60.5}})
    assert not matches(temperature, KINESIS)      # "46" is a string, not a number


def test_console_example_and_no_patterns() -> None:
    assert matches('{ "a" : [ 1, 2 ] }', {"a": 2})
    assert not matches('{ "a" : [ 1, 2 ] }', {"a": 3})
    assert EventFilter.from_patterns([]).matches({"anything": 1})


def test_any_pattern_may_match() -> None:
    both = EventFilter.from_patterns(['{"a": ["x"]}', '{"b": ["y"]}'])
    assert both.matches({"b": "y"})
    assert not both.matches({"a": "y"})


# The operator table of "Filter rule syntax", then EventBridge's other operators.
@pytest.mark.parametrize(("name", "rule", "hit", "miss"), [
    ("null", [None], {"UserID": None}, {"UserID": "u"}),
    ("empty", [""], {"LastName": ""}, {"LastName": "x"}),
    ("equals", ["Alice"], {"Name": "Alice"}, {"Name": "alice"}),
    ("or", ["Credit", "Debit"], {"PaymentType": "Debit"}, {"PaymentType": "Cash"}),
    ("not", [{"anything-but": ["Raining"]}], {"Weather": "Sunny"}, {"Weather": "Raining"}),
    ("numeric equals", [{"numeric": ["=", 100]}], {"Price": 100}, {"Price": 101}),
    ("numeric range", [{"numeric": [">", 10, "<=", 20]}], {"Price": 20}, {"Price": 10}),
    ("exists", [{"exists": True}], {"ProductName": "p"}, {}),
    ("does not exist", [{"exists": False}], {}, {"ProductName": "p"}),
    ("begins with", [{"prefix": "us-"}], {"Region": "us-east-1"}, {"Region": "eu-west-1"}),
    ("suffix", [{"suffix": ".png"}], {"FileName": "a.png"}, {"FileName": "a.jpg"}),
    ("equals-ignore-case", [{"equals-ignore-case": "alice"}], {"Name": "ALICE"},
     {"Name": "bob"}),
    ("prefix ignoring case", [{"prefix": {"equals-ignore-case": "US-"}}],
     {"Region": "us-west-2"}, {"Region": "eu-west-1"}),
    ("anything-but prefix", [{"anything-but": {"prefix": "init"}}], {"State": "running"},
     {"State": "initializing"}),
    ("anything-but suffix", [{"anything-but": {"suffix": ".txt"}}], {"F": "a.png"},
     {"F": "a.txt"}),
    ("anything-but number", [{"anything-but": 404}], {"Code": 200}, {"Code": 404}),
    ("wildcard", [{"wildcard": "dir/*.png"}], {"F": "dir/a/b.png"}, {"F": "dir/a.jpg"}),
    ("escaped star", [{"wildcard": "a\\*b"}], {"F": "a*b"}, {"F": "axxb"}),
    ("cidr", [{"cidr": "10.0.0.0/24"}], {"Ip": "10.0.0.255"}, {"Ip": "10.0.1.1"}),
    ("bool", [True], {"Flag": True}, {"Flag": 1}),
])
def test_operators(name: str, rule: list[Any], hit: dict[str, Any],
                   miss: dict[str, Any]) -> None:
    field = next(iter(hit or miss))
    assert matches({field: rule}, hit)
    assert not matches({field: rule}, miss)


def test_numbers_compare_by_their_json_text() -> None:
    # "300, 300.0 and 3.0e2 are not considered equal"
    assert matches({"n": [300]}, {"n": 300})
    assert not matches({"n": [300]}, {"n": 300.0})
    assert not matches({"n": [300]}, {"n": "300"})


def test_array_fields_match_when_any_element_does() -> None:
    assert matches({"tags": ["b"]}, {"tags": ["a", "b"]})
    assert not matches({"tags": ["c"]}, {"tags": ["a", "b"]})
    assert matches({"items": {"sku": ["x"]}}, {"items": [{"sku": "y"}, {"sku": "x"}]})


def test_or_and_nested_objects() -> None:
    pattern = {"$or": [{"a": ["1"]}, {"b": {"c": [{"numeric": [">", 5]}]}}]}
    assert matches(pattern, {"b": {"c": 6}})
    assert matches(pattern, {"a": "1"})
    assert not matches(pattern, {"b": {"c": 5}})


def test_exists_looks_at_leaves_only() -> None:
    # EventBridge: exists matching does not work on intermediate nodes
    assert not matches({"c": [{"exists": True}]}, {"c": {"c1": 100}})
    assert matches({"c": [{"exists": False}]}, {"c": {"c1": 100}})
    assert matches({"a": {"b": [{"exists": False}]}}, {})


@pytest.mark.parametrize(("name", "pattern", "words"), [
    ("not JSON", "{nope", "not valid JSON"),
    ("not an object", "[1]", "must be a JSON object"),
    ("bare value", '{"a": "b"}', 'write ["b"]'),
    ("unknown operator", '{"a": [{"startswith": "x"}]}', "not a filter rule"),
    ("two operators", '{"a": [{"prefix": "x", "suffix": "y"}]}', "not a filter rule"),
    ("numeric without number", '{"a": [{"numeric": [">", "5"]}]}', "needs a number"),
    ("numeric two lower bounds", '{"a": [{"numeric": [">", 1, ">", 2]}]}', "lower bound"),
    ("exists not bool", '{"a": [{"exists": "yes"}]}', "true or false"),
    ("double wildcard", '{"a": [{"wildcard": "a**"}]}', "consecutive"),
    ("bad cidr", '{"a": [{"cidr": "10.0.0.0/99"}]}', "IP range"),
    ("empty $or", '{"$or": []}', "non-empty array"),
    ("anything-but object", '{"a": [{"anything-but": {"numeric": [">", 1]}}]}',
     "anything-but takes"),
])
def test_invalid_patterns_say_what_and_where(name: str, pattern: str, words: str) -> None:
    with pytest.raises(ValueError, match="filter pattern 2") as caught:
        EventFilter.from_patterns(['{"ok": ["x"]}', pattern])
    assert words in str(caught.value)


def sqs_record(body: str) -> dict[str, Any]:
    return {"messageId": "m", "body": body, "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {}, "eventSource": "aws:sqs"}


# "Properly filtering Amazon SQS messages": body format x body pattern format.
@pytest.mark.parametrize(("name", "body", "pattern", "passes"), [
    ("plain body, plain pattern", "hello", {"body": ["hello"]}, True),
    ("plain body, metadata only", "hello", {"attributes": {"ApproximateReceiveCount": ["1"]}},
     True),
    ("plain body, JSON pattern", "hello", {"body": {"kind": ["order"]}}, False),
    ("JSON body, plain pattern", '{"kind": "order"}', {"body": ['{"kind": "order"}']}, False),
    ("JSON body, metadata only", '{"kind": "order"}', {"eventSource": ["aws:sqs"]}, True),
    ("JSON body, JSON pattern", '{"kind": "order"}', {"body": {"kind": ["order"]}}, True),
    ("JSON body, JSON pattern, no match", '{"kind": "refund"}', {"body": {"kind": ["order"]}},
     False),
])
def test_sqs_body_rules(name: str, body: str, pattern: dict[str, Any], passes: bool) -> None:
    assert matches(pattern, sqs_filter_view(sqs_record(body))) is passes


def test_sqs_view_leaves_the_record_alone() -> None:
    record = sqs_record('{"a": 1}')
    view = sqs_filter_view(record)
    assert view["body"] == {"a": 1}
    assert record["body"] == '{"a": 1}'
