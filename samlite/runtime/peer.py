"""Which local user owns the other end of a loopback TCP connection, read from Linux's
socket tables (/proc/net/tcp and /proc/net/tcp6, described in proc(5) and the kernel's
Documentation/networking/proc_net_tcp.rst). No connection is made and nothing is written.

The tables print each address as the kernel holds it: 32-bit words in host byte order, in
hex, then the port in hex; the eighth column is the socket's owner (its creator's uid).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from pathlib import Path

TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))
_UID_COLUMN = 7


def tables_readable(tables: Sequence[Path] = TABLES) -> bool:
    """False where there are no such tables (not Linux): the owner cannot be known."""
    return tables[0].is_file()


def socket_owner(client: tuple[str, int], server: tuple[str, int], *,
                 tables: Sequence[Path] = TABLES) -> int | None:
    """The uid owning the socket at `client` that is connected to `server` (both as a
    server sees them: `getpeername()` and `getsockname()`); None when no table lists it
    (closed meanwhile, or in another network namespace)."""
    clients = _table_forms(client)
    servers = _table_forms(server)
    for table in tables:
        try:
            text = table.read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        for line in text.splitlines()[1:]:
            columns = line.split()
            if len(columns) > _UID_COLUMN and columns[1] in clients \
                    and columns[2] in servers:
                try:
                    return int(columns[_UID_COLUMN])
                except ValueError:
                    return None
    return None


def _table_forms(address: tuple[str, int]) -> frozenset[str]:
    """How an IPv4 or IPv6 address and port appear in the tables; an IPv4 address also as
    the IPv4-mapped IPv6 address an AF_INET6 socket connecting to it shows."""
    host, port = address[0], address[1]
    suffix = f":{port:04X}"
    try:
        packed = socket.inet_pton(socket.AF_INET, host)
    except OSError:
        return frozenset({_words(socket.inet_pton(socket.AF_INET6, host)) + suffix})
    mapped = b"\0" * 10 + b"\xff\xff" + packed
    return frozenset({_words(packed) + suffix, _words(mapped) + suffix})


def _words(packed: bytes) -> str:
    return "".join(f"{int.from_bytes(packed[i:i + 4], sys.byteorder):08X}"
                   for i in range(0, len(packed), 4))
