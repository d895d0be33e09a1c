"""moto's S3 backend, made to keep its objects: a subclass that notes every object create
and remove (with the event name AWS would report) and every change a restart must see, so
service.py can write the plain file and the metadata row and report the event once the request is
done. Its bucket namespace is its own, so two apps (accounts) in one process never meet.

Imports moto: only service.py imports this module, lazily. Event names follow the S3 user guide,
"Supported event types for SQS, SNS, and Lambda".

moto's BaseModel keeps every instance it ever made in its class's `instances_tracked`
(moto/core/common_models.py), so each replaced or deleted key stayed in memory for good (~3.9 KB
per PUT). Only moto's global reset and its /moto-api dashboard read those lists; samlite uses
neither, so its S3 model classes track nothing, and the keys a call drops are disposed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.core.model_instances import model_data
from moto.core.utils import utcnow
from moto.s3.exceptions import BucketAlreadyExists, InvalidBucketName, MissingBucket
from moto.s3.models import FakeBucket, FakeKey, S3Backend, s3_backends
from moto.utilities.utils import get_partition

# S3 user guide, "General purpose bucket naming rules": 3-63 of a-z 0-9 . -, starting and
# ending with a letter or digit. It also keeps every bucket folder a safe single segment.
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")

PUT = "ObjectCreated:Put"
POST = "ObjectCreated:Post"
COPY = "ObjectCreated:Copy"
COMPLETE_MULTIPART = "ObjectCreated:CompleteMultipartUpload"
DELETE = "ObjectRemoved:Delete"
DELETE_MARKER_CREATED = "ObjectRemoved:DeleteMarkerCreated"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """Something happened to a key: `event_name` None means only what a restart must see
    changed (tags, metadata), nothing to report."""
    bucket: str
    key: str
    event_name: str | None = None
    size: int | None = None
    etag: str | None = None              # without quotes
    version_id: str | None = None


def is_bucket_name(name: str) -> bool:
    return BUCKET_NAME.fullmatch(name) is not None and ".." not in name


class SamliteS3Backend(S3Backend):
    """One app's S3 state. Not thread-safe (moto isn't): service.py calls it under one lock."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.changes: list[Change] = []
        self.changed_buckets: set[str] = set()
        self._quiet = 0       # inside a call whose own puts must not be reported
        stop_tracking_instances()

    def take_changes(self) -> tuple[list[Change], set[str]]:
        # After every request: moto's mock_aws, if someone in this process uses it, puts
        # plain (tracking) lists back when it stops.
        stop_tracking_instances()
        changes, self.changes = self.changes, []
        buckets, self.changed_buckets = self.changed_buckets, set()
        return changes, buckets

    # --- buckets: our own namespace (moto's is global, shared by every account) -----------

    def reset(self) -> None:
        # moto's reset disposes every key of every backend in the process; dispose ours only.
        for bucket in self.buckets.values():
            for versions in dict.values(bucket.keys):
                for key in versions:
                    if isinstance(key, FakeKey):
                        key.dispose()
            for multipart in bucket.multiparts.values():
                multipart.dispose()
        self.buckets.clear()

    def get_bucket(self, bucket_name: str) -> FakeBucket:
        bucket = self.buckets.get(bucket_name)
        if bucket is None:
            raise MissingBucket(bucket=bucket_name)
        return bucket

    def create_bucket(self, bucket_name: str, region_name: str,
                      bucket_namespace: str | None = None) -> FakeBucket:
        if not is_bucket_name(bucket_name):
            raise InvalidBucketName()
        if bucket_name in self.buckets:
            raise BucketAlreadyExists(bucket=bucket_name)
        shared = s3_backends.bucket_accounts.get(bucket_name)
        bucket = FakeBucket(name=bucket_name, account_id=self.account_id,
                            region_name=region_name, bucket_namespace=bucket_namespace)
        _restore_shared(bucket_name, shared)     # FakeBucket registers itself globally
        self.buckets[bucket_name] = bucket
        self.changed_buckets.add(bucket_name)
        return bucket

    def delete_bucket(self, bucket_name: str) -> FakeBucket | None:
        bucket = self.get_bucket(bucket_name)
        if bucket.keys:
            return None
        self.changed_buckets.add(bucket_name)
        return self.buckets.pop(bucket_name)

    def put_bucket_versioning(self, bucket_name: str, status: str) -> None:
        super().put_bucket_versioning(bucket_name, status)
        self.changed_buckets.add(bucket_name)

    # --- objects -----------------------------------------------------------------------------

    def put_object(self, bucket_name: str, key_name: str, value: bytes,
                   *args: Any, request_method: str | None = "PUT",
                   disable_notification: bool | None = False, **kwargs: Any) -> FakeKey:
        with self._disposing_dropped(bucket_name, key_name):
            key = super().put_object(bucket_name, key_name, value, *args,
                                     request_method=request_method, disable_notification=True,
                                     **kwargs)
        if disable_notification or self._quiet:
            self.changes.append(Change(bucket=bucket_name, key=key_name))
        else:
            name = POST if request_method == "POST" else PUT
            self.changes.append(created_change(name, bucket_name, key))
        return key

    def complete_multipart_upload(self, bucket_name: str, multipart_id: str,
                                  body: Any) -> FakeKey | None:
        self._quiet += 1     # moto's own put_object inside must not report a Put as well
        try:
            key = super().complete_multipart_upload(bucket_name, multipart_id, body)
        finally:
            self._quiet -= 1
        if key is not None:
            self.changes.append(created_change(COMPLETE_MULTIPART, bucket_name, key))
        return key

    def copy_object(self, src_key: FakeKey, dest_bucket_name: str, dest_key_name: str,
                    *args: Any, **kwargs: Any) -> None:
        super().copy_object(src_key, dest_bucket_name, dest_key_name, *args, **kwargs)
        key = self.get_bucket(dest_bucket_name).keys.get(dest_key_name)
        if isinstance(key, FakeKey):
            self.changes.append(created_change(COPY, dest_bucket_name, key))

    def delete_object(self, bucket_name: str, key_name: str, version_id: str | None = None,
                      bypass: bool = False) -> tuple[bool, dict[str, Any]]:
        bucket = self.get_bucket(bucket_name)
        before = list(bucket.keys.getlist(key_name, []))
        with self._disposing_dropped(bucket_name, key_name):
            found, meta = super().delete_object(bucket_name, key_name, version_id=version_id,
                                                bypass=bypass)
        after = list(bucket.keys.getlist(key_name, []))
        if not bucket.is_versioned and before and not after:
            self.changes.append(Change(bucket=bucket_name, key=key_name, event_name=DELETE))
        elif version_id is None and len(after) > len(before):
            # AWS reports a delete marker as DeleteMarkerCreated; moto reports nothing.
            self.changes.append(Change(bucket=bucket_name, key=key_name,
                                       event_name=DELETE_MARKER_CREATED,
                                       version_id=meta.get("version-id")))
        elif len(after) < len(before):
            self.changes.append(Change(bucket=bucket_name, key=key_name, event_name=DELETE,
                                       version_id=version_id))
        return found, meta

    def put_object_tagging(self, key: FakeKey, tags: dict[str, str] | None) -> FakeKey:
        result = super().put_object_tagging(key, tags)
        if key.bucket_name is not None:
            self.changes.append(Change(bucket=key.bucket_name, key=key.name))
        return result

    def delete_object_tagging(self, bucket_name: str, key_name: str,
                              version_id: str | None = None) -> None:
        super().delete_object_tagging(bucket_name, key_name, version_id=version_id)
        self.changes.append(Change(bucket=bucket_name, key=key_name))

    # --- what a restart needs ----------------------------------------------------------------

    def latest(self, bucket_name: str, key_name: str) -> FakeKey | None:
        """The current version of a key, or None when it is gone or hidden by a marker."""
        bucket = self.buckets.get(bucket_name)
        key = bucket.keys.get(key_name) if bucket is not None else None
        return key if isinstance(key, FakeKey) else None

    def attributes(self, key: FakeKey) -> dict[str, Any]:
        """What a restart needs besides the bytes, etag and version id (JSON-ready)."""
        return {
            "metadata": dict(key.metadata.items()),
            "storage_class": key.storage_class,
            "encryption": key.encryption,
            "kms_key_id": key.kms_key_id,
            "bucket_key_enabled": key.bucket_key_enabled,
            "website_redirect_location": key.website_redirect_location,
            "checksum_algorithm": key.checksum_algorithm,
            "checksum_value": key.checksum_value,
            "checksum_type": key.checksum_type,
            "tags": self.tagger.get_tag_dict_for_resource(key.arn),
        }

    def restore_object(self, bucket_name: str, key_name: str, value: bytes, *,
                       etag: str | None, version_id: str | None, last_modified: float,
                       attributes: dict[str, Any]) -> FakeKey:
        """Put an object back as it was (startup, or a file changed on disk), reporting
        nothing. `etag` None recomputes it from the bytes."""
        with self._disposing_dropped(bucket_name, key_name):
            key = S3Backend.put_object(
                self, bucket_name, key_name, value, storage=attributes.get("storage_class"),
                etag=etag, encryption=attributes.get("encryption"),
                kms_key_id=attributes.get("kms_key_id"),
                bucket_key_enabled=attributes.get("bucket_key_enabled"),
                checksum_value=attributes.get("checksum_value"), disable_notification=True)
        key.set_metadata(dict(attributes.get("metadata") or {"Content-Type":
                                                              "binary/octet-stream"}))
        key.website_redirect_location = attributes.get("website_redirect_location")
        key.checksum_algorithm = attributes.get("checksum_algorithm")
        key.checksum_type = attributes.get("checksum_type")
        if version_id is not None:
            key._version_id = version_id
        key.last_modified = datetime.fromtimestamp(last_modified, UTC).replace(tzinfo=None)
        if tags := attributes.get("tags"):
            self.tagger.tag_resource(key.arn, self.tagger.convert_dict_to_tags_input(tags))
        return key

    def forget_object(self, bucket_name: str, key_name: str) -> None:
        """Drop every version of a key, reporting nothing (its file went while we were down)."""
        bucket = self.buckets.get(bucket_name)
        if bucket is not None and key_name in bucket.keys:
            with self._disposing_dropped(bucket_name, key_name):
                bucket.keys.pop(key_name)

    @contextmanager
    def _disposing_dropped(self, bucket_name: str, key_name: str) -> Iterator[None]:
        """Dispose the versions of a key that the call inside drops (replaced or deleted):
        moto leaves their buffers to FakeKey.__del__, which warns."""
        bucket = self.buckets.get(bucket_name)
        before = list(bucket.keys.getlist(key_name, [])) if bucket is not None else []
        yield
        bucket = self.buckets.get(bucket_name)
        kept = {id(k) for k in bucket.keys.getlist(key_name, [])} if bucket is not None else set()
        for key in before:
            if isinstance(key, FakeKey) and id(key) not in kept:
                key.dispose()


class _Untracked(list[Any]):
    """An `instances_tracked` that keeps nothing (moto's BaseModel.__new__ appends to it)."""

    def append(self, item: Any) -> None:
        pass


def stop_tracking_instances() -> None:
    """Make moto's S3 model classes (FakeKey, FakeAcl, FakeGrant...) forget new instances,
    dropping those already listed: the objects a backend still holds stay with it."""
    for model in model_data["s3"].values():
        if not isinstance(model.instances_tracked, _Untracked):  # type: ignore[attr-defined]
            model.instances_tracked = _Untracked()  # type: ignore[attr-defined]


def tracked_instances() -> int:
    """How many instances moto's S3 model classes keep listed (the soak test's count)."""
    return sum(len(model.instances_tracked)  # type: ignore[attr-defined]
               for model in model_data["s3"].values())


def register(backend: SamliteS3Backend, *, account_id: str, region: str) -> str:
    """Make `backend` the one moto's own code finds for this account (key restores,
    notifications look backends up globally); returns the partition it is kept under."""
    partition = get_partition(region)
    s3_backends[account_id][partition] = backend
    return partition


def unregister(backend: SamliteS3Backend, *, account_id: str, partition: str) -> None:
    if s3_backends[account_id].get(partition) is backend:
        del s3_backends[account_id][partition]


def last_modified_epoch(key: FakeKey) -> float:
    moment = key.last_modified or utcnow()
    if moment.tzinfo is None:       # moto keeps naive UTC datetimes
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def bare_etag(key: FakeKey) -> str:
    return key.etag.strip('"')


def created_change(event_name: str, bucket: str, key: FakeKey) -> Change:
    version = key.version_id if key._is_versioned else None
    return Change(bucket=bucket, key=key.name, event_name=event_name, size=key.size,
                  etag=bare_etag(key), version_id=version)


def _restore_shared(bucket_name: str, previous: tuple[str, str] | None) -> None:
    if previous is None:
        s3_backends.bucket_accounts.pop(bucket_name, None)
    else:
        s3_backends.bucket_accounts[bucket_name] = previous

