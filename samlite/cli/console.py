"""What the CLI writes to the console while apps run: function log lines (batched, each
prefixed with its function, coloured on a terminal, or JSON objects) and the progress of
long work. No click: main.py decides which to use from its options."""

from __future__ import annotations

import atexit
import contextlib
import json
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from samlite.thread_affinity import pin_this_thread


class ConsoleProgress:
    """Long work on stderr: a line that counts the seconds on a terminal, else a line when
    it starts and one when it ends (JSON objects under --log-format json)."""

    def __init__(self, *, as_json: bool, live: bool) -> None:
        self._as_json = as_json
        self._live = live and not as_json

    def task(self, label: str) -> contextlib.AbstractContextManager[None]:
        @contextlib.contextmanager
        def run() -> Iterator[None]:
            started = time.monotonic()
            done = threading.Event()
            if self._live:
                def tick() -> None:
                    frames = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
                    n = 0
                    while not done.wait(0.1):
                        n += 1
                        sys.stderr.write(f"\r{frames[n % len(frames)]} {label} "
                                         f"({time.monotonic() - started:.0f} s)")
                        sys.stderr.flush()
                threading.Thread(target=tick, daemon=True).start()
            else:
                self._line(f"{label}...", task=label, state="started")
            ok = False
            try:
                yield
                ok = True
            finally:
                done.set()
                seconds = time.monotonic() - started
                mark, state = ("done", "done") if ok else ("failed", "failed")
                if self._live:
                    sys.stderr.write(f"\r{'✓' if ok else '✗'} {label} ({seconds:.1f} s)\n")
                    sys.stderr.flush()
                else:
                    self._line(f"{label}: {mark} in {seconds:.1f} s", task=label,
                               state=state, seconds=round(seconds, 3))

        return run()

    def _line(self, text: str, **fields: Any) -> None:
        if self._as_json:
            text = json.dumps({"event": "progress", "message": text, **fields})
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


_OWN_LOG = "samlite"       # the log samlite's notes with no function to name go to
_OWN_MARK = "samlite: "


class ConsoleLog:
    """Function log lines to stderr, written in batches: at thousands of requests a second a
    write per line cost more than the invocations. A line waits at most 20 ms; whatever is
    left is written when the command ends."""

    # Foreground colours that read on dark and light terminals; a function keeps its colour.
    _COLORS = (36, 33, 35, 32, 34, 91, 96, 93, 95, 92)

    def __init__(self, *, interval_s: float = 0.02, as_json: bool = False,
                 color: bool = False) -> None:
        self._as_json = as_json
        self._color = color
        self._prefixes: dict[str, str] = {}
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._interval_s = interval_s
        threading.Thread(target=self._flush_loop, name="console", daemon=True).start()
        atexit.register(self.flush)

    def __call__(self, function: str, line: str) -> None:
        if function == _OWN_LOG and line.startswith(_OWN_MARK):
            # samlite's notes start "samlite: " to stand out in a function's log; in its own
            # log the prefix already says so ("samlite | samlite: ..." otherwise).
            line = line[len(_OWN_MARK):]
        if self._as_json:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            text = json.dumps({"time": f"{stamp}Z", "function": function,
                               "message": line.rstrip()}) + "\n"
        else:
            # the prefix made once per function; looked up here, as there are 3 lines a call
            prefix = self._prefixes.get(function) or self._prefix(function)
            text = f"{prefix}{line.rstrip()}\n"
        with self._lock:
            self._lines.append(text)
        if not self._wake.is_set():   # set() takes the event's lock and notifies each time
            self._wake.set()

    def _prefix(self, function: str) -> str:
        prefix = self._prefixes.get(function)
        if prefix is None:
            prefix = f"{function} | "
            if self._color:
                code = self._COLORS[len(self._prefixes) % len(self._COLORS)]
                prefix = f"\x1b[{code}m{function}\x1b[0m | "
            self._prefixes[function] = prefix
        return prefix

    def flush(self) -> None:
        with self._lock:
            text, self._lines = "".join(self._lines), []
        if text:
            sys.stderr.write(text)
            sys.stderr.flush()

    def _flush_loop(self) -> None:
        pin_this_thread()   # woken by every invocation's lines: with the serving threads
        while True:
            self._wake.wait()
            self._wake.clear()
            self.flush()
            time.sleep(self._interval_s)   # the lines of the next 20 ms go in one write
