"""hello-api handlers: API Gateway and function URL events in, proxy responses out."""

import json
import os


def _response(status: int, body: dict) -> dict:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }


def hello(event, context):
    """REST API (payload format 1.0): GET /hello?name=..."""
    name = (event.get("queryStringParameters") or {}).get("name", "world")
    return _response(200, {"message": f"{os.environ.get('GREETING', 'Hello')}, {name}"})


def greet(event, context):
    """REST API: GET /hello/{name}"""
    name = (event.get("pathParameters") or {}).get("name", "stranger")
    return _response(200, {"message": f"{os.environ.get('GREETING', 'Hello')}, {name}"})


def hi(event, context):
    """HTTP API or function URL (payload format 2.0): a plain dict becomes a 200 JSON reply."""
    return {"message": f"{os.environ.get('GREETING', 'Hello')} from {event['rawPath']}",
            "requestId": context.aws_request_id}
