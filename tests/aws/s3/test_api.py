"""The local S3 as boto3 sees it, on a real endpoint: objects, listings, copies, deletes,
multipart uploads, presigned URLs; the events each change reports; the files it leaves."""

from __future__ import annotations

import http.client
import os
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from samlite.aws.s3.object_event import ObjectEvent
from samlite.aws.s3.service import LocalS3
from samlite.clock import ManualClock
from samlite.http.server import Endpoint
from samlite.state import StateDir

ACCOUNT = "123456789012"
# Objects are private, as in AWS: raw requests carry a (never checked) signature.
SIGNED = ("AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/s3/aws4_request, "
          "SignedHeaders=host, Signature=0")


@dataclass
class Running:
    s3: Any                       # boto3 client
    local: LocalS3
    url: str
    events: list[ObjectEvent]
    buckets: Path


def _client(url: str, **config: Any) -> Any:
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="AKIDLOCAL",
                        aws_secret_access_key="fake",  # noqa: S106 (loopback, never checked)
                        config=Config(**config) if config else None)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    events: list[ObjectEvent] = []
    state = StateDir(root=tmp_path / ".samlite")
    local = LocalS3(state=state, account_id=ACCOUNT, region="us-east-1", clock=ManualClock(),
                    on_event=events.append)
    local.ensure_bucket("photos")
    endpoint = Endpoint([local.route()])
    endpoint.start()
    try:
        yield Running(s3=_client(endpoint.url), local=local, url=endpoint.url, events=events,
                      buckets=state.buckets_dir)
    finally:
        endpoint.stop()
        local.close()


def _names(events: list[ObjectEvent]) -> list[tuple[str, str]]:
    return [(e.event_name, e.key) for e in events]


def _all_files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_put_get_head_keep_content_type_and_metadata(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="2026/cat.txt", Body=b"meow",
                          ContentType="text/plain", Metadata={"owner": "ana"},
                          ContentDisposition="attachment", ContentEncoding="identity",
                          CacheControl="max-age=60")
    got = running.s3.get_object(Bucket="photos", Key="2026/cat.txt")
    head = running.s3.head_object(Bucket="photos", Key="2026/cat.txt")
    assert got["Body"].read() == b"meow"
    for response in (got, head):
        assert response["ContentType"] == "text/plain"
        assert response["Metadata"] == {"owner": "ana"}
        assert response["ContentDisposition"] == "attachment"
        assert response["CacheControl"] == "max-age=60"
        assert response["ContentLength"] == 4
    assert (running.buckets / "photos" / "2026" / "cat.txt").read_bytes() == b"meow"


def test_put_reports_object_created_put_with_aws_fields(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="a b+c.txt", Body=b"hello")
    running.s3.put_object(Bucket="photos", Key="a b+c.txt", Body=b"hello again")
    first, second = running.events
    assert (first.event_name, first.bucket, first.key) == ("ObjectCreated:Put", "photos",
                                                           "a b+c.txt")
    assert first.size == 5
    assert first.etag == "5d41402abc4b2a76b9719d911017c592"     # md5, no quotes
    assert first.version_id is None
    assert first.principal_id == "AWS:AKIDLOCAL"
    assert first.source_ip == "127.0.0.1"
    assert len(first.request_id) == 16
    assert first.sequencer < second.sequencer
    assert len(first.sequencer) == len(second.sequencer)


def test_response_request_id_is_the_events_request_id(running: Running) -> None:
    response = running.s3.put_object(Bucket="photos", Key="k", Body=b"x")
    assert response["ResponseMetadata"]["RequestId"] == running.events[0].request_id
    assert response["ResponseMetadata"]["HostId"] == running.events[0].host_id


def test_missing_object_is_no_such_key(running: Running) -> None:
    with pytest.raises(ClientError) as info:
        running.s3.get_object(Bucket="photos", Key="nope")
    assert info.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as head:
        running.s3.head_object(Bucket="photos", Key="nope")
    assert head.value.response["Error"]["Code"] == "404"


def test_range_requests_return_the_slice(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="digits", Body=b"0123456789")
    got = running.s3.get_object(Bucket="photos", Key="digits", Range="bytes=2-5")
    assert got["Body"].read() == b"2345"
    assert got["ContentRange"] == "bytes 2-5/10"
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206


def test_list_v1_and_v2_with_prefix_and_delimiter(running: Running) -> None:
    for key in ("a/1", "a/2", "a/b/3", "c", "d/4"):
        running.s3.put_object(Bucket="photos", Key=key, Body=b"x")
    v2 = running.s3.list_objects_v2(Bucket="photos", Prefix="a/", Delimiter="/")
    assert [o["Key"] for o in v2["Contents"]] == ["a/1", "a/2"]
    assert [p["Prefix"] for p in v2["CommonPrefixes"]] == ["a/b/"]
    top = running.s3.list_objects(Bucket="photos", Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["c"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "d/"]
    pages = running.s3.get_paginator("list_objects_v2").paginate(Bucket="photos",
                                                                 PaginationConfig={
                                                                     "PageSize": 2})
    assert [o["Key"] for page in pages for o in page["Contents"]] == [
        "a/1", "a/2", "a/b/3", "c", "d/4"]


def test_copy_reports_copy_and_writes_the_file(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="src", Body=b"data", ContentType="image/png")
    running.s3.copy_object(Bucket="photos", Key="dst/copy", CopySource="photos/src")
    assert _names(running.events) == [("ObjectCreated:Put", "src"),
                                       ("ObjectCreated:Copy", "dst/copy")]
    assert running.events[1].size == 4
    assert (running.buckets / "photos" / "dst" / "copy").read_bytes() == b"data"
    head = running.s3.head_object(Bucket="photos", Key="dst/copy")
    assert head["ContentType"] == "image/png"


def test_delete_and_delete_objects_report_removals_and_remove_files(running: Running
                                                                     ) -> None:
    for key in ("one", "two/2", "three"):
        running.s3.put_object(Bucket="photos", Key=key, Body=b"x")
    running.events.clear()
    running.s3.delete_object(Bucket="photos", Key="one")
    result = running.s3.delete_objects(Bucket="photos", Delete={"Objects": [
        {"Key": "two/2"}, {"Key": "three"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["three", "two/2"]
    assert _names(running.events) == [("ObjectRemoved:Delete", "one"),
                                      ("ObjectRemoved:Delete", "two/2"),
                                      ("ObjectRemoved:Delete", "three")]
    assert all(e.size is None and e.etag is None for e in running.events)
    assert _all_files(running.buckets / "photos") == set()
    assert list((running.buckets / "photos").iterdir()) == []     # "two/" tidied away


def test_upload_file_of_20_mb_is_one_complete_multipart_upload(running: Running,
                                                               tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(20 * 1024 * 1024))
    running.s3.upload_file(str(source), "photos", "videos/big.bin")
    assert _names(running.events) == [("ObjectCreated:CompleteMultipartUpload",
                                       "videos/big.bin")]
    event = running.events[0]
    assert event.size == 20 * 1024 * 1024
    assert event.etag is not None and event.etag.endswith("-3")   # 8 MB parts
    stored = running.buckets / "photos" / "videos" / "big.bin"
    assert stored.read_bytes() == source.read_bytes()
    target = tmp_path / "back.bin"
    running.s3.download_file("photos", "videos/big.bin", str(target))
    assert target.read_bytes() == source.read_bytes()


def test_presigned_get_and_put(running: Running) -> None:
    put_url = running.s3.generate_presigned_url(
        "put_object", Params={"Bucket": "photos", "Key": "up/load.txt"}, ExpiresIn=60)
    request = urllib.request.Request(put_url, data=b"presigned!",  # noqa: S310
                                     method="PUT")
    with urllib.request.urlopen(request) as response:    # noqa: S310 (our loopback endpoint)
        assert response.status == 200
    get_url = running.s3.generate_presigned_url(
        "get_object", Params={"Bucket": "photos", "Key": "up/load.txt"}, ExpiresIn=60)
    with urllib.request.urlopen(get_url) as response:    # noqa: S310
        assert response.read() == b"presigned!"
    assert _names(running.events) == [("ObjectCreated:Put", "up/load.txt")]
    assert running.events[0].principal_id == "AWS:AKIDLOCAL"


def test_browser_form_upload_reports_object_created_post(running: Running) -> None:
    import requests  # moto's dependency; speaks multipart/form-data as a browser does

    post = running.s3.generate_presigned_post(
        "photos", "forms/${filename}", Fields={"Content-Type": "image/png"},
        Conditions=[{"Content-Type": "image/png"}])
    data = os.urandom(4096) + b"\r\n--boundary-lookalike\r\n"
    response = requests.post(post["url"], data=post["fields"], timeout=10,
                             files={"file": ("pic.png", data)})
    assert response.status_code == 204
    got = running.s3.get_object(Bucket="photos", Key="forms/pic.png")
    assert (got["Body"].read(), got["ContentType"]) == (data, "image/png")
    assert [(e.event_name, e.key, e.size) for e in running.events] == [
        ("ObjectCreated:Post", "forms/pic.png", len(data))]


def test_aws_chunked_body_with_a_crc_trailer_is_stored_decoded(running: Running) -> None:
    # What SDKs send with a trailing checksum (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
    body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"
    host, port = running.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("PUT", "/photos/chunked.txt", body=body, headers={
        "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "5",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32", "Content-Type": "text/plain",
        "Authorization": SIGNED})
    assert connection.getresponse().status == 200
    connection.close()
    got = running.s3.get_object(Bucket="photos", Key="chunked.txt")
    assert got["Body"].read() == b"hello"
    assert "ContentEncoding" not in got
    assert (running.buckets / "photos" / "chunked.txt").read_bytes() == b"hello"


def test_checksums_requested_by_the_client_are_accepted(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="sum", Body=b"hello", ChecksumAlgorithm="SHA256")
    got = running.s3.get_object(Bucket="photos", Key="sum", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"hello"
    assert got["ChecksumSHA256"] == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="


def test_virtual_host_style_names_the_bucket_in_the_host(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="v.txt", Body=b"virtual")
    host, port = running.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/v.txt", headers={"Host": f"photos.localhost:{port}",
                                                 "Authorization": SIGNED})
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"virtual")
    connection.close()


@pytest.mark.parametrize(("case", "key"), [
    ("parent segment", "../x"),
    ("deep parents", "../../../../../../tmp/escaped"),
    ("absolute", "/etc/passwd"),
    ("nul", "a\x00b"),
    ("empty segment", "a//b"),
    ("trailing slash", "folder/"),
    ("dot segment", "a/./b"),
    ("long segment", "y" * 300),
])
def test_hostile_keys_are_stored_exactly_and_never_escape(running: Running, case: str,
                                                           key: str) -> None:
    before = _all_files(running.buckets.parent.parent)
    running.s3.put_object(Bucket="photos", Key=key, Body=case.encode())
    assert running.s3.get_object(Bucket="photos", Key=key)["Body"].read() == case.encode()
    listed = running.s3.list_objects_v2(Bucket="photos")["Contents"]
    assert [o["Key"] for o in listed] == [key]
    assert running.events[-1].key == key
    new_files = _all_files(running.buckets.parent.parent) - before
    assert len(new_files) == 1
    (stored,) = new_files
    assert stored.resolve().is_relative_to(running.buckets.resolve())
    assert _all_files(running.buckets / "photos") == set()   # not a plain file
    running.s3.delete_object(Bucket="photos", Key=key)
    assert _all_files(running.buckets.parent.parent) == before


def test_a_key_that_is_also_a_prefix_of_another_keeps_both(running: Running) -> None:
    running.s3.put_object(Bucket="photos", Key="a", Body=b"file")
    running.s3.put_object(Bucket="photos", Key="a/b", Body=b"nested")
    assert running.s3.get_object(Bucket="photos", Key="a")["Body"].read() == b"file"
    assert running.s3.get_object(Bucket="photos", Key="a/b")["Body"].read() == b"nested"
    assert (running.buckets / "photos" / "a").read_bytes() == b"file"


def test_versioned_bucket_reports_version_ids_and_delete_markers(running: Running) -> None:
    running.s3.put_bucket_versioning(Bucket="photos",
                                     VersioningConfiguration={"Status": "Enabled"})
    put = running.s3.put_object(Bucket="photos", Key="v", Body=b"1")
    deleted = running.s3.delete_object(Bucket="photos", Key="v")
    created, marker = running.events
    assert (created.event_name, created.version_id) == ("ObjectCreated:Put", put["VersionId"])
    assert (marker.event_name, marker.version_id) == ("ObjectRemoved:DeleteMarkerCreated",
                                                      deleted["VersionId"])
    assert not (running.buckets / "photos" / "v").exists()     # only the latest is on disk
    running.s3.delete_object(Bucket="photos", Key="v", VersionId=put["VersionId"])
    assert running.events[-1].event_name == "ObjectRemoved:Delete"
    assert running.events[-1].version_id == put["VersionId"]


def test_buckets_created_and_deleted_over_the_api_are_folders(running: Running) -> None:
    running.s3.create_bucket(Bucket="made-by-api")
    assert (running.buckets / "made-by-api").is_dir()
    names = [b["Name"] for b in running.s3.list_buckets()["Buckets"]]
    assert sorted(names) == ["made-by-api", "photos"]
    running.s3.delete_bucket(Bucket="made-by-api")
    assert not (running.buckets / "made-by-api").exists()


def test_invalid_bucket_names_are_refused(running: Running) -> None:
    with pytest.raises(ClientError) as info:
        running.s3.create_bucket(Bucket="Upper_Case")
    assert info.value.response["Error"]["Code"] == "InvalidBucketName"


def test_two_apps_in_one_process_never_see_each_other(tmp_path: Path) -> None:
    apps = []
    for index, account in enumerate(("111111111111", "222222222222")):
        local = LocalS3(state=StateDir(root=tmp_path / str(index)), account_id=account,
                        region="us-east-1", clock=ManualClock(), on_event=lambda e: None)
        local.ensure_bucket("shared-name")           # the same bucket name in both
        endpoint = Endpoint([local.route()])
        endpoint.start()
        apps.append((local, endpoint))
    try:
        first, second = (_client(endpoint.url) for _, endpoint in apps)
        first.put_object(Bucket="shared-name", Key="only-in-first", Body=b"1")
        assert second.list_objects_v2(Bucket="shared-name").get("Contents") is None
        second.put_object(Bucket="shared-name", Key="only-in-second", Body=b"2")
        assert [o["Key"] for o in first.list_objects_v2(Bucket="shared-name")["Contents"]
                ] == ["only-in-first"]
    finally:
        for local, endpoint in apps:
            endpoint.stop()
            local.close()


def test_memory_only_service_needs_no_state_dir() -> None:
    events: list[ObjectEvent] = []
    local = LocalS3(state=None, account_id=ACCOUNT, region="us-east-1", clock=ManualClock(),
                    on_event=events.append)
    local.ensure_bucket("tmp-bucket")
    with Endpoint([local.route()]) as endpoint:
        s3 = _client(endpoint.url)
        s3.put_object(Bucket="tmp-bucket", Key="../x", Body=b"in memory")
        assert s3.get_object(Bucket="tmp-bucket", Key="../x")["Body"].read() == b"in memory"
    local.close()
    assert _names(events) == [("ObjectCreated:Put", "../x")]
