"""The local S3 of one app: moto's S3 on the shared endpoint, kept under the state
directory (objects as plain files in `buckets/<bucket>/`, metadata in `s3.sqlite3`), that
reports each object create and remove as an ObjectEvent. Files changed in a bucket folder
by someone else (`sync_from_disk`, fed by the app's watcher) count as uploads and deletes.

Only the latest version of a key is kept on disk: older versions of a versioned bucket
live until samlite stops. Importing this module does not import moto (that costs ~0.3 s).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samlite.aws.s3 import files as bucket_files
from samlite.aws.s3.files import BucketLayout, FileStat, Placement
from samlite.aws.s3.object_event import ObjectEvent
from samlite.aws.s3.route import MotoResult, RequestInfo, S3Route, new_request_info
from samlite.aws.s3.store import BucketRow, ObjectRow, S3Store
from samlite.clock import Clock
from samlite.errors import SamliteError
from samlite.http.messages import Route
from samlite.state import StateDir

if TYPE_CHECKING:
    from samlite.aws.s3.backend import Change, SamliteS3Backend

log = logging.getLogger(__name__)

_SEQUENCER = "sequencer"
_DEFAULT_CONTENT_TYPE = "binary/octet-stream"    # what S3 stores when none is given


@dataclass(frozen=True, slots=True, kw_only=True)
class _DiskFile:
    """A file someone else wrote, already in place: record it, don't write it back."""
    stat: FileStat


class LocalS3:
    """One app's S3: `route()` for the endpoint, `ensure_bucket` for the template's buckets,
    `sync_from_disk` for the watcher. `state=None` keeps everything in memory."""

    def __init__(self, *, state: StateDir | None, account_id: str, region: str, clock: Clock,
                 on_event: Callable[[ObjectEvent], None]) -> None:
        from samlite.aws.s3 import backend

        self._region = region
        self._clock = clock
        self._on_event = on_event
        self._lock = threading.RLock()
        self._buckets_dir = state.create().buckets_dir if state is not None else None
        # First, so that a damaged s3.sqlite3 (StateFileError) leaves nothing registered.
        self._store = S3Store(state.s3_db if state is not None else None)
        self._backend: SamliteS3Backend = backend.SamliteS3Backend(region_name=region,
                                                                   account_id=account_id)
        self._partition = backend.register(self._backend, account_id=account_id,
                                           region=region)
        self._account_id = account_id
        self._rows: dict[tuple[str, str], ObjectRow] = {}
        self._layouts: dict[str, BucketLayout] = {}
        self._closed = False
        self._route = S3Route(backend=self._backend, perform=self._perform)
        try:
            if self._buckets_dir is not None:
                self._buckets_dir.mkdir(parents=True, exist_ok=True)
                # Partial writes of a samlite killed mid-PUT: never objects, now garbage.
                if removed := bucket_files.remove_temp_files(self._buckets_dir):
                    log.info("s3: removed %d unfinished write(s) under %s", removed,
                             self._buckets_dir)
            self._case_sensitive = (bucket_files.is_case_sensitive(self._buckets_dir)
                                    if self._buckets_dir is not None else True)
            self._sequence = self._store.counter(_SEQUENCER)
            self._load()
        except BaseException:
            self.close()
            raise

    # --- public -------------------------------------------------------------------------------

    def route(self) -> Route:
        return self._route

    def ensure_bucket(self, name: str) -> None:
        """Create a template's bucket if it isn't there yet (in the app's region)."""
        from samlite.aws.s3.backend import is_bucket_name

        if not is_bucket_name(name):
            raise SamliteError(f"bucket name {name!r} is not valid in S3: use 3-63 lower-case "
                               "letters, digits, '.' and '-', starting and ending with a "
                               "letter or digit")
        with self._lock:
            if name not in self._backend.buckets:
                self._backend.create_bucket(name, self._region)
            self._commit(new_request_info(), {})

    def sync_from_disk(self, paths: Iterable[Path]) -> None:
        """Files under the buckets folder changed (the watcher saw them): a new or changed
        file is an upload (ObjectCreated:Put), a vanished one a delete. Our own writes are
        recognised by size and mtime (then content) and report nothing."""
        if self._buckets_dir is None:
            return
        with self._lock:
            if self._closed:      # the watcher's last batch may come in after close()
                return
            on_disk: dict[tuple[str, str], _DiskFile] = {}
            for path in paths:
                try:
                    self._sync_path(Path(path), on_disk)
                except OSError as exc:   # unreadable or vanishing files: skip, keep the rest
                    log.warning("s3: can't take %s into its bucket: %s", path, exc)
            events = self._commit(new_request_info(), on_disk)
        self._emit(events)

    def latest_object_event(self, bucket: str, wanted: Callable[[str], bool]
                            ) -> ObjectEvent | None:
        """An ObjectCreated:Put for the newest object of `bucket` whose key `wanted`
        accepts, as if it had just been uploaded (`samlite trigger` on an S3 trigger)."""
        from samlite.aws.s3.backend import PUT, Change

        with self._lock:
            rows = [row for (name, _), row in self._rows.items()
                    if name == bucket and wanted(row.key)]
            if not rows:
                return None
            row = max(rows, key=lambda r: r.last_modified)
            change = Change(event_name=PUT, bucket=bucket, key=row.key, size=row.size,
                            etag=row.etag, version_id=row.version_id)
            return self._event(change, new_request_info())

    def close(self) -> None:
        from samlite.aws.s3.backend import unregister

        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._backend.reset()
            unregister(self._backend, account_id=self._account_id, partition=self._partition)
            self._store.close()

    @property
    def backend(self) -> SamliteS3Backend:
        return self._backend

    # --- a request through moto ------------------------------------------------------------------

    def _perform(self, info: RequestInfo, call: Callable[[], MotoResult]) -> MotoResult:
        events: list[ObjectEvent] = []
        try:
            with self._lock:
                try:
                    return call()
                finally:
                    events = self._commit(info, {})
        finally:
            self._emit(events)    # outside the lock: a handler may call S3 back at once

    def _commit(self, info: RequestInfo, on_disk: dict[tuple[str, str], _DiskFile]
                ) -> list[ObjectEvent]:
        """Write what the last call changed to disk and turn its changes into events."""
        changes, buckets = self._backend.take_changes()
        for name in sorted(buckets):
            self._persist_bucket(name)
        done: set[tuple[str, str]] = set()
        for change in changes:
            where = (change.bucket, change.key)
            if where not in done:
                done.add(where)
                self._persist_object(change.bucket, change.key, on_disk.get(where))
        events = [self._event(change, info) for change in changes if change.event_name]
        if events:
            self._store.save_counter(_SEQUENCER, self._sequence)
        return events

    def _event(self, change: Change, info: RequestInfo) -> ObjectEvent:
        now = self._clock.now()
        # Grows with every event, across restarts too; fixed width so strings compare.
        self._sequence = max(self._sequence + 1, int(now * 1_000_000))
        return ObjectEvent(event_name=str(change.event_name), bucket=change.bucket,
                           key=change.key, size=change.size, etag=change.etag,
                           version_id=change.version_id, sequencer=f"{self._sequence:018X}",
                           event_time=now, source_ip=info.source_ip,
                           request_id=info.request_id, host_id=info.host_id,
                           principal_id=info.principal_id)

    def _emit(self, events: list[ObjectEvent]) -> None:
        for event in events:
            try:
                self._on_event(event)
            except Exception:
                log.exception("s3: reporting %s on %s/%s failed", event.event_name,
                              event.bucket, event.key)

    # --- disk -------------------------------------------------------------------------------------

    def _layout(self, bucket: str) -> BucketLayout:
        layout = self._layouts.get(bucket)
        if layout is None:
            root = self._buckets_dir or Path()
            layout = BucketLayout(folder=root / bucket,
                                  unmapped_folder=root / bucket_files.UNMAPPED_DIR_NAME / bucket,
                                  case_sensitive=self._case_sensitive)
            self._layouts[bucket] = layout
        return layout

    def _persist_bucket(self, name: str) -> None:
        bucket = self._backend.buckets.get(name)
        if bucket is None:
            self._store.delete_bucket(name)
            for key in [k for b, k in self._rows if b == name]:
                self._rows.pop((name, key), None)
            layout = self._layouts.pop(name, None)
            if layout is not None and self._buckets_dir is not None:
                _remove_empty_tree(layout.folder)
                _remove_empty_tree(layout.unmapped_folder)
            return
        created = _epoch(bucket.creation_date)
        self._store.save_bucket(BucketRow(name=name, region=bucket.region_name,
                                          created=created, versioning=bucket.versioning_status))
        if self._buckets_dir is not None:
            self._layout(name).folder.mkdir(parents=True, exist_ok=True)

    def _persist_object(self, bucket: str, key: str, disk: _DiskFile | None) -> None:
        from samlite.aws.s3.backend import bare_etag, last_modified_epoch

        latest = self._backend.latest(bucket, key)
        old = self._rows.get((bucket, key))
        layout = self._layout(bucket)
        if latest is None:
            if old is not None:
                self._remove_file(layout, key, old)
                self._store.delete_object(bucket, key)
                del self._rows[(bucket, key)]
            return
        if self._buckets_dir is None:
            stat, is_plain = FileStat(size=latest.size, mtime_ns=0), False
        elif disk is not None:
            stat, is_plain = disk.stat, True
        else:
            placement = self._write(layout, key, latest.value)
            stat, is_plain = bucket_files.stat_file(placement.path), placement.is_plain
            if old is not None and old.is_plain != is_plain:
                self._remove_file(layout, key, old)    # moved between plain and unmapped
        row = ObjectRow(bucket=bucket, key=key, is_plain=is_plain, size=stat.size,
                        mtime_ns=stat.mtime_ns, etag=bare_etag(latest),
                        version_id=latest.version_id if latest._is_versioned else None,
                        last_modified=last_modified_epoch(latest),
                        attributes=self._backend.attributes(latest))
        self._store.save_object(row)
        self._rows[(bucket, key)] = row

    def _write(self, layout: BucketLayout, key: str, data: bytes) -> Placement:
        placement = layout.place(key)
        within = self._buckets_dir or layout.folder.parent
        try:
            bucket_files.write_file(placement, data, within=within)
        except OSError:
            if not placement.is_plain:
                raise
            # The file system refused the name after all (a folder in the way, a symlink
            # leading out, a name too long): keep the object unmapped instead.
            log.debug("s3: %r can't be a plain file; keeping it unmapped", key, exc_info=True)
            layout.release(key)
            placement = Placement(path=layout.unmapped_folder / bucket_files.unmapped_name(key),
                                  is_plain=False)
            bucket_files.write_file(placement, data, within=within)
        return placement

    def _remove_file(self, layout: BucketLayout, key: str, row: ObjectRow) -> None:
        if self._buckets_dir is None:
            return
        if row.is_plain:
            path = layout.plain_path(key)
            layout.release(key)
            if path is not None:
                bucket_files.remove_file(path, stop_at=layout.folder)
        else:
            bucket_files.remove_file(layout.unmapped_folder / bucket_files.unmapped_name(key),
                                     stop_at=layout.unmapped_folder)

    # --- startup ----------------------------------------------------------------------------------

    def _load(self) -> None:
        """Buckets and objects as the last run left them, plus what changed on disk since:
        new files are objects, missing files are gone. Reports nothing."""
        with self._lock:
            for row in self._store.buckets():
                bucket = self._backend.create_bucket(row.name, row.region)
                bucket.versioning_status = row.versioning
                bucket.creation_date = datetime.fromtimestamp(row.created, UTC).replace(
                    tzinfo=None)
            if self._buckets_dir is not None:
                for folder in sorted(self._buckets_dir.iterdir()):
                    if (folder.is_dir() and not folder.is_symlink()
                            and folder.name not in self._backend.buckets):
                        self._adopt_folder(folder)
                for name in list(self._backend.buckets):
                    self._load_bucket(name)
            self._backend.take_changes()
            for name in self._backend.buckets:
                self._persist_bucket(name)

    def _adopt_folder(self, folder: Path) -> bool:
        from samlite.aws.s3.backend import is_bucket_name

        if folder.is_symlink():
            log.warning("s3: ignoring %s: a symlink is not a bucket folder (samlite follows "
                        "no links out of its state directory)", folder)
            return False
        if not is_bucket_name(folder.name):
            if folder.name != bucket_files.UNMAPPED_DIR_NAME:
                log.warning("s3: ignoring folder %s: %r is not a valid bucket name", folder,
                            folder.name)
            return False
        self._backend.create_bucket(folder.name, self._region)
        return True

    def _load_bucket(self, bucket: str) -> None:
        layout = self._layout(bucket)
        rows = {row.key: row for row in self._store.objects(bucket)}
        seen: set[str] = set()
        for path in _files_under(layout.folder):
            key = layout.key_for_file(path)
            if key is None or not layout.place(key).is_plain:
                log.warning("s3: ignoring %s: its name can't be an S3 key", path)
                continue
            seen.add(key)
            self._load_file(bucket, key, path, rows.get(key))
        for key, row in rows.items():
            if key in seen:
                continue
            unmapped = layout.unmapped_folder / bucket_files.unmapped_name(key)
            try:
                if row.is_plain:
                    raise FileNotFoundError(unmapped)
                data, _stat = bucket_files.read_file(unmapped, within=layout.folder.parent)
            except OSError:
                self._store.delete_object(bucket, key)    # removed while samlite was down
                continue
            self._backend.restore_object(bucket, key, data, etag=row.etag,
                                         version_id=row.version_id,
                                         last_modified=row.last_modified,
                                         attributes=row.attributes)
            self._rows[(bucket, key)] = row

    def _load_file(self, bucket: str, key: str, path: Path, row: ObjectRow | None) -> None:
        try:
            data, stat = bucket_files.read_file(path, within=self._layout(bucket).folder.parent)
        except OSError as exc:
            log.warning("s3: can't read %s: %s", path, exc)
            return
        unchanged = (row is not None and row.is_plain and row.size == stat.size
                     and row.mtime_ns == stat.mtime_ns)
        if row is not None and unchanged:
            self._backend.restore_object(bucket, key, data, etag=row.etag,
                                         version_id=row.version_id,
                                         last_modified=row.last_modified,
                                         attributes=row.attributes)
            self._rows[(bucket, key)] = row
            return
        self._put_from_disk(bucket, key, path, data, stat, row)
        self._persist_object(bucket, key, _DiskFile(stat=stat))

    # --- files changed while running --------------------------------------------------------------

    def _sync_path(self, path: Path, on_disk: dict[tuple[str, str], _DiskFile]) -> None:
        buckets_dir = self._buckets_dir
        if buckets_dir is None:
            return
        try:
            rel = path.relative_to(buckets_dir)
        except ValueError:
            try:
                rel = path.resolve().relative_to(buckets_dir.resolve())
            except (ValueError, OSError):
                return
        if not rel.parts or bucket_files.is_temp_file(path):
            return
        bucket = rel.parts[0]
        folder = buckets_dir / bucket
        if bucket not in self._backend.buckets and not (
                folder.is_dir() and self._adopt_folder(folder)):
            return
        layout = self._layout(bucket)
        path = folder.joinpath(*rel.parts[1:])
        for file in ([path] if bucket_files.is_regular_file(path) else _files_under(path)):
            self._sync_file(bucket, layout, file, on_disk)
        for key in layout.plain_keys_under(path):
            file = layout.plain_path(key)
            # A file replaced by a symlink is gone, as it would be after a restart.
            if file is not None and not bucket_files.is_regular_file(file):
                self._backend.delete_object(bucket, key)

    def _sync_file(self, bucket: str, layout: BucketLayout, path: Path,
                   on_disk: dict[tuple[str, str], _DiskFile]) -> None:
        key = layout.key_for_file(path)
        if key is None or (bucket, key) in on_disk:   # a batch names a file and its folder
            return
        try:
            stat = bucket_files.stat_file(path)
            row = self._rows.get((bucket, key))
            if row is not None and row.is_plain and (row.size, row.mtime_ns) == (
                    stat.size, stat.mtime_ns):
                return                       # our own write, or untouched
            data, stat = bucket_files.read_file(path, within=layout.folder.parent)
        except OSError:
            return                           # gone again already: the delete pass sees it
        if row is not None and row.is_plain and row.size == len(data) and (
                hashlib.md5(data, usedforsecurity=False).hexdigest() == row.etag):
            # Touched, not changed: remember the new mtime, report nothing.
            row = replace(row, mtime_ns=stat.mtime_ns)
            self._store.save_object(row)
            self._rows[(bucket, key)] = row
            return
        if not layout.place(key).is_plain:
            log.warning("s3: ignoring %s: key %r is held elsewhere", path, key)
            return
        if row is not None and not row.is_plain:
            self._remove_file(layout, key, row)
        self._put_from_disk(bucket, key, path, data, stat, row)
        from samlite.aws.s3.backend import PUT, created_change

        latest = self._backend.latest(bucket, key)
        if latest is not None:
            self._backend.changes.append(created_change(PUT, bucket, latest))
            on_disk[(bucket, key)] = _DiskFile(stat=stat)

    def _put_from_disk(self, bucket: str, key: str, path: Path, data: bytes, stat: FileStat,
                       row: ObjectRow | None) -> None:
        """An object from a file someone else wrote: an edited file keeps its object's
        metadata; a new one gets the content type its name suggests."""
        attributes: dict[str, Any]
        if row is not None:
            attributes = dict(row.attributes, checksum_value=None, checksum_algorithm=None,
                              checksum_type=None)
        else:
            content_type = mimetypes.guess_type(path.name)[0] or _DEFAULT_CONTENT_TYPE
            attributes = {"metadata": {"content-type": content_type}}
        self._backend.restore_object(bucket, key, data, etag=None, version_id=None,
                                     last_modified=stat.mtime_ns / 1e9, attributes=attributes)


def _files_under(folder: Path) -> list[Path]:
    """The regular files under `folder`, following no symlink (a linked folder or file is
    reported and skipped) and leaving out our temp files."""
    found: list[Path] = []
    if folder.is_symlink():
        log.warning("s3: ignoring %s: samlite follows no symlinks in bucket folders", folder)
        return found
    if not folder.is_dir():
        return found
    for root, dirs, files in os.walk(folder):   # never descends into symlinked folders
        dirs.sort()
        for name in sorted(files) + [d for d in dirs if (Path(root) / d).is_symlink()]:
            path = Path(root) / name
            if bucket_files.is_temp_file(path):
                continue
            if bucket_files.is_regular_file(path):
                found.append(path)
            else:
                log.warning("s3: ignoring %s: not a regular file (samlite follows no "
                            "symlinks in bucket folders)", path)
    return found


def _remove_empty_tree(folder: Path) -> None:
    if not folder.is_dir():
        return
    for root, _dirs, _files in sorted(os.walk(folder), key=lambda t: len(t[0]), reverse=True):
        with contextlib.suppress(OSError):   # not empty: someone's file is still there
            Path(root).rmdir()


def _epoch(moment: Any) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return float(moment.timestamp())
