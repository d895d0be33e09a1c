"""Which route a request reaches: API Gateway's precedence, ANY, $default, and the misses."""

from __future__ import annotations

from textwrap import dedent

import pytest

from samlite.graph.build import build_graph
from samlite.graph.model import Graph
from samlite.sources.gateway.routes import HTTP_MISS, REST_MISS, Match, Miss, RouteTable
from samlite.template.load import parse_template
from samlite.template.resolve import resolve

HEAD = "Transform: AWS::Serverless-2016-10-31\n"


def graph_of(template: str) -> Graph:
    return build_graph(resolve(parse_template(HEAD + dedent(template), name="template.yaml")))


def function(name: str, events: str) -> str:
    return f"""
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      Events:
{indent(events, 8)}"""


def indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in dedent(text).strip().splitlines())


def table(*functions: str) -> RouteTable:
    return RouteTable.from_graph(graph_of("Resources:" + "".join(functions)))


def api_event(name: str, path: str, method: str, kind: str = "Api") -> str:
    return f"""
{name}:
  Type: {kind}
  Properties:
    Path: "{path}"
    Method: {method}
"""


REST = table(
    function("Exact", api_event("E", "/pets/mine", "get")),
    function("Param", api_event("P", "/pets/{id}", "get") + api_event("Q", "/pets/{id}", "any")),
    function("Greedy", api_event("G", "/{proxy+}", "any")),
    function("Nested", api_event("N", "/pets/{id}/toys/{toy}", "post")),
    function("Root", api_event("R", "/", "get")),
)


@pytest.mark.parametrize(("case", "method", "path", "function", "params"), [
    ("exact path beats a parameter", "GET", "/pets/mine", "Exact", {}),
    ("a parameter beats greedy", "GET", "/pets/7", "Param", {"id": "7"}),
    ("ANY serves the resource's other methods", "DELETE", "/pets/7", "Param", {"id": "7"}),
    ("greedy takes the rest", "GET", "/a/b/c", "Greedy", {"proxy": "a/b/c"}),
    ("nested parameters", "POST", "/pets/7/toys/ball", "Nested", {"id": "7", "toy": "ball"}),
    ("the root is its own resource", "GET", "/", "Root", {}),
    ("parameters are decoded", "GET", "/pets/a%20b", "Param", {"id": "a b"}),
    ("a trailing slash is the same path", "GET", "/pets/mine/", "Exact", {}),
])
def test_rest_precedence(case: str, method: str, path: str, function: str,
                         params: dict[str, str]) -> None:
    found = REST.match(method, path)
    assert isinstance(found, Match), case
    assert (found.route.function, dict(found.path_parameters)) == (function, params)


def test_rest_resource_without_the_method_is_missing_authentication_token() -> None:
    rest = table(function("Fn", api_event("A", "/pets/{id}", "get")),
                 function("Other", api_event("B", "/{proxy+}", "post")))
    assert rest.match("POST", "/pets/1") == REST_MISS
    assert (REST_MISS.status, REST_MISS.message) == (403, "Missing Authentication Token")


def test_greedy_needs_at_least_one_segment() -> None:
    rest = table(function("Fn", api_event("A", "/files/{proxy+}", "any")))
    assert rest.match("GET", "/files") == REST_MISS
    assert isinstance(rest.match("GET", "/files/a"), Match)


HTTP = table(
    function("Items", api_event("A", "/items/{id}", "get", "HttpApi")),
    function("AnyItem", api_event("B", "/items/{id}", "any", "HttpApi")),
    function("Catch", """
        Default:
          Type: HttpApi
    """),
)


def test_http_api_prefers_the_method_then_any_then_default() -> None:
    get = HTTP.match("GET", "/items/1")
    put = HTTP.match("PUT", "/items/1")
    other = HTTP.match("GET", "/elsewhere")
    assert isinstance(get, Match) and get.entry.route_key == "GET /items/{id}"
    assert isinstance(put, Match) and put.route.function == "AnyItem"
    assert isinstance(other, Match) and other.entry.route_key == "$default"
    assert other.route.function == "Catch"


def test_http_api_unknown_route_is_not_found() -> None:
    http = table(function("Fn", api_event("A", "/items", "get", "HttpApi")))
    assert http.match("POST", "/items") == HTTP_MISS
    assert (HTTP_MISS.status, HTTP_MISS.message) == (404, "Not Found")


def test_apis_share_the_port_and_the_first_route_of_a_clash_wins() -> None:
    shared = table(function("First", api_event("A", "/hello", "get")),
                   function("Second", api_event("B", "/hello", "get", "HttpApi")),
                   function("Third", api_event("C", "/v2", "get", "HttpApi")))
    hello, v2 = shared.match("GET", "/hello"), shared.match("GET", "/v2")
    assert isinstance(hello, Match) and hello.route.function == "First"
    assert isinstance(v2, Match) and v2.route.function == "Third"
    assert len(shared.clashes) == 1 and "Second" in shared.clashes[0]


def test_a_miss_with_no_routes_at_all_is_rests() -> None:
    assert isinstance(table().match("GET", "/"), Miss)


def test_resource_at_gives_the_methods_of_the_best_resource() -> None:
    found = REST.resource_at("/pets/7")
    assert found is not None
    assert found[0].logical_id == "ServerlessRestApi"
    assert sorted(found[1]) == ["ANY", "GET"]


def test_a_route_is_found_the_same_after_many_other_paths() -> None:
    for n in range(3000):   # more distinct paths than the table keeps answers for
        assert REST.match("GET", f"/pets/{n}").path_parameters == {"id": str(n)}
    found = REST.match("GET", "/pets/7")
    again = REST.match("GET", "/pets/7")
    assert isinstance(again, Match) and again.route.function == "Param"
    assert dict(again.path_parameters) == {"id": "7"} == dict(found.path_parameters)
    assert REST.match("GET", "/pets/mine").route.function == "Exact"
    assert REST.match("DELETE", "/pets/mine") == REST_MISS   # its resource has GET only
