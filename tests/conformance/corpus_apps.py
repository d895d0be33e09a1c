"""What the real-app conformance run needs besides samlite: stand-in handlers for apps whose
code is not in the corpus, and messages that pass an event source mapping's filter.

A stand-in handler imports every top-level package its function's requirements name (its own
requirements.txt and its template layers') and prints one line recording what it got, so
the run can tell that a trigger reached it and that its dependencies were importable."""

from __future__ import annotations

import ipaddress
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from samlite.graph.model import Function, Graph

MARK = "SAMLITE-STANDIN "
# Distributions whose import name is not their name with "-" as "_" (PyPI metadata).
IMPORT_NAMES = {"pymysql": "pymysql", "pyyaml": "yaml", "python-dateutil": "dateutil",
                "beautifulsoup4": "bs4", "pillow": "PIL", "scikit-learn": "sklearn"}

STANDIN = '''\
import json

FUNCTION = {function!r}
IMPORTS = {imports!r}
RESULTS = {{}}
for _name in IMPORTS:
    try:
        __import__(_name)
        RESULTS[_name] = "ok"
    except Exception as exc:  # the run reports it; a real handler would fail to import
        RESULTS[_name] = f"{{type(exc).__name__}}: {{exc}}"


def {handler}(event, context):
    records = event.get("Records") if isinstance(event, dict) else None
    source = (records[0].get("eventSource") or records[0].get("EventSource")) if records \\
        else (event.get("source") if isinstance(event, dict) else None)
    path = event.get("rawPath") or event.get("path") if isinstance(event, dict) else None
    print({mark!r} + json.dumps({{"function": FUNCTION, "imports": RESULTS,
                                  "source": source, "path": path}}), flush=True)
    return {{"statusCode": 200, "body": "{{}}", "batchItemFailures": []}}
'''


def requirement_names(requirements: Path) -> list[str]:
    """Import names of the distributions a requirements file names (not its includes)."""
    names = []
    for line in requirements.read_text(encoding="utf-8", errors="replace").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):
            continue
        dist = re.split(r"[\[<>=!~; ]", text, maxsplit=1)[0].lower()
        names.append(IMPORT_NAMES.get(dist, dist.replace("-", "_")))
    return names


def write_standins(graph: Graph, project: Path) -> dict[str, list[str]]:
    """A stand-in at every function's Handler path; function -> the imports it checks.
    A CodeUri that is a .zip gets a zip holding the stand-in, as the real app ships one."""
    layers = {layer.logical_id: layer for layer in graph.layers}
    imports: dict[str, list[str]] = {}
    for fn in graph.functions:
        if fn.inline_code is not None or not fn.handler or "." not in fn.handler \
                or not (fn.runtime or "").startswith("python"):
            continue
        code = project / (fn.code_uri or ".")
        wanted = _requirements_of(fn, code, layers, project)
        module, _, handler = fn.handler.rpartition(".")
        source = STANDIN.format(function=fn.logical_id, imports=wanted, handler=handler,
                                mark=MARK)
        if code.suffix == ".zip":
            code.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(code, "w") as archive:
                archive.writestr(f"{module}.py", source)
        else:
            target = code / f"{module}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source)
        imports[fn.logical_id] = wanted
    return imports


def _requirements_of(fn: Function, code: Path, layers: Mapping[str, Any],
                     project: Path) -> list[str]:
    files = [code / "requirements.txt"] if code.is_dir() else []
    for ref in fn.layers:
        layer = layers.get(ref)
        if layer is not None and layer.content_uri:
            files.append(project / layer.content_uri / "requirements.txt")
    return [name for path in files if path.is_file() for name in requirement_names(path)]


def standin_lines(lines: list[str]) -> list[dict[str, Any]]:
    """The records stand-ins printed, from a function's log lines."""
    found = []
    for line in lines:
        at = line.find(MARK)
        if at >= 0:
            found.append(json.loads(line[at + len(MARK):]))
    return found


# --- a message an event filter lets through ----------------------------------------------------

class _Omit:
    """A key the pattern wants absent ({"exists": false})."""


def example_for(pattern: Mapping[str, Any]) -> dict[str, Any]:
    """A value that `pattern` (EventBridge pattern syntax) matches, built from its first rules;
    the caller checks it with samlite's own matcher."""
    out = {}
    for key, value in pattern.items():
        built = example_for(value) if isinstance(value, dict) else _leaf(value)
        if not isinstance(built, _Omit):
            out[key] = built
    return out


def _leaf(rules: list[Any]) -> Any:
    rule = rules[0] if rules else None
    if not isinstance(rule, dict):
        return rule
    (operator, arg), = rule.items()
    if operator == "prefix":
        return (arg if isinstance(arg, str) else arg.get("equals-ignore-case", "")) + "x"
    if operator == "suffix":
        return "x" + (arg if isinstance(arg, str) else arg.get("equals-ignore-case", ""))
    if operator == "equals-ignore-case":
        return arg
    if operator == "wildcard":
        return arg.replace("*", "x")
    if operator == "exists":
        return "x" if arg else _Omit()
    if operator == "cidr":
        return str(next(ipaddress.ip_network(arg, strict=False).hosts()))
    if operator == "anything-but":
        return "samlite-other" if not isinstance(arg, (int, float)) else -987654321
    if operator == "numeric":
        return _number(arg)
    return None


def _number(arg: list[Any]) -> float:
    low, high = float("-inf"), float("inf")
    for op, value in zip(arg[::2], arg[1::2], strict=False):
        if op == "=":
            return value
        if op in (">", ">="):
            low = value if op == ">=" else value + 0.5
        else:
            high = value if op == "<=" else value - 0.5
    if low != float("-inf"):
        return low
    return high if high != float("inf") else 0


# --- a body a request model accepts ------------------------------------------------------------

def example_body(schema: Mapping[str, Any]) -> Any:
    """A value of JSON Schema draft 4 `schema` (its required members, first enum values,
    minimums); the caller checks it with the same validator the gateway uses."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: example_body(properties.get(name, {}))
                for name in schema.get("required", [])}
    if kind == "array":
        return [example_body(schema.get("items", {}))] * int(schema.get("minItems", 0))
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return True
    return "x" * max(1, int(schema.get("minLength", 1)))
