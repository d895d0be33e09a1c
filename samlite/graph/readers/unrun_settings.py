"""Settings of SNS topics and subscriptions, SQS queues, EventBridge buses, DynamoDB tables
and S3 buckets that change what AWS does but that samlite does not run: each one set is named at
start-up under "Not run locally" (what differs here, what to do). Settings an app cannot see
locally (encryption at rest, tags, metrics, logging) are only noted in the support matrix
(graph/support.py NOT_RUN), as is the convention. Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.graph.model import NotRunLocally
from samlite.graph.parts import GraphParts
from samlite.graph.values import as_bool, as_map, as_text, key_at
from samlite.template.model import Resource


@dataclass(frozen=True, slots=True, kw_only=True)
class UnrunSetting:
    reason: str
    is_set: Callable[[Any], bool] = bool      # whether the value asks for the behaviour


def _status_enabled(value: Any) -> bool:
    return as_text(as_map(value).get("Status")) == "Enabled"


def _is_true(value: Any) -> bool:
    return as_bool(value, False) is True


UNRUN_SETTINGS: Mapping[str, Mapping[str, UnrunSetting]] = {
    "AWS::SNS::Topic": {
        "ArchivePolicy": UnrunSetting(
            reason="messages are not archived locally, so a subscription's ReplayPolicy "
                   "has nothing to replay; test replays against AWS"),
        "DataProtectionPolicy": UnrunSetting(
            reason="the data protection policy is not applied: messages are neither audited, "
                   "masked nor denied locally; check what it would do against AWS"),
        "TracingConfig": UnrunSetting(
            is_set=lambda value: as_text(value) == "Active",
            reason="X-Ray active tracing is not run locally: no segments are sent for "
                   "published messages and no trace header is passed to subscribers"),
    },
    "AWS::SNS::Subscription": {
        "ReplayPolicy": UnrunSetting(
            reason="messages are not archived locally, so nothing is replayed to this "
                   "subscription; test replays against AWS"),
    },
    "AWS::SQS::Queue": {
        "DeduplicationScope": UnrunSetting(
            is_set=lambda value: as_text(value) == "messageGroup",
            reason="deduplication is per queue locally, not per message group: a "
                   "MessageDeduplicationId reused in another group is dropped here"),
    },
    "AWS::Events::EventBus": {
        "EventSourceName": UnrunSetting(
            reason="a partner event source sends nothing locally: put the partner's events "
                   "on this bus yourself (PutEvents) to test its rules"),
    },
    "AWS::DynamoDB::Table": {
        "DeletionProtectionEnabled": UnrunSetting(
            is_set=_is_true,
            reason="deletion protection is not enforced locally: DeleteTable succeeds"),
        "ImportSourceSpecification": UnrunSetting(
            reason="the S3 import is not run: the local table starts empty; put the items "
                   "in yourself (BatchWriteItem) or from a seed script"),
        "KinesisStreamSpecification": UnrunSetting(
            reason="item changes are not sent to a Kinesis data stream locally (Kinesis is "
                   "not served); use the table's DynamoDB stream to test change handling"),
    },
    "AWS::S3::Bucket": {
        "CorsConfiguration": UnrunSetting(
            reason="the local S3 endpoint does not answer CORS preflights by these rules: "
                   "a browser uploading straight to the bucket is refused here"),
        "LifecycleConfiguration": UnrunSetting(
            reason="lifecycle rules are not run locally: objects never expire or change "
                   "storage class"),
        "ObjectLockConfiguration": UnrunSetting(
            reason="object lock retention is not applied locally: locked objects can be "
                   "deleted and overwritten here"),
        "ObjectLockEnabled": UnrunSetting(
            is_set=_is_true,
            reason="object lock is not applied locally: objects can be deleted and "
                   "overwritten here"),
        "ReplicationConfiguration": UnrunSetting(
            reason="objects are not replicated locally: the destination bucket gets "
                   "nothing"),
        "VersioningConfiguration": UnrunSetting(
            is_set=_status_enabled,
            reason="the bucket starts unversioned locally: objects get no VersionId and "
                   "overwrites replace them, unless a client calls PutBucketVersioning"),
        "WebsiteConfiguration": UnrunSetting(
            reason="no static website endpoint is served locally; read objects through "
                   "the local S3 endpoint instead"),
        "MetadataTableConfiguration": UnrunSetting(
            reason="no S3 metadata table is kept locally (S3 Tables is not served)"),
        "MetadataConfiguration": UnrunSetting(
            reason="no S3 metadata table is kept locally (S3 Tables is not served)"),
    },
}


def name_unrun_settings(parts: GraphParts, res: Resource) -> None:
    """Name each setting of `res` that AWS would act on and samlite does not."""
    settings = UNRUN_SETTINGS.get(res.type)
    if not settings:
        return
    props, _raw = parts.props(res)
    for key, setting in settings.items():
        value = props.get(key)
        if value is not None and setting.is_set(value):
            parts.not_local.append(NotRunLocally(
                subject=f"{res.logical_id}.{key}", type=res.type,
                at=key_at(props, key, res.at), reason=setting.reason))
