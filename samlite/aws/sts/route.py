"""STS on the shared endpoint: claims requests signed for `sts` and answers
GetCallerIdentity, AssumeRole and GetSessionToken in STS's query protocol (XML in the
2011-06-15 namespace, each result in its `<Action>Result` wrapper, as botocore's STS model
says); any other STS action is InvalidAction, in STS's own error shape."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from samlite.aws.signature import access_key_id, signed_service
from samlite.aws.sts.service import Credentials, LocalSts, StsError
from samlite.aws.wire_errors import error_response
from samlite.http.messages import Request, Response

_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


class StsRoute:
    def __init__(self, sts: LocalSts) -> None:
        self._sts = sts

    def handles(self, request: Request) -> bool:
        return signed_service(request) == "sts"

    def handle(self, request: Request) -> Response:
        params = _parameters(request)
        action = params.get("Action", "")
        try:
            result = self._answer(action, params, access_key_id(request))
        except StsError as exc:
            return error_response(request, "sts", status=exc.status, code=exc.code,
                                  message=exc.message)
        request_id = _request_id()
        body = (f'<{action}Response xmlns="{_NAMESPACE}"><{action}Result>{result}'
                f"</{action}Result><ResponseMetadata><RequestId>{request_id}</RequestId>"
                f"</ResponseMetadata></{action}Response>")
        return Response(status=200, body=body.encode(), headers=(
            ("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)))

    def _answer(self, action: str, params: dict[str, str], key: str | None) -> str:
        if action == "GetCallerIdentity":
            who = self._sts.caller_identity(key)
            return _xml(UserId=who.user_id, Account=who.account, Arn=who.arn)
        if action == "AssumeRole":
            for member in ("RoleArn", "RoleSessionName"):
                if not params.get(member):
                    raise StsError("MissingParameter",
                                   f"The request must contain the parameter {member}")
            role = self._sts.assume_role(role_arn=params["RoleArn"],
                                         session_name=params["RoleSessionName"],
                                         duration_s=_duration(params))
            return (_credentials(role.credentials)
                    + f"<AssumedRoleUser>{_xml(AssumedRoleId=role.assumed_role_id)}"
                    f"{_xml(Arn=role.arn)}</AssumedRoleUser><PackedPolicySize>0"
                    "</PackedPolicySize>")
        if action == "GetSessionToken":
            return _credentials(self._sts.session_token(key, _duration(params)))
        raise StsError("InvalidAction",
                       f"Could not find operation {action} for version 2011-06-15; samlite's "
                       "local STS answers GetCallerIdentity, AssumeRole and GetSessionToken")


def _parameters(request: Request) -> dict[str, str]:
    params = {name: values[-1] for name, values in request.query.items() if values}
    if request.body:
        try:
            form = parse_qs(request.body.decode(), keep_blank_values=True)
        except UnicodeDecodeError:
            form = {}
        params.update({name: values[-1] for name, values in form.items()})
    return params


def _duration(params: dict[str, str]) -> int | None:
    text = params.get("DurationSeconds")
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise StsError("ValidationError",
                       f"Value '{text}' for DurationSeconds is not an integer") from None


def _credentials(credentials: Credentials) -> str:
    expiration = datetime.fromtimestamp(credentials.expiration, UTC)
    return ("<Credentials>"
            + _xml(AccessKeyId=credentials.access_key_id,
                   SecretAccessKey=credentials.secret_access_key,
                   SessionToken=credentials.session_token,
                   Expiration=expiration.strftime("%Y-%m-%dT%H:%M:%SZ"))
            + "</Credentials>")


def _xml(**members: str) -> str:
    return "".join(f"<{name}>{escape(value)}</{name}>" for name, value in members.items())


def _request_id() -> str:
    return str(uuid.uuid4())
