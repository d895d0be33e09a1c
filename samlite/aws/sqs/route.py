"""SQS on the shared endpoint: claims SQS requests (JSON protocol, `X-Amz-Target:
AmazonSQS.<Action>`; query protocol, an `Action=<SQS action>` form or query string) and
answers them with moto's SQSResponse in-process, the way moto's botocore stubber dispatches a
request, but with the app's account and region whatever the credentials say.

Queue URLs of either form reach the queue: moto takes the name from the URL's last segment,
so the template's https://sqs.<region>.amazonaws.com/<account>/<name> and the local
http://127.0.0.1:<port>/<account>/<name> both work.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from samlite.aws.app_bound import AppBound
from samlite.aws.json_input import refuse_bad_input
from samlite.aws.sqs import limits
from samlite.aws.sqs.model import SqsError
from samlite.http.messages import Request, Response

if TYPE_CHECKING:
    from moto.sqs.models import SQSBackend

# botocore's SQS model (service-2.json, 2012-11-05): every operation name.
SQS_ACTIONS = frozenset({
    "AddPermission", "CancelMessageMoveTask", "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch", "CreateQueue", "DeleteMessage", "DeleteMessageBatch",
    "DeleteQueue", "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks", "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage",
    "RemovePermission", "SendMessage", "SendMessageBatch", "SetQueueAttributes",
    "StartMessageMoveTask", "TagQueue", "UntagQueue",
})
_TARGET_PREFIX = "AmazonSQS."
_FORM = "application/x-www-form-urlencoded"
# The endpoint writes these itself; moto's copies would repeat them.
_SERVER_HEADERS = frozenset({"status", "content-length", "server", "date"})


class SqsRoute:
    def __init__(self, backend: SQSBackend, *, account_id: str, region: str) -> None:
        self._backend = backend
        self._account_id = account_id
        self._region = region

    def handles(self, request: Request) -> bool:
        return is_sqs_request(request)

    def handle(self, request: Request) -> Response:
        from botocore.awsrequest import AWSPreparedRequest, HeadersDict

        target = request.header("x-amz-target")
        if target is not None:   # JSON protocol: a body moto would choke on is refused first
            refused = refuse_bad_input(request, service="sqs", check_required=False,
                                       operation=target.removeprefix(_TARGET_PREFIX))
            if refused is not None:
                return refused

        host = request.header("host") or "127.0.0.1"
        # A request line without a path ("GET  HTTP/1.1") must not run into the host's port.
        path = request.path if request.path.startswith("/") else "/" + request.path
        url = f"http://{host}{path}" + (f"?{request.raw_query}" if request.raw_query else "")
        headers = HeadersDict(request.raw_headers)
        prepared = AWSPreparedRequest(method=request.method, url=url, headers=headers,
                                      body=request.body, stream_output=False)
        answer = _response_class()(self._backend, account_id=self._account_id,
                                   region=self._region)
        status, response_headers, body = answer._dispatch(prepared, url, headers)
        response_headers = {k: str(v) for k, v in dict(response_headers).items()
                            if k.lower() not in _SERVER_HEADERS}
        return Response(status=int(status), headers=tuple(response_headers.items()),
                        body=body.encode() if isinstance(body, str) else bytes(body or b""))


def is_sqs_request(request: Request) -> bool:
    """An SQS request in either protocol. Needs no moto, so asking is cheap."""
    target = request.header("x-amz-target")
    if target is not None:
        return target.startswith(_TARGET_PREFIX)
    return _query_action(request) in SQS_ACTIONS


@functools.cache
def _response_class() -> type[Any]:
    """moto's SQS wire layer bound to one backend, account and region (a class made on
    first use, so importing this module does not import moto)."""
    from moto.core.responses import ActionResult
    from moto.core.utils import camelcase_to_underscores
    from moto.sqs.exceptions import EmptyBatchRequest, MissingParameter, SQSException
    from moto.sqs.responses import SQSResponse

    def not_run_here(self: SQSResponse) -> Any:
        raise SQSException("AWS.SimpleQueueService.UnsupportedOperation",
                           f"samlite does not run {self._get_action()} locally; redrive "
                           "from the dashboard's Queues page (docs/dashboard.md), or "
                           "receive from the dead-letter queue and send again")

    def checked(original: Any) -> Any:
        """The action `original`, after SQS's own MissingParameter check of JSON calls (moto
        would fail inside its model on one without a required member; SDKs never send one)."""

        def action(self: SQSResponse) -> Any:
            # JSON protocol only: the query protocol may name the queue by the URL it posts to.
            if self.headers.get("X-Amz-Target"):
                for member in _required_scalars(self._get_action()):
                    if self._get_param(member) is None:
                        raise MissingParameter(member)
            return original(self)

        return action

    class AppResponse(AppBound, SQSResponse):
        # Message move tasks (DLQ redrive back to the source) are not run here; SDKs get
        # SQS's UnsupportedOperation instead of a 500.
        start_message_move_task = not_run_here
        cancel_message_move_task = not_run_here
        list_message_move_tasks = not_run_here

        @property
        def sqs_backend(self) -> SQSBackend:
            return self._app_backend

        def receive_message(self) -> Any:
            """SQS's range checks first, in SQS's words (moto's repeat botocore's prefix)."""
            try:
                limits.check_receive(
                    max_messages=_optional_int(self._get_param("MaxNumberOfMessages")),
                    wait_s=_optional_int(self._get_param("WaitTimeSeconds")),
                    visibility_timeout=_optional_int(self._get_param("VisibilityTimeout")))
            except SqsError as exc:
                raise SQSException(exc.code, exc.message) from exc
            return SQSResponse.receive_message(self)

        def send_message_batch(self) -> Any:
            """moto's SendMessageBatch, but each failed entry keeps the code and message the
            backend gave it (moto words every failure as a DelaySeconds of 1800)."""
            queue_name = self._get_queue_name()
            queue = self.sqs_backend.get_queue(queue_name)
            entries = self._get_param("Entries", [])
            if not entries:
                raise EmptyBatchRequest()
            keyed = {str(i): {**entry,
                              "MessageAttributes": entry.get("MessageAttributes") or {},
                              "DelaySeconds": entry.get("DelaySeconds")}
                     for i, entry in enumerate(entries)}
            sent, failed = self.sqs_backend.send_message_batch(queue_name, keyed)
            successful = []
            for message in sent:
                result = {"Id": message.user_id, "MessageId": message.id,
                          "MD5OfMessageBody": message.body_md5}
                if message.message_attributes:
                    result["MD5OfMessageAttributes"] = message.attribute_md5
                if queue.fifo_queue:
                    result["SequenceNumber"] = message.sequence_number
                successful.append(result)
            return ActionResult({"Successful": successful, "Failed": failed})

    for operation in SQS_ACTIONS:
        name = camelcase_to_underscores(operation)
        if name in vars(AppResponse) and name not in ("start_message_move_task",
                                                       "cancel_message_move_task",
                                                       "list_message_move_tasks"):
            setattr(AppResponse, name, checked(vars(AppResponse)[name]))
        elif name in vars(SQSResponse) and name not in vars(AppResponse):
            setattr(AppResponse, name, checked(getattr(SQSResponse, name)))
    return AppResponse


@functools.cache
def _required_scalars(operation: str) -> tuple[str, ...]:
    """The required string and number members of an SQS operation, from botocore's model
    (lists and maps are read differently by the two protocols, so moto checks those)."""
    import botocore.session
    from botocore.model import OperationNotFoundError

    try:
        shape = botocore.session.get_session().get_service_model("sqs") \
            .operation_model(operation).input_shape
    except OperationNotFoundError:   # an action botocore does not know: nothing to check
        return ()
    if shape is None:
        return ()
    return tuple(name for name in shape.required_members
                 if shape.members[name].type_name in ("string", "integer", "boolean"))


def _optional_int(value: Any) -> int | None:
    """A numeric parameter as given (JSON number or query string); None when absent."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None   # moto answers a non-number itself


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
