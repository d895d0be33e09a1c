"""Runs a Lambda runtime's command under debugpy inside a container (`--debug` with
`--runtime docker`). samlite's exec wrapper (environments/container_debug.py) starts it as
`<python> debugpy_launch.py /var/runtime/bootstrap.py`, the command Lambda gives a wrapper:
debugpy, from samlite's cache mounted read-only, listens on the port; the runtime starts
once a debugger has attached and sent its breakpoints (so one in module code is hit too),
and then runs as if started itself.

It runs with the image's Python, not samlite's: standard library only, any Python 3 a Lambda
image has, and no import of samlite.
"""

from __future__ import annotations

import os
import runpy
import sys

DEBUGGER_ATTACHED_MARKER = "\x1esamlite:debugger-attached"   # environments/base.py reads it
PORT_VARIABLE = "_SAMLITE_DEBUGPY_PORT"    # container_debug.py sets them
DIR_VARIABLE = "_SAMLITE_DEBUGPY_DIR"


def main() -> None:
    port = int(os.environ.pop(PORT_VARIABLE))
    folder = os.environ.pop(DIR_VARIABLE)
    sys.path.insert(0, folder)
    try:
        import debugpy
    finally:
        sys.path.remove(folder)   # the function's imports never reach samlite's cache
    debugpy.listen(("127.0.0.1", port))
    sys.stdout.write(f"samlite: debugpy is listening on 127.0.0.1:{port}; the function "
                     "starts when a debugger attaches (docs/debugging.md)\n")
    sys.stdout.flush()
    debugpy.wait_for_client()
    sys.stdout.write(f"{DEBUGGER_ATTACHED_MARKER}\n")
    sys.stdout.flush()
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # noqa: PTH100, PTH120 - as `python script` sets it
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
