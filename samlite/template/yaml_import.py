"""PyYAML, imported without compiling the one regular expression samlite never uses.

PyYAML's pure-Python reader compiles a Unicode-range pattern (`Reader.NON_PRINTABLE`) as it
is imported: ~3 ms, paid before `samlite validate` forks, to check characters that libyaml's
C parser (all samlite loads with) checks itself. While yaml imports, `re`'s cache holds a
stand-in for that pattern which compiles it on first use; the stand-in is taken out of the
cache right after, so any other `re.compile` of the pattern gets the real one. A PyYAML
that writes the pattern otherwise simply compiles it as before (tests/template/
test_yaml_import.py).
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

# As PyYAML 6's yaml/reader.py writes it.
NON_PRINTABLE = "[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]"


class _CompiledOnFirstUse:
    """Stands for re.compile(NON_PRINTABLE): every attribute is the compiled pattern's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re.compile(NON_PRINTABLE), name)


def _import_yaml() -> Any:
    if "yaml" in sys.modules:
        return sys.modules["yaml"]
    key = (str, NON_PRINTABLE, 0)
    # re.compile looks in _cache2 first from Python 3.12, in _cache alone before.
    caches = [c for c in (getattr(re, "_cache2", None), getattr(re, "_cache", None))
              if isinstance(c, dict)]
    if caches:
        caches[0][key] = _CompiledOnFirstUse()
    try:
        import yaml
    finally:
        for cache in caches:
            cache.pop(key, None)
    return yaml


if TYPE_CHECKING:
    import yaml
else:
    yaml = _import_yaml()
