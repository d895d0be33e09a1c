"""S3 notification matching and the S3 event record, checked against AWS's documented example
(tests/fixtures/events/s3-put-aws-docs.json) and SAM CLI's removal sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from samlite.aws.s3.object_event import ObjectEvent
from samlite.sources.s3.events import (
    encode_key,
    event_time,
    is_supported_event,
    matches_notification,
    s3_event,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def fixture(name: str) -> dict[str, Any]:
    doc = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert doc.pop("_source")
    return doc


def test_put_record_is_the_documented_example() -> None:
    put = ObjectEvent(
        event_name="ObjectCreated:Put", bucket="mybucket", key="HappyFace.jpg", size=1024,
        etag="d41d8cd98f00b204e9800998ecf8427e", version_id="096fKKXTRTtl3on89fVO.nfljtsv6qko",
        sequencer="0055AED6DCD90281E5", event_time=0.0, source_ip="127.0.0.1",
        request_id="C3D13FE58DE4C810",
        host_id="FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        principal_id="AIDAJDPLRKLG7UEXAMPLE")
    event = s3_event(put, region="us-west-2", configuration_id="testConfigRule",
                     owner_id="A3NL1KOZZKExample")
    expected = fixture("s3-put-aws-docs.json")
    assert event == expected
    # same key order as AWS's example, for anyone diffing printed events
    assert json.dumps(event) == json.dumps(expected)


def test_removal_record_has_only_key_and_sequencer() -> None:
    removed = ObjectEvent(
        event_name="ObjectRemoved:Delete", bucket="example-bucket", key="test/key",
        sequencer="0A1B2C3D4E5F678901", event_time=0.0, request_id="EXAMPLE123456789",
        host_id="EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH",
        principal_id="EXAMPLE")
    event = s3_event(removed, region="us-east-1", configuration_id="testConfigRule")
    expected = fixture("s3-delete-sam-cli.json")
    expected["Records"][0]["eventVersion"] = "2.1"   # SAM CLI's sample predates 2.1
    assert event == expected


def test_unversioned_object_has_no_version_id() -> None:
    put = ObjectEvent(event_name="ObjectCreated:Put", bucket="b", key="k", size=0, etag="e",
                      sequencer="01", event_time=0.0, request_id="r", host_id="h",
                      principal_id="p")
    obj = s3_event(put, region="us-east-1", configuration_id="c")["Records"][0]["s3"]["object"]
    assert obj == {"key": "k", "size": 0, "eTag": "e", "sequencer": "01"}


@pytest.mark.parametrize(("key", "encoded"), [
    ("red flower.jpg", "red+flower.jpg"),           # the S3 user guide's own example
    ("a@b", "a%40b"),
    ("uploads/2024/photo 1.jpg", "uploads/2024/photo+1.jpg"),
    ("data/dt=2018-05-04/_SUCCESS", "data/dt%3D2018-05-04/_SUCCESS"),
    ("c++/x (1).txt", "c%2B%2B/x+%281%29.txt"),
    ("é~*.-_", "%C3%A9%7E*.-_"),
])
def test_keys_are_form_encoded_as_s3_notifications_carry_them(key: str, encoded: str) -> None:
    assert encode_key(key) == encoded
    assert unquote_plus(encoded) == key


def test_event_time_has_milliseconds_and_z() -> None:
    assert event_time(0.0) == "1970-01-01T00:00:00.000Z"
    assert event_time(1_700_000_000.1234) == "2023-11-14T22:13:20.123Z"


@pytest.mark.parametrize(("events", "event_name", "fires"), [
    (["s3:ObjectCreated:*"], "ObjectCreated:Put", True),
    (["s3:ObjectCreated:*"], "ObjectCreated:CompleteMultipartUpload", True),
    (["s3:ObjectCreated:Put"], "ObjectCreated:Put", True),
    (["s3:ObjectCreated:Put"], "ObjectCreated:Copy", False),
    (["s3:ObjectCreated:*"], "ObjectRemoved:Delete", False),
    (["s3:ObjectRemoved:*"], "ObjectRemoved:Delete", True),
    (["s3:ObjectRemoved:*"], "ObjectRemoved:DeleteMarkerCreated", True),
    (["s3:ObjectRemoved:Delete", "s3:ObjectCreated:Post"], "ObjectCreated:Post", True),
    (["s3:*"], "ObjectCreated:Put", False),           # not an S3 event type
])
def test_event_types_and_wildcards(events: list[str], event_name: str, fires: bool) -> None:
    assert matches_notification(events, (), event_name, "any.jpg") is fires


@pytest.mark.parametrize(("rules", "key", "fires"), [
    ((("prefix", "images/"), ("suffix", "jpg")), "images/cat.jpg", True),   # S3 guide example
    ((("prefix", "images/"), ("suffix", "jpg")), "images/cat.png", False),
    ((("prefix", "images/"), ("suffix", "jpg")), "logs/cat.jpg", False),
    ((("Prefix", "images/"),), "images/cat.jpg", True),     # S3 takes the name in any case
    ((("Suffix", ".png"),), "a.png", True),
    ((("prefix", "my+folder/"),), "my folder/a.txt", True),  # rules see the encoded key
    ((("prefix", "my folder/"),), "my folder/a.txt", False),
    ((), "anything", True),
])
def test_prefix_and_suffix_rules(rules: tuple[tuple[str, str], ...], key: str,
                                 fires: bool) -> None:
    assert matches_notification(["s3:ObjectCreated:*"], rules, "ObjectCreated:Put", key) is fires


def test_supported_event_types() -> None:
    assert is_supported_event("s3:ObjectCreated:*")
    assert is_supported_event("s3:ObjectRemoved:DeleteMarkerCreated")
    assert not is_supported_event("s3:*")
    assert not is_supported_event("ObjectCreated:Put")
