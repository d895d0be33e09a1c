"""SNS on the shared endpoint: claims SNS requests (query protocol, signed for `sns` or with an
SNS `Action`) and answers them with moto's SNSResponse in-process, over the app's backend,
account and region whatever the credentials say (as aws/sqs/route.py does for SQS)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from samlite.aws.app_bound import AppBound
from samlite.aws.unserved import signed_service
from samlite.aws.wire_errors import Protocol, error_response
from samlite.http.messages import Request, Response

if TYPE_CHECKING:
    from samlite.aws.sns.backend import LocalSnsBackend as SNSBackend

# botocore's SNS model (service-2.json, 2010-03-31): the operations handlers and tools call.
SNS_ACTIONS = frozenset({
    "AddPermission", "ConfirmSubscription", "CreateTopic", "DeleteTopic",
    "GetDataProtectionPolicy", "GetSubscriptionAttributes", "GetTopicAttributes",
    "ListSubscriptions", "ListSubscriptionsByTopic", "ListTagsForResource", "ListTopics",
    "Publish", "PublishBatch", "PutDataProtectionPolicy", "RemovePermission",
    "SetSubscriptionAttributes", "SetTopicAttributes", "Subscribe", "TagResource",
    "Unsubscribe", "UntagResource",
})
# Calls that change what persist.py keeps.
CHANGING_ACTIONS = frozenset({"CreateTopic", "DeleteTopic", "Subscribe", "Unsubscribe",
                              "SetSubscriptionAttributes", "SetTopicAttributes",
                              "ConfirmSubscription"})
_FORM = "application/x-www-form-urlencoded"
_SERVER_HEADERS = frozenset({"status", "content-length", "server", "date"})


class SnsRoute:
    def __init__(self, backend: SNSBackend, *, account_id: str, region: str,
                 on_change: Callable[[], None] = lambda: None) -> None:
        """`on_change` runs after a call that changed topics or subscriptions succeeded."""
        self._backend = backend
        self._account_id = account_id
        self._region = region
        self._on_change = on_change

    def handles(self, request: Request) -> bool:
        return is_sns_request(request)

    def handle(self, request: Request) -> Response:
        from botocore.awsrequest import AWSPreparedRequest, HeadersDict

        try:
            request.body.decode("utf-8")
        except UnicodeDecodeError:
            # A query API's form is text; AWS's common errors name a malformed one so.
            return error_response(request, "sns", status=400, code="MalformedQueryString",
                                  message="The query string contains a syntax error.",
                                  protocol=Protocol.QUERY)
        action = _query_action(request)
        if action not in SNS_ACTIONS:
            # Signed for SNS but no SNS action: moto would fail inside looking it up. The
            # answers are AWS's common errors for query APIs.
            code, message = ("MissingAction", "The request is missing an action or a required "
                             "parameter.") if action is None else \
                ("InvalidAction", "The action or operation requested is invalid. Verify that "
                 "the action is typed correctly.")
            return error_response(request, "sns", status=400, code=code, message=message,
                                  protocol=Protocol.QUERY)
        host = request.header("host") or "127.0.0.1"
        url = f"http://{host}{request.path}" + (f"?{request.raw_query}"
                                                 if request.raw_query else "")
        headers = HeadersDict(request.raw_headers)
        prepared = AWSPreparedRequest(method=request.method, url=url, headers=headers,
                                      body=request.body, stream_output=False)
        answer = _response_class()(self._backend, account_id=self._account_id,
                                   region=self._region)
        status, response_headers, body = answer._dispatch(prepared, url, headers)
        response_headers = {k: str(v) for k, v in dict(response_headers).items()
                            if k.lower() not in _SERVER_HEADERS}
        if int(status) < 300 and action in CHANGING_ACTIONS:
            self._on_change()
        return Response(status=int(status), headers=tuple(response_headers.items()),
                        body=body.encode() if isinstance(body, str) else bytes(body or b""))


def is_sns_request(request: Request) -> bool:
    """Signed for sns, or (unsigned) a query call of an SNS action. Needs no moto."""
    service = signed_service(request)
    if service is not None:
        return service == "sns"
    if request.header("x-amz-target") is not None:
        return False
    return _query_action(request) in SNS_ACTIONS


@functools.cache
def _response_class() -> type[Any]:
    """moto's SNS wire layer bound to one backend, account and region (made on first use, so
    importing this module does not import moto)."""
    from moto.core.responses import ActionResult
    from moto.sns.exceptions import SNSException
    from moto.sns.responses import SNSResponse

    from samlite.aws.sns.backend import unwrapped

    class AppResponse(AppBound, SNSResponse):
        @property
        def backend(self) -> SNSBackend:
            return self._app_backend

        def _transform_message_attributes(self, attributes: dict[str, Any]) -> dict[str, Any]:
            try:
                return dict(super()._transform_message_attributes(attributes))
            except SNSException as exc:
                raise SNSException(*unwrapped(exc)) from exc

        def publish(self) -> Any:
            """SNS API reference, "Publish": a FIFO topic's answer has its SequenceNumber."""
            answer = super().publish()
            result = dict(answer.result)
            sequence = self._app_backend.take_sequence_number(str(result["MessageId"]))
            if sequence is not None:
                result["SequenceNumber"] = sequence
            return ActionResult(result)

        def publish_batch(self) -> Any:
            answer = super().publish_batch()
            result = dict(answer.result)
            for entry in result["Successful"]:
                sequence = self._app_backend.take_sequence_number(str(entry["MessageId"]))
                if sequence is not None:
                    entry["SequenceNumber"] = sequence
            return ActionResult(result)

    return AppResponse


def _query_action(request: Request) -> str | None:
    action = request.query_value("Action")
    if action is not None:
        return action
    content_type = (request.header("content-type") or "").lower()
    if request.method != "POST" or not content_type.startswith(_FORM) or not request.body:
        return None
    try:
        form = parse_qs(request.body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        return None
    values = form.get("Action")
    return values[-1] if values else None
