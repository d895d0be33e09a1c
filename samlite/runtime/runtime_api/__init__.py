"""The Lambda Runtime API (2018-06-01) that execution environments poll. HTTP only: every
request is mapped to one call on the environment's RuntimeBackend (the service's side).

Each environment gets its own listening socket on 127.0.0.1, so it can only ever see its
own function's invocations; one selector thread accepts for all of them, and each
connection is served by its own thread (a runtime keeps one connection open and blocks in
/next). Nagle is off on every connection: with it, a warm invoke costs ~40-88 ms more.
Paths, headers and status codes follow the "Using the Lambda runtime API for custom
runtimes" page and its OpenAPI spec; refusals use its ErrorResponse shape.

The direct hand-off: a /next that finds no work is parked with the backend, and the thread
that has the next invocation (the invoker's) writes it to that connection and reads the
runtime's answer there itself, so a warm invoke wakes no Runtime API thread. The runtime
loops pipeline their answer and the next /next, so the invoker finds that /next already
read and parks it again; other clients' /next is read by the connection's thread.

Only the environment's own runtime is served: on Linux the connecting socket must belong to
samlite's own user (peer.py), and an environment that runs samlite's runtime loop must also
send its secret token (TOKEN_HEADER). Images' runtime clients cannot send one: they turn
AWS_LAMBDA_RUNTIME_API into `host:port` only (awslambdaric's lambda_runtime_client.py hands
it to http.client.HTTPConnection, which takes no path), so for them the port and the owner
check are the guard. One /next at a time per environment. A streamed /response (the
response mode header set) is read chunk by chunk and handed on as it arrives.
"""

from samlite.runtime.runtime_api.hub import RuntimeApiHub, own_user_only
from samlite.runtime.runtime_api.model import (
    ERROR_TYPE_HEADER,
    INIT_ERROR_PATH,
    MAX_BODY_READ,
    NEXT_PATH,
    POLL_SLICE_S,
    PREFIX,
    TOKEN_HEADER,
    DirectPoller,
    NextInvocation,
    NoWork,
    PostOutcome,
    RuntimeApis,
    RuntimeBackend,
)

__all__ = ["ERROR_TYPE_HEADER", "INIT_ERROR_PATH", "MAX_BODY_READ", "NEXT_PATH", "POLL_SLICE_S",
           "PREFIX", "TOKEN_HEADER", "DirectPoller", "NextInvocation", "NoWork", "PostOutcome",
           "RuntimeApiHub", "RuntimeApis", "RuntimeBackend", "own_user_only"]
