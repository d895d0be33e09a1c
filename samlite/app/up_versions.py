"""The newest version a running `samlite up` has published for a function, read from its
Lambda API (ListVersionsByFunction), so that a qualified `samlite invoke` beside that `up`
numbers versions as `up` does: `up` publishes one per reload, a one-shot invoke none.
Reads only; what runs is still the project folder's code, which is what that version runs.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from samlite.errors import SamliteError

TIMEOUT_S = 5.0   # a loopback samlite answers in milliseconds; this bounds a stuck one


def newest_published(endpoint_url: str, function: str) -> int:
    """The highest version number `up` lists for `function` (0: it has published none).
    SamliteError when that `up` does not answer, or answers with no versions list."""
    name = urllib.parse.quote(function, safe="")
    url = f"{endpoint_url.rstrip('/')}/2015-03-31/functions/{name}/versions"
    # Never through a proxy: the up is on this machine.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=TIMEOUT_S) as reply:
            versions = json.loads(reply.read())["Versions"]
        numbers = [int(v["Version"]) for v in versions if str(v["Version"]).isdigit()]
    except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as exc:
        raise SamliteError(f"{function}: the samlite up at {endpoint_url} did not say which "
                           f"versions it has published ({exc}); a qualified invoke needs "
                           "them. Invoke without --qualifier, or restart that up") from exc
    return max(numbers, default=0)
