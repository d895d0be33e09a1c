"""The answers AWS gives a caller it refuses, per service: an AccessDenied in the service's own
code and wording, and the refusals of a bad signature or token. Codes and wording as AWS
services answer them (S3 API reference "Error responses"; IAM user guide "Troubleshoot
access denied error messages"): S3 quotes the resource, SQS writes the action in lower case,
SNS writes its prefix as "SNS" and answers AuthorizationError; the JSON services answer
AccessDeniedException."""

from __future__ import annotations

from samlite.aws.wire_errors import error_response
from samlite.http.messages import Request, Response
from samlite.iam.evaluation import Caller, Decision
from samlite.iam.evaluation import Request as Authorization

# service -> its AccessDenied code
_DENIED_CODES = {"s3": "AccessDenied", "sqs": "AccessDenied", "sts": "AccessDenied",
                 "sns": "AuthorizationError"}
_JSON_DENIED = "AccessDeniedException"

SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.")
S3_SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature "
                         "you provided. Check your key and signing method.")
# Error messages, not secrets:
INVALID_TOKEN = "The security token included in the request is invalid."  # noqa: S105
S3_INVALID_TOKEN = "The provided token is malformed or otherwise invalid."  # noqa: S105
MISSING_TOKEN = "Missing Authentication Token"  # noqa: S105


def _action_as_written(service: str, action: str) -> str:
    if service == "sqs":
        return action.lower()
    if service == "sns":
        return "SNS:" + action.split(":", 1)[1]
    return action


def denial_text(service: str, caller: Caller, authorization: Authorization,
                decision: Decision) -> str:
    action = _action_as_written(service, authorization.action)
    resource = f'"{authorization.resource}"' if service == "s3" else authorization.resource
    reason = decision.outcome.value.format(action=action)
    return (f"User: {caller.session_arn} is not authorized to perform: {action} on resource: "
            f"{resource} {reason}")


def access_denied(request: Request, service: str, message: str) -> Response:
    code = _DENIED_CODES.get(service, _JSON_DENIED)
    return error_response(request, service, status=403, code=code, message=message)


def bad_signature(request: Request, service: str) -> Response:
    if service == "s3":
        return error_response(request, service, status=403, code="SignatureDoesNotMatch",
                              message=S3_SIGNATURE_MISMATCH)
    code = "SignatureDoesNotMatch" if service in ("sqs", "sns", "sts") \
        else "InvalidSignatureException"
    return error_response(request, service, status=403, code=code, message=SIGNATURE_MISMATCH)


def bad_token(request: Request, service: str) -> Response:
    if service == "s3":
        return error_response(request, service, status=400, code="InvalidToken",
                              message=S3_INVALID_TOKEN)
    code = "InvalidClientTokenId" if service in ("sqs", "sns", "sts") \
        else "UnrecognizedClientException"
    return error_response(request, service, status=403, code=code, message=INVALID_TOKEN)


def not_signed(request: Request, service: str) -> Response:
    if service == "s3":
        return error_response(request, service, status=403, code="AccessDenied",
                              message="Access Denied")
    code = "MissingAuthenticationToken" if service in ("sqs", "sns", "sts") \
        else "MissingAuthenticationTokenException"
    return error_response(request, service, status=403, code=code, message=MISSING_TOKEN)
