"""Sample events for `samlite generate-event`: a service, an event type and option values in,
the event dict out. Pure: the CLI parses the flags and prints `render(event)`.

Covers the sources samlite runs, with SAM CLI's option names, defaults and sample values
(aws-sam-cli 1.170.0, samcli/lib/generated_sample_events: event-mapping.json and
events/*.json). S3, SQS and DynamoDB records come from the builders samlite uses at run time
(sources/s3/events.py, sources/sqs/events.py, aws/dynamodb/model.py), so a generated event
looks like a real one.

Where samlite differs from `sam local generate-event`, on purpose:
- values are taken as literal text; SAM CLI pastes them into JSON source, so a quote or a
  backslash in `--body` breaks its output or changes the value;
- the S3 key is encoded as S3 sends it ("my photo.jpg" -> "my+photo.jpg"; SAM CLI: "%20");
- a leading "/" in `--path` is not doubled ("/hello" -> "/hello"; SAM CLI: "//hello");
- aws-proxy's multiValueQueryStringParameters follows `--querystringparameters`, which
  must be a JSON object or null (SAM CLI keeps any other text as a string).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from samlite.aws.dynamodb.model import Change, stream_record
from samlite.aws.s3.object_event import ObjectEvent
from samlite.aws.sqs.message import ReceivedMessage
from samlite.errors import UsageError
from samlite.sources.dynamodb.events import stream_event
from samlite.sources.s3.events import s3_event
from samlite.sources.sqs.events import sqs_record

__all__ = ["CATALOGUE", "EventType", "Option", "event_type", "event_types", "generate_event",
           "render", "services"]

Values = Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One flag of an event type, as SAM CLI spells it."""

    name: str          # without "--": "account-id"
    default: str
    help: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EventType:
    service: str                                   # "s3"
    name: str                                      # "put"
    summary: str
    options: tuple[Option, ...]
    build: Callable[[Values], dict[str, Any]]      # every option present, by flag name


def _region(default: str = "us-east-1") -> Option:
    return Option(name="region", default=default, help="AWS Region of the source.")


_PARTITION = Option(name="partition", default="aws",
                    help="Partition in ARNs (aws, aws-cn, aws-us-gov).")
_ACCOUNT = Option(name="account-id", default="123456789012", help="AWS account id.")
_DNS_SUFFIX = Option(name="dns-suffix", default="us-east-1.amazonaws.com",
                     help="Domain suffix of the API's host name.")
_API_BODY = Option(name="body", default='{"test":"body"}',
                   help="Request body; the event carries it base64-encoded.")
_METHOD = Option(name="method", default="POST", help="HTTP method.")
_PATH = Option(name="path", default="path/to/resource", help="Request path, without the stage.")


# --- S3 -------------------------------------------------------------------------------------

def _s3(event_name: str, *, with_content: bool) -> Callable[[Values], dict[str, Any]]:
    def build(values: Values) -> dict[str, Any]:
        bucket = values["bucket"]
        change = ObjectEvent(
            event_name=event_name, bucket=bucket, key=values["key"],
            size=1024 if with_content else None,
            etag="0123456789abcdef0123456789abcdef" if with_content else None,
            sequencer="0A1B2C3D4E5F678901", event_time=0.0, request_id="EXAMPLE123456789",
            host_id="EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH",
            principal_id="EXAMPLE")
        event = s3_event(change, region=values["region"], configuration_id="testConfigRule")
        [record] = event["Records"]
        # SAM CLI's samples say 2.0 (S3 sends 2.1 today; handlers read neither) and
        # name the partition; the run-time builder serves the aws partition only.
        record["eventVersion"] = "2.0"
        record["s3"]["bucket"]["arn"] = f"arn:{values['partition']}:s3:::{bucket}"
        return event
    return build


_S3_OPTIONS = (
    _region(), _PARTITION,
    Option(name="bucket", default="example-bucket", help="Bucket name."),
    Option(name="key", default="test/key", help="Object key, as stored (the event encodes it)."),
)


# --- SQS ------------------------------------------------------------------------------------

def _sqs(values: Values) -> dict[str, Any]:
    body = values["body"]
    account = values["account-id"]
    message = ReceivedMessage(
        message_id="19dd0b57-b21e-4ac1-bd88-01bbb068cb78",
        receipt_handle="MessageReceiptHandle", body=body,
        md5_of_body=hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest(),
        attributes={"ApproximateReceiveCount": "1", "SentTimestamp": "1523232000000",
                    "SenderId": account, "ApproximateFirstReceiveTimestamp": "1523232000001"})
    arn = f"arn:{values['partition']}:sqs:{values['region']}:{account}:{values['queue-name']}"
    return {"Records": [sqs_record(message, queue_arn=arn, region=values["region"])]}


_SQS_OPTIONS = (
    _PARTITION, _region(), _ACCOUNT,
    Option(name="queue-name", default="MyQueue", help="Queue name."),
    Option(name="body", default="Hello from SQS!", help="Message body (md5OfBody follows it)."),
)


# --- API Gateway ----------------------------------------------------------------------------

_REST_HEADERS = (
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"),
    ("Accept-Encoding", "gzip, deflate, sdch"),
    ("Accept-Language", "en-US,en;q=0.8"),
    ("Cache-Control", "max-age=0"),
    ("CloudFront-Forwarded-Proto", "https"),
    ("CloudFront-Is-Desktop-Viewer", "true"),
    ("CloudFront-Is-Mobile-Viewer", "false"),
    ("CloudFront-Is-SmartTV-Viewer", "false"),
    ("CloudFront-Is-Tablet-Viewer", "false"),
    ("CloudFront-Viewer-Country", "US"),
    ("Host", "{api}.execute-api.{dns_suffix}"),
    ("Upgrade-Insecure-Requests", "1"),
    ("User-Agent", "Custom User Agent String"),
    ("Via", "1.1 08f323deadbeefa7af34d5feb414ce27.cloudfront.net (CloudFront)"),
    ("X-Amz-Cf-Id", "cDehVQoZnx43VYQb9j2-nvCh-9z396Uhbp027Y2JvkCPNLmGJHqlaA=="),
    ("X-Forwarded-For", "127.0.0.1, 127.0.0.2"),
    ("X-Forwarded-Port", "443"),
    ("X-Forwarded-Proto", "https"),
)


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _path(values: Values) -> str:
    return values["path"].lstrip("/")


def _query(text: str) -> dict[str, Any] | None:
    try:
        query = json.loads(text)
    except ValueError:
        query = text
    if query is not None and not isinstance(query, dict):
        raise UsageError(f"--querystringparameters must be a JSON object or null, like "
                         f'{{"foo": "bar"}} (got {text!r})')
    return query


def _aws_proxy(values: Values) -> dict[str, Any]:
    path, stage, method = _path(values), values["stage"], values["method"]
    resource, dns_suffix = values["resource"], values["dns-suffix"]
    query = _query(values["querystringparameters"])
    # SAM CLI's sample names two API ids in Host; both are kept so its events compare equal
    headers = {name: value.format(api="1234567890", dns_suffix=dns_suffix)
               for name, value in _REST_HEADERS}
    multi_headers = {name: [value.format(api="0123456789", dns_suffix=dns_suffix)]
                     for name, value in _REST_HEADERS}
    return {
        "body": _base64(values["body"]),
        "resource": resource,
        "path": f"/{path}",
        "httpMethod": method,
        "isBase64Encoded": True,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": (None if query is None else
                                            {name: [value] for name, value in query.items()}),
        "pathParameters": {"proxy": f"/{path}"},
        "stageVariables": {"baz": "qux"},
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "requestContext": {
            "accountId": values["account-id"],
            "resourceId": "123456",
            "stage": stage,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "09/Apr/2015:12:34:56 +0000",
            "requestTimeEpoch": 1428582896000,
            "identity": {
                "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None,
                "caller": None, "accessKey": None, "sourceIp": "127.0.0.1",
                "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None,
                "userArn": None, "userAgent": "Custom User Agent String", "user": None,
            },
            "path": f"/{stage}/{path}",
            "resourcePath": resource,
            "httpMethod": method,
            "apiId": "1234567890",
            "protocol": "HTTP/1.1",
        },
    }


def _http_api_proxy(values: Values) -> dict[str, Any]:
    path = _path(values)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": f"/{path}",
        "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
        "cookies": ["cookie1", "cookie2"],
        "headers": {"Header1": "value1", "Header2": "value1,value2"},
        "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
        "requestContext": {
            "accountId": values["account-id"],
            "apiId": "api-id",
            "authentication": {"clientCert": {
                "clientCertPem": "CERT_CONTENT",
                "subjectDN": "www.example.com",
                "issuerDN": "Example issuer",
                "serialNumber": "a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1:a1",
                "validity": {"notBefore": "May 28 12:30:02 2019 GMT",
                             "notAfter": "Aug  5 09:36:04 2021 GMT"},
            }},
            "authorizer": {"jwt": {"claims": {"claim1": "value1", "claim2": "value2"},
                                   "scopes": ["scope1", "scope2"]}},
            "domainName": f"id.execute-api.{values['dns-suffix']}",
            "domainPrefix": "id",
            "http": {"method": values["method"], "path": f"/{path}", "protocol": "HTTP/1.1",
                     "sourceIp": "192.168.0.1/32", "userAgent": "agent"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": values["stage"],
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1583348638390,
        },
        "body": _base64(values["body"]),
        "pathParameters": {"parameter1": "value1"},
        "isBase64Encoded": True,
        "stageVariables": {"stageVariable1": "value1", "stageVariable2": "value2"},
    }


# --- CloudWatch (EventBridge) ---------------------------------------------------------------

def _scheduled_event(values: Values) -> dict[str, Any]:
    account, region = values["account-id"], values["region"]
    return {
        "id": "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": "1970-01-01T00:00:00Z",
        "region": region,
        "resources": [f"arn:{values['partition']}:events:{region}:{account}:rule/{values['rule']}"],
        "detail": {},
    }


# --- SNS and EventBridge --------------------------------------------------------------------

def _sns_notification(values: Values) -> dict[str, Any]:
    """SAM CLI's sample (events/sns/Sns.json), whose EventSubscriptionArn leaves the account
    out (it names a template variable that is never set); samlite puts it in."""
    topic_arn = (f"arn:{values['partition']}:sns:{values['region']}:{values['account-id']}:"
                 f"{values['topic']}")
    return {"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": topic_arn,
        "Sns": {
            "Type": "Notification", "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            "TopicArn": topic_arn, "Subject": values["subject"], "Message": values["message"],
            "Timestamp": "1970-01-01T00:00:00.000Z", "SignatureVersion": "1",
            "Signature": "EXAMPLE", "SigningCertUrl": "EXAMPLE", "UnsubscribeUrl": "EXAMPLE",
            "MessageAttributes": {"Test": {"Type": "String", "Value": "TestString"},
                                  "TestBinary": {"Type": "Binary", "Value": "TestBinary"}},
        },
    }]}


def _eventbridge_event(values: Values) -> dict[str, Any]:
    """An event as EventBridge delivers it to a rule's target (SAM CLI has no such event). The
    defaults are the example of the Amazon EC2 user guide, "State change events for Amazon
    EC2 instances", with the envelope's "version" ("Amazon EventBridge events")."""
    try:
        detail = json.loads(values["detail"])
    except ValueError as exc:
        raise UsageError(f"--detail must be a JSON object ({exc})") from exc
    if not isinstance(detail, dict):
        raise UsageError("--detail must be a JSON object")
    return {"version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": values["detail-type"], "source": values["source"],
            "account": values["account-id"], "time": "2021-11-11T21:29:54Z",
            "region": values["region"],
            "resources": [r for r in values["resources"].split(",") if r],
            "detail": detail}


# --- DynamoDB -------------------------------------------------------------------------------

# SAM CLI's sample (events/dynamodb/DynamoDBUpdate.json): one item inserted, changed and
# removed; its record ids and sequence numbers, the rest from the builder samlite's stream
# uses (aws/dynamodb/model.py), which gives the same sizes.
_DYNAMODB_IDS = (("c4ca4238a0b923820dcc509a6f75849b", "4421584500000000017450439091"),
                 ("c81e728d9d4c2f636f067f89cc14862c", "4421584500000000017450439092"),
                 ("eccbc87e4b5ce2fe28308fd9f2a7baf3", "4421584500000000017450439093"))


def _dynamodb_update(values: Values) -> dict[str, Any]:
    table, key = values["table"], {"Id": {"N": "101"}}
    first = {"Message": {"S": "New item!"}, "Id": {"N": "101"}}
    changed = {"Message": {"S": "This item has changed"}, "Id": {"N": "101"}}
    changes = (Change(table=table, key=key, old=None, new=first),
               Change(table=table, key=key, old=first, new=changed),
               Change(table=table, key=key, old=changed, new=None))
    records = []
    for position, (change, (event_id, sequence)) in enumerate(
            zip(changes, _DYNAMODB_IDS, strict=True)):
        record = stream_record(change, view_type="NEW_AND_OLD_IMAGES", position=position,
                               region=values["region"], created_s=1428537600)
        record["eventID"] = event_id
        record["dynamodb"]["SequenceNumber"] = sequence
        records.append(record)
    arn = (f"arn:{values['partition']}:dynamodb:{values['region']}:{values['account-id']}:"
           f"table/{table}/stream/2015-06-27T00:48:05.899")
    return stream_event(records, stream_arn=arn)


# SAM CLI's order of services, events and options, so help screens read alike.
CATALOGUE: tuple[EventType, ...] = (
    EventType(service="apigateway", name="aws-proxy", build=_aws_proxy,
              summary="REST API proxy event (payload format 1.0)",
              options=(_API_BODY,
                       Option(name="stage", default="prod", help="Stage name."),
                       _METHOD,
                       Option(name="resource", default="/{proxy+}",
                              help="Resource path the request matched."),
                       _PATH,
                       Option(name="querystringparameters", default='{"foo": "bar"}',
                              help="Query string as a JSON object, or null."),
                       _ACCOUNT, _DNS_SUFFIX)),
    EventType(service="apigateway", name="http-api-proxy", build=_http_api_proxy,
              summary="HTTP API proxy event (payload format 2.0)",
              options=(_API_BODY,
                       Option(name="stage", default="$default", help="Stage name."),
                       _METHOD, _PATH, _ACCOUNT, _DNS_SUFFIX)),
    EventType(service="cloudwatch", name="scheduled-event", build=_scheduled_event,
              summary="EventBridge (CloudWatch Events) scheduled rule event",
              options=(_ACCOUNT, _PARTITION, _region(),
                       Option(name="rule", default="ExampleRule", help="Rule name."))),
    EventType(service="eventbridge", name="event", build=_eventbridge_event,
              summary="An event as EventBridge delivers it to a rule's target (samlite's)",
              options=(Option(name="source", default="aws.ec2", help="The event's source."),
                       Option(name="detail-type",
                              default="EC2 Instance State-change Notification",
                              help="The event's detail-type."),
                       Option(name="detail",
                              default='{"instance-id": "i-1234567890abcdef0", '
                                      '"state": "pending"}',
                              help="The event's detail, a JSON object."),
                       Option(name="resources",
                              default="arn:aws:ec2:us-east-1:123456789012:instance/"
                                      "i-1234567890abcdef0",
                              help="Resource ARNs, comma-separated."),
                       _ACCOUNT, _region())),
    EventType(service="dynamodb", name="update", build=_dynamodb_update,
              summary="DynamoDB stream batch: an item inserted, modified and removed",
              options=(_ACCOUNT, _PARTITION, _region(),
                       Option(name="table", default="ExampleTableWithStream",
                              help="Table name."))),
    EventType(service="s3", name="delete", summary="S3 ObjectRemoved:Delete notification",
              build=_s3("ObjectRemoved:Delete", with_content=False), options=_S3_OPTIONS),
    EventType(service="s3", name="put", summary="S3 ObjectCreated:Put notification",
              build=_s3("ObjectCreated:Put", with_content=True), options=_S3_OPTIONS),
    EventType(service="sns", name="notification", build=_sns_notification,
              summary="SNS topic notification to a Lambda subscriber",
              options=(_ACCOUNT, _PARTITION, _region(),
                       Option(name="topic", default="ExampleTopic", help="Topic name."),
                       Option(name="subject", default="example subject",
                              help="Subject of the message."),
                       Option(name="message", default="example message",
                              help="The message."))),
    EventType(service="sqs", name="receive-message", build=_sqs,
              summary="SQS event source batch of one message", options=_SQS_OPTIONS),
)


def services() -> tuple[str, ...]:
    """The services samlite generates events for, sorted as SAM CLI lists them."""
    return tuple(sorted({kind.service for kind in CATALOGUE}))


def event_types(service: str) -> tuple[EventType, ...]:
    """The event types of `service`, sorted by name; a UsageError names the services."""
    kinds = tuple(sorted((k for k in CATALOGUE if k.service == service), key=lambda k: k.name))
    if not kinds:
        raise UsageError(f"no sample events for service {service!r}; samlite generates them "
                         f"for the sources it runs: {', '.join(services())}")
    return kinds


def event_type(service: str, name: str) -> EventType:
    """One event type; a UsageError names the event types of `service`."""
    kinds = event_types(service)
    for kind in kinds:
        if kind.name == name:
            return kind
    raise UsageError(f"no {service} event {name!r}; choose one of: "
                     f"{', '.join(k.name for k in kinds)}")


def generate_event(service: str, name: str, values: Values | None = None) -> dict[str, Any]:
    """The sample event `sam local generate-event SERVICE NAME` prints, with `values` (by flag
    name, "queue-name") in place of the defaults."""
    kind = event_type(service, name)
    given = dict(values or {})
    known = {option.name for option in kind.options}
    unknown = sorted(set(given) - known)
    if unknown:
        raise UsageError(f"{service} {name} has no option --{unknown[0]}; it takes "
                         f"{', '.join('--' + o.name for o in kind.options)}")
    return kind.build({option.name: given.get(option.name, option.default)
                       for option in kind.options})


def render(event: Mapping[str, Any]) -> str:
    """The event as SAM CLI prints it: JSON, two-space indent, non-ASCII escaped."""
    return json.dumps(event, indent=2)
