"""`samlite generate-event` against what `sam local generate-event` prints (golden files in
tests/fixtures/generate_event/, recorded by its record.py), its help and usage errors, and the
pure builder in samlite/cli/generate_event.py."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from samlite.cli.generate_event import CATALOGUE, generate_event, render, services
from samlite.cli.main import main
from samlite.errors import UsageError
from samlite.sources.s3.events import encode_key
from tests.app.test_app import write_app

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "generate_event"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _key_as_s3_sends_it(event: dict[str, Any]) -> None:
    event["Records"][0]["s3"]["object"]["key"] = "my+photos/a+b.jpg"   # SAM CLI: %20


def _multi_value_query_follows(event: dict[str, Any]) -> None:
    event["multiValueQueryStringParameters"] = {"page": ["2"]}          # SAM CLI: foo=bar


def _single_leading_slash(event: dict[str, Any]) -> None:
    event["path"] = event["pathParameters"]["proxy"] = "/hello"         # SAM CLI: //hello
    event["requestContext"]["path"] = "/prod/hello"


def _subscription_arn_names_the_account(event: dict[str, Any]) -> None:
    record = event["Records"][0]               # SAM CLI leaves the account out: "..:us-east-1::T"
    record["EventSubscriptionArn"] = record["Sns"]["TopicArn"]


# Where samlite differs on purpose (samlite/cli/generate_event.py's docstring lists why):
# applied to SAM CLI's event, each gives samlite's.
DIFFERENCES: dict[str, Callable[[dict[str, Any]], None]] = {
    "s3-put-key-with-space": _key_as_s3_sends_it,
    "apigateway-aws-proxy-query": _multi_value_query_follows,
    "apigateway-aws-proxy-leading-slash": _single_leading_slash,
    "sns-notification-defaults": _subscription_arn_names_the_account,
    "sns-notification-options": _subscription_arn_names_the_account,
}
# samlite's own events, which SAM CLI does not generate: each is compared with its AWS
# documentation sample instead (below).
SAMLITE_ONLY = {("eventbridge", "event")}


def golden_cases() -> list[Path]:
    return sorted(GOLDEN.glob("*.json"))


@pytest.mark.parametrize("path", golden_cases(), ids=lambda p: p.stem)
def test_prints_what_sam_cli_prints(path: Path) -> None:
    golden = json.loads(path.read_text(encoding="utf-8"))
    code, out, _ = run("generate-event", *golden["args"])
    assert code == 0
    if path.stem in DIFFERENCES:
        expected = json.loads(golden["stdout"])
        DIFFERENCES[path.stem](expected)
        assert json.loads(out) == expected
    else:
        assert out == golden["stdout"]      # same JSON, same layout, byte for byte


def test_every_event_type_has_golden_files() -> None:
    recorded = {tuple(json.loads(p.read_text(encoding="utf-8"))["args"][:2])
                for p in golden_cases()}
    assert {(kind.service, kind.name) for kind in CATALOGUE} - SAMLITE_ONLY <= recorded


def test_eventbridge_event_defaults_are_the_documented_example() -> None:
    documented = json.loads((GOLDEN.parent / "events" / "eventbridge-aws-docs.json").read_text())
    documented.pop("_source")
    code, out, _ = run("generate-event", "eventbridge", "event")
    assert code == 0 and json.loads(out) == documented
    _, changed, _ = run("generate-event", "eventbridge", "event", "--source", "shop",
                        "--detail", '{"id": 1}', "--resources", "")
    assert (json.loads(changed)["source"], json.loads(changed)["detail"],
            json.loads(changed)["resources"]) == ("shop", {"id": 1}, [])


def test_the_event_pipes_into_invoke(tmp_path: Path) -> None:
    template = write_app(tmp_path, "HelloFunction")
    _, event, _ = run("generate-event", "s3", "put", "--bucket", "photos", "--key", "a b.jpg")
    code, out, _ = run("invoke", "-t", str(template), "-e", "-", stdin=event)
    assert code == 0
    record = json.loads(out)["event"]["Records"][0]
    assert (record["s3"]["bucket"]["name"], record["s3"]["object"]["key"]) == ("photos",
                                                                                "a+b.jpg")


# --- help and usage errors ------------------------------------------------------------------

def test_help_lists_the_services_and_their_events() -> None:
    _, top, _ = run("generate-event", "--help")
    _, s3, _ = run("generate-event", "s3", "--help")
    for line in ("apigateway   Events: aws-proxy, http-api-proxy.",
                 "cloudwatch   Events: scheduled-event.", "dynamodb     Events: update.",
                 "eventbridge  Events: event.",
                 "s3           Events: delete, put.", "sns          Events: notification.",
                 "sqs          Events: receive-message."):
        assert line in top
    assert "delete  S3 ObjectRemoved:Delete notification" in s3
    assert "put     S3 ObjectCreated:Put notification" in s3


def test_help_of_an_event_lists_sam_cli_options_and_defaults() -> None:
    code, out, _ = run("generate-event", "sqs", "receive-message", "--help")
    assert code == 0
    for flag in ("--partition", "--region", "--account-id", "--queue-name", "--body"):
        assert flag in out
    assert "[default: MyQueue]" in out
    assert "[default: 123456789012]" in out


@pytest.mark.parametrize(("args", "message"), [
    (("nosuch",), "no service 'nosuch'; samlite generates events for the sources it runs: "
                  "apigateway, cloudwatch, dynamodb, eventbridge, s3, sns, sqs"),
    (("kinesis", "get-records"), "no service 'kinesis'"),
    (("s3", "copy"), "no s3 event 'copy'; choose one of: delete, put"),
    (("s3", "put", "--queue-name", "Q"), "--queue-name"),
], ids=["unknown service", "service samlite does not run", "unknown event", "unknown option"])
def test_unknown_names_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("generate-event", *args)
    assert code == 2
    assert message in err
    assert out == ""


def test_a_bad_query_string_is_a_usage_error() -> None:
    code, _, err = run("generate-event", "apigateway", "aws-proxy",
                       "--querystringparameters", "a=b")
    assert code == 2
    assert "--querystringparameters must be a JSON object or null" in err


# --- the pure builder -----------------------------------------------------------------------

def test_values_are_literal_text() -> None:
    body = 'say "hi" \\n'                    # SAM CLI pastes this into JSON source and fails
    [record] = generate_event("sqs", "receive-message", {"body": body})["Records"]
    assert record["body"] == body
    assert record["md5OfBody"] == hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize("event", ["aws-proxy", "http-api-proxy"])
def test_api_bodies_are_base64_of_the_given_text(event: str) -> None:
    generated = generate_event("apigateway", event, {"body": "héllo"})
    assert generated["isBase64Encoded"] is True
    assert base64.b64decode(generated["body"]).decode() == "héllo"


@pytest.mark.parametrize("key", ["a b.jpg", "x/y+z~.txt", "ünï/cødé"])
def test_s3_keys_are_encoded_as_samlite_sends_them_at_run_time(key: str) -> None:
    [record] = generate_event("s3", "put", {"key": key})["Records"]
    assert record["s3"]["object"]["key"] == encode_key(key)


def test_partition_and_region_reach_every_arn() -> None:
    values = {"partition": "aws-cn", "region": "cn-north-1"}
    s3 = generate_event("s3", "delete", values | {"bucket": "b"})["Records"][0]
    sqs = generate_event("sqs", "receive-message", values)["Records"][0]
    rule = generate_event("cloudwatch", "scheduled-event", values | {"rule": "R"})
    assert s3["s3"]["bucket"]["arn"] == "arn:aws-cn:s3:::b"
    assert "size" not in s3["s3"]["object"]           # removals carry no size or eTag
    assert sqs["eventSourceARN"] == "arn:aws-cn:sqs:cn-north-1:123456789012:MyQueue"
    assert rule["resources"] == ["arn:aws-cn:events:cn-north-1:123456789012:rule/R"]


def test_null_query_string_empties_both_query_maps() -> None:
    event = generate_event("apigateway", "aws-proxy", {"querystringparameters": "null"})
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


@pytest.mark.parametrize(("service", "event", "values", "message"), [
    ("kinesis", "get-records", {}, "no sample events for service 'kinesis'"),
    ("sqs", "send-message", {}, "no sqs event 'send-message'; choose one of: receive-message"),
    ("s3", "put", {"queue-name": "Q"},
     "s3 put has no option --queue-name; it takes --region, --partition, --bucket, --key"),
], ids=["unknown service", "unknown event", "option of another event"])
def test_builder_errors_name_the_choices(service: str, event: str, values: dict[str, str],
                                         message: str) -> None:
    with pytest.raises(UsageError, match=message):
        generate_event(service, event, values)


def test_render_is_two_space_json_with_ascii_escapes() -> None:
    assert render({"a": ["é"]}) == '{\n  "a": [\n    "\\u00e9"\n  ]\n}'


def test_services_are_the_sources_samlite_runs() -> None:
    assert services() == ("apigateway", "cloudwatch", "dynamodb", "eventbridge", "s3", "sns",
                          "sqs")
