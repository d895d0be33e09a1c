"""IAM's wildcard matching for Action, Resource and ARN condition values: `*` any run of
characters, `?` one character. Actions compare without case, ARNs with case, segment by
segment ("IAM JSON policy elements: Action" / "Resource" in the IAM user guide; an ARN's
six colon-separated parts, the last of which may itself hold colons). Patterns are compiled
once and kept, since the endpoint matches the same few on every call."""

from __future__ import annotations

import re
from functools import lru_cache

_ARN_PARTS = 6


@lru_cache(maxsize=4096)
def _glob(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def glob_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """StringLike's matching: the whole value against `*`/`?` wildcards."""
    return _glob(pattern, ignore_case=ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    """`s3:Get*` matches `s3:GetObject`; service prefix and name are case-insensitive."""
    return pattern == "*" or _glob(pattern, ignore_case=True).fullmatch(action) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    """`arn:aws:s3:::bucket/*` matches `arn:aws:s3:::bucket/a/b`: each of the six parts is
    matched on its own, so a wildcard never spans the colons between them."""
    if pattern == "*":
        return True
    wanted = pattern.split(":", _ARN_PARTS - 1)
    parts = arn.split(":", _ARN_PARTS - 1)
    if len(wanted) != len(parts):
        return False
    return all(w == p or _glob(w, ignore_case=False).fullmatch(p) is not None
               for w, p in zip(wanted, parts, strict=True))
