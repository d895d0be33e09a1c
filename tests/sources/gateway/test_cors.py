"""CORS as each service answers it: SAM's REST mock OPTIONS, HTTP API and function URL."""

from __future__ import annotations

import pytest

from samlite.graph.model import Cors
from samlite.sources.gateway.cors import (
    allowed_origin,
    is_preflight,
    managed_preflight,
    rest_preflight,
    with_cors_headers,
)
from samlite.sources.gateway.events import HttpRequest, HttpResponse


def preflight(origin: str = "https://app.example.com") -> HttpRequest:
    return HttpRequest(method="OPTIONS", path="/items", headers=(
        ("Origin", origin), ("Access-Control-Request-Method", "POST")))


def test_rest_mock_options_lists_the_paths_methods_and_options() -> None:
    response = rest_preflight(Cors(allow_origins=("*",)), ["POST", "GET"])
    assert response.status == 200
    assert response.header("Access-Control-Allow-Origin") == "*"
    assert response.header("Access-Control-Allow-Methods") == "GET,OPTIONS,POST"
    assert response.header("Access-Control-Allow-Headers") is None   # only when configured
    assert response.header("Access-Control-Allow-Credentials") is None


def test_rest_mock_options_for_any_lists_every_method() -> None:
    response = rest_preflight(Cors(allow_origins=("https://a.example",), max_age_s=600,
                                   allow_headers=("Content-Type", "X-Key"),
                                   allows_credentials=True), ["ANY"])
    assert response.header("Access-Control-Allow-Methods") == \
        "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    assert response.header("Access-Control-Allow-Origin") == "https://a.example"
    assert response.header("Access-Control-Allow-Headers") == "Content-Type,X-Key"
    assert response.header("Access-Control-Max-Age") == "600"
    assert response.header("Access-Control-Allow-Credentials") == "true"


def test_rest_configured_methods_win() -> None:
    response = rest_preflight(Cors(allow_origins=("*",), allow_methods=("GET",)), ["ANY"])
    assert response.header("Access-Control-Allow-Methods") == "GET"


def test_http_api_preflight_echoes_an_allowed_origin() -> None:
    cors = Cors(allow_origins=("https://app.example.com",), allow_methods=("GET", "POST"),
                allow_headers=("content-type",), max_age_s=300, allows_credentials=True)
    response = managed_preflight(cors, preflight())
    assert response.status == 204
    assert response.header("access-control-allow-origin") == "https://app.example.com"
    assert response.header("access-control-allow-methods") == "GET,POST"
    assert response.header("access-control-allow-headers") == "content-type"
    assert response.header("access-control-max-age") == "300"
    assert response.header("access-control-allow-credentials") == "true"


def test_http_api_preflight_from_another_origin_gets_no_cors_headers() -> None:
    cors = Cors(allow_origins=("https://app.example.com",))
    response = managed_preflight(cors, preflight("https://evil.example"))
    assert (response.status, response.headers) == (204, ())


@pytest.mark.parametrize(("allowed", "origin", "expected"), [
    (("*",), "https://x.example", "*"),
    (("https://*.example.com",), "https://a.example.com", "https://a.example.com"),
    (("https://*.example.com",), "https://example.org", None),
    (("https://A.example",), "https://a.example", "https://a.example"),
    (("*",), None, None),
])
def test_allowed_origin(allowed: tuple[str, ...], origin: str | None,
                        expected: str | None) -> None:
    assert allowed_origin(Cors(allow_origins=allowed), origin) == expected


def test_responses_get_the_configured_headers_and_lose_the_functions() -> None:
    cors = Cors(allow_origins=("*",), expose_headers=("x-total",))
    response = HttpResponse(status=200, headers=(("Access-Control-Allow-Origin", "nope"),
                                                 ("X-Total", "3")), body=b"{}")
    served = with_cors_headers(response, cors, "https://a.example")
    assert served.header("access-control-allow-origin") == "*"
    assert served.header("access-control-expose-headers") == "x-total"
    assert [k for k, _ in served.headers].count("Access-Control-Allow-Origin") == 0
    assert served.header("X-Total") == "3"


def test_only_options_with_origin_and_a_requested_method_is_a_preflight() -> None:
    assert is_preflight(preflight())
    assert not is_preflight(HttpRequest(method="OPTIONS", path="/", headers=(("Origin", "x"),)))
    assert not is_preflight(HttpRequest(method="GET", path="/", headers=(
        ("Origin", "x"), ("Access-Control-Request-Method", "GET"))))
