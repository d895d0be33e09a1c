"""Keys become paths only inside their bucket's folders, and every key comes back exactly."""

from __future__ import annotations

import os
import threading
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samlite.aws.s3.files import (
    UNMAPPED_DIR_NAME,
    BucketLayout,
    Placement,
    key_for_relpath,
    plain_relpath,
    remove_file,
    write_file,
)

ROOT = Path("/state/buckets")

# Keys biased towards the characters that break paths: separators, dots, NUL, long runs.
_hostile = st.sampled_from(["/", ".", "..", "\x00", "\\", "a", "é", "~", " ", "%2F", "x" * 90])
keys = st.lists(st.one_of(_hostile, st.text(min_size=1, max_size=8)), min_size=1,
                max_size=12).map("".join).filter(lambda key: 0 < len(key.encode(
                    "utf-8", "surrogatepass")) <= 1024)


def layout() -> BucketLayout:
    return BucketLayout(folder=ROOT / "photos", unmapped_folder=ROOT / UNMAPPED_DIR_NAME /
                        "photos")


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.normpath(path)).is_relative_to(folder) and ".." not in path.parts


@pytest.mark.parametrize(("case", "key"), [
    ("parent segment", "../x"),
    ("parent in the middle", "a/../../x"),
    ("absolute", "/etc/passwd"),
    ("nul", "a\x00b"),
    ("empty segment", "a//b"),
    ("trailing slash", "folder/"),
    ("dot segment", "./a"),
    ("only dots", ".."),
    ("long segment", "x" * 256),
    ("our temp files", "a/.samlite-tmp-1"),
])
def test_keys_a_file_system_cannot_hold_are_unmapped(case: str, key: str) -> None:
    assert plain_relpath(key) is None
    placement = layout().place(key)
    assert not placement.is_plain
    assert placement.path.parent == ROOT / UNMAPPED_DIR_NAME / "photos"


@pytest.mark.parametrize(("case", "key", "path"), [
    ("plain", "report.csv", "report.csv"),
    ("nested", "2026/01/photo.jpg", "2026/01/photo.jpg"),
    ("dots inside names", "a..b/.hidden", "a..b/.hidden"),
    ("unicode and spaces", "ünï cødé/ファイル", "ünï cødé/ファイル"),
    ("segment of exactly 255 bytes", "x" * 255, "x" * 255),
])
def test_ordinary_keys_are_plain_files(case: str, key: str, path: str) -> None:
    placement = layout().place(key)
    assert placement == Placement(path=ROOT / "photos" / path, is_plain=True)


def test_a_key_that_is_also_a_folder_of_another_is_unmapped() -> None:
    files = layout()
    assert files.place("a").is_plain
    assert not files.place("a/b").is_plain        # "a" is a file already
    other = layout()
    assert other.place("a/b").is_plain
    assert not other.place("a").is_plain          # "a" is a folder already


def test_releasing_a_key_frees_its_path_and_folders() -> None:
    files = layout()
    files.place("a/b")
    files.release("a/b")
    assert files.place("a").is_plain


def test_case_insensitive_file_systems_keep_one_spelling_per_path() -> None:
    files = BucketLayout(folder=ROOT / "photos", unmapped_folder=ROOT / ".unmapped" / "p",
                         case_sensitive=False)
    assert files.place("Photo.JPG").is_plain
    assert not files.place("photo.jpg").is_plain
    assert files.place("Photo.JPG").is_plain      # the same key keeps its file


@settings(max_examples=400, deadline=None)
@given(keys)
def test_no_key_maps_outside_its_bucket_folders(key: str) -> None:
    files = layout()
    placement = files.place(key)
    folder = files.folder if placement.is_plain else files.unmapped_folder
    assert _inside(placement.path, folder)
    assert placement.path != folder


@settings(max_examples=400, deadline=None)
@given(keys)
def test_every_plain_key_round_trips_through_its_path(key: str) -> None:
    files = layout()
    placement = files.place(key)
    if placement.is_plain:
        assert files.key_for_file(placement.path) == key
        rel = plain_relpath(key)
        assert rel is not None and key_for_relpath(PurePosixPath(rel)) == key


@settings(max_examples=100, deadline=None)
@given(st.lists(keys, min_size=1, max_size=8, unique=True))
def test_distinct_keys_never_share_a_path(batch: list[str]) -> None:
    files = layout()
    paths = [files.place(key).path for key in batch]
    assert len(set(paths)) == len(paths)


def test_writes_never_follow_a_symlinked_folder_out_of_the_bucket(tmp_path: Path) -> None:
    bucket, outside = tmp_path / "photos", tmp_path / "outside"
    bucket.mkdir()
    outside.mkdir()
    (bucket / "link").symlink_to(outside)
    with pytest.raises(OSError, match="symlink"):
        write_file(Placement(path=bucket / "link" / "x", is_plain=True), b"data", within=bucket)
    with pytest.raises(OSError, match="symlink"):   # nor a folder made on the way
        write_file(Placement(path=bucket / "link" / "new" / "x", is_plain=True), b"data",
                   within=bucket)
    assert list(outside.iterdir()) == []


def test_a_write_replaces_a_symlink_at_its_file_and_leaves_the_target_alone(
        tmp_path: Path) -> None:
    bucket, outside = tmp_path / "photos", tmp_path / "outside.txt"
    bucket.mkdir()
    outside.write_bytes(b"not samlite's")
    (bucket / "x").symlink_to(outside)
    write_file(Placement(path=bucket / "x", is_plain=True), b"data", within=bucket)
    assert outside.read_bytes() == b"not samlite's"
    assert not (bucket / "x").is_symlink()
    assert (bucket / "x").read_bytes() == b"data"


def test_a_planted_temp_file_name_is_never_written_through(tmp_path: Path) -> None:
    bucket, outside = tmp_path / "photos", tmp_path / "outside.txt"
    bucket.mkdir()
    outside.write_bytes(b"not samlite's")
    # The name a predictable temp file would have (pid and thread), planted as a link.
    (bucket / f".samlite-tmp-{os.getpid()}-{threading.get_ident()}").symlink_to(outside)
    write_file(Placement(path=bucket / "x", is_plain=True), b"data", within=bucket)
    assert outside.read_bytes() == b"not samlite's"


def test_removing_a_file_tidies_the_folders_it_leaves_empty(tmp_path: Path) -> None:
    bucket = tmp_path / "photos"
    stat = write_file(Placement(path=bucket / "a" / "b" / "c.txt", is_plain=True), b"hello",
                      within=bucket)
    assert stat.size == 5
    remove_file(bucket / "a" / "b" / "c.txt", stop_at=bucket)
    assert bucket.is_dir()
    assert list(bucket.iterdir()) == []
