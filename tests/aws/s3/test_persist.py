"""What the local S3 keeps: objects survive a restart with their metadata, bucket folders
are the objects (files dropped in while running or while stopped count), and samlite's own
writes never come back as events."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from samlite.aws.s3.object_event import ObjectEvent
from samlite.aws.s3.service import LocalS3
from samlite.clock import ManualClock
from samlite.http.server import Endpoint
from samlite.state import StateDir

ACCOUNT = "123456789012"


@dataclass
class Running:
    s3: Any
    local: LocalS3
    events: list[ObjectEvent]
    bucket_dir: Path


@contextmanager
def run(state: StateDir, clock: ManualClock | None = None) -> Iterator[Running]:
    events: list[ObjectEvent] = []
    local = LocalS3(state=state, account_id=ACCOUNT, region="us-east-1",
                    clock=clock or ManualClock(), on_event=events.append)
    local.ensure_bucket("photos")
    endpoint = Endpoint([local.route()])
    endpoint.start()
    try:
        s3 = boto3.client("s3", endpoint_url=endpoint.url, region_name="us-east-1",
                          aws_access_key_id="AKIDLOCAL",
                          aws_secret_access_key="fake")  # noqa: S106 (loopback, never checked)
        yield Running(s3=s3, local=local, events=events,
                      bucket_dir=state.buckets_dir / "photos")
    finally:
        endpoint.stop()
        local.close()


@pytest.fixture
def state(tmp_path: Path) -> StateDir:
    return StateDir(root=tmp_path / ".samlite")


def _keys(s3: Any, bucket: str = "photos") -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_objects_and_their_metadata_survive_a_restart(state: StateDir) -> None:
    with run(state) as first:
        first.s3.put_object(Bucket="photos", Key="docs/report.pdf", Body=b"%PDF",
                            ContentType="application/pdf", Metadata={"author": "ana"},
                            ContentDisposition="inline", Tagging="team=blue")
        before = first.s3.head_object(Bucket="photos", Key="docs/report.pdf")
    with run(state) as second:
        got = second.s3.get_object(Bucket="photos", Key="docs/report.pdf")
        tags = second.s3.get_object_tagging(Bucket="photos", Key="docs/report.pdf")
        assert got["Body"].read() == b"%PDF"
        assert got["ContentType"] == "application/pdf"
        assert got["Metadata"] == {"author": "ana"}
        assert got["ContentDisposition"] == "inline"
        assert got["ETag"] == before["ETag"]
        assert got["LastModified"] == before["LastModified"]
        assert tags["TagSet"] == [{"Key": "team", "Value": "blue"}]
        assert second.events == []                      # loading reports nothing


def test_hostile_keys_and_deletes_survive_a_restart(state: StateDir) -> None:
    hostile = ["../x", "/etc/passwd", "a\x00b", "a//b", "a", "a/b", "z" * 300]
    with run(state) as first:
        for key in [*hostile, "gone"]:
            first.s3.put_object(Bucket="photos", Key=key, Body=key.encode())
        first.s3.delete_object(Bucket="photos", Key="gone")
    with run(state) as second:
        assert sorted(_keys(second.s3)) == sorted(hostile)
        for key in hostile:
            assert second.s3.get_object(Bucket="photos", Key=key)["Body"].read() == key.encode()


def test_buckets_made_over_the_api_survive_a_restart(state: StateDir) -> None:
    with run(state) as first:
        first.s3.create_bucket(Bucket="made-by-api")
        first.s3.put_object(Bucket="made-by-api", Key="k", Body=b"v")
    with run(state) as second:
        names = sorted(b["Name"] for b in second.s3.list_buckets()["Buckets"])
        assert names == ["made-by-api", "photos"]
        assert _keys(second.s3, "made-by-api") == ["k"]


def test_multipart_etag_survives_a_restart(state: StateDir, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(9 * 1024 * 1024))
    with run(state) as first:
        first.s3.upload_file(str(source), "photos", "big.bin")
        etag = first.s3.head_object(Bucket="photos", Key="big.bin")["ETag"]
    with run(state) as second:
        assert second.s3.head_object(Bucket="photos", Key="big.bin")["ETag"] == etag


def test_sequencers_keep_growing_across_restarts(state: StateDir) -> None:
    clock = ManualClock()        # never moves: only the stored counter can make them grow
    with run(state, clock) as first:
        first.s3.put_object(Bucket="photos", Key="k", Body=b"1")
    with run(state, clock) as second:
        second.s3.put_object(Bucket="photos", Key="k", Body=b"2")
    assert first.events[0].sequencer < second.events[0].sequencer


def test_files_added_or_removed_while_stopped_are_loaded_silently(state: StateDir) -> None:
    with run(state) as first:
        first.s3.put_object(Bucket="photos", Key="old.txt", Body=b"old")
    (state.buckets_dir / "photos" / "old.txt").unlink()
    (state.buckets_dir / "photos" / "new").mkdir()
    (state.buckets_dir / "photos" / "new" / "page.html").write_text("<p>hi</p>")
    (state.buckets_dir / "dropped-bucket").mkdir()
    (state.buckets_dir / "dropped-bucket" / "x.json").write_text("{}")
    with run(state) as second:
        assert _keys(second.s3) == ["new/page.html"]
        head = second.s3.head_object(Bucket="photos", Key="new/page.html")
        assert head["ContentType"] == "text/html"           # guessed from the name
        assert _keys(second.s3, "dropped-bucket") == ["x.json"]
        assert second.events == []


def test_a_file_dropped_into_the_folder_is_an_upload(state: StateDir) -> None:
    with run(state) as app:
        dropped = app.bucket_dir / "inbox" / "photo.jpg"
        dropped.parent.mkdir(parents=True)
        dropped.write_bytes(b"\xff\xd8jpeg")
        app.local.sync_from_disk([dropped])
        (event,) = app.events
        assert (event.event_name, event.bucket, event.key) == ("ObjectCreated:Put", "photos",
                                                               "inbox/photo.jpg")
        assert event.size == 6
        got = app.s3.get_object(Bucket="photos", Key="inbox/photo.jpg")
        assert got["Body"].read() == b"\xff\xd8jpeg"
        assert got["ContentType"] == "image/jpeg"
        assert got["ETag"].strip('"') == event.etag


def test_a_changed_file_is_a_new_upload_keeping_its_metadata(state: StateDir) -> None:
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="notes.txt", Body=b"v1",
                          ContentType="text/markdown", Metadata={"k": "v"})
        app.events.clear()
        path = app.bucket_dir / "notes.txt"
        path.write_bytes(b"version 2")
        app.local.sync_from_disk([path])
        assert [(e.event_name, e.size) for e in app.events] == [("ObjectCreated:Put", 9)]
        got = app.s3.get_object(Bucket="photos", Key="notes.txt")
        assert got["Body"].read() == b"version 2"
        assert (got["ContentType"], got["Metadata"]) == ("text/markdown", {"k": "v"})


def test_a_removed_file_is_a_delete(state: StateDir) -> None:
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="dir/a.txt", Body=b"a")
        app.s3.put_object(Bucket="photos", Key="dir/b.txt", Body=b"b")
        app.events.clear()
        for name in ("a.txt", "b.txt"):
            (app.bucket_dir / "dir" / name).unlink()
        (app.bucket_dir / "dir").rmdir()
        app.local.sync_from_disk([app.bucket_dir / "dir"])     # the watcher saw the folder go
        assert sorted((e.event_name, e.key) for e in app.events) == [
            ("ObjectRemoved:Delete", "dir/a.txt"), ("ObjectRemoved:Delete", "dir/b.txt")]
        assert _keys(app.s3) == []


def test_samlite_own_writes_and_touches_do_not_echo(state: StateDir) -> None:
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="mine.txt", Body=b"mine")
        app.s3.put_object(Bucket="photos", Key="gone.txt", Body=b"gone")
        app.s3.delete_object(Bucket="photos", Key="gone.txt")
        app.events.clear()
        mine = app.bucket_dir / "mine.txt"
        app.local.sync_from_disk([mine, app.bucket_dir / "gone.txt", app.bucket_dir])
        os.utime(mine, ns=(1, 1))                      # touched, content unchanged
        app.local.sync_from_disk([mine])
        assert app.events == []


def test_files_outside_buckets_or_in_unknown_places_are_ignored(state: StateDir,
                                                                tmp_path: Path) -> None:
    with run(state) as app:
        stray = tmp_path / "elsewhere.txt"
        stray.write_text("x")
        temp = app.bucket_dir / ".samlite-tmp-123"
        temp.write_text("partial")
        app.local.sync_from_disk([stray, temp, state.buckets_dir / ".unmapped" / "photos"])
        assert app.events == []
        assert _keys(app.s3) == []


def test_reset_state_starts_clean(state: StateDir) -> None:
    with run(state) as first:
        first.s3.put_object(Bucket="photos", Key="../hidden", Body=b"x")
        first.s3.put_object(Bucket="photos", Key="plain", Body=b"x")
    state.reset()
    with run(state) as second:
        assert _keys(second.s3) == []


def test_with_the_real_watcher_drops_count_and_uploads_do_not_echo(state: StateDir) -> None:
    from samlite.app.watch import Watcher

    with run(state) as app:
        arrived = threading.Condition()

        def sync(paths: frozenset[Path]) -> None:
            app.local.sync_from_disk(paths)
            with arrived:
                arrived.notify_all()

        watcher = Watcher([state.buckets_dir], sync, debounce_s=0.02)
        watcher.start()
        try:
            app.s3.put_object(Bucket="photos", Key="uploaded.txt", Body=b"via the API")
            # The watcher reports changes in order: once the dropped file's event is in,
            # the upload's own file events have been seen (and must not have echoed).
            (app.bucket_dir / "dropped.txt").write_text("by hand")
            with arrived:
                assert arrived.wait_for(lambda: len(app.events) >= 2, timeout=10)
            assert _names_of(app.events) == [("ObjectCreated:Put", "uploaded.txt"),
                                             ("ObjectCreated:Put", "dropped.txt")]
            (app.bucket_dir / "dropped.txt").unlink()
            with arrived:
                assert arrived.wait_for(lambda: len(app.events) >= 3, timeout=10)
            assert _names_of(app.events)[2:] == [("ObjectRemoved:Delete", "dropped.txt")]
        finally:
            watcher.stop()


def _names_of(events: list[ObjectEvent]) -> list[tuple[str, str]]:
    return [(e.event_name, e.key) for e in events]
