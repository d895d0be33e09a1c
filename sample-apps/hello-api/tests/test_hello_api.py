"""hello-api as its users see it: the REST API, the HTTP API, the function URL and a direct
invoke, each against the app samlite runs from ../template.yaml (the samlite_app fixture)."""

import pytest


def test_hello_greets_the_world_by_default(samlite_app):
    response = samlite_app.get("/hello")
    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"message": "Hello, world"}


def test_hello_takes_a_name_from_the_query_string(samlite_app):
    assert samlite_app.get("/hello?name=Ada").json() == {"message": "Hello, Ada"}


def test_greet_takes_the_name_from_the_path(samlite_app):
    assert samlite_app.get("/hello/Grace").json() == {"message": "Hello, Grace"}


def test_hi_answers_on_the_http_api(samlite_app):
    body = samlite_app.get("/hi").json()
    assert body["message"] == "Hello from /hi"
    assert body["requestId"]


def test_hi_answers_on_its_function_url(samlite_app):
    url = samlite_app.function_urls["HiFunction"]
    assert samlite_app.get(url + "anything").json()["message"] == "Hello from /anything"


def test_an_unknown_route_is_not_found(samlite_app):
    assert samlite_app.get("/nope").status in (403, 404)


@pytest.mark.samlite(parameter_overrides={"Greeting": "Howdy"})
def test_the_greeting_parameter_changes_every_reply(samlite_app):
    assert samlite_app.get("/hello/Ada").json() == {"message": "Howdy, Ada"}
    assert samlite_app.get("/hi").json()["message"] == "Howdy from /hi"


def test_a_direct_invoke_returns_the_proxy_response_and_logs(samlite_app):
    result = samlite_app.invoke("GreetFunction", {"pathParameters": {"name": "Lin"}})
    assert result.function_error is None
    assert result.payload["statusCode"] == 200
    assert result.payload["body"] == '{"message": "Hello, Lin"}'
    lines = samlite_app.logs("GreetFunction")
    assert lines[0].startswith("START RequestId: " + result.request_id)
    assert any(line.startswith("REPORT RequestId: " + result.request_id) for line in lines)


def test_a_bad_event_is_the_functions_error(samlite_app):
    result = samlite_app.invoke("HiFunction", {})      # no rawPath: hi() raises KeyError
    assert result.function_error == "Unhandled"
    assert result.payload["errorType"] == "KeyError"
