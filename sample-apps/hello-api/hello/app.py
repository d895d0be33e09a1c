"""hello-api handlers: REST API (payload format 1.0) events in, proxy responses out."""

import json
import os


def _response(status: int, body: dict) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def hello(event, context):
    return _response(200, {"message": f"{os.environ.get('GREETING', 'Hello')}, world"})


def greet(event, context):
    name = (event.get("pathParameters") or {}).get("name", "stranger")
    return _response(200, {"message": f"{os.environ.get('GREETING', 'Hello')}, {name}"})
