"""Lambda authorizer answers cached by identity source values for the authorizer's TTL
(ReauthorizeEvery), as API Gateway caches them ("Use API Gateway Lambda authorizers":
the identity sources are the cache key; a TTL of 0 turns caching off). Time comes from an
injected Clock; the answer is cached, not the verdict, so each request's ARN is judged anew.
"""

from __future__ import annotations

import threading
from typing import Any

from samlite.clock import Clock

Key = tuple[str, str, tuple[str, ...]]     # (api logical id, authorizer name, identity)


class AuthorizerCache:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._answers: dict[Key, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Key) -> Any | None:
        with self._lock:
            found = self._answers.get(key)
            if found is None:
                return None
            expires_at, answer = found
            if self._clock.monotonic() >= expires_at:
                del self._answers[key]
                return None
            return answer

    def put(self, key: Key, answer: Any, ttl_s: int) -> None:
        if ttl_s <= 0 or not key[2]:   # no TTL or no identity sources: nothing to key on
            return
        with self._lock:
            self._answers[key] = (self._clock.monotonic() + ttl_s, answer)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
