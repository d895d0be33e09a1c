"""api-gateway-tour as a client sees it: the app runs in-process from ../template.yaml (the
samlite pytest plugin finds it), with real HTTP requests, the real consumer and boto3 against
the local endpoint. Answers are API Gateway's ("Use API Gateway Lambda authorizers", "Request
validation for REST APIs in API Gateway", "Gateway response types for API Gateway")."""

import json

import pytest

ADA = {"Authorization": "Bearer ada-token"}
API_KEY = {"x-api-key": "tourDemoKey0123456789"}      # the template's default ApiKeyValue
SIGNUP = {"email": "ada@example.com", "plan": "pro"}


# --- the Lambda TOKEN authorizer in front of GET /profile -------------------------------------

def test_an_allowed_token_reaches_the_handler_with_the_authorizers_context(samlite_app):
    reply = samlite_app.get("/profile", headers=ADA)
    assert reply.status == 200
    body = reply.json()
    assert (body["user"], body["plan"]) == ("ada", "pro")
    # REST hands the context on next to principalId, every value as a string
    assert body["authorizer"] == {"principalId": "ada", "user": "ada", "plan": "pro"}


@pytest.mark.parametrize("headers", [
    {},                                          # no Authorization header: no call at all
    {"Authorization": "ada-token"},              # refused by the ValidationExpression
    {"Authorization": "Bearer nobody-token"},    # the authorizer raises "Unauthorized"
], ids=["missing", "not a bearer token", "unknown token"])
def test_no_token_or_an_unknown_one_is_401(samlite_app, headers):
    reply = samlite_app.get("/profile", headers=headers)
    assert reply.status == 401
    assert reply.json() == {"message": "Unauthorized"}


def test_a_denied_token_is_403_and_the_handler_never_runs(samlite_app):
    reply = samlite_app.get("/profile", headers={"Authorization": "Bearer bob-token"})
    assert reply.status == 403
    assert reply.json() == {
        "message": "User is not authorized to access this resource with an explicit deny"}
    assert not any(line.startswith("START") for line in samlite_app.logs("ProfileFunction"))


def test_the_authorizers_answer_is_cached_per_token(samlite_app):
    for _ in range(3):
        assert samlite_app.get("/profile", headers=ADA).status == 200
    starts = [line for line in samlite_app.logs("AuthorizerFunction")
              if line.startswith("START")]
    assert len(starts) == 1        # ReauthorizeEvery: 300 keeps the first answer


# --- request validation on POST /signups ------------------------------------------------------

def signup(app, body, headers=None):
    return app.request("POST", "/signups", body=json.dumps(body),
                       headers={"Content-Type": "application/json",
                                **({"x-client-id": "web"} if headers is None else headers)})


def test_a_valid_signup_reaches_the_handler(samlite_app):
    reply = signup(samlite_app, SIGNUP)
    assert reply.status == 201
    assert reply.json() == {"email": "ada@example.com", "plan": "pro", "client": "web"}


@pytest.mark.parametrize("body", [
    {"email": "ada@example.com"},                               # plan is required
    {"email": "ada@example.com", "plan": "platinum"},           # not in the enum
    {"email": "not-an-address", "plan": "free"},                # fails the pattern
    {**SIGNUP, "admin": True},                                  # additionalProperties: false
], ids=["missing plan", "unknown plan", "bad email", "extra property"])
def test_a_body_the_model_refuses_is_400_before_the_handler(samlite_app, body):
    reply = signup(samlite_app, body)
    assert reply.status == 400
    assert reply.json() == {"message": "Invalid request body"}
    assert not any(line.startswith("START") for line in samlite_app.logs("SignupFunction"))


def test_a_missing_required_header_is_400(samlite_app):
    reply = signup(samlite_app, SIGNUP, headers={})
    assert reply.status == 400
    assert reply.json() == {"message": "Missing required request parameters: [x-client-id]"}


# --- the API key on GET /reports --------------------------------------------------------------

def test_the_reports_route_needs_the_api_key(samlite_app):
    assert samlite_app.get("/reports", headers=API_KEY).json()["reports"]
    for headers in ({}, {"x-api-key": "someOtherKeyOfTwentyChars"}):
        reply = samlite_app.get("/reports", headers=headers)
        assert reply.status == 403
        assert reply.json() == {"message": "Forbidden"}


@pytest.mark.samlite(parameter_overrides={"ApiKeyValue": "myOwnKeyValue00000000"})
def test_the_key_is_the_templates_value(samlite_app):
    assert samlite_app.get("/reports", headers=API_KEY).status == 403
    assert samlite_app.get("/reports",
                           headers={"x-api-key": "myOwnKeyValue00000000"}).status == 200


# --- POST /messages: API Gateway -> SQS -> ConsumerFunction -> S3 -----------------------------

def test_a_posted_message_is_queued_and_the_consumer_stores_it(samlite_app):
    reply = samlite_app.request("POST", "/messages", body='{"text": "hello, queue"}',
                                headers={"Content-Type": "application/json"})
    assert reply.status == 200
    message_id = reply.json()["MessageId"]      # SQS's SendMessage answer, passed back

    bucket = samlite_app.bucket_name("MessagesBucket")

    def stored():
        listed = samlite_app.s3.list_objects_v2(Bucket=bucket, Prefix="messages/")
        return [o["Key"] for o in listed.get("Contents", [])]

    assert samlite_app.wait_for(stored) == [f"messages/{message_id}.json"]
    obj = samlite_app.s3.get_object(Bucket=bucket, Key=f"messages/{message_id}.json")
    assert json.loads(obj["Body"].read()) == {
        "messageId": message_id, "body": '{"text": "hello, queue"}', "sentBy": "MessagesApi"}


# --- POST /quotes: a REST `type: aws` integration with mapping templates ----------------------
# "Set up Lambda custom integrations in API Gateway" and "Handle Lambda errors in API Gateway".

def quote(app, body, headers=None):
    return app.request("POST", "/quotes", body=json.dumps(body),
                       headers={"Content-Type": "application/json", **(headers or {})})


def test_the_request_template_shapes_the_event_and_the_response_template_the_answer(
        samlite_app):
    reply = quote(samlite_app, {"symbol": "acme", "quantity": 3, "note": "not passed on"})
    assert reply.status == 200
    assert reply.json() == {"quote": "3 x ACME", "total": "37.50 USD"}
    # the handler's event is only what the template wrote, with API Gateway's request id,
    # which the integration response hands back as a header
    request_id = reply.headers["x-amzn-requestid"]
    assert reply.headers["x-request-id"] == request_id
    [logged] = [line for line in samlite_app.logs("QuoteFunction")
                if line.startswith("quote event")]
    assert json.loads(logged.removeprefix("quote event ")) == {
        "symbol": "acme", "quantity": "3", "currency": "USD", "requestId": request_id}


def test_a_header_reaches_the_event_through_input_params(samlite_app):
    reply = quote(samlite_app, {"symbol": "INITECH", "quantity": 10}, {"X-Currency": "EUR"})
    assert reply.json() == {"quote": "10 x INITECH", "total": "39.90 EUR"}


@pytest.mark.parametrize(("body", "headers", "message"), [
    ({"symbol": "NOPE", "quantity": 1}, {}, "Invalid quote: unknown symbol NOPE"),
    ({"symbol": "ACME", "quantity": 0}, {},
     "Invalid quote: quantity must be a whole number from 1 to 1000"),
    ({"symbol": "ACME"}, {}, "Invalid quote: quantity must be a whole number from 1 to 1000"),
    ({"symbol": "ACME", "quantity": 1}, {"X-Currency": "GBP"},
     "Invalid quote: currency must be one of USD, EUR"),
], ids=["unknown symbol", "zero quantity", "no quantity", "unknown currency"])
def test_a_handler_error_the_selection_pattern_matches_is_a_mapped_400(
        samlite_app, body, headers, message):
    reply = quote(samlite_app, body, headers)
    assert reply.status == 400
    assert reply.json() == {"message": message}


def test_a_body_with_no_template_for_its_content_type_is_415(samlite_app):
    # passthroughBehavior: never
    reply = samlite_app.request("POST", "/quotes", body="symbol=ACME",
                                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 415
    assert reply.json() == {"message": "Unsupported Media Type"}
    assert not any(line.startswith("START") for line in samlite_app.logs("QuoteFunction"))
