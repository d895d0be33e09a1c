"""The pytest plugin as its users meet it: test files written against `samlite_app` and
`samlite_app_factory`, run by pytest (pytester), with their outcomes and output checked."""

from __future__ import annotations

import sys
from pathlib import Path

# Kept imported here: pytester forgets the modules an inner run imports, and every inner run
# would otherwise import samlite's app, its S3 and SQS (moto) and boto3 again.
import boto3  # noqa: F401
import pytest

import samlite.app.root
import samlite.aws.s3.service
import samlite.aws.sqs.service
import samlite.runtime.environments.python

pytest_plugins = ["pytester"]

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: Hello
Resources:
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.echo
      Environment:
        Variables:
          GREETING: !Ref Greeting
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /echo
            Method: get
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(0 3 * * ? *)
  Uploads:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
"""

HANDLER = """\
import os

def echo(event, context):
    print("echo got", event.get("rawPath") or event.get("source") or event)
    return {"greeting": os.environ["GREETING"], "event": event}
"""


def write_app(folder: Path, greeting: str = "Hello") -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text(HANDLER)
    (folder / "template.yaml").write_text(
        TEMPLATE.replace("Default: Hello", f"Default: {greeting}"))
    return folder / "template.yaml"


def run(pytester: pytest.Pytester, source: str, *, subprocess: bool = False) -> pytest.RunResult:
    """Write `source` as tests/test_app.py (below the app of pytester's folder) and run it."""
    tests = pytester.path / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "test_app.py").write_text(source)
    runner = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    return runner(str(tests), "-p", "no:cacheprovider")


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    return write_app(pytester.path)


def test_the_plugin_is_registered_through_the_pytest11_entry_point(
        request: pytest.FixtureRequest) -> None:
    assert request.config.pluginmanager.has_plugin("samlite")


def test_samlite_app_runs_the_nearest_template(pytester: pytest.Pytester, project: Path) -> None:
    result = run(pytester, """
def test_http_and_invoke(samlite_app):
    reply = samlite_app.get("/echo?x=1")
    assert reply.status == 200
    assert reply.json()["event"]["rawQueryString"] == "x=1"
    result = samlite_app.invoke("Echo", {"n": 1})
    assert result.function_error is None
    assert result.payload == {"greeting": "Hello", "event": {"n": 1}}
    assert "START RequestId: " + result.request_id in result.logs
""")
    result.assert_outcomes(passed=1)


def test_invocations_lists_what_ran_with_its_trigger(pytester: pytest.Pytester,
                                                     project: Path) -> None:
    result = run(pytester, """
def test_invocations(samlite_app):
    samlite_app.get("/echo")
    result = samlite_app.invoke("Echo", {"n": 2})
    http, direct = samlite_app.invocations(function="Echo")
    assert http.trigger == "GET /echo" and http.is_cold
    assert (direct.request_id, direct.trigger, direct.status) == (result.request_id, "test", "ok")
    assert any(line.startswith("REPORT RequestId: ") for line in direct.log_lines)
    assert samlite_app.invocations(function="Nope") == []
""")
    result.assert_outcomes(passed=1)


def test_the_marker_names_the_template_and_its_options(pytester: pytest.Pytester,
                                                       project: Path) -> None:
    write_app(pytester.path / "other", greeting="Other")
    result = run(pytester, """
import pytest

@pytest.mark.samlite(template="../other/template.yaml")
def test_other(samlite_app):
    assert samlite_app.invoke("Echo").payload["greeting"] == "Other"

@pytest.mark.samlite(parameter_overrides={"Greeting": "Howdy"}, region="eu-west-1")
def test_options(samlite_app):
    assert samlite_app.invoke("Echo").payload["greeting"] == "Howdy"
    assert samlite_app.region == "eu-west-1"

@pytest.mark.samlite(env_vars={"Echo": {"GREETING": "Yo"}})
def test_env_vars(samlite_app):
    assert samlite_app.get("/echo").json()["greeting"] == "Yo"

@pytest.mark.samlite(colour="red")
def test_unknown_option(samlite_app):
    pass
""")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["*samlite: unknown option(s) colour; known: region,*"])


def test_the_ini_option_names_the_template(pytester: pytest.Pytester) -> None:
    write_app(pytester.path / "apps" / "b", greeting="FromIni")
    pytester.makeini("[pytest]\nsamlite_template = apps/b/template.yaml\n")
    result = run(pytester, """
def test_ini(samlite_app):
    assert samlite_app.invoke("Echo").payload["greeting"] == "FromIni"
""")
    result.assert_outcomes(passed=1)


def test_the_iam_ini_option_sets_the_mode_and_the_marker_wins(pytester: pytest.Pytester,
                                                               project: Path) -> None:
    pytester.makeini("[pytest]\nsamlite_iam = enforce\n")
    result = run(pytester, """
import pytest

def test_ini(samlite_app):
    assert samlite_app.app.options.iam == "enforce"

@pytest.mark.samlite(iam="off")
def test_marker(samlite_app):
    assert samlite_app.app.options.iam == "off"
""")
    result.assert_outcomes(passed=2)


def test_a_failing_tests_log_says_the_iam_mode_and_where_it_came_from(
        pytester: pytest.Pytester, project: Path) -> None:
    pytester.makeini("[pytest]\nsamlite_iam = enforce\n")
    result = run(pytester, """
import pytest

def test_ini(samlite_app):
    assert False

@pytest.mark.samlite(iam="off")
def test_marker(samlite_app):
    assert False
""")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*Captured samlite log call*",
        "samlite | IAM: enforce (from samlite_iam in tox.ini; enforce|warn|off, docs/iam.md)",
        "*Captured samlite log call*",
        "samlite | IAM: off (from @pytest.mark.samlite(iam=...); enforce|warn|off, "
        "docs/iam.md)"])


def test_no_template_anywhere_fails_with_what_to_do(pytester: pytest.Pytester) -> None:
    result = run(pytester, "def test_none(samlite_app):\n    pass\n")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*samlite: no template.yaml in * or above; pass "
                                 "@pytest.mark.samlite(template=...) or set samlite_template*"])


def test_a_template_with_errors_fails_the_test_with_its_problems(pytester: pytest.Pytester,
                                                                 project: Path) -> None:
    (pytester.path / "src" / "app.py").unlink()
    result = run(pytester, "def test_broken(samlite_app):\n    pass\n")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*samlite could not start *template.yaml:", "*Echo*"])


def test_wait_for_returns_the_value_or_fails_naming_the_condition(pytester: pytest.Pytester,
                                                                  project: Path) -> None:
    result = run(pytester, """
def test_found(samlite_app):
    samlite_app.invoke("Echo")
    assert samlite_app.wait_for(lambda: samlite_app.logs("Echo"))[0].startswith("START")

def test_times_out(samlite_app):
    samlite_app.wait_for(lambda: samlite_app.logs("Echo"), timeout_s=0.1)

def test_times_out_with_a_message(samlite_app):
    samlite_app.wait_for(lambda: 0, timeout_s=0.05, message="the report to be written")
""")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*AssertionError: wait_for: `samlite_app.wait_for(lambda: samlite_app.logs(\"Echo\"), "
        "timeout_s=0.1)` (test_app.py:7) was still false after 0.1 s (last value: [])",
        "*AssertionError: wait_for: the report to be written was still false after 0.05 s "
        "(last value: 0)"])


def test_logs_hold_every_line_a_function_wrote(pytester: pytest.Pytester,
                                               project: Path) -> None:
    result = run(pytester, """
def test_logs(samlite_app):
    assert samlite_app.logs("Echo") == []
    first = samlite_app.invoke("Echo", {"a": 1}).request_id
    second = samlite_app.get("/echo").json()
    lines = samlite_app.logs("Echo")
    assert lines[0].startswith("START RequestId: " + first)
    assert any("echo got {'a': 1}" in line for line in lines)
    assert any("echo got /echo" in line for line in lines)
    assert [line.split()[0] for line in lines if line.startswith(("START", "END", "REPORT"))] \\
        == ["START", "END", "REPORT"] * 2

def test_a_failing_test_shows_the_log(samlite_app):
    samlite_app.invoke("Echo", {"shown": True})
    assert False
""")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Captured samlite log call*",
                                 "samlite | Runtime: process (the pytest plugin's default); "
                                 '@pytest.mark.samlite(runtime="docker") runs them in '
                                 'Lambda\'s images, @pytest.mark.samlite(runtime="auto") in '
                                 "Docker when the engine answers and every image is here",
                                 "Echo | START RequestId: *",
                                 "Echo | echo got {'shown': True}*"])


def test_boto3_clients_talk_to_the_apps_endpoint(pytester: pytest.Pytester,
                                                 project: Path) -> None:
    result = run(pytester, """
import json

def test_clients(samlite_app):
    bucket = samlite_app.bucket_name("Uploads")
    samlite_app.s3.put_object(Bucket=bucket, Key="a.txt", Body=b"hi")
    assert samlite_app.s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read() == b"hi"
    assert samlite_app.s3.meta.endpoint_url == samlite_app.endpoint_url

    samlite_app.sqs.send_message(QueueUrl=samlite_app.queue_url("Jobs"), MessageBody="job")
    got = samlite_app.sqs.receive_message(QueueUrl=samlite_app.queue_url("Jobs"))
    assert [m["Body"] for m in got["Messages"]] == ["job"]

    reply = samlite_app.lambda_.invoke(FunctionName="Echo", Payload=b'{"k": 2}')
    assert json.loads(reply["Payload"].read())["event"] == {"k": 2}

def test_trigger_fires_a_schedule_now(samlite_app):
    request_id = samlite_app.trigger("EchoNightly")
    lines = samlite_app.wait_for(
        lambda: [l for l in samlite_app.logs("Echo") if l.startswith("REPORT")])
    assert request_id in lines[0]
    assert any("echo got aws.scheduler" in l for l in samlite_app.logs("Echo"))
""")
    result.assert_outcomes(passed=2)


def test_the_factory_runs_two_apps_in_one_test(pytester: pytest.Pytester, project: Path) -> None:
    write_app(pytester.path / "second", greeting="Second")
    result = run(pytester, """
def test_two(samlite_app_factory):
    first = samlite_app_factory()
    second = samlite_app_factory("../second/template.yaml", parameter_overrides={})
    assert first.url != second.url and first.endpoint_url != second.endpoint_url
    assert first.get("/echo").json()["greeting"] == "Hello"
    assert second.get("/echo").json()["greeting"] == "Second"
    first.s3.put_object(Bucket=first.bucket_name("Uploads"), Key="only-first", Body=b"1")
    listed = second.s3.list_objects_v2(Bucket=second.bucket_name("Uploads"))
    assert listed["KeyCount"] == 0
""")
    result.assert_outcomes(passed=1)


def test_each_test_starts_with_empty_buckets_and_queues(pytester: pytest.Pytester,
                                                        project: Path) -> None:
    result = run(pytester, """
import pytest

@pytest.mark.parametrize("run", [1, 2])
def test_isolated(samlite_app, run):
    bucket, queue = samlite_app.bucket_name("Uploads"), samlite_app.queue_url("Jobs")
    assert samlite_app.s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    got = samlite_app.sqs.receive_message(QueueUrl=queue)
    assert "Messages" not in got
    samlite_app.s3.put_object(Bucket=bucket, Key=f"run-{run}", Body=b"x")
    samlite_app.sqs.send_message(QueueUrl=queue, MessageBody=str(run))
""")
    result.assert_outcomes(passed=2)


def test_pytest_starts_without_samlite_app_or_boto3(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
import sys

def test_nothing_heavy_is_loaded():
    heavy = {"samlite.app.root", "samlite.validation.pipeline", "boto3", "botocore", "moto"}
    assert not heavy & set(sys.modules)
""", subprocess=True)
    result.assert_outcomes(passed=1)


def test_the_plugin_installs_requirements_once_for_the_project(pytester: pytest.Pytester,
                                                               project: Path) -> None:
    (pytester.path / "src" / "requirements.txt").write_text("tabulate==0.9.0\n")
    (pytester.path / "src" / "app.py").write_text(
        HANDLER + "\nimport tabulate\n\ndef table(event, context):\n"
                  "    return tabulate.tabulate([[1, 2]])\n")
    template = pytester.path / "template.yaml"
    template.write_text(template.read_text().replace("Handler: app.echo", "Handler: app.table"))
    result = run(pytester, """
import pytest

def test_first(samlite_app):
    assert samlite_app.invoke("Echo").payload == "-  -\\n1  2\\n-  -"

def test_second_uses_the_cache(samlite_app):
    assert samlite_app.app.dependencies.states == {"Echo": "cached"}

@pytest.mark.samlite(no_build=True)
def test_no_build_still_uses_the_cache(samlite_app):
    assert samlite_app.invoke("Echo").payload == "-  -\\n1  2\\n-  -"
""")
    result.assert_outcomes(passed=3)
    assert [p.name for p in (pytester.path / ".samlite" / "deps").iterdir() if p.is_dir()]


def test_the_marker_maps_a_layer_arn_to_a_folder(pytester: pytest.Pytester) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:layer:shared:7"
    folder = pytester.path / "app"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text(
        "import shared_code\ndef handler(event, context):\n    return shared_code.WHERE\n")
    (folder / "layers" / "shared" / "python").mkdir(parents=True)
    (folder / "layers" / "shared" / "python" / "shared_code.py").write_text("WHERE = 'layer'\n")
    (folder / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n"
        f"      CodeUri: src/\n      Handler: app.handler\n      Layers: [{arn}]\n")
    result = run(pytester, f"""
import pytest

@pytest.mark.samlite(template="../app/template.yaml", layers={{"{arn}": "layers/shared"}})
def test_layer(samlite_app):
    assert samlite_app.invoke("Fn").payload == "layer"
""")
    result.assert_outcomes(passed=1)


def test_tables_and_their_streams_through_the_plugin(pytester: pytest.Pytester) -> None:
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "app.py").write_text(
        "def on_change(event, context):\n"
        "    for r in event['Records']:\n"
        "        print('changed', r['eventName'], r['dynamodb']['Keys']['id']['S'])\n")
    (pytester.path / "template.yaml").write_text("""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  OnChange:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: src/
      Handler: app.on_change
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Items.StreamArn
            StartingPosition: TRIM_HORIZON
""")
    result = run(pytester, """
import pytest

@pytest.mark.parametrize("run", [1, 2])
def test_table(samlite_app, run):
    table = samlite_app.table_name("Items")
    assert samlite_app.dynamodb.scan(TableName=table)["Count"] == 0   # each test starts empty
    samlite_app.dynamodb.put_item(TableName=table, Item={"id": {"S": f"run-{run}"}})
    samlite_app.wait_for(lambda: f"changed INSERT run-{run}" in samlite_app.logs("OnChange"))
""")
    result.assert_outcomes(passed=2)


def test_the_log_names_a_python_this_machine_lacks(pytester: pytest.Pytester, project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # no python3.14 here, as the test sees it (the inner run shares this process)
    monkeypatch.setattr(samlite.runtime.environments.python, "python_for",
                        lambda runtime: sys.executable)
    project.write_text(project.read_text().replace("python3.12", "python3.14"))
    result = run(pytester, """
def test_fails(samlite_app):
    assert False
""")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Captured samlite log call*", "samlite | Runtime: process*",
                                 "samlite | warning: Echo (python3.14): this machine has no "
                                 "working python3.14, so it runs on Python *"])
