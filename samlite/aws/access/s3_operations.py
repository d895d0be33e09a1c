"""S3 requests as the IAM actions and resource ARNs they need: object actions on
arn:aws:s3:::bucket/key, bucket actions on arn:aws:s3:::bucket, and each subresource (?acl,
?policy, ?tagging, ...) as its own action. Pure: a request in, authorizations out.

Actions follow "Required permissions for Amazon S3 API operations" (S3 user guide) and
"Actions, resources, and condition keys for Amazon S3" (Service Authorization Reference); the
permission each operation's documentation names in botocore's S3 model (2006-03-01, read with
botocore 1.44) agrees where it names one. A subresource S3 has but these tables do not name
is Unmapped: not checked, and said so."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qs, unquote

from samlite.aws.access.found import NO_KEYS, Found, Pairs, Unmapped
from samlite.http.messages import Request

_VIRTUAL_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]+)\.(?:localhost|127\.0\.0\.1)"
                           r"(?::\d+)?$")

# (subresource, method) -> action, for the bucket. Deleting a configuration needs its Put
# action, as the user guide lists (DeleteBucketCors: s3:PutBucketCORS, ...), except for the
# policy and the website, which have their own Delete actions.
_BUCKET: Mapping[tuple[str, str], str] = {
    ("accelerate", "GET"): "GetAccelerateConfiguration",
    ("accelerate", "PUT"): "PutAccelerateConfiguration",
    ("acl", "GET"): "GetBucketAcl", ("acl", "PUT"): "PutBucketAcl",
    ("analytics", "GET"): "GetAnalyticsConfiguration",
    ("analytics", "PUT"): "PutAnalyticsConfiguration",
    ("analytics", "DELETE"): "PutAnalyticsConfiguration",
    ("cors", "GET"): "GetBucketCORS", ("cors", "PUT"): "PutBucketCORS",
    ("cors", "DELETE"): "PutBucketCORS",
    ("encryption", "GET"): "GetEncryptionConfiguration",
    ("encryption", "PUT"): "PutEncryptionConfiguration",
    ("encryption", "DELETE"): "PutEncryptionConfiguration",
    ("inventory", "GET"): "GetInventoryConfiguration",
    ("inventory", "PUT"): "PutInventoryConfiguration",
    ("inventory", "DELETE"): "PutInventoryConfiguration",
    ("lifecycle", "GET"): "GetLifecycleConfiguration",
    ("lifecycle", "PUT"): "PutLifecycleConfiguration",
    ("lifecycle", "DELETE"): "PutLifecycleConfiguration",
    ("location", "GET"): "GetBucketLocation",
    ("logging", "GET"): "GetBucketLogging", ("logging", "PUT"): "PutBucketLogging",
    ("metrics", "GET"): "GetMetricsConfiguration",
    ("metrics", "PUT"): "PutMetricsConfiguration",
    ("metrics", "DELETE"): "PutMetricsConfiguration",
    ("notification", "GET"): "GetBucketNotification",
    ("notification", "PUT"): "PutBucketNotification",
    ("object-lock", "GET"): "GetBucketObjectLockConfiguration",
    ("object-lock", "PUT"): "PutBucketObjectLockConfiguration",
    ("ownershipControls", "GET"): "GetBucketOwnershipControls",
    ("ownershipControls", "PUT"): "PutBucketOwnershipControls",
    ("ownershipControls", "DELETE"): "PutBucketOwnershipControls",
    ("policy", "GET"): "GetBucketPolicy", ("policy", "PUT"): "PutBucketPolicy",
    ("policy", "DELETE"): "DeleteBucketPolicy",
    ("policyStatus", "GET"): "GetBucketPolicyStatus",
    ("publicAccessBlock", "GET"): "GetBucketPublicAccessBlock",
    ("publicAccessBlock", "PUT"): "PutBucketPublicAccessBlock",
    ("publicAccessBlock", "DELETE"): "PutBucketPublicAccessBlock",
    ("replication", "GET"): "GetReplicationConfiguration",
    ("replication", "PUT"): "PutReplicationConfiguration",
    ("replication", "DELETE"): "PutReplicationConfiguration",
    ("requestPayment", "GET"): "GetBucketRequestPayment",
    ("requestPayment", "PUT"): "PutBucketRequestPayment",
    ("tagging", "GET"): "GetBucketTagging", ("tagging", "PUT"): "PutBucketTagging",
    ("tagging", "DELETE"): "PutBucketTagging",
    ("uploads", "GET"): "ListBucketMultipartUploads",
    ("versioning", "GET"): "GetBucketVersioning",
    ("versioning", "PUT"): "PutBucketVersioning",
    ("versions", "GET"): "ListBucketVersions",
    ("website", "GET"): "GetBucketWebsite", ("website", "PUT"): "PutBucketWebsite",
    ("website", "DELETE"): "DeleteBucketWebsite",
}
# (subresource, method) -> actions, for an object. GetObjectAttributes needs both
# s3:GetObject and s3:GetObjectAttributes (its API reference); SelectObjectContent reads the
# object (s3:GetObject).
_OBJECT: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("acl", "GET"): ("GetObjectAcl",), ("acl", "PUT"): ("PutObjectAcl",),
    ("attributes", "GET"): ("GetObject", "GetObjectAttributes"),
    ("legal-hold", "GET"): ("GetObjectLegalHold",),
    ("legal-hold", "PUT"): ("PutObjectLegalHold",),
    ("restore", "POST"): ("RestoreObject",),
    ("retention", "GET"): ("GetObjectRetention",),
    ("retention", "PUT"): ("PutObjectRetention",),
    ("select", "POST"): ("GetObject",),
    ("tagging", "GET"): ("GetObjectTagging",), ("tagging", "PUT"): ("PutObjectTagging",),
    ("tagging", "DELETE"): ("DeleteObjectTagging",),
}
# With a versionId the version's own action is needed.
_VERSIONED = {
    "GetObject": "GetObjectVersion", "DeleteObject": "DeleteObjectVersion",
    "GetObjectAcl": "GetObjectVersionAcl", "PutObjectAcl": "PutObjectVersionAcl",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
    "GetObjectAttributes": "GetObjectVersionAttributes",
}
# Every subresource botocore's S3 model (1.44) sends; those above are mapped, the rest (and a
# mapped one with a method S3 does not take) are Unmapped.
_BUCKET_SUBRESOURCES = tuple(sorted({sub for sub, _ in _BUCKET} | {
    "abac", "intelligent-tiering", "metadataAnnotationTable", "metadataConfiguration",
    "metadataInventoryTable", "metadataJournalTable", "metadataTable", "session"}))
_OBJECT_SUBRESOURCES = tuple(sorted({sub for sub, _ in _OBJECT} | {
    "annotation", "encryption", "renameObject", "torrent"}))


def s3_operation(request: Request, partition: str) -> Found:
    path = request.path or "/"
    host = (request.header("host") or "").lower()
    if match := _VIRTUAL_HOST.match(host):
        path = f"/{match['bucket']}{path}"
    bucket, _, key = path.lstrip("/").partition("/")
    bucket, key = unquote(bucket), unquote(key)
    query = parse_qs(request.raw_query, keep_blank_values=True)
    method = request.method.upper()
    if not bucket:
        return "ListBuckets", [("s3:ListAllMyBuckets", "*", NO_KEYS)]
    bucket_arn = f"arn:{partition}:s3:::{bucket}"
    if not key:
        return _bucket(request, method, query, bucket_arn)
    return _object(request, method, query, f"{bucket_arn}/{key}", partition)


def _verb(method: str) -> str:
    return "GET" if method == "HEAD" else method


def _object(request: Request, method: str, query: Mapping[str, list[str]], object_arn: str,
            partition: str) -> Found:
    versioned = "versionId" in query
    for sub in _OBJECT_SUBRESOURCES:
        if sub in query:
            actions = _OBJECT.get((sub, _verb(method)))
            if actions is None:
                return Unmapped(name=f"{method} object ?{sub}", service="s3")
            return sub, [(f"s3:{_VERSIONED.get(a, a) if versioned else a}", object_arn,
                          NO_KEYS) for a in actions]
    if method in ("GET", "HEAD"):
        if "uploadId" in query:
            return "ListParts", [("s3:ListMultipartUploadParts", object_arn, NO_KEYS)]
        action = "GetObjectVersion" if versioned else "GetObject"
        return ("HeadObject" if method == "HEAD" else "GetObject"), [
            (f"s3:{action}", object_arn, NO_KEYS)]
    if method == "DELETE":
        if "uploadId" in query:
            return "AbortMultipartUpload", [("s3:AbortMultipartUpload", object_arn, NO_KEYS)]
        action = "DeleteObjectVersion" if versioned else "DeleteObject"
        return "DeleteObject", [(f"s3:{action}", object_arn, NO_KEYS)]
    pairs: Pairs = [("s3:PutObject", object_arn, NO_KEYS)]
    source = request.header("x-amz-copy-source")
    if source and method == "PUT":
        # CopyObject reads the source with GetObject and writes the target with PutObject.
        source_path, _, source_query = unquote(source).lstrip("/").partition("?")
        read = "GetObjectVersion" if "versionId=" in source_query else "GetObject"
        pairs.append((f"s3:{read}", f"arn:{partition}:s3:::{source_path}", NO_KEYS))
        return ("UploadPartCopy" if "uploadId" in query else "CopyObject"), pairs
    name = "UploadPart" if "partNumber" in query else "CreateMultipartUpload" \
        if "uploads" in query else "CompleteMultipartUpload" if "uploadId" in query \
        else "PutObject"
    return name, pairs


def _bucket(request: Request, method: str, query: Mapping[str, list[str]],
            bucket_arn: str) -> Found:
    for sub in _BUCKET_SUBRESOURCES:
        if sub in query:
            action = _BUCKET.get((sub, _verb(method)))
            if action is None:
                return Unmapped(name=f"{method} bucket ?{sub}", service="s3")
            return sub, [(f"s3:{action}", bucket_arn, NO_KEYS)]
    if method == "POST" and "delete" in query:
        keys = re.findall(rb"<Key>(.*?)</Key>", request.body, re.DOTALL)
        return "DeleteObjects", [("s3:DeleteObject", f"{bucket_arn}/{_xml_text(k)}", NO_KEYS)
                                 for k in keys]
    if method == "POST":       # a browser form upload (POST Object)
        fields = re.search(rb'name="key"\r\n\r\n([^\r]*)', request.body)
        key = fields.group(1).decode(errors="replace") if fields else ""
        return "PostObject", [("s3:PutObject", f"{bucket_arn}/{key}", NO_KEYS)]
    if method in ("GET", "HEAD"):
        prefix = (query.get("prefix") or [""])[-1]
        keys = {"s3:prefix": (prefix,)}
        if "max-keys" in query:
            keys["s3:max-keys"] = (query["max-keys"][-1],)
        if "delimiter" in query:
            keys["s3:delimiter"] = (query["delimiter"][-1],)
        name = "HeadBucket" if method == "HEAD" else "ListObjectsV2" \
            if query.get("list-type") == ["2"] else "ListObjects"
        return name, [("s3:ListBucket", bucket_arn, keys)]
    if method == "PUT":
        return "CreateBucket", [("s3:CreateBucket", bucket_arn, NO_KEYS)]
    return "DeleteBucket", [("s3:DeleteBucket", bucket_arn, NO_KEYS)]


def _xml_text(raw: bytes) -> str:
    text = raw.decode(errors="replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"),
                         ("&amp;", "&")):
        text = text.replace(entity, char)
    return text
