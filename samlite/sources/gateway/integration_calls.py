"""Serves an HTTP API route's AWS service or HTTP proxy integration: makes the call that
integrations.py maps (to the local AWS endpoint in-process, or to the HTTP URL) and passes
its answer back with its status, as API Gateway does. The gateway's own failures answer as
HTTP APIs do (events.HTTP_ERRORS)."""

from __future__ import annotations

from collections.abc import Callable

from samlite.graph.model import Integration, IntegrationKind
from samlite.http.messages import Request, Response
from samlite.sources.gateway.events import (
    HTTP_ERRORS,
    Flavor,
    HttpResponse,
    error_response,
    request_id_header,
)
from samlite.sources.gateway.forward import ForwardFailed, ForwardTimedOut, forward
from samlite.sources.gateway.integrations import (
    MappingError,
    MappingSource,
    MissingSqsParameter,
    eventbridge_request,
    missing_sqs_parameter,
    proxy_request,
    sqs_request,
)

AwsCall = Callable[[Request], Response]     # the local AWS endpoint's SQS wire, in-process
LogSink = Callable[[str, str], None]


class IntegrationCalls:
    def __init__(self, *, aws: AwsCall | None, log: LogSink) -> None:
        self._aws = aws
        self._log = log

    def serve(self, integration: Integration, source: MappingSource, *, limit_s: float,
              label: str) -> HttpResponse:
        """The answer for one request; `label` ("POST /orders") names the route in logs."""
        request_id = source.context.extended_request_id
        try:
            if integration.kind is IntegrationKind.AWS_SERVICE:
                answer = self._call_aws(integration, source, label)
            else:
                answer = forward(proxy_request(integration, source), timeout_s=limit_s)
        except MappingError as exc:
            self._log(label, f"samlite: {integration.describe()}: {exc}; the client gets 400")
            return _error(400, "Bad Request", request_id)
        except ForwardTimedOut as exc:
            self._log(label, f"samlite: {exc}; the client gets {HTTP_ERRORS.timed_out[0]}")
            return _error(*HTTP_ERRORS.timed_out, request_id)
        except (ForwardFailed, _Unavailable) as exc:
            self._log(label, f"samlite: {exc}; the client gets "
                      f"{HTTP_ERRORS.invoke_rejected[0]}")
            return _error(*HTTP_ERRORS.invoke_rejected, request_id)
        header = request_id_header(Flavor.HTTP_V2, request_id)
        return HttpResponse(status=answer.status, headers=(*answer.headers, header),
                            body=answer.body)

    def _call_aws(self, integration: Integration, source: MappingSource,
                  label: str) -> HttpResponse:
        if self._aws is None:
            raise _Unavailable(f"{integration.describe()}: the local AWS endpoint is not "
                               "running, so the integration cannot be called")
        try:
            call = (eventbridge_request(integration, source)
                    if (integration.subtype or "").startswith("EventBridge-")
                    else sqs_request(integration, source))
        except MissingSqsParameter as exc:
            return missing_sqs_parameter(exc.name)
        answer = self._aws(call)
        # The service's answer passes through with its status; only its type header matters.
        kept = tuple((k, v) for k, v in answer.headers if k.lower() == "content-type")
        return HttpResponse(status=answer.status, headers=kept, body=answer.body)


class _Unavailable(Exception):
    pass


def _error(status: int, message: str, request_id: str) -> HttpResponse:
    return error_response(status, message, request_id=request_id, flavor=Flavor.HTTP_V2)
