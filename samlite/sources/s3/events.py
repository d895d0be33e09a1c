"""Which bucket notifications an object event fires, and the S3 event record a function gets.
Pure mapping: no buckets, no clock reads.

Follows the S3 user guide: "Event notification types and destinations" (event types and the
`:*` wildcards), "Configuring event notifications using object key name filtering" (prefix and
suffix rules, matched against the URL-encoded key) and "Event message structure" (the record,
eventVersion 2.1, the key encoded as application/x-www-form-urlencoded).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from samlite.aws.s3.object_event import ObjectEvent

# The event types S3 accepts in a notification configuration for SQS, SNS and Lambda
# ("Supported event types for SQS, SNS, and Lambda"). There is no "s3:*": S3 rejects it.
SUPPORTED_EVENTS = frozenset({
    "s3:TestEvent",
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold", "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition", "s3:IntelligentTiering",
    "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
})
EVENT_VERSION = "2.1"
SCHEMA_VERSION = "1.0"
# Besides letters and digits, what S3 leaves unescaped in a notification's key: the form
# encoding's "-", "_", ".", "*", plus "/" (real events keep "images/a+b.jpg" readable; only
# very old ones showed %2F). "~" is escaped, as Java's URLEncoder does.
_KEY_SAFE = "/*"


def is_supported_event(event_type: str) -> bool:
    """Whether S3 accepts `event_type` ("s3:ObjectCreated:*") in a notification."""
    return event_type in SUPPORTED_EVENTS


def encode_key(key: str) -> str:
    """The object key as a notification carries it: "red flower.jpg" -> "red+flower.jpg"."""
    # surrogateescape: a file dropped in a bucket folder under a non-UTF-8 name keeps its bytes
    return quote_plus(key, safe=_KEY_SAFE, errors="surrogateescape").replace("~", "%7E")


def matches_notification(events: Sequence[str], filter_rules: Sequence[tuple[str, str]],
                         event_name: str, key: str) -> bool:
    """Whether a notification for `events` ("s3:ObjectCreated:*", "s3:ObjectRemoved:Delete")
    with `filter_rules` (("prefix", "uploads/"), ("suffix", ".jpg"); S3 takes the rule
    names in any case) fires for `event_name` ("ObjectCreated:Put", no "s3:") on `key`.

    S3 compares prefix and suffix with the key as the event carries it, URL-encoded: a
    space in a rule must be written "+", other special characters percent-encoded."""
    if not _event_matches(events, event_name):
        return False
    encoded = encode_key(key)
    for name, value in filter_rules:
        rule = name.lower()
        if rule == "prefix" and not encoded.startswith(value):
            return False
        if rule == "suffix" and not encoded.endswith(value):
            return False
    return True


def _event_matches(events: Sequence[str], event_name: str) -> bool:
    wanted = f"s3:{event_name}"
    for configured in events:
        if configured == wanted:
            return True
        # "s3:ObjectCreated:*" covers every "s3:ObjectCreated:<api>"; "s3:*" is no S3 type
        if (configured.endswith(":*") and configured.count(":") == 2
                and wanted.startswith(configured[:-1])):
            return True
    return False


def event_time(seconds: float) -> str:
    """ISO 8601 in UTC with milliseconds, as S3 writes eventTime: 1970-01-01T00:00:00.000Z."""
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def s3_event(event: ObjectEvent, *, region: str, configuration_id: str,
             owner_id: str | None = None) -> dict[str, Any]:
    """The event S3 sends a function for `event`, one record under "Records" (S3 user guide,
    "Event message structure"). Removals carry no size or eTag; versionId only when the
    object has a version. `owner_id` is the bucket owner's principal, by default the one
    that made the request (locally a single principal owns everything)."""
    obj: dict[str, Any] = {"key": encode_key(event.key)}
    if event.size is not None:
        obj["size"] = event.size
    if event.etag is not None:
        obj["eTag"] = event.etag
    if event.version_id is not None:
        obj["versionId"] = event.version_id
    obj["sequencer"] = event.sequencer
    record = {
        "eventVersion": EVENT_VERSION,
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": event_time(event.event_time),
        "eventName": event.event_name,
        "userIdentity": {"principalId": event.principal_id},
        "requestParameters": {"sourceIPAddress": event.source_ip},
        "responseElements": {
            "x-amz-request-id": event.request_id,
            "x-amz-id-2": event.host_id,
        },
        "s3": {
            "s3SchemaVersion": SCHEMA_VERSION,
            "configurationId": configuration_id,
            "bucket": {
                "name": event.bucket,
                "ownerIdentity": {"principalId": owner_id or event.principal_id},
                "arn": f"arn:aws:s3:::{event.bucket}",
            },
            "object": obj,
        },
    }
    return {"Records": [record]}
