"""S3 subresources as boto3 sends them, each read as its own IAM action (S3 user guide,
"Required permissions for Amazon S3 API operations"); one with no action here is not
checked, and the guard says so instead of guessing."""

from __future__ import annotations

from typing import Any

import pytest

from samlite.aws.access.operations import Place, operation_of
from tests.aws.access.wire import wire

PLACE = Place(account_id="123456789012", region="us-east-1")
BUCKET = "arn:aws:s3:::inbox"
OBJECT = "arn:aws:s3:::inbox/k"
BKT = {"Bucket": "inbox"}
AT_KEY = {"Bucket": "inbox", "Key": "k"}

CASES: list[tuple[str, str, dict[str, Any], list[tuple[str, str]]]] = [
    ("bucket acl", "get_bucket_acl", BKT, [("s3:GetBucketAcl", BUCKET)]),
    ("bucket versioning", "put_bucket_versioning",
     {**BKT, "VersioningConfiguration": {"Status": "Enabled"}},
     [("s3:PutBucketVersioning", BUCKET)]),
    ("bucket policy delete", "delete_bucket_policy", BKT, [("s3:DeleteBucketPolicy", BUCKET)]),
    ("cors delete is PutBucketCORS", "delete_bucket_cors", BKT, [("s3:PutBucketCORS", BUCKET)]),
    ("replication delete is its Put", "delete_bucket_replication", BKT,
     [("s3:PutReplicationConfiguration", BUCKET)]),
    ("lifecycle", "get_bucket_lifecycle_configuration", BKT,
     [("s3:GetLifecycleConfiguration", BUCKET)]),
    ("object lock", "get_object_lock_configuration", BKT,
     [("s3:GetBucketObjectLockConfiguration", BUCKET)]),
    ("logging", "get_bucket_logging", BKT, [("s3:GetBucketLogging", BUCKET)]),
    ("accelerate", "get_bucket_accelerate_configuration", BKT,
     [("s3:GetAccelerateConfiguration", BUCKET)]),
    ("website delete", "delete_bucket_website", BKT, [("s3:DeleteBucketWebsite", BUCKET)]),
    ("policy status", "get_bucket_policy_status", BKT, [("s3:GetBucketPolicyStatus", BUCKET)]),
    ("inventory list", "list_bucket_inventory_configurations", BKT,
     [("s3:GetInventoryConfiguration", BUCKET)]),
    ("object versions", "list_object_versions", BKT, [("s3:ListBucketVersions", BUCKET)]),
    ("multipart uploads", "list_multipart_uploads", BKT,
     [("s3:ListBucketMultipartUploads", BUCKET)]),
    ("location", "get_bucket_location", BKT, [("s3:GetBucketLocation", BUCKET)]),
    ("object acl of a version", "get_object_acl", {**AT_KEY, "VersionId": "3"},
     [("s3:GetObjectVersionAcl", OBJECT)]),
    ("object tagging delete of a version", "delete_object_tagging", {**AT_KEY, "VersionId": "3"},
     [("s3:DeleteObjectVersionTagging", OBJECT)]),
    ("object attributes read the object too", "get_object_attributes",
     {**AT_KEY, "ObjectAttributes": ["ETag"]},
     [("s3:GetObject", OBJECT), ("s3:GetObjectAttributes", OBJECT)]),
    ("restore", "restore_object", {**AT_KEY, "RestoreRequest": {"Days": 1}},
     [("s3:RestoreObject", OBJECT)]),
    ("legal hold", "put_object_legal_hold", {**AT_KEY, "LegalHold": {"Status": "ON"}},
     [("s3:PutObjectLegalHold", OBJECT)]),
]


@pytest.mark.parametrize(("operation", "params", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_subresource_is_its_own_action(operation: str, params: dict[str, Any],
                                         expected: list[tuple[str, str]]) -> None:
    found = operation_of(wire("s3", operation, **params), "s3", PLACE)
    assert found is not None
    assert [(a.action, a.resource) for a in found.authorizations] == expected


@pytest.mark.parametrize(("operation", "params", "named"), [
    ("get_object_torrent", AT_KEY, "GET object ?torrent"),
    ("get_bucket_intelligent_tiering_configuration", {**BKT, "Id": "x"},
     "GET bucket ?intelligent-tiering"),
])
def test_a_subresource_without_an_action_here_is_not_guessed(
        operation: str, params: dict[str, Any], named: str) -> None:
    found = operation_of(wire("s3", operation, **params), "s3", PLACE)
    assert found is not None
    assert (found.authorizations, found.unmapped) == ((), named)
