"""What happened to an object: the facts the local S3 reports for each create or remove, from
which sources/s3/events.py builds the S3 event record a function receives. Pure data."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectEvent:
    event_name: str              # "ObjectCreated:Put", "ObjectRemoved:Delete", ... (no "s3:")
    bucket: str
    key: str                     # as stored, not encoded
    size: int | None = None      # absent for removals, as in AWS's records
    etag: str | None = None      # without quotes
    version_id: str | None = None
    sequencer: str               # hex, grows with each event of a key
    event_time: float            # wall-clock seconds
    source_ip: str = "127.0.0.1"
    request_id: str
    host_id: str
    principal_id: str
