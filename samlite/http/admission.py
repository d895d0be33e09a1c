"""Which requests a local server lets in, against browsers: a Host header that is not the
address served is refused (DNS rebinding: a page of evil.example whose name now resolves to
127.0.0.1 sends `Host: evil.example:3001`), and so is a browser's cross-site request (an
Origin header not allowed here; SDKs and the AWS CLI send none). Pure: a head in, a refusal
or None out."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from samlite.http.messages import Request

# Names of this machine that no DNS answer can stand for: the loopback addresses, and
# "localhost" with its subdomains (RFC 6761 6.3; browsers resolve *.localhost themselves),
# which S3's virtual-host style uses (`photos.localhost:3001`).
# The address servers bind to unless told otherwise (here, not in server.py: choosing it
# should not import the server, which a one-shot invoke never runs).
DEFAULT_HOST = "127.0.0.1"
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
_WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - names, not a bind


@dataclass(frozen=True, slots=True, kw_only=True)
class Admission:
    """What a server admits besides its own address. `origins=None` admits every Origin:
    the gateway's choice, where CORS is the user's API's business."""
    hosts: tuple[str, ...] = ()             # more Host names served (no port), e.g. a dashboard's
    origins: tuple[str, ...] | None = ()    # browser origins let in, e.g. "http://127.0.0.1:3002"


LOOPBACK_ONLY = Admission()           # the AWS endpoint's default: loopback names, no Origin
ANY_ORIGIN = Admission(origins=None)  # the gateway's: loopback names, any Origin


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    status: int
    message: str


def refusal(head: Request, admission: Admission, *, bound_host: str, port: int
            ) -> Refusal | None:
    """Why `head` is refused by a server bound to `bound_host`:`port`, or None."""
    host = head.header("host")
    if host is None:
        if head.protocol == "HTTP/1.1":   # RFC 9112 3.2: a 1.1 request without Host is a 400
            return Refusal(status=400, message="an HTTP/1.1 request must carry a Host header")
    elif not _is_served(host, admission, bound_host=bound_host, port=port):
        return Refusal(status=403, message=(
            f"samlite serves this port as http://127.0.0.1:{port} (or localhost) only; the "
            f"Host header {host[:100]!r} names another site, so the request is refused (a "
            "page on another site may not reach local servers through its own name)"))
    origin = head.header("origin")
    if origin is not None and admission.origins is not None \
            and origin not in admission.origins and not is_loopback_origin(origin):
        return Refusal(status=403, message=(
            f"samlite's local AWS endpoint does not answer web pages (Origin {origin[:100]!r}):"
            " a site open in a browser must not reach your local functions, buckets and "
            "queues. SDKs and the AWS CLI send no Origin header"))
    return None


def is_loopback_origin(origin: str) -> bool:
    """A page this machine serves (a dev server on localhost:5173 uploading through a
    presigned URL, as it would to S3 with a CORS rule): let in. A page of another site,
    even one whose name was rebound to 127.0.0.1, carries that site's name in its Origin."""
    scheme, sep, rest = origin.strip().lower().partition("://")
    if not sep or scheme not in ("http", "https") or "/" in rest:
        return False
    name = _split(rest)[0]
    return name in LOOPBACK_NAMES or name.endswith(".localhost")


def _is_served(host: str, admission: Admission, *, bound_host: str, port: int) -> bool:
    name, has_port, port_text = _split(host.strip().lower())
    if has_port and port_text != str(port):
        return False
    if not has_port and port != 80:
        return False
    if name in LOOPBACK_NAMES or name.endswith(".localhost") \
            or name in {h.lower() for h in admission.hosts}:
        return True
    bound = bound_host.lower()
    if name in (bound, f"[{bound}]"):
        return True
    # Bound to every address: any IP literal is this machine's (a literal cannot be rebound).
    return bound in _WILDCARD_HOSTS and _is_ip_literal(name)


def _split(host: str) -> tuple[str, bool, str]:
    """(name, whether a port was given, the port) of a Host value; IPv6 stays bracketed."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return host, False, ""
        rest = host[end + 1:]
        return host[:end + 1], rest.startswith(":"), rest[1:]
    name, colon, port = host.rpartition(":")
    return (name, True, port) if colon else (host, False, "")


def _is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True
