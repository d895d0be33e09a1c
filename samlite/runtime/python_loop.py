"""Lambda's Python runtime client, as a standalone script a process environment runs: it
imports the handler once (the cold start), then serves invocations over the Runtime API
2018-06-01 until the process ends. Standard library only, never samlite: it must start fast.

What a handler sees follows awslambdaric 3.1.1 (bootstrap.py, lambda_context.py,
lambda_runtime_marshaller.py, lambda_runtime_log_utils.py): error types and wording, the
error document, the context object, JSON encoding and the log format. Additions of ours:
after each invocation that printed something, the line END_MARKER + request id on stdout;
with each outcome, the runtime's peak memory and whether its output pipe is all read.
One file on purpose: a script cannot import neighbours without them meeting the function's.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import re
import socket
import stat
import sys
import time
import traceback

TYPE_CHECKING = False   # not `typing.TYPE_CHECKING`: importing typing costs a cold start
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn

API_PREFIX = "/2018-06-01/runtime"
NEXT_PATH = f"{API_PREFIX}/invocation/next"
END_MARKER = "\x1esamlite:end "   # samlite/runtime/environments/base.py reads it
DEBUGGER_ATTACHED_MARKER = "\x1esamlite:debugger-attached"   # and this one

# awslambdaric's FaultException types.
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
# `--debug` (process.py's DEBUG_PORT_VARIABLE and DEBUG_DIR_VARIABLE, repeated).
DEBUG_PORT_VARIABLE = "_SAMLITE_DEBUGPY_PORT"
DEBUG_DIR_VARIABLE = "_SAMLITE_DEBUGPY_DIR"
# samlite's Runtime API serves only the runtime that shows this environment's secret
# (runtime_api/model.py's TOKEN_HEADER and environments/base.py's RUNTIME_TOKEN_VARIABLE,
# repeated: this script imports nothing).
TOKEN_VARIABLE = "_SAMLITE_RUNTIME_TOKEN"  # noqa: S105 - a name, not the secret
TOKEN_HEADER = "X-Samlite-Runtime-Token"  # noqa: S105 - a name, not the secret
# The runtime's peak memory (its VmHWM, kB) with each outcome it posts, so the service need
# not read it from /proc after every invoke (runtime_api/model.py's PEAK_MEMORY_HEADER).
PEAK_MEMORY_HEADER = "X-Samlite-Peak-Memory-Kb"
# Sent when the output pipe held nothing unread as the outcome was posted, so the service
# need not read the pipe before END (runtime_api/model.py's OUTPUT_DRAINED_HEADER).
OUTPUT_DRAINED_HEADER = "X-Samlite-Output-Drained"
_FIONREAD = 0x541B   # Linux's ioctl: the bytes waiting in a pipe (either end)

# Logged before an init error (awslambdaric's lambda_literals.py), "\r" included.
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)

TEXT_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
JSON_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ERROR_LOG_INDENT = "\u00a0"   # traceback indentation becomes NO-BREAK SPACE, as Lambda logs it
_RESERVED_LOG_FIELDS = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "aws_request_id", "tenant_id",
    "_frame_type",
))
_THIS_FILE = __file__   # frames of ours are cut from stack traces


class Fault(Exception):
    """A failure the runtime itself reports, with Lambda's error type and wording."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class ServerGone(Exception):
    """The Runtime API cannot be reached: the environment is being torn down."""


class NoInvocation(Exception):
    """/next answered without an invocation, which a runtime cannot recover from."""


# --- the Runtime API client ------------------------------------------------------------------

class Invocation:
    __slots__ = ("body", "client_context", "cognito_identity", "content_type", "deadline_ms",
                 "invoked_function_arn", "request_id", "tenant_id", "trace_id")

    def __init__(self, headers: dict[str, str], body: bytes) -> None:
        """`headers`: the /next answer's, names in lower case."""
        header = headers.get
        self.body = body
        self.request_id = header("lambda-runtime-aws-request-id") or ""
        self.trace_id = header("lambda-runtime-trace-id") or None
        self.invoked_function_arn = header("lambda-runtime-invoked-function-arn") or ""
        self.deadline_ms = _int_or_zero(header("lambda-runtime-deadline-ms"))
        self.client_context = header("lambda-runtime-client-context") or None
        self.cognito_identity = header("lambda-runtime-cognito-identity") or None
        self.tenant_id = header("lambda-runtime-aws-tenant-id") or None
        self.content_type = header("content-type") or None


def _int_or_zero(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


class _Unreadable(Exception):
    """The answer was cut off or is not HTTP/1.x: the connection cannot be used again."""


_MAX_LINE = 65536
_MAX_HEADERS = 100


class OutputPipe:
    """The pipe samlite reads this runtime's stdout and stderr from, through a descriptor of
    our own (the handler may close or replace fds 1 and 2; the pipe stays the one samlite
    reads). `drained()`: whether it holds nothing unread (Linux's FIONREAD, either end)."""

    def __init__(self) -> None:
        self._fd: int | None = None
        if sys.platform != "linux":
            return
        try:
            import fcntl  # a small C module; only Linux asks for it

            if stat.S_ISFIFO(os.fstat(1).st_mode) and os.path.sameopenfile(1, 2):
                self._fd, self._ioctl = os.dup(1), fcntl.ioctl
        except OSError:
            self._fd = None

    def drained(self) -> bool:
        if self._fd is None:
            return False
        waiting = bytearray(4)
        try:
            return self._ioctl(self._fd, _FIONREAD, waiting) == 0 and not any(waiting)
        except OSError:
            return False


def _open_status() -> int | None:
    """This process's /proc status, kept open (the runtime is this process for its life)."""
    try:
        return os.open("/proc/self/status", os.O_RDONLY)
    except OSError:
        return None


class RuntimeApi:
    """One keep-alive HTTP/1.1 connection to the Runtime API, reopened if the server closed it.

    A plain socket rather than http.client: a warm invoke is two requests, and http.client's
    email-based header parsing and request building were most of the runtime's own CPU time
    per invoke. The server is samlite's Runtime API, whose answers carry Content-Length; a
    chunked or close-delimited answer is read too."""

    def __init__(self, address: str, token: str = "") -> None:
        host, _, port = address.rpartition(":")
        self._address = (host.strip("[]") or "127.0.0.1", int(port or 80))
        self._sock: socket.socket | None = None
        self._reader: Any = None
        auth = f"{TOKEN_HEADER}: {token}\r\n" if token else ""
        self._fixed = f"Host: {address}\r\n{auth}"
        self._status_fd = _open_status()
        self._output = OutputPipe()

    def next(self) -> Invocation:
        return _invocation(*self._call(self._message("GET", NEXT_PATH)))

    def post_response_then_next(self, request_id: str, body: bytes,
                                content_type: str) -> Invocation:
        """post_response and next in one write (HTTP/1.1 pipelining): the server reads the
        /next right behind the response, so neither side waits for the other in between.
        What the response's answer says is not read (a runtime has no use for it)."""
        posted = self._response_message(request_id, body, content_type)
        try:
            sock = self._sock or self._connect()
            sock.sendall(posted + self._message("GET", NEXT_PATH))
            *_, close = self._read_answer()
        except (OSError, _Unreadable):   # each is retried once, as _call does
            self._close()
            self._call(posted, attempts=1)
            return self.next()
        if close:   # the /next was not read: ask again
            self._close()
            return self.next()
        try:
            status, headers, payload, close = self._read_answer()
        except (OSError, _Unreadable):
            self._close()
            return _invocation(*self._call(self._message("GET", NEXT_PATH), attempts=1))
        if close:
            self._close()
        return _invocation(status, headers, payload)

    def _response_message(self, request_id: str, body: bytes, content_type: str) -> bytes:
        return self._message("POST", f"{API_PREFIX}/invocation/{request_id}/response", body,
                             f"Content-Type: {content_type}\r\n{self._outcome_headers()}")

    def post_error(self, request_id: str, document: bytes, error_type: str) -> None:
        # awslambdaric sends an X-Ray cause header here instead (up to 1 MiB: past what a
        # stdlib server reads, and of no use without X-Ray). The error type is the header the
        # Runtime API documents for /error, so a server need not parse the body for it.
        self._call(self._message("POST", f"{API_PREFIX}/invocation/{request_id}/error",
                                 document, _error_headers(error_type) + self._outcome_headers()))

    def _outcome_headers(self) -> str:
        """What samlite's service takes from the runtime with an outcome instead of asking
        the system itself: its peak memory and whether its output has all been read."""
        return self._peak_memory() + (f"{OUTPUT_DRAINED_HEADER}: 1\r\n"
                                      if self._output.drained() else "")

    def _peak_memory(self) -> str:
        """The PEAK_MEMORY_HEADER line, or nothing where /proc cannot say."""
        if self._status_fd is None:
            return ""
        try:
            status = os.pread(self._status_fd, 8192, 0)
            start = status.index(b"VmHWM:")
            return f"{PEAK_MEMORY_HEADER}: {int(status[start + 6:status.index(b'kB', start)])}\r\n"
        except (OSError, ValueError):
            return ""

    def post_init_error(self, document: bytes, error_type: str) -> None:
        self._call(self._message("POST", f"{API_PREFIX}/init/error", document,
                                 _error_headers(error_type)))

    def _message(self, method: str, path: str, body: bytes | None = None,
                 headers: str = "") -> bytes:
        length = "" if body is None else f"Content-Length: {len(body)}\r\n"
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed}{headers}{length}\r\n"
        return head.encode("latin-1") + (body or b"")

    def _call(self, message: bytes, *, attempts: int = 2) -> tuple[int, dict[str, str], bytes]:
        for attempt in range(1, attempts + 1):
            try:
                sock = self._sock or self._connect()
                sock.sendall(message)
                status, answer, payload, close = self._read_answer()
                if close:
                    self._close()
                return status, answer, payload
            except (OSError, _Unreadable) as exc:
                # A keep-alive connection the server closed fails on first use: retry once on
                # a fresh one. Failing again means the server is gone.
                self._close()
                if attempt == attempts:
                    raise ServerGone(str(exc) or type(exc).__name__) from exc
        raise AssertionError("unreachable")

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(self._address)
        # Nagle's algorithm with delayed ACKs adds ~40-80 ms to every small request.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock, self._reader = sock, sock.makefile("rb")
        return sock

    def _close(self) -> None:
        sock, self._sock = self._sock, None
        reader, self._reader = self._reader, None
        for closeable in (reader, sock):
            if closeable is not None:
                with contextlib.suppress(OSError):
                    closeable.close()

    def _read_answer(self) -> tuple[int, dict[str, str], bytes, bool]:
        """Status, headers (lower-case names), body, and whether the server ends the
        connection after it."""
        reader = self._reader
        while True:
            words = _line(reader).split(None, 2)
            if len(words) < 2 or not words[0].startswith(b"HTTP/1.") or not words[1].isdigit():
                raise _Unreadable("not an HTTP/1.x status line")
            status = int(words[1])
            headers = _read_headers(reader)
            if status != 100:   # an interim answer is followed by the real one
                break
        close = headers.get("connection", "").lower() == "close" or words[0] == b"HTTP/1.0"
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return status, headers, _read_chunked(reader), close
        length = headers.get("content-length")
        if length is None:   # the body runs until the server closes
            return status, headers, reader.read(), True
        if not length.isdigit():
            raise _Unreadable(f"Content-Length {length[:40]!r}")
        body = reader.read(int(length))
        if len(body) < int(length):
            raise _Unreadable("the body was cut off")
        return status, headers, body, close


def _invocation(status: int, headers: dict[str, str], body: bytes) -> Invocation:
    if status != 200 or not headers.get("lambda-runtime-aws-request-id"):
        raise NoInvocation(f"GET {NEXT_PATH} answered {status} "
                           "without a Lambda-Runtime-Aws-Request-Id")
    return Invocation(headers, body)


def _error_headers(error_type: str) -> str:
    # Header values are latin-1 on the wire; a type outside it is sent as UTF-8 bytes, as
    # http.client sent the encoded value before.
    value = error_type.encode().decode("latin-1").replace("\r", "").replace("\n", "")
    return f"Content-Type: application/json\r\n{ERROR_TYPE_HEADER}: {value}\r\n"


def _line(reader: Any) -> bytes:
    line = reader.readline(_MAX_LINE + 1)
    if not line.endswith(b"\n"):
        raise _Unreadable("the answer ended early" if len(line) <= _MAX_LINE else "line too long")
    return line


def _read_headers(reader: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADERS):
        line = _line(reader)
        if line in (b"\r\n", b"\n"):
            return headers
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    raise _Unreadable("too many header lines")


def _read_chunked(reader: Any) -> bytes:
    chunks = []
    while True:
        size_text = _line(reader).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _Unreadable(f"chunk size {size_text[:40]!r}") from None
        if size == 0:
            while _line(reader) not in (b"\r\n", b"\n"):   # trailers
                pass
            return b"".join(chunks)
        chunk = reader.read(size)
        if len(chunk) < size:
            raise _Unreadable("a chunk was cut off")
        chunks.append(chunk)
        _line(reader)


# --- the handler ---------------------------------------------------------------------------

def load_handler(handler: str) -> Callable[[Any, Any], Any]:
    """`module.function`, where the module may be a path (`src/app.handler`), imported as
    awslambdaric's bootstrap does, with its error types and messages."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {exc}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault(BUILT_IN_MODULE_CONFLICT,
                        f"Cannot use built-in module {module_name} as a handler module")
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise Fault(IMPORT_MODULE_ERROR,
                    f"Unable to import module '{module_name}': {exc}") from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise Fault(USER_CODE_SYNTAX_ERROR,
                    f"Syntax error in module '{module_name}': {exc}", trace) from None
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault(HANDLER_NOT_FOUND,
                    f"Handler '{function_name}' missing on module '{module_name}'") from None


# --- the context object --------------------------------------------------------------------

class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: dict[str, Any]) -> None:
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return (f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
                f"cognito_identity_pool_id={self.cognito_identity_pool_id}])")


class Client:
    __slots__ = ("app_package_name", "app_title", "app_version_code", "app_version_name",
                 "installation_id")

    def __init__(self, client: dict[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, client.get(name))

    def __repr__(self) -> str:
        return (f"Client([installation_id={self.installation_id},app_title={self.app_title},"
                f"app_version_name={self.app_version_name},"
                f"app_version_code={self.app_version_code},"
                f"app_package_name={self.app_package_name}])")


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, context: dict[str, Any]) -> None:
        client = context.get("client")
        self.client = None if client is None else Client(client)
        self.custom = context.get("custom")
        self.env = context.get("env")

    def __repr__(self) -> str:
        return f"ClientContext([custom={self.custom},env={self.env},client={self.client}])"


class LambdaContext:
    """The handler's second argument, with every field awslambdaric's has."""

    def __init__(self, invocation: Invocation) -> None:
        environ = os.environ
        self.aws_request_id = invocation.request_id
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a str there
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invocation.invoked_function_arn
        self.tenant_id = invocation.tenant_id
        # The Runtime API passes both as JSON text (Lambda has already decoded the base64
        # X-Amz-Client-Context of the Invoke call).
        client_context = _parse_json_header(invocation.client_context, "Client Context")
        self.client_context = None if client_context is None else ClientContext(client_context)
        self.identity = CognitoIdentity(
            _parse_json_header(invocation.cognito_identity, "Cognito Identity") or {})
        self._deadline_ms = invocation.deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg: object) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (f"LambdaContext([aws_request_id={self.aws_request_id},"
                f"log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},"
                f"function_name={self.function_name},"
                f"memory_limit_in_mb={self.memory_limit_in_mb},"
                f"function_version={self.function_version},"
                f"invoked_function_arn={self.invoked_function_arn},"
                f"client_context={self.client_context},identity={self.identity},"
                f"tenant_id={self.tenant_id}])")


def _parse_json_header(value: str | None, name: str) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except Exception as exc:
        raise Fault(LAMBDA_CONTEXT_UNMARSHAL_ERROR,
                    f"Unable to parse {name} JSON: {exc}") from None


# --- JSON ----------------------------------------------------------------------------------

class _Encoder(json.JSONEncoder):
    """awslambdaric's simplejson encoder in stdlib terms: a Decimal is written as its own
    digits (a NaN one as NaN), bytes inside a response as UTF-8 text.
    Not carried over: simplejson also writes namedtuples as objects (here: arrays)."""

    def __init__(self, *, ensure_ascii: bool) -> None:
        super().__init__(ensure_ascii=ensure_ascii, allow_nan=True)
        self._raw: list[str] = []
        self._token = ""

    def default(self, o: Any) -> Any:
        decimal = sys.modules.get("decimal")   # no Decimal can exist before it is imported
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            if not self._token:
                self._token = f"samlite-decimal-{os.urandom(8).hex()}-"
            self._raw.append(str(o))
            return f"{self._token}{len(self._raw) - 1}"
        if isinstance(o, (bytes, bytearray)):
            return bytes(o).decode("utf-8")
        return super().default(o)

    def encode(self, o: Any) -> str:
        self._raw = []
        text = super().encode(o)
        if not self._raw:
            return text
        quoted = re.escape(json.dumps(self._token, ensure_ascii=self.ensure_ascii)[:-1])
        return re.sub(quoted + r'(\d+)"', lambda m: self._raw[int(m[1])], text)


def _ensure_ascii() -> bool:
    # awslambdaric keeps non-ASCII characters as they are from the python3.12 runtime on.
    runtime = os.environ.get("AWS_EXECUTION_ENV", "")
    _, _, version = runtime.partition("AWS_Lambda_python")
    major, _, minor = version.partition(".")
    try:
        return (int(major), int(minor)) < (3, 12)
    except ValueError:
        return True


def to_json(value: Any) -> str:
    return _Encoder(ensure_ascii=_ensure_ascii()).encode(value)


def marshal_response(value: Any) -> tuple[bytes, str]:
    if isinstance(value, bytes):
        return value, "application/unknown"
    try:
        return to_json(value).encode("utf-8"), "application/json"
    except Exception as exc:
        raise Fault(MARSHAL_ERROR, f"Unable to marshal response: {exc}") from None


def unmarshal_request(body: bytes, content_type: str | None) -> Any:
    if content_type != "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as exc:
        raise Fault(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}") from None


# --- errors --------------------------------------------------------------------------------

def error_document(message: str, error_type: str, trace: list[str] | None,
                   request_id: str = "") -> dict[str, Any]:
    return {"errorMessage": message or "", "errorType": error_type or "",
            "requestId": request_id, "stackTrace": trace or []}


def _user_frames(tb: Any) -> list[tuple[str, int, str, str]]:
    """The traceback without the loop's own leading frames (awslambdaric cuts bootstrap.py)."""
    frames = [(f.filename, f.lineno or 0, f.name, f.line or "") for f in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if frame[0] != _THIS_FILE:
            return frames[index:]
    return frames


def exception_document(exc: BaseException, request_id: str = "") -> dict[str, Any]:
    # Plain tuples, as awslambdaric formats them: the source line without position carets.
    trace = traceback.format_list(_user_frames(exc.__traceback__))   # type: ignore[arg-type]
    return error_document(str(exc), type(exc).__name__, trace, request_id)


def error_log(document: dict[str, Any], *, json_format: bool) -> str:
    """How Lambda's Python runtime logs a failure: `[ERROR] Type: message`, then the
    traceback with its indentation in no-break spaces; or one JSON line in JSON format."""
    if json_format:
        stamp = time.strftime(JSON_DATE_FORMAT, time.gmtime())
        return to_json({"timestamp": stamp, "log_level": "ERROR", **document}) + "\n"
    error_type, message = document.get("errorType"), document.get("errorMessage")
    head = "[ERROR]"
    if error_type:
        head += f" {error_type}"
    if message:
        head += f": {message}" if error_type else f" {message}"
    lines = [head]
    trace = document.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(_ERROR_LOG_INDENT * (len(line) - len(stripped)) + stripped)
    return "\n".join(lines) + "\n"


# --- logging and output --------------------------------------------------------------------

class RequestState:
    """The invocation in progress, for log records (awslambdaric keeps it in module globals)."""

    __slots__ = ("request_id", "tenant_id")

    def __init__(self) -> None:
        self.request_id: str | None = None
        self.tenant_id: str | None = None


class _RequestFilter(logging.Filter):
    def __init__(self, state: RequestState) -> None:
        super().__init__()
        self._state = state

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self._state.request_id or ""
        record.tenant_id = self._state.tenant_id
        return True


class _StdoutHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
            # Lambda keeps each record an event of its own; on a pipe that takes a newline
            # (a record with a traceback does not end in one).
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


class _JsonFormatter(logging.Formatter):
    """AWS_LAMBDA_LOG_FORMAT=JSON: one object per record, with Lambda's field names."""

    def __init__(self) -> None:
        super().__init__(datefmt=JSON_DATE_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc_info = record.exc_info
        fields: dict[str, Any] = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info and exc_info[0] else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": f"{record.pathname}:{record.funcName}:{record.lineno}"
                        if exc_info else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            fields["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED_LOG_FIELDS and key not in fields:
                fields[key] = value
        fields = {key: value for key, value in fields.items() if value is not None}
        return json.dumps(fields, ensure_ascii=False) + "\n"


def log_level_from(value: str | None) -> str:
    """AWS_LAMBDA_LOG_LEVEL as awslambdaric reads it: TRACE means DEBUG."""
    return {"TRACE": "DEBUG"}.get(value or "", value or "").upper()


def setup_logging(state: RequestState, *, json_format: bool, level: str) -> None:
    logging.Formatter.converter = time.gmtime   # Lambda's timestamps are UTC
    handler = _StdoutHandler()
    if json_format:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_LOG_FORMAT, TEXT_DATE_FORMAT))
    handler.addFilter(_RequestFilter(state))
    root = logging.getLogger()
    if level and isinstance(logging.getLevelName(level), int):
        root.setLevel(level)
    root.addHandler(handler)


class Unbuffered:
    """A stream that flushes every write, as Lambda's runtime makes stdout and stderr, so a
    function that is killed mid-invoke has shown all it printed. Remembers whether the last
    write ended a line, so the end marker always starts one."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.at_line_start = True
        self.wrote = False   # since the last end marker

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def write(self, text: str) -> int:
        written = self.stream.write(text)
        self.stream.flush()
        if text:
            self.at_line_start = text.endswith("\n")
            self.wrote = True
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)


# --- the loop ------------------------------------------------------------------------------

class Runtime:
    def __init__(self, api: RuntimeApi, stdout: Unbuffered, stderr: Unbuffered,
                 state: RequestState, *, json_format: bool) -> None:
        self._api = api
        self._stdout = stdout
        self._stderr = stderr
        self._state = state
        self._json_format = json_format

    def init(self, handler_name: str) -> Callable[[Any, Any], Any]:
        try:
            return load_handler(handler_name)
        except Fault as fault:
            document = error_document(fault.message, fault.error_type, fault.trace)
        except Exception as exc:
            document = exception_document(exc)
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
        self._stdout.write(error_log(document, json_format=self._json_format))
        self._flush()
        with contextlib.suppress(ServerGone):
            self._api.post_init_error(to_json(document).encode("utf-8"), document["errorType"])
        sys.exit(1)

    def serve_forever(self, handler: Callable[[Any, Any], Any]) -> NoReturn:
        invocation = self._api.next()
        while True:
            invocation = self.serve_one(handler, invocation)

    def serve_one(self, handler: Callable[[Any, Any], Any],
                  invocation: Invocation) -> Invocation:
        """Run one invocation, post its outcome; the next invocation."""
        request_id = invocation.request_id
        self._state.request_id = request_id
        self._state.tenant_id = invocation.tenant_id
        if invocation.trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = invocation.trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            context = LambdaContext(invocation)
            event = unmarshal_request(invocation.body, invocation.content_type)
            body, content_type = marshal_response(handler(event, context))
        except Fault as fault:
            document = error_document(fault.message, fault.error_type, fault.trace, request_id)
        except Exception as exc:
            document = exception_document(exc, request_id)
        else:
            self._end_output(request_id)
            return self._api.post_response_then_next(request_id, body, content_type)
        self._stdout.write(error_log(document, json_format=self._json_format))
        self._end_output(request_id)
        self._api.post_error(request_id, to_json(document).encode("utf-8"),
                             document["errorType"])
        return self._api.next()

    def _end_output(self, request_id: str) -> None:
        # Before the result is posted, so the service has the whole output by the time it
        # knows the invocation is done. An invocation that printed nothing writes no marker:
        # the service forwards what the pipe holds when the answer comes, and a silent
        # invocation then wakes nothing in samlite to read its output.
        self._flush()
        if not (self._stdout.wrote or self._stderr.wrote):
            return
        self._stdout.write(("" if self._stdout.at_line_start else "\n")
                           + f"{END_MARKER}{request_id}\n")
        self._stdout.wrote = self._stderr.wrote = False

    def _flush(self) -> None:
        for stream in (sys.stdout, sys.stderr, self._stdout, self._stderr):
            with contextlib.suppress(AttributeError, ValueError):   # replaced or closed
                stream.flush()


def attach_debugger() -> None:
    """Under `--debug`: debugpy listens on the port and the handler loads only once a
    debugger has attached, so a breakpoint in module code is hit too. debugpy goes last on
    sys.path: it never shadows a module of the function's."""
    port = os.environ.pop(DEBUG_PORT_VARIABLE, "")
    folder = os.environ.pop(DEBUG_DIR_VARIABLE, "")
    if not port:
        return
    sys.path.append(folder)
    import debugpy

    debugpy.listen(("127.0.0.1", int(port)))
    sys.stdout.write(f"samlite: debugpy is listening on 127.0.0.1:{port}; the function "
                     "starts when a debugger attaches (docs/debugging.md)\n")
    debugpy.wait_for_client()
    sys.stdout.write(f"{DEBUGGER_ATTACHED_MARKER}\n")


def _quiet_exit(code: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):   # the pipe may be gone; exiting regardless
            stream.flush()
    os._exit(code)


def main() -> None:
    script_dir = os.path.dirname(os.path.abspath(_THIS_FILE))  # noqa: PTH100, PTH120 - pathlib costs a cold start
    if sys.path and os.path.abspath(sys.path[0] or ".") == script_dir:  # noqa: PTH100
        # Running a script puts its folder first on sys.path; the function's modules must
        # not meet samlite's (a handler module named `service` would import ours).
        del sys.path[0]
    if sys.flags.no_site:
        # Started with -S so that no site-packages is on sys.path; Lambda's Python still has
        # the builtins site adds (exit, quit, help, ...), and they touch no path.
        import site

        site.setquit()
        site.setcopyright()
        site.sethelper()
    stdout, stderr = Unbuffered(sys.stdout), Unbuffered(sys.stderr)
    sys.stdout, sys.stderr = stdout, stderr
    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
    state = RequestState()
    # Taken out of the environment before the handler loads: its code and its children
    # have no use for it.
    token = os.environ.pop(TOKEN_VARIABLE, "")
    api = RuntimeApi(os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"), token)
    runtime = Runtime(api, stdout, stderr, state, json_format=json_format)
    try:
        setup_logging(state, json_format=json_format,
                      level=log_level_from(os.environ.get("AWS_LAMBDA_LOG_LEVEL")))
        attach_debugger()
        handler = runtime.init(os.environ.get("_HANDLER", ""))
        runtime.serve_forever(handler)
    except KeyboardInterrupt:
        _quiet_exit(130)
    except (ServerGone, BrokenPipeError):
        _quiet_exit(0)
    except NoInvocation as exc:
        sys.stderr.write(f"samlite runtime loop: {exc}\n")
        _quiet_exit(1)


if __name__ == "__main__":
    main()
