"""What a target gets: Input, InputPath and InputTransformer with EventBridge's quoting, on
the example event of tests/fixtures/events/eventbridge-aws-docs.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from samlite.graph.messaging import InputTransformer, RuleTarget
from samlite.sources.eventbridge.target_input import target_input

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"
EVENT: dict[str, Any] = {k: v for k, v in json.loads(
    (FIXTURES / "eventbridge-aws-docs.json").read_text()).items() if k != "_source"}
PATHS = (("instance", "$.detail.instance-id"), ("state", "$.detail.state"),
         ("res", "$.resources[0]"), ("detail", "$.detail"))


def run(**target: Any) -> str:
    return target_input(EVENT, RuleTarget(target_id="t", kind="sqs", target="q", **target),
                        rule_arn="arn:aws:events:us-east-1:123456789012:rule/R",
                        rule_name="R", ingestion_time="2021-11-11T21:29:55.000Z")


def transformed(template: str) -> str:
    return run(input_transformer=InputTransformer(paths=PATHS, template=template))


def test_the_whole_event_by_default_input_and_input_path() -> None:
    assert json.loads(run()) == EVENT
    assert run(input='{"fixed": 1}') == '{"fixed": 1}'
    assert json.loads(run(input_path="$.detail")) == EVENT["detail"]
    assert json.loads(run(input_path="$.detail.state")) == "pending"


@pytest.mark.parametrize(("template", "expected"), [
    ('{"instance": <instance>, "state": <state>}',
     '{"instance": "i-1234567890abcdef0", "state": "pending"}'),
    ('"instance <instance> is in <state>"', '"instance i-1234567890abcdef0 is in pending"'),
    ("instance <instance> is in <state>", "instance i-1234567890abcdef0 is in pending"),
    ('{"d": <detail>, "text": "<detail>"}',
     '{"d": {"instance-id": "i-1234567890abcdef0", "state": "pending"}, '
     '"text": "{\\"instance-id\\": \\"i-1234567890abcdef0\\", \\"state\\": \\"pending\\"}"}'),
    ('{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>"}',
     '{"rule": "R", "arn": "arn:aws:events:us-east-1:123456789012:rule/R"}'),
    ('{"r": <res>, "missing": <nope>}',
     '{"r": "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0", '
     '"missing": <nope>}'),
], ids=["json-values", "json-string", "plain-text", "object-in-and-out-of-quotes",
        "predefined", "undefined-variable-left"])
def test_input_transformer_quoting(template: str, expected: str) -> None:
    assert transformed(template) == expected


def test_the_whole_event_variable_is_not_escaped() -> None:
    assert json.loads(transformed('{"event": <aws.events.event.json>}')) == {"event": EVENT}
