"""Against DNS rebinding and cross-site pages: which Host and Origin headers a local server
admits."""

from __future__ import annotations

import pytest

from samlite.http.admission import ANY_ORIGIN, LOOPBACK_ONLY, Admission, refusal
from samlite.http.messages import Request


def head(*, host: str | None = "127.0.0.1:3001", origin: str | None = None,
         protocol: str = "HTTP/1.1") -> Request:
    headers = {k: v for k, v in (("host", host), ("origin", origin)) if v is not None}
    return Request(method="POST", path="/", headers=headers, protocol=protocol)


@pytest.mark.parametrize(("case", "host", "bound"), [
    ("loopback address", "127.0.0.1:3001", "127.0.0.1"),
    ("localhost", "LocalHost:3001", "127.0.0.1"),
    ("IPv6 loopback", "[::1]:3001", "127.0.0.1"),
    ("S3 virtual host", "photos.localhost:3001", "127.0.0.1"),
    ("the configured host", "192.168.1.5:3001", "192.168.1.5"),
    ("any address when bound to all", "10.0.0.7:3001", "0.0.0.0"),  # noqa: S104
    ("an extra name", "dash.internal:3001", "127.0.0.1"),
])
def test_admitted_hosts(case: str, host: str, bound: str) -> None:
    admission = Admission(hosts=("dash.internal",))
    assert refusal(head(host=host), admission, bound_host=bound, port=3001) is None


@pytest.mark.parametrize(("case", "host", "bound"), [
    ("a rebound name", "evil.example:3001", "127.0.0.1"),
    ("a name ending like localhost", "evil-localhost:3001", "127.0.0.1"),
    ("another port", "127.0.0.1:3002", "127.0.0.1"),
    ("no port", "127.0.0.1", "127.0.0.1"),
    ("a name when bound to all", "evil.example:3001", "0.0.0.0"),  # noqa: S104
    ("an address not bound", "10.0.0.7:3001", "127.0.0.1"),
    ("junk", "[::1:3001", "127.0.0.1"),
])
def test_refused_hosts(case: str, host: str, bound: str) -> None:
    refused = refusal(head(host=host), LOOPBACK_ONLY, bound_host=bound, port=3001)
    assert refused is not None and refused.status == 403
    assert "Host header" in refused.message


def test_http_1_1_without_host_is_a_bad_request_and_1_0_is_served() -> None:
    refused = refusal(head(host=None), LOOPBACK_ONLY, bound_host="127.0.0.1", port=3001)
    assert refused is not None and refused.status == 400
    assert refusal(head(host=None, protocol="HTTP/1.0"), LOOPBACK_ONLY,
                   bound_host="127.0.0.1", port=3001) is None


def test_the_endpoint_refuses_pages_of_other_sites() -> None:
    dashboard = Admission(origins=("https://dashboard.example",))
    for origin in ("https://evil.example", "null", "http://evil.example:3001",
                   "http://127.0.0.1.evil.example", "http://localhost.evil.example:80",
                   "file://", "http://127.0.0.1:3001/path"):
        refused = refusal(head(origin=origin), dashboard, bound_host="127.0.0.1", port=3001)
        assert refused is not None and refused.status == 403, origin
    assert refusal(head(origin="https://dashboard.example"), dashboard,
                   bound_host="127.0.0.1", port=3001) is None
    assert refusal(head(), dashboard, bound_host="127.0.0.1", port=3001) is None   # SDKs


@pytest.mark.parametrize("origin", ["http://localhost:5173", "http://127.0.0.1:8080",
                                    "https://app.localhost", "http://[::1]:3000"])
def test_the_endpoint_admits_pages_this_machine_serves(origin: str) -> None:
    """A local dev server's page uploading through a presigned URL, as it would to S3."""
    assert refusal(head(origin=origin), LOOPBACK_ONLY, bound_host="127.0.0.1",
                   port=3001) is None


def test_the_gateway_admits_any_origin_but_not_any_host() -> None:
    assert refusal(head(origin="https://evil.example"), ANY_ORIGIN, bound_host="127.0.0.1",
                   port=3001) is None
    assert refusal(head(host="evil.example:3001"), ANY_ORIGIN, bound_host="127.0.0.1",
                   port=3001) is not None
