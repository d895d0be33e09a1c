"""The threaded HTTP/1.1 server behind the local AWS endpoint (`--aws-port`), the gateway and
the dashboard: it binds the port and keeps a pool of threads that each accept a connection
themselves and serve it (connection.py) until it closes. Sockets and threads only.

Binds 127.0.0.1 by default and keeps connections alive (SDKs reuse them). No thread hands a
connection to another: each pooled thread blocks in accept() on the listening socket, the
kernel wakes one per connection, and that thread serves it and goes back to accept(); a wake-up
per connection fewer than an accept loop handing sockets to workers. The pool grows when its
last idle thread takes a connection, so a connection never waits for a thread. Nagle is off
on every connection (with it, each small response waits ~40 ms for a delayed ACK), and reads
and writes time out through the kernel (SO_RCVTIMEO, SO_SNDTIMEO) on blocking sockets, so no
poll() precedes each recv and send.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import logging
import socket
import struct
import sys
import threading
from collections.abc import Iterable, Sequence

from samlite.clock import Clock, SystemClock
from samlite.errors import UsageError
from samlite.http.admission import DEFAULT_HOST, LOOPBACK_ONLY, Admission
from samlite.http.connection import MAX_BODY_BYTES, Connection, Site
from samlite.http.messages import Route
from samlite.thread_affinity import pin_this_thread

__all__ = ["DEFAULT_HOST", "MAX_BODY_BYTES", "Endpoint", "stop_endpoints"]

log = logging.getLogger(__name__)

# Connections the kernel holds for us while the acceptors catch up. socketserver's 5
# made bursts of clients (SDKs, 100 parallel tests) time out or be reset; Linux caps this
# at net.core.somaxconn (4096 by default since 5.4).
LISTEN_BACKLOG = 1024
# A connection that sends nothing for this long is closed: a half-sent request then never
# runs, and an idle one stops holding a thread. An idle acceptor wakes this often too, and
# ends if others are idle.
READ_TIMEOUT_S = 60.0
# Threads kept waiting in accept() for the next connection.
MAX_IDLE_THREADS = 32
# Linux gives an accepted socket the listening socket's options (Nagle, timeouts): set there
# once, not per connection. Elsewhere each connection gets them.
_OPTIONS_INHERITED = sys.platform == "linux"
# How long the kernel holds a connection that has sent nothing before accepting it anyway.
_DEFER_ACCEPT_S = 1
# How long an acceptor waits after accept() failed (no file descriptors left, EMFILE): a
# retry at once would spin.
_ACCEPT_RETRY_S = 0.05


class Endpoint:
    """The server. `bind()` reserves the port (so its URL is known before anything else is
    built), `start()` binds if needed and serves on daemon threads; `stop()` closes the
    listening socket and every open connection, so nothing outlives it."""

    def __init__(self, routes: Sequence[Route] = (), *, host: str = DEFAULT_HOST,
                 port: int = 0, port_flag: str = "--port",
                 admission: Admission = LOOPBACK_ONLY,
                 read_timeout_s: float = READ_TIMEOUT_S, clock: Clock | None = None) -> None:
        """`port_flag` is the command-line option that chose the port, for the error;
        `admission` says which Host names and browser Origins are let in (by default
        loopback names only, and no Origin)."""
        self._routes = list(routes)
        self._port_flag = port_flag
        self._host = host
        self._port = port
        self._admission = admission
        self._read_timeout_s = read_timeout_s
        self._clock = clock or SystemClock()
        self._server: _Server | None = None
        self._started = False

    def add(self, route: Route) -> None:
        """Serve `route` too (routes are tried in the order they were given)."""
        self._routes.append(route)
        if self._server is not None:
            self._server.site = dataclasses.replace(self._server.site,
                                                    routes=tuple(self._routes))

    @property
    def is_bound(self) -> bool:
        return self._server is not None

    @property
    def address(self) -> tuple[str, int]:
        if self._server is None:
            raise RuntimeError("the endpoint is not bound")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        host, port = self.address
        return f"http://{host}:{port}"

    def bind(self) -> None:
        if self._server is not None:
            return
        try:
            server = _Server((self._host, self._port), read_timeout_s=self._read_timeout_s)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {self._port} on {self._host} is already in use; "
                                 f"stop what is using it or choose another with {self._port_flag}"
                                 ) from exc
            raise UsageError(f"cannot listen on {self._host}:{self._port}: "
                             f"{exc.strerror or exc}") from exc
        server.site = Site(routes=tuple(self._routes), admission=self._admission,
                           bound_host=self._host, port=server.server_address[1],
                           clock=self._clock)
        self._server = server

    def start(self) -> None:
        self.bind()
        server = self._server
        if self._started or server is None:
            return
        self._started = True
        server.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        self._started = False
        if server is not None:
            server.close()

    def __enter__(self) -> Endpoint:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_endpoints(endpoints: Iterable[Endpoint], *, wait_s: float = 2.0) -> None:
    """Stop several servers side by side (each waits for its connections to close), each
    given at most `wait_s`."""
    stoppers = [threading.Thread(target=endpoint.stop, daemon=True) for endpoint in endpoints]
    for thread in stoppers:
        thread.start()
    for thread in stoppers:
        thread.join(wait_s)


class _Server:
    """The listening socket, the acceptor pool and the open connections."""

    site: Site   # set by Endpoint.bind once the port is known

    def __init__(self, address: tuple[str, int], *, read_timeout_s: float) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._options = _socket_options(read_timeout_s)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Before listen(): every connection, even the first, is accepted with them.
            if _OPTIONS_INHERITED:
                _set_options(listener, self._options)
            defer_accept = getattr(socket, "TCP_DEFER_ACCEPT", None)
            if defer_accept is not None:
                # Linux: a connection is accepted once its first bytes have come, so its
                # thread wakes once (request in hand) rather than at the handshake and again
                # for the request. One that sends nothing is accepted after the deferral.
                listener.setsockopt(socket.IPPROTO_TCP, defer_accept, _DEFER_ACCEPT_S)
            listener.bind(address)
            listener.listen(LISTEN_BACKLOG)
        except OSError:
            listener.close()
            raise
        self._listener = listener
        self.server_address: tuple[str, int] = listener.getsockname()[:2]
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._idle_changed = threading.Condition(self._lock)
        self._closed = threading.Event()
        self._idle = 0   # acceptors waiting in accept(), or starting to

    def start(self) -> None:
        with self._lock:
            self._idle += 1
        self._spawn()

    def _spawn(self) -> None:
        """Start an acceptor, already counted idle."""
        try:
            threading.Thread(target=self._accept_loop, daemon=True,
                             name=f"endpoint:{self.server_address[1]}").start()
        except RuntimeError as exc:   # no thread to be had: the ones there carry on
            log.warning("endpoint: cannot start another connection thread: %s", exc)
            self._stop_idling()

    def _stop_idling(self) -> None:
        with self._lock:
            self._idle -= 1
            self._idle_changed.notify_all()

    def _accept_loop(self) -> None:
        pin_this_thread()   # threads it starts are pinned like it
        while True:
            try:
                sock, client_address = self._listener.accept()
            except OSError as exc:
                if self._leaves_after(exc):
                    return
                continue
            with self._lock:
                self._idle -= 1
                grow = self._idle == 0
                if grow:
                    self._idle += 1
            if grow:   # the last idle acceptor took this one: another takes the next
                self._spawn()
            self._serve(sock, client_address)
            with self._lock:
                if self._closed.is_set() or self._idle >= MAX_IDLE_THREADS:
                    return
                self._idle += 1

    def _leaves_after(self, exc: OSError) -> bool:
        """Whether an acceptor ends (no longer counted idle) after accept() failed: once the
        server is closed; at an idle wake-up (the read timeout) if another is idle; after any
        other failure (no file descriptors left), never: it waits a little and retries."""
        if self._closed.is_set():
            self._stop_idling()
            return True
        if isinstance(exc, BlockingIOError):
            with self._lock:   # decided and counted at once: two idle ones never both leave
                if self._idle > 1:
                    self._idle -= 1
                    self._idle_changed.notify_all()
                    return True
            return False
        if exc.errno != errno.ECONNABORTED:   # that one is the client's, gone before accept
            log.warning("endpoint: cannot accept a connection: %s", exc)
            self._closed.wait(_ACCEPT_RETRY_S)
        return False

    def _serve(self, sock: socket.socket, client_address: object) -> None:
        connection = Connection(sock, client_address, self)
        try:
            if not _OPTIONS_INHERITED:
                _set_options(sock, self._options)
            if self._track(sock):
                connection.serve()
        except OSError:
            # Clients drop keep-alive connections whenever they like (a reset, a broken
            # pipe): routine, not worth a traceback on the user's terminal.
            log.debug("endpoint: connection from %s ended", client_address, exc_info=True)
        except Exception:
            log.error("endpoint: a request from %s failed", client_address, exc_info=True)
        finally:
            with self._lock:
                self._connections.discard(sock)
            connection.close()

    def _track(self, sock: socket.socket) -> bool:
        """Note an open connection, so that close() ends it; False once closed."""
        with self._lock:
            if self._closed.is_set():
                return False
            self._connections.add(sock)
            return True

    def close(self, *, wait_s: float = 2.0) -> None:
        """Close the listening socket, end every connection, and wait (at most `wait_s`) for
        the idle acceptors to end."""
        with self._lock:
            self._closed.set()
            connections, self._connections = self._connections, set()
        with contextlib.suppress(OSError):
            # Linux wakes the threads blocked in accept() (EINVAL); elsewhere they wake at
            # their next timeout and find the socket closed.
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._idle_changed:
            self._idle_changed.wait_for(lambda: self._idle <= 0, timeout=wait_s)


def _socket_options(read_timeout_s: float) -> tuple[tuple[int, int, int | bytes], ...]:
    seconds = int(read_timeout_s)
    timeval = struct.pack("@ll", seconds, int((read_timeout_s - seconds) * 1_000_000))
    return ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),
            (socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval),
            (socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval))


def _set_options(sock: socket.socket, options: Sequence[tuple[int, int, int | bytes]]) -> None:
    for level, name, value in options:
        sock.setsockopt(level, name, value)
