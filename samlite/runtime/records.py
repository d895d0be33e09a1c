"""What the dashboard and `samlite_app.invocations()` show of each finished invocation: a
bounded ring of records (the oldest go first), payloads over 256 KB cut and marked, told to
listeners as they are added, and optionally appended to a JSON-lines file in the state dir.
It does not run anything: runtime/service.py adds a record as each invocation ends."""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 5000
PAYLOAD_LIMIT_BYTES = 256 * 1024   # kept per event and per response; the rest is dropped
STATUSES = ("ok", "error", "timeout")   # an invocation's outcome, as the timeline shows it


@dataclass(frozen=True, slots=True, kw_only=True)
class Payload:
    text: str                # UTF-8 (undecodable bytes replaced), at most PAYLOAD_LIMIT_BYTES
    size_bytes: int          # the whole payload's size
    is_truncated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class InvocationRecord:
    seq: int                 # 1, 2, 3... in the order invocations ended
    request_id: str
    function: str            # logical id
    version: str             # "$LATEST" or the version number that ran
    trigger: str             # who invoked: "GET /hello", "s3 photos/a.jpg", "invoke"...
    is_cold: bool
    started_at_s: float      # epoch seconds
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    init_duration_ms: float | None
    status: str              # one of STATUSES
    error_type: str | None
    event: Payload
    response: Payload        # the response, or the error document
    log_lines: tuple[str, ...]   # the function's output with START, END and REPORT

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> InvocationRecord:
        fields = dict(data)
        fields["event"] = Payload(**fields["event"])            # type: ignore[arg-type]
        fields["response"] = Payload(**fields["response"])      # type: ignore[arg-type]
        fields["log_lines"] = tuple(fields["log_lines"])        # type: ignore[arg-type]
        return cls(**fields)                                    # type: ignore[arg-type]


def payload_of(data: bytes, *, limit_bytes: int = PAYLOAD_LIMIT_BYTES) -> Payload:
    """The payload as kept: whole up to the limit, else its first `limit_bytes`, marked.
    Cut as the record is made, not when it is read: a lazy cut would keep whole payloads
    (up to 6 MB each) in the ring, to save ~2 µs on a 1 KB event (~40 µs on 1 MB)."""
    kept = data[:limit_bytes]
    return Payload(text=kept.decode("utf-8", errors="replace"), size_bytes=len(data),
                   is_truncated=len(data) > limit_bytes)


Listener = Callable[[InvocationRecord], None]


class InvocationRecords:
    """The ring. Thread-safe; listeners are called outside the lock, in the adding thread,
    so they must be quick (the dashboard's only puts the record on each client's queue)."""

    def __init__(self, *, capacity: int = DEFAULT_CAPACITY,
                 persist_to: Path | None = None) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._records: deque[InvocationRecord] = deque(maxlen=capacity)
        self._listeners: list[Listener] = []
        self._seq = 0
        self._persist_to = persist_to
        if persist_to is not None:
            self._load(persist_to)

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, record: InvocationRecord) -> None:
        with self._lock:
            self._records.append(record)
            listeners = tuple(self._listeners)
            if self._persist_to is not None:
                self._append(record)
        for listener in listeners:
            try:
                listener(record)
            except Exception:   # a listener's bug must not fail the invocation
                log.exception("an invocation listener failed")

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with each record added from now on; returns how to stop."""
        with self._lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return stop

    def all(self, *, function: str | None = None, after_seq: int = 0
            ) -> tuple[InvocationRecord, ...]:
        """Oldest first; only `function`'s when given, only those after `after_seq`."""
        with self._lock:
            records = tuple(self._records)
        return tuple(r for r in records if (function is None or r.function == function)
                     and r.seq > after_seq)

    def find(self, request_id: str) -> InvocationRecord | None:
        """The newest record of this request id (an asynchronous retry keeps its id)."""
        with self._lock:
            return next((r for r in reversed(self._records) if r.request_id == request_id),
                        None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    # --- the optional file: one JSON record a line, trimmed to the capacity on load ----------
    def _append(self, record: InvocationRecord) -> None:
        try:
            with self._persist_to.open("a", encoding="utf-8") as file:   # type: ignore[union-attr]
                file.write(json.dumps(record.to_json()) + "\n")
        except OSError as exc:
            log.warning("could not keep invocation %s: %s", record.request_id, exc)

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("could not read the kept invocations %s: %s", path, exc)
            return
        records = list(_parsed(lines[-self.capacity:]))
        self._records.extend(records)
        self._seq = max((r.seq for r in records), default=0)
        path.write_text("".join(json.dumps(r.to_json()) + "\n" for r in records),
                        encoding="utf-8")


def _parsed(lines: Iterable[str]) -> Iterable[InvocationRecord]:
    for line in lines:
        try:
            yield InvocationRecord.from_json(json.loads(line))
        except (ValueError, TypeError, KeyError):   # a line cut by a crash: skip it
            continue
