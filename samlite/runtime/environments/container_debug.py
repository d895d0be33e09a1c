"""What a container needs to run its function under a debugger (`--debug` with `--runtime
docker`): the folders to mount read-only and the variables to set, decided from the
function; docker.py applies them. The image's own entrypoint and runtime client stay.

- Python: Lambda starts the runtime through AWS_LAMBDA_EXEC_WRAPPER when it is set,
  giving the wrapper the runtime's command, `<python> /var/runtime/bootstrap.py` (Lambda
  developer guide, "Wrapper scripts"). samlite's wrapper runs that command under debugpy
  (runtime/debugpy_launch.py), as SAM CLI does by putting the debugger's arguments before
  /var/runtime/bootstrap.py (samcli/local/docker/lambda_debug_settings.py). debugpy comes
  from samlite's cache, mounted read-only at /var/samlite/debugpy, never in /var/task.
- Node.js: `--inspect-brk` in NODE_OPTIONS, as SAM CLI starts the official images'
  runtime, with a preload (runtime/node_debug_attached.cjs) that marks the attach.

Both listen on 127.0.0.1: containers share the host's network here, so that is the host's
loopback. (SAM CLI listens on 0.0.0.0 inside a bridged container and publishes the port;
0.0.0.0 on the host's network would offer the debugger to every machine that can reach it.)
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from samlite.runtime.spec import FunctionSpec

SUPPORT_DIR = "/var/samlite/debug"       # the wrapper and the launcher or preload
DEBUGPY_DIR = "/var/samlite/debugpy"     # debugpy from samlite's cache
EXEC_WRAPPER = f"{SUPPORT_DIR}/exec-wrapper"
FUNCTION_WRAPPER_VARIABLE = "_SAMLITE_FUNCTION_EXEC_WRAPPER"
FUNCTION_NODE_OPTIONS_VARIABLE = "_SAMLITE_FUNCTION_NODE_OPTIONS"
_RUNTIME_DIR = Path(__file__).resolve().parents[1]
DEBUGPY_LAUNCH = _RUNTIME_DIR / "debugpy_launch.py"
NODE_PRELOAD = _RUNTIME_DIR / "node_debug_attached.cjs"

# Given the runtime's command; runs it under debugpy, through the function's own wrapper
# when it set one (that wrapper then gets the command it would have, debugpy in front).
_WRAPPER_SCRIPT = f"""#!/bin/sh
# samlite --debug: Lambda's runtime command, "<python> /var/runtime/bootstrap.py", under debugpy.
python="$1"
shift
if [ -n "${FUNCTION_WRAPPER_VARIABLE}" ]; then
  export AWS_LAMBDA_EXEC_WRAPPER="${FUNCTION_WRAPPER_VARIABLE}"
  unset {FUNCTION_WRAPPER_VARIABLE}
  exec "$AWS_LAMBDA_EXEC_WRAPPER" "$python" {SUPPORT_DIR}/{DEBUGPY_LAUNCH.name} "$@"
fi
unset AWS_LAMBDA_EXEC_WRAPPER
exec "$python" {SUPPORT_DIR}/{DEBUGPY_LAUNCH.name} "$@"
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerDebugging:
    mounts: tuple[tuple[Path, str], ...]          # (host folder, container path), read-only
    variables: Mapping[str, str] = field(default_factory=dict)   # over the function's own


def container_debugging(spec: FunctionSpec, *, function_variables: Mapping[str, str],
                        support_dir: Path, debugpy_dir: Path | None) -> ContainerDebugging:
    """The mounts and variables that start `spec` (debug_port set, Python or Node.js) under
    its debugger. Writes the support files into `support_dir`, the environment's own
    folder; `debugpy_dir` is debugpy for the image's Python (Python functions only)."""
    if spec.debug_port is None:
        raise ValueError(f"{spec.logical_id} is not started under a debugger")
    support_dir.mkdir(parents=True, exist_ok=True)
    if spec.is_python:
        if debugpy_dir is None:
            raise ValueError(f"{spec.logical_id}: a Python function needs debugpy")
        shutil.copyfile(DEBUGPY_LAUNCH, support_dir / DEBUGPY_LAUNCH.name)
        wrapper = support_dir / Path(EXEC_WRAPPER).name
        wrapper.write_text(_WRAPPER_SCRIPT, encoding="utf-8")
        wrapper.chmod(0o755)
        variables = {"AWS_LAMBDA_EXEC_WRAPPER": EXEC_WRAPPER,
                     "_SAMLITE_DEBUGPY_PORT": str(spec.debug_port),
                     "_SAMLITE_DEBUGPY_DIR": DEBUGPY_DIR,
                     # debugpy's warning about frozen modules, which changes nothing for
                     # breakpoints in the function's code (as process.py sets it)
                     "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        own_wrapper = function_variables.get("AWS_LAMBDA_EXEC_WRAPPER")
        if own_wrapper:
            variables[FUNCTION_WRAPPER_VARIABLE] = own_wrapper
        return ContainerDebugging(mounts=((support_dir, SUPPORT_DIR),
                                          (debugpy_dir, DEBUGPY_DIR)),
                                  variables=variables)
    if spec.is_nodejs:
        shutil.copyfile(NODE_PRELOAD, support_dir / NODE_PRELOAD.name)
        options = (f"--inspect-brk=127.0.0.1:{spec.debug_port} "
                   f"--require {SUPPORT_DIR}/{NODE_PRELOAD.name}")
        own_options = function_variables.get("NODE_OPTIONS", "")
        variables = {"NODE_OPTIONS": f"{options} {own_options}".strip()}
        if own_options:
            variables[FUNCTION_NODE_OPTIONS_VARIABLE] = own_options
        return ContainerDebugging(mounts=((support_dir, SUPPORT_DIR),), variables=variables)
    raise ValueError(f"{spec.logical_id}: samlite debugs Python and Node.js functions, "
                     f"not {spec.runtime}")
