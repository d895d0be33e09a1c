"""The Runtime API's listening sockets, one per environment on 127.0.0.1, and the one selector
thread that accepts for all of them; each connection is then served on a thread of its own
(connection.py)."""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import threading

from samlite.runtime import peer
from samlite.runtime.runtime_api.connection import Connection, Endpoint
from samlite.runtime.runtime_api.model import (
    LISTEN_BACKLOG,
    POLL_SLICE_S,
    PeerCheck,
    RuntimeBackend,
)
from samlite.thread_affinity import pin_this_thread

log = logging.getLogger(__name__)


def own_user_only(conn: socket.socket) -> bool:
    """On Linux, whether the connecting socket is samlite's own user's; elsewhere True (the
    token still guards samlite's runtime loop)."""
    if not peer.tables_readable():
        return True
    try:
        owner = peer.socket_owner(conn.getpeername(), conn.getsockname())
    except OSError:
        return False
    return owner == os.geteuid()



class RuntimeApiHub:
    """Listening sockets for many environments' Runtime APIs, served by one accept thread."""

    def __init__(self, *, host: str = "127.0.0.1", peer_check: PeerCheck = own_user_only,
                 poll_slice_s: float = POLL_SLICE_S) -> None:
        self._host = host
        self._peer_check = peer_check
        self._poll_slice_s = poll_slice_s
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._listeners: dict[str, tuple[socket.socket, Endpoint]] = {}
        self._waker_r, self._waker_w = socket.socketpair()
        self._selector.register(self._waker_r, selectors.EVENT_READ, None)
        self._running = True
        self._thread = threading.Thread(target=self._accept_loop, name="runtime-api",
                                        daemon=True)
        self._thread.start()

    def open(self, backend: RuntimeBackend) -> str:
        """A new Runtime API endpoint for one environment; returns its host:port."""
        listener = socket.create_server((self._host, 0), backlog=LISTEN_BACKLOG)
        listener.setblocking(False)
        address = f"{self._host}:{listener.getsockname()[1]}"
        endpoint = Endpoint(backend)
        with self._lock:
            self._listeners[address] = (listener, endpoint)
            self._selector.register(listener, selectors.EVENT_READ, endpoint)
        self._wake()
        return address

    def require_token(self, address: str, token: str) -> None:
        """From now on, requests to `address` must carry TOKEN_HEADER: token."""
        with self._lock:
            entry = self._listeners.get(address)
        if entry is not None:
            entry[1].token = token

    def close(self, address: str) -> None:
        with self._lock:
            entry = self._listeners.pop(address, None)
            if entry is not None:
                self._selector.unregister(entry[0])
                entry[0].close()

    def stop(self) -> None:
        self._running = False
        self._wake()
        self._thread.join(timeout=2)
        with self._lock:
            for listener, _ in self._listeners.values():
                listener.close()
            self._listeners.clear()
        self._waker_r.close()
        self._waker_w.close()
        self._selector.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):   # already stopped
            self._waker_w.send(b"x")

    def _accept_loop(self) -> None:
        pin_this_thread()   # the connections' threads it starts are pinned like it
        while self._running:
            for key, _ in self._selector.select(timeout=1.0):
                if key.data is None:
                    self._waker_r.recv(512)
                    continue
                try:
                    conn, _peer = key.fileobj.accept()  # type: ignore[union-attr]
                except (BlockingIOError, OSError):
                    continue
                conn.setblocking(True)
                threading.Thread(target=self._serve, args=(conn, key.data),
                                 name="runtime-api-conn", daemon=True).start()

    def _serve(self, conn: socket.socket, endpoint: Endpoint) -> None:
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            connection = Connection(conn, endpoint, poll_slice_s=self._poll_slice_s)
            if not self._peer_check(conn):
                connection.refuse_stranger()
                return
            connection.serve()
        except (ConnectionError, OSError):
            pass   # the runtime went away; the service learns that from its process
        except Exception as exc:   # a bug of ours: one line, not a traceback on the terminal
            log.warning("Runtime API: dropped a connection after an unexpected %r", exc)
            log.debug("Runtime API failure", exc_info=True)
        finally:
            conn.close()


