"""Handler modules read by the Python that will run them (the validation layer's
`ModuleParser`): samlite's own when the function's version is samlite's, else that version's
interpreter (found as the process runtime finds it) runs checks/module_names.py on the file,
so valid `f"{d["k"]}"` or `type X = int` in a python3.12 function is never an error. Without
that interpreter, samlite's own reading applies (newer syntax then goes unchecked, with a
note), as validation's pure default does."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from samlite.validation.checks import module_names
from samlite.validation.checks.context import ModuleParser, ParsedModule

SCRIPT = Path(module_names.__file__)
TIMEOUT_S = 30.0


def parser_for_function_pythons(python_for: Callable[[str], str] | None = None) -> ModuleParser:
    """A ModuleParser; `python_for("python3.12")` finds interpreters (default: the process
    runtime's, which falls back to samlite's own Python when that version is missing)."""
    def parse(module_file: Path, python_version: str) -> ParsedModule:
        # Imported here: a big template's code check runs in a forked child
        # (cli/check_shares.py), so the parent never pays for the code check's modules.
        from samlite.validation.checks.code import parse_with_own_python

        ours = parse_with_own_python(module_file, python_version)
        if python_version == f"{sys.version_info.major}.{sys.version_info.minor}":
            return ours
        # What samlite's Python reads, every newer one reads too: starting another
        # interpreter (~40 ms a module) is needed only for older Pythons and for what ours
        # cannot read.
        if ours.error is None and ours.unchecked is None \
                and _version(python_version) > sys.version_info[:2]:
            return ours
        interpreter = (python_for or _process_runtimes_python)(f"python{python_version}")
        if interpreter == sys.executable:   # that version is not on this machine
            return ours
        return _parse_with(interpreter, module_file, python_version)

    return parse


def _process_runtimes_python(runtime: str) -> str:
    """Imported on first need: `samlite validate` of current runtimes never needs it."""
    from samlite.runtime.environments.python import python_for

    return python_for(runtime)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def _parse_with(interpreter: str, module_file: Path, python_version: str) -> ParsedModule:
    import subprocess  # here: most validations never start another interpreter

    try:
        # -I -S: none of the user's environment or site-packages, only the standard library.
        done = subprocess.run([interpreter, "-I", "-S", str(SCRIPT), str(module_file)],
                              capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        result = module_names.from_json(json.loads(done.stdout))
    except (OSError, subprocess.TimeoutExpired, ValueError, AttributeError) as exc:
        return ParsedModule(unchecked=f"Python {python_version} ({interpreter}) could not "
                                      f"read it ({exc})")
    if isinstance(result, str):
        return ParsedModule(error=result)
    return ParsedModule(names=None if result is None else frozenset(result))
