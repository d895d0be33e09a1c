"""A queue's URL (`!Ref Queue`) names the port the local endpoint really listens on, also
when the system picks it: an SDK may send a queue's calls to its URL's host (the AWS SDK
for JavaScript v3 does by default)."""

from __future__ import annotations

from pathlib import Path

from samlite.app.root import App, AppOptions

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: src
      Environment:
        Variables:
          QUEUE_URL: !Ref Jobs
"""


def test_a_queue_url_names_the_endpoints_own_port(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                     state_dir=tmp_path / ".samlite"))
    try:
        [spec] = app.functions
        assert app.endpoint_url is not None and not app.endpoint_url.endswith(":3001")
        assert spec.variables["QUEUE_URL"] == f"{app.endpoint_url}/123456789012/" \
            f"{spec.variables['QUEUE_URL'].rsplit('/', 1)[1]}"
    finally:
        app.close()
