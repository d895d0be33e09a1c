"""The REST API's handlers. Each sees only what API Gateway hands on: by the time they run,
the authorizer, the request validator and the API key check have already said yes."""

import json


def profile(event, context):
    """GET /profile: who the authorizer said the caller is."""
    authorizer = event["requestContext"]["authorizer"]
    return reply(200, {"user": authorizer["principalId"], "plan": authorizer["plan"],
                       "authorizer": authorizer})


def signup(event, context):
    """POST /signups: the body already matches the Signup model, x-client-id is present."""
    body = json.loads(event["body"])
    return reply(201, {"email": body["email"], "plan": body["plan"],
                       "client": header(event, "x-client-id")})


def reports(event, context):
    """GET /reports: the caller sent an API key API Gateway accepted."""
    return reply(200, {"reports": ["daily-signups", "weekly-revenue"]})


def header(event, name):
    """REST events keep each header's name as the client wrote it (X-Client-Id, x-client-id)."""
    return next(v for k, v in event["headers"].items() if k.lower() == name)


def reply(status, body):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body)}
