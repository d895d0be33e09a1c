"""Runtimes (deprecation by date) and handler code under a local CodeUri."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from samlite.errors import Problem
from samlite.template.load import parse_template
from samlite.validation.checks.code import CHECKS, check_code, check_runtimes, handler_location
from samlite.validation.checks.context import CheckContext, ModuleParser, ParsedModule

TODAY = date(2026, 11, 25)


def ctx_for(text: str, project: Path, *, code_must_exist: bool = False,
            parse_module: ModuleParser | None = None) -> CheckContext:
    return CheckContext(loaded=parse_template(text, name="template.yaml"), resolved=None,
                        project_dir=project, code_must_exist=code_must_exist,
                        parse_module=parse_module)


def function(props: str, globals_: str = "") -> str:
    lines = "".join(f"      {line}\n" for line in props.splitlines())
    return f"{globals_}Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n" \
           f"    Properties:\n{lines}"


def runtimes(text: str, day: date = TODAY) -> list[Problem]:
    return list(check_runtimes(ctx_for(text, Path()), today=day))


@pytest.mark.parametrize(("runtime", "code"), [
    ("python3.13", None),
    ("python3.9", "W6003"),
    ("python3.11", "E6002"),
    ("nodejs12.x", "E6002"),
    ("nodejs20.x", "E6002"),
    ("python3.99", "E6001"),
], ids=str)
def test_runtime_status(runtime: str, code: str | None) -> None:
    problems = runtimes(function(f"Handler: app.handler\nRuntime: {runtime}\nCodeUri: s3://b/k"))
    assert [p.code for p in problems] == ([code] if code else [])


def test_runtime_messages() -> None:
    blocked, = runtimes(function("Runtime: python3.7"))
    assert "Lambda no longer creates functions with python3.7 (blocked since 2024-01-09)" \
        in blocked.message
    assert "move to python3.13" in blocked.message
    deprecated, = runtimes(function("Runtime: python3.9"))
    assert "python3.9 is deprecated since 2025-12-15" in deprecated.message
    unknown, = runtimes(function("Runtime: pyhton3.12"))
    assert "did you mean \"python3.12\"?" in unknown.message


def test_runtime_judged_on_the_day_given() -> None:
    text = function("Runtime: python3.11")
    assert runtimes(text, date(2026, 1, 1)) == []
    assert [p.code for p in runtimes(text, date(2026, 7, 1))] == ["W6003"]


def test_runtime_from_globals_points_at_globals() -> None:
    problem, = runtimes(function("Handler: app.handler", "Globals:\n  Function:\n"
                                                         "    Runtime: python3.7\n"))
    assert problem.path == "Globals.Function.Runtime"
    assert problem.resource == "Fn"


def test_image_functions_have_no_runtime_to_check() -> None:
    assert runtimes(function("PackageType: Image\nRuntime: python2.7\nImageUri: x")) == []


@pytest.mark.parametrize(("handler", "location"), [
    ("app.lambda_handler", ("app", "lambda_handler")),
    ("pkg.mod.fn", ("pkg/mod", "fn")),
    ("src/lambda-start.lambda_handler", ("src/lambda-start", "lambda_handler")),
    ("handler", None),
    (".fn", None),
    ("app.", None),
], ids=str)
def test_handler_location(handler: str, location: tuple[str, str] | None) -> None:
    assert handler_location(handler) == location


def code(tmp_path: Path, props: str, *, files: dict[str, str] | None = None,
         must_exist: bool = False, globals_: str = "",
         parse_module: ModuleParser | None = None) -> list[Problem]:
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    ctx = ctx_for(function(props, globals_), tmp_path, code_must_exist=must_exist,
                  parse_module=parse_module)
    return list(check_code(ctx))


PY = "Runtime: python3.12\n"
OWN_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"   # samlite's own Python
OWN = f"Runtime: python{OWN_VERSION}\n"


@pytest.mark.parametrize(("props", "files"), [
    (PY + "CodeUri: src\nHandler: app.handler", {"src/app.py": "def handler(e, c): pass"}),
    (PY + "CodeUri: src/\nHandler: app.handler", {"src/app.py": "async def handler(e, c): ..."}),
    (PY + "CodeUri: src\nHandler: pkg.mod.fn", {"src/pkg/mod.py": "fn = lambda e, c: 1"}),
    (PY + "CodeUri: src\nHandler: pkg.fn", {"src/pkg/__init__.py": "from .impl import fn"}),
    (PY + "CodeUri: src\nHandler: app.handler", {"src/app.py": "from x import *"}),
    (PY + "CodeUri: src\nHandler: app.handler",
     {"src/app.py": "try:\n    import fast as handler\nexcept ImportError:\n"
                    "    def handler(e, c): pass\n"}),
    (PY + "CodeUri: src\nHandler: app.handler",
     {"src/app.py": "from powertools import handler as h\nhandler: object = h\n"}),
    (PY + "Handler: src/lambda-start.lambda_handler",
     {"src/lambda-start.py": "def lambda_handler(e, c): pass"}),
    (PY + "Handler: app.handler", {"app.py": "def handler(e, c): pass"}),
    (PY + "CodeUri: s3://bucket/key.zip\nHandler: app.handler", {}),
    (PY + "CodeUri: {Bucket: b, Key: k}\nHandler: app.handler", {}),
    (PY + "CodeUri: !Ref Code\nHandler: app.handler", {}),
    (PY + "InlineCode: 'def handler(e, c): pass'\nHandler: index.handler", {}),
    ("Runtime: nodejs22.x\nCodeUri: src\nHandler: app.handler", {"src/app.js": ""}),
    (PY + "CodeUri: dist/app.zip\nHandler: app.handler", {"dist/app.zip": "PK"}),
], ids=["def", "async-def", "dotted-module", "package-import", "star-import", "try-import",
        "annotated-assignment", "slash-handler", "no-codeuri", "s3", "bucket-key", "intrinsic",
        "inline", "not-python", "zip"])
def test_code_that_is_there_passes(tmp_path: Path, props: str, files: dict[str, str]) -> None:
    assert code(tmp_path, props, files=files) == []


@pytest.mark.parametrize(("props", "files", "code_", "message_part"), [
    (PY + "CodeUri: src\nHandler: app.handler", {}, "6101", "CodeUri 'src': no such folder src"),
    (PY + "CodeUri: dist/app.zip\nHandler: app.handler", {}, "6101", "no such file dist/app.zip"),
    (PY + "CodeUri: src\nHandler: ap.handler", {"src/app.py": "def handler(e, c): pass"},
     "6103", "no module 'ap' (ap.py) in src (did you mean \"app\"?)"),
    (PY + "CodeUri: src\nHandler: app.handle", {"src/app.py": "def handler(e, c): pass"},
     "6104", "src/app.py defines no 'handle' (did you mean \"handler\"?)"),
    (OWN + "CodeUri: src\nHandler: app.handler", {"src/app.py": "def handler(e, c)\n"},
     "6104", f"cannot be parsed by Python {OWN_VERSION} (SyntaxError at line 1"),
    (PY + "CodeUri: src\nHandler: handler", {"src/app.py": ""}, "6102", "module.function"),
    (PY + "CodeUri: src\nHandler: app.handler",
     {"src/app.py": "def main():\n    def handler(e, c): pass\n"}, "6104", "defines no"),
], ids=["missing-folder", "missing-zip", "module-typo", "function-typo", "syntax-error",
        "no-dot", "nested-def"])
def test_missing_code_is_a_warning(tmp_path: Path, props: str, files: dict[str, str],
                                   code_: str, message_part: str) -> None:
    problem, = code(tmp_path, props, files=files)
    assert problem.code == f"W{code_}"
    assert message_part in problem.message
    assert problem.resource == "Fn"


def test_missing_code_is_an_error_when_code_must_exist(tmp_path: Path) -> None:
    problem, = code(tmp_path, PY + "CodeUri: src\nHandler: app.handler", must_exist=True)
    assert problem.code == "E6101"


def test_codeuri_and_handler_from_globals(tmp_path: Path) -> None:
    globals_ = "Globals:\n  Function:\n    CodeUri: src\n    Handler: app.nope\n"
    problem, = code(tmp_path, PY, files={"src/app.py": "def handler(e, c): pass"},
                    globals_=globals_)
    assert problem.path == "Globals.Function.Handler"


def test_layer_content_folder_missing(tmp_path: Path) -> None:
    text = "Resources:\n  Deps:\n    Type: AWS::Serverless::LayerVersion\n" \
           "    Properties:\n      ContentUri: layers/deps\n"
    problem, = check_code(ctx_for(text, tmp_path))
    assert (problem.code, problem.resource) == ("W6105", "Deps")
    (tmp_path / "layers" / "deps").mkdir(parents=True)
    assert list(check_code(ctx_for(text, tmp_path))) == []


def test_checks_are_registered() -> None:
    assert (check_runtimes, check_code) == CHECKS


NEWER_SYNTAX = 'd = {"k": 1}\ntype Handler = object\n\ndef handler(e, c):\n    return f"{d["k"]}"\n'


def test_syntax_newer_than_samlites_python_is_never_an_error(tmp_path: Path) -> None:
    """python3.13 code checked by samlite's own Python (3.11 or later): parsed when that
    Python can, else left unchecked with the reason, never an error."""
    problems = code(tmp_path, "Runtime: python3.13\nCodeUri: src\nHandler: app.handler",
                    files={"src/app.py": NEWER_SYNTAX}, must_exist=True)
    assert not [p for p in problems if p.is_error]
    if sys.version_info < (3, 12):
        problem, = problems
        assert problem.code == "W6106"
        assert "src/app.py was not checked: Python 3.11 (samlite's) reads it as SyntaxError" \
            in problem.message
        assert "Python 3.13, which runs it, is not on this machine" in problem.message


def test_the_injected_parser_reads_the_handler_with_the_functions_python(tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []

    def function_python(module_file: Path, version: str) -> ParsedModule:
        asked.append((module_file.name, version))
        return ParsedModule(error="SyntaxError at line 4: invalid syntax")

    problem, = code(tmp_path, "Runtime: python3.9\nCodeUri: src\nHandler: app.handler",
                    files={"src/app.py": "def handler(e, c):\n    match e:\n        case _: 1\n"},
                    must_exist=True, parse_module=function_python)
    assert asked == [("app.py", "3.9")]
    assert (problem.code, problem.message) == (
        "E6104", "Handler 'app.handler': src/app.py cannot be parsed by Python 3.9 "
                 "(SyntaxError at line 4: invalid syntax), so Lambda could not import it")
