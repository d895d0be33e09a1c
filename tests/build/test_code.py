"""Code that is not a folder: InlineCode / Code.ZipFile, and .zip CodeUri archives."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from samlite.build.code import CodeArchiveError, code_dir_for
from samlite.graph.model import Function
from samlite.testing import RunningApp

INLINE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Sam:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"from": "InlineCode", "file": __file__.rsplit("/", 1)[-1]}
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: |
          def handler(event, context):
              return "from ZipFile"
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: dist/app.zip
"""


def _fn(**values: object) -> Function:
    defaults = {"logical_id": "Fn", "resource_type": "AWS::Serverless::Function",
                "function_name": "Fn", "handler": "index.handler", "runtime": "python3.12",
                "at": None}
    return Function(**{**defaults, **values})  # type: ignore[arg-type]


def test_inline_code_is_index_with_the_runtimes_extension_once_per_source(
        tmp_path: Path) -> None:
    python = code_dir_for(_fn(inline_code="x = 1\n"), project_dir=tmp_path, root=tmp_path / "c")
    again = code_dir_for(_fn(inline_code="x = 1\n"), project_dir=tmp_path, root=tmp_path / "c")
    node = code_dir_for(_fn(inline_code="x = 1\n", runtime="nodejs20.x"),
                        project_dir=tmp_path, root=tmp_path / "c")
    assert python == again and python is not None and node is not None
    assert [p.name for p in python.iterdir()] == ["index.py"]
    assert [p.name for p in node.iterdir()] == ["index.js"]
    assert code_dir_for(_fn(), project_dir=tmp_path, root=tmp_path / "c") is None   # a folder


def test_a_zip_archive_is_extracted_with_its_files_modes(tmp_path: Path) -> None:
    archive = tmp_path / "code.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("app.py", "x = 1\n")
        executable = zipfile.ZipInfo("bootstrap")
        executable.external_attr = 0o100755 << 16
        out.writestr(executable, "#!/bin/sh\n")
        out.writestr("../escape.txt", "no")   # extract() keeps it inside
    folder = code_dir_for(_fn(code_uri="code.zip"), project_dir=tmp_path, root=tmp_path / "c")
    assert folder is not None
    assert sorted(p.name for p in folder.iterdir()) == ["app.py", "bootstrap", "escape.txt"]
    assert (folder / "bootstrap").stat().st_mode & 0o111
    assert not (tmp_path / "c" / "escape.txt").exists()


def test_a_broken_archive_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "code.zip").write_bytes(b"not a zip")
    with pytest.raises(CodeArchiveError, match=r"Fn: code archive .*code.zip cannot be unpacked"):
        code_dir_for(_fn(code_uri="code.zip"), project_dir=tmp_path, root=tmp_path / "c")


def test_inline_and_zipped_functions_run(tmp_path: Path,
                                         samlite_app_factory: Callable[..., RunningApp]) -> None:
    (tmp_path / "dist").mkdir()
    with zipfile.ZipFile(tmp_path / "dist" / "app.zip", "w") as out:
        out.writestr("app.py", "def handler(event, context):\n    return 'from the zip'\n")
    (tmp_path / "template.yaml").write_text(INLINE)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=None)
    assert app.invoke("Sam").payload == {"from": "InlineCode", "file": "index.py"}
    assert app.invoke("Plain").payload == "from ZipFile"
    assert app.invoke("Zipped").payload == "from the zip"


CUSTOM_RESOURCE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Provider:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/r
      Code:
        ZipFile: |
          import cfnresponse
          def handler(event, context):
              status = cfnresponse.FAILED if event.get("Fail") else cfnresponse.SUCCESS
              cfnresponse.send(event, context, status, {"Answer": 42}, "thing-1",
                               reason=event.get("Fail"))
              return "sent"
"""


class ResponseUrl:
    """A local HTTP server standing in for the presigned S3 URL CloudFormation gives."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((self.command, self.path,
                                       {k.lower(): v for k, v in self.headers.items()},
                                       body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def response_url() -> Iterator[ResponseUrl]:
    server = ResponseUrl()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _request(url: str, **more: object) -> dict[str, object]:
    return {"RequestType": "Create", "ResponseURL": url,
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
            "RequestId": "req-1", "LogicalResourceId": "Thing",
            "ResourceType": "Custom::Thing", "ResourceProperties": {}, **more}


def test_zipfile_code_sends_its_custom_resource_response_with_cfnresponse(
        tmp_path: Path, samlite_app_factory: Callable[..., RunningApp],
        response_url: ResponseUrl) -> None:
    (tmp_path / "template.yaml").write_text(CUSTOM_RESOURCE)
    app = samlite_app_factory(tmp_path / "template.yaml", http_port=None, aws_port=None)
    ok = app.invoke("Provider", _request(f"{response_url.url}/signed?X-Amz-Signature=1"))
    failed = app.invoke("Provider", _request(f"{response_url.url}/again", Fail="no disk"))
    assert (ok.payload, failed.payload) == ("sent", "sent")
    [(method, path, headers, body), (_, _, _, failed_body)] = response_url.requests
    assert (method, path) == ("PUT", "/signed?X-Amz-Signature=1")
    assert headers["content-type"] == ""
    sent = json.loads(body)
    assert sent.pop("Reason").startswith("See the details in CloudWatch Log Stream: ")
    assert sent == {"Status": "SUCCESS", "PhysicalResourceId": "thing-1",
                    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
                    "RequestId": "req-1", "LogicalResourceId": "Thing", "NoEcho": False,
                    "Data": {"Answer": 42}}
    assert json.loads(failed_body)["Status"] == "FAILED"
    assert json.loads(failed_body)["Reason"] == "no disk"


def test_cfnresponse_comes_only_with_the_exact_import(tmp_path: Path) -> None:
    exact = code_dir_for(_fn(inline_code="import cfnresponse\n"), project_dir=tmp_path,
                         root=tmp_path / "c")
    other = code_dir_for(_fn(inline_code="from cfnresponse import send\n"),
                         project_dir=tmp_path, root=tmp_path / "c")
    assert exact is not None and other is not None
    assert sorted(p.name for p in exact.iterdir()) == ["cfnresponse.py", "index.py"]
    assert [p.name for p in other.iterdir()] == ["index.py"]
