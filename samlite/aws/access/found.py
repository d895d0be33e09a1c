"""What reading one request finds: the (action, resource ARN, condition keys) it needs, or
that no table here names its action. Shared by operations.py and s3_operations.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Keys = Mapping[str, tuple[str, ...]]
Pairs = list[tuple[str, str, Keys]]
NO_KEYS: Keys = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class Unmapped:
    """An operation the service has but no table here gives an IAM action: it is not
    checked, and the guard says so once rather than guess an action."""
    name: str                      # "GET ?torrent"
    service: str


Found = tuple[str, Pairs] | Unmapped | None
