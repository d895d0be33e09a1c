"""A template queue's MaximumMessageSize is the local queue's: a larger message is refused
with SQS's own error, as the deployed queue refuses it."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from samlite.app.root import App, AppOptions

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Small:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: small
      MaximumMessageSize: 1024
"""


def test_a_message_over_the_queues_maximum_size_is_refused(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    app = App(tmp_path / "template.yaml", AppOptions(runtime="process", aws_port=0,
                                                     state_dir=tmp_path / ".samlite"))
    try:
        app.start()
        sqs = boto3.client("sqs", endpoint_url=app.endpoint_url, region_name="us-east-1",
                           aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
        url = sqs.get_queue_url(QueueName="small")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="a" * 1024)
        with pytest.raises(ClientError) as refused:
            sqs.send_message(QueueUrl=url, MessageBody="a" * 1025)
        assert refused.value.response["Error"]["Code"] in {
            "InvalidParameterValue", "InvalidParameterValueException"}
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        assert attributes["Attributes"]["MaximumMessageSize"] == "1024"
    finally:
        app.close()
