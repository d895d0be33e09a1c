"""Rule docs for family 6: code and runtimes (validation/checks/code.py, inline_code.py).
61xx are errors under `samlite up` (the code must be there to run) and warnings under
`samlite validate` (a build step may still create it): one entry documents both."""

from __future__ import annotations

from datetime import date

from samlite.validation.rule_docs.model import SAM, RuleDoc

HANDLER = "def handler(event, context):\n    return {\"ok\": True}\n"


def _function(props: str, *, runtime: str = "python3.13", code_uri: str = "src/",
              handler: str = "app.handler") -> str:
    return (SAM + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
            f"    Properties:\n      CodeUri: {code_uri}\n"
            f"      Handler: {handler}\n      Runtime: {runtime}\n" + props)


def _s3_function(runtime: str) -> str:
    return _function("", runtime=runtime, code_uri="s3://my-bucket/fn.zip")


def _layer(content_uri: str) -> str:
    return (SAM + "Resources:\n  Shared:\n    Type: AWS::Serverless::LayerVersion\n"
            f"    Properties:\n      ContentUri: {content_uri}\n"
            "      CompatibleRuntimes: [python3.13]\n")


DOCS: tuple[RuleDoc, ...] = (
    RuleDoc(
        code="E6001", title="Runtime is not a Lambda runtime identifier",
        why="Lambda accepts only the identifiers on its runtimes page (python3.13, "
            "nodejs22.x, java21, provided.al2023, …); CloudFormation fails to create the "
            "function with any other.",
        example=_s3_function("pyhton3.13"), fix=_s3_function("python3.13"),
    ),
    RuleDoc(
        code="E6002", title="Lambda no longer creates functions with this runtime",
        why="After a runtime's \"block function create\" date on Lambda's runtimes page, "
            "CreateFunction refuses it, so a deploy that creates the function fails. "
            "`samlite up` still runs such a function, with a warning; to keep one "
            "deliberately, suppress the code on that function.",
        example=_s3_function("python3.6"), fix=_s3_function("python3.13"),
    ),
    RuleDoc(
        code="W6003", title="The runtime is deprecated",
        why="A deprecated runtime gets no more security patches or support, but new "
            "functions can still be created until its block date, so it is a warning naming "
            "that date and the runtime to move to. (This example is judged as on 2026-01-15: "
            "python3.9 was deprecated on 2025-12-15 and is blocked from 2027-02-01.)",
        example=_s3_function("python3.9"), fix=_s3_function("python3.13"),
        as_of=date(2026, 1, 15),
    ),
    RuleDoc(
        code="E6101", also=("W6101",), title="CodeUri names a local folder that is not there",
        why="`sam build` and `sam package` upload the folder (or .zip/.jar file) CodeUri names, "
            "and fail without it; `samlite up` has nothing to run. `samlite validate` only "
            "warns, as a build step may create it.",
        example=_function(""), fix=_function(""), fix_files={"src/app.py": HANDLER},
    ),
    RuleDoc(
        code="E6102", also=("W6102",), title="A Python Handler is not module.function",
        why="Lambda's Python runtime splits the handler at its last dot into a module to "
            "import and a function to call; without a dot the invocation fails with "
            "Runtime.MalformedHandlerName.",
        example=_function("", handler="handler"), fix=_function(""),
        files={"src/app.py": HANDLER},
    ),
    RuleDoc(
        code="E6103", also=("W6103",), title="The Handler's module is not in the code folder",
        why="Lambda imports the module the handler names from the code folder's root (or "
            "index, for inline code); when it is not there every invocation fails with "
            "Runtime.ImportModuleError.",
        example=_function("", handler="main.handler"), fix=_function(""),
        files={"src/app.py": HANDLER},
    ),
    RuleDoc(
        code="E6104", also=("W6104",),
        title="The Handler's module does not parse or defines no such function",
        why="Lambda imports the module and looks the function up; a syntax error is "
            "Runtime.UserCodeSyntaxError and a missing name Runtime.HandlerNotFound on every "
            "invocation. The module is read with `ast`, never run.",
        example=_function("", handler="app.lambda_handler"), fix=_function(""),
        files={"src/app.py": HANDLER},
    ),
    RuleDoc(
        code="E6105", also=("W6105",), title="A layer's ContentUri names a folder that is not "
                                              "there",
        why="`sam build` packages the layer from that folder and fails without it; "
            "`samlite up` has no layer to give the functions that use it.",
        example=_layer("layers/shared/"), fix=_layer("layers/shared/"),
        fix_files={"layers/shared/python/shared.py": "GREETING = \"hi\"\n"},
    ),
    RuleDoc(
        code="W6106", title="The handler's module uses syntax samlite's Python cannot check",
        why="The module is checked with the Python samlite runs on; syntax newer than that "
            "Python (here `except A, B:` without brackets, new in Python 3.14) cannot be "
            "judged when the function's own Python is not installed, so it is left "
            "unchecked rather than called an error. `samlite up` asks the function's own "
            "Python when it is there.",
        example=_function("", runtime="python3.14"), python_below=(3, 14),
        fix=_function("", runtime="python3.14"),
        files={"src/app.py": "def handler(event, context):\n    try:\n"
                             "        return {\"n\": int(event[\"n\"])}\n"
                             "    except KeyError, ValueError:\n"
                             "        return {\"n\": 0}\n"},
        fix_files={"src/app.py": "def handler(event, context):\n    try:\n"
                                 "        return {\"n\": int(event[\"n\"])}\n"
                                 "    except (KeyError, ValueError):\n"
                                 "        return {\"n\": 0}\n"},
    ),
)
