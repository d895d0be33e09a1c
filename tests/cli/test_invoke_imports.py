"""A one-shot `samlite invoke` (process runtime) in a fresh interpreter imports only what
running one function needs: it serves no AWS endpoint, gateway or dashboard, so each module
below would be start-up time paid for nothing (issue 20)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# The AWS endpoint (moto and its stack), HTTP serving, Docker, watching, JWTs, Velocity,
# jsonschema (only to phrase a schema error), and click's optional parts.
HEAVY = ("moto", "boto3", "botocore", "werkzeug", "watchdog", "docker", "requests", "urllib3",
         "jwt", "cryptography", "airspeed",
         "regex", "jsonschema", "referencing", "cfn_flip", "click.testing",
         "click.shell_completion", "http.server", "socketserver", "urllib.request", "ssl",
         "samlite.http.server", "samlite.aws.s3", "samlite.aws.sqs", "samlite.aws.access",
         "samlite.sources.gateway", "samlite.sources.alb", "samlite.sources.schedule",
         "samlite.app.aws", "samlite.app.watch", "samlite.dashboard", "samlite.scaffold",
         "samlite.runtime.environments.docker", "samlite.runtime.async_invoke")

PROBE = """
import json, sys
from samlite.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""

HELLO = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python{version}
      CodeUri: src/
      Handler: app.handler
      Events:
        Route:
          Type: HttpApi
          Properties: {{Path: /hello, Method: GET}}
"""


def imported_by_invoke(template: Path) -> tuple[set[str], str]:
    done = subprocess.run([sys.executable, "-c", PROBE, "invoke", "--runtime", "process",
                           "-t", str(template), "--state-dir", str(template.parent / "state")],
                          check=False, capture_output=True, text=True, timeout=120,
                          cwd=template.parent)
    lines = done.stdout.strip().splitlines()
    return set(json.loads(lines[-1])), "\n".join(lines[:-1])


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def hello_app(folder: Path) -> Path:
    """The hello app, on this interpreter's Python, in `folder`: its template."""
    (folder / "src").mkdir()
    (folder / "src" / "app.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'hi'}\n",
        encoding="utf-8")
    template = folder / "template.yaml"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    template.write_text(HELLO.format(version=version), encoding="utf-8")
    return template


def test_a_one_shot_invoke_imports_nothing_it_does_not_run(tmp_path: Path) -> None:
    template = hello_app(tmp_path)
    modules, response = imported_by_invoke(template)
    assert json.loads(response) == {"statusCode": 200, "body": "hi"}   # it did run
    assert heavy(modules) == []


# What `up` of the same app (a route without authorizers or request models, no presigned
# URL yet) would import only for features it does not use (issue 20): the endpoint's SigV4
# check needs botocore only for a presigned URL or a path with dot segments.
UP_UNUSED = ("moto", "boto3", "botocore", "werkzeug", "docker", "requests", "urllib3", "jwt",
             "cryptography", "jsonschema", "referencing", "airspeed")

UP_PROBE = """
import json, sys
from pathlib import Path
from samlite.app.root import App, AppOptions
template, state = Path(sys.argv[1]), Path(sys.argv[2])
options = AppOptions(runtime="process", http_port=0, aws_port=0, state_dir=state)
with App(template, options) as app:
    print(app.invoke("Hello", b"{}").payload.decode())
print(json.dumps(sorted(sys.modules)))
"""


def test_up_of_a_plain_route_imports_no_library_it_does_not_use(tmp_path: Path) -> None:
    template = hello_app(tmp_path)
    done = subprocess.run([sys.executable, "-c", UP_PROBE, str(template), str(tmp_path / "s")],
                          check=False, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    lines = done.stdout.strip().splitlines()
    assert json.loads(lines[0]) == {"statusCode": 200, "body": "hi"}, done.stderr   # it ran
    modules = set(json.loads(lines[-1]))
    assert sorted(m for m in modules
                  if any(m == u or m.startswith(u + ".") for u in UP_UNUSED)) == []
