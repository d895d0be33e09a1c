"""What samlite does with things in bucket folders that are not objects it can trust:
symlinks are never followed out of the state directory (not read as an object's bytes, not
written or deleted through), and the temp files of writes a killed samlite left are removed at
the next start and never served."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from samlite.state import StateDir
from tests.aws.s3.test_persist import _keys, run

SECRET = b"private key material"


@pytest.fixture
def state(tmp_path: Path) -> StateDir:
    return StateDir(root=tmp_path / ".samlite")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the state directory, with a file nobody should serve."""
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "id_rsa").write_bytes(SECRET)
    return folder


def _photos(state: StateDir) -> Path:
    folder = state.buckets_dir / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _is_missing(s3: object, key: str, bucket: str = "photos") -> bool:
    try:
        s3.get_object(Bucket=bucket, Key=key)  # type: ignore[attr-defined]
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "NoSuchKey"
    return False


def test_a_symlink_in_a_bucket_folder_is_not_an_object(state: StateDir,
                                                       outside: Path) -> None:
    photos = _photos(state)
    (photos / "key.txt").symlink_to(outside / "id_rsa")
    (photos / "home").symlink_to(outside)                  # a linked folder
    (photos / "real.txt").write_bytes(b"mine")
    with run(state) as app:
        assert _keys(app.s3) == ["real.txt"]
        assert _is_missing(app.s3, "key.txt")
        assert _is_missing(app.s3, "home/id_rsa")


def test_a_symlinked_bucket_folder_is_not_a_bucket(state: StateDir, outside: Path) -> None:
    state.buckets_dir.mkdir(parents=True)
    (state.buckets_dir / "stolen").symlink_to(outside)
    with run(state) as app:
        names = [b["Name"] for b in app.s3.list_buckets()["Buckets"]]
        assert names == ["photos"]


def test_a_symlink_dropped_while_running_is_no_upload(state: StateDir, outside: Path) -> None:
    with run(state) as app:
        link = app.bucket_dir / "key.txt"
        link.symlink_to(outside / "id_rsa")
        app.local.sync_from_disk([link, app.bucket_dir])
        assert app.events == []
        assert _is_missing(app.s3, "key.txt")


def test_a_file_replaced_by_a_symlink_while_running_is_deleted(state: StateDir,
                                                               outside: Path) -> None:
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="key.txt", Body=b"mine")
        file = app.bucket_dir / "key.txt"
        file.unlink()
        file.symlink_to(outside / "id_rsa")
        app.local.sync_from_disk([file])
        assert [e.event_name for e in app.events][-1] == "ObjectRemoved:Delete"
        assert _is_missing(app.s3, "key.txt")


def test_a_put_over_a_symlink_replaces_the_link_not_its_target(state: StateDir,
                                                               outside: Path) -> None:
    (_photos(state) / "key.txt").symlink_to(outside / "id_rsa")
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="key.txt", Body=b"uploaded")
        assert (outside / "id_rsa").read_bytes() == SECRET
        assert (app.bucket_dir / "key.txt").read_bytes() == b"uploaded"
        assert not (app.bucket_dir / "key.txt").is_symlink()


def test_a_put_under_a_symlinked_folder_stays_inside_the_state_dir(state: StateDir,
                                                                   outside: Path) -> None:
    (_photos(state) / "home").symlink_to(outside)
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="home/id_rsa", Body=b"overwritten?")
        app.s3.put_object(Bucket="photos", Key="home/new/file", Body=b"planted?")
        assert (outside / "id_rsa").read_bytes() == SECRET
        assert sorted(p.name for p in outside.iterdir()) == ["id_rsa"]
        got = app.s3.get_object(Bucket="photos", Key="home/id_rsa")["Body"].read()
        assert got == b"overwritten?"               # kept, as an unmapped object
    with run(state) as again:
        assert sorted(_keys(again.s3)) == ["home/id_rsa", "home/new/file"]


def test_a_delete_never_removes_a_file_through_a_symlinked_folder(state: StateDir,
                                                                  outside: Path) -> None:
    with run(state) as app:
        app.s3.put_object(Bucket="photos", Key="home/id_rsa", Body=b"mine")
        folder = app.bucket_dir / "home"
        (folder / "id_rsa").unlink()
        folder.rmdir()
        folder.symlink_to(outside)                  # swapped behind samlite's back
        app.s3.delete_object(Bucket="photos", Key="home/id_rsa")
        assert (outside / "id_rsa").read_bytes() == SECRET


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_in_a_bucket_folder_neither_blocks_the_start_nor_is_an_object(
        state: StateDir) -> None:
    os.mkfifo(_photos(state) / "pipe")
    with run(state) as app:
        assert _keys(app.s3) == []


def test_writes_a_killed_samlite_left_are_removed_at_the_next_start(state: StateDir) -> None:
    with run(state) as first:
        first.s3.put_object(Bucket="photos", Key="a/b.txt", Body=b"kept")
        first.s3.put_object(Bucket="photos", Key="../odd", Body=b"kept")   # unmapped
    # What a SIGKILL between writing and renaming leaves, beside plain and unmapped files.
    leftovers = [state.buckets_dir / "photos" / ".samlite-tmp-4242-139872",
                 state.buckets_dir / "photos" / "a" / ".samlite-tmp-4242-139873",
                 state.buckets_dir / ".unmapped" / "photos" / ".samlite-tmp-4242-1"]
    for path in leftovers:
        path.write_bytes(b"half an obj")
    with run(state) as second:
        assert [p for p in leftovers if p.exists()] == []
        assert sorted(_keys(second.s3)) == ["../odd", "a/b.txt"]
        assert second.s3.get_object(Bucket="photos", Key="a/b.txt")["Body"].read() == b"kept"
