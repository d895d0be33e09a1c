"""The names a Python module defines at its top level, read with `ast` (never imported). Pure.

The handler check (code.py) calls it in-process; app/ also runs this file as a script with
the Python that will run the function (`python3.12 module_names.py app.py` prints one JSON
object), so syntax newer than samlite's own Python is judged by the Python that runs it.
It therefore uses only the standard library and syntax every Lambda Python runtime reads
(annotations are never evaluated, so `set[str] | None` in them is fine on 3.8).
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any


def defined_names(module_file: Path) -> set[str] | str | None:
    """Names bound at the module's top level; a message when it does not parse; None when it
    does `from x import *` (then anything may be defined)."""
    try:
        source = module_file.read_bytes()
    except OSError as exc:
        return str(exc)
    return source_names(source, str(module_file))


def source_names(source: str | bytes, filename: str) -> set[str] | str | None:
    """defined_names for source text (an inline function's code)."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        return f"SyntaxError at line {exc.lineno}: {exc.msg}"
    except ValueError as exc:
        return str(exc)
    names: set[str] = set()
    statements = list(tree.body)
    while statements:
        node = statements.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    return None
                names.add(alias.asname or alias.name.partition(".")[0])
        elif type(node).__name__ == "TypeAlias":   # `type X = ...` (3.12+)
            names.add(node.name.id)  # type: ignore[attr-defined]
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)) \
                or type(node).__name__ == "TryStar":
            # handlers defined under `if`/`try` at top level still end up module globals
            for field in ("body", "orelse", "finalbody"):
                statements.extend(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                statements.extend(handler.body)
    return names


def as_json(result: set[str] | str | None) -> dict[str, Any]:
    if isinstance(result, str):
        return {"error": result}
    return {"names": None if result is None else sorted(result)}


def from_json(data: dict[str, Any]) -> set[str] | str | None:
    error = data.get("error")
    if error is not None:
        return str(error)
    names = data.get("names")
    return None if names is None else {str(name) for name in names}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(as_json(defined_names(Path(sys.argv[1])))) + "\n")
