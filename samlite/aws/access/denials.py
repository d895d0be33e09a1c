"""The answers AWS gives a caller it refuses, per service: an AccessDenied in the service's own
code, HTTP status and wording, and the refusals of a bad signature or token. Pure: a request
and a decision in, a Response out.

The message is IAM's ("Troubleshoot access denied error messages", IAM user guide):
`User: <session> is not authorized to perform: <action> on resource: <resource> because ...`,
without the `on resource:` part when the action has no resource ("*"). Each service's quirks,
and where they were read (real answers quoted in public GitHub issues, and botocore's service
models for codes and statuses), are in the tables below."""

from __future__ import annotations

from dataclasses import dataclass

from samlite.aws.wire_errors import error_response
from samlite.http.messages import Request, Response
from samlite.iam.evaluation import Caller, Decision
from samlite.iam.evaluation import Request as Authorization


@dataclass(frozen=True, slots=True, kw_only=True)
class Denied:
    code: str
    status: int


# service -> its AccessDenied. Sources, per service:
# s3: botocore s3 model (AccessDenied, 403); aws-samples/serverless-patterns#2457 (quoted ARN).
# sqs: aws/serverless-application-model#3633, rebus-org/Rebus.AmazonSQS#45 (AccessDenied,
#   action in lower case in both places), aws/aws-sdk-php#188 (403).
# sns: botocore sns model (AuthorizationError, 403); aws-ia/terraform-aws-control_tower_
#   account_factory#151 ("SNS:Publish").
# sts: infrahouse/terraform-aws-secret#34 ("(AccessDenied) when calling the AssumeRole
#   operation: ... is not authorized to perform: sts:AssumeRole on resource: <role ARN>");
#   403 as the other query services (not seen quoted).
# dynamodb: aws/aws-sdk-php#1292 ("400 Bad Request", com.amazon.coral.service#AccessDenied...),
#   ministryofjustice/modernisation-platform#6789 (StatusCode: 400).
# ssm: aws-samples/aws-workshop-for-kubernetes#250 (Status Code: 400; AccessDeniedException),
#   github-aws-runners/terraform-aws-github-runner#1279 (httpStatusCode 400).
# secretsmanager: mongodb/awscdk-resources-mongodbatlas#207, kubernetes-sigs/cluster-api-
#   provider-aws#1523 (AccessDeniedException, status code: 400).
# events: ministryofjustice/modernisation-platform#1253 (AccessDeniedException, status code:
#   400); botocore events model declares AccessDeniedException.
# lambda: awslabs/aws-deployment-framework#460 and alexcasalboni/aws-lambda-power-tuning#59
#   (AccessDeniedException, Status Code: 403).
_DENIED = {
    "s3": Denied(code="AccessDenied", status=403),
    "sqs": Denied(code="AccessDenied", status=403),
    "sns": Denied(code="AuthorizationError", status=403),
    "sts": Denied(code="AccessDenied", status=403),
    "dynamodb": Denied(code="com.amazon.coral.service#AccessDeniedException", status=400),
    "ssm": Denied(code="AccessDeniedException", status=400),
    "secretsmanager": Denied(code="AccessDeniedException", status=400),
    "events": Denied(code="AccessDeniedException", status=400),
    "lambda": Denied(code="AccessDeniedException", status=403),
}
_OTHER_DENIED = Denied(code="AccessDeniedException", status=400)
# The AWS JSON services behind the same front end answer client errors with 400 (DynamoDB's
# UnrecognizedClientException and MissingAuthenticationTokenException: yegor256/s3auth#237,
# amazon-archives/aws-dynamodb-session-tomcat#42); the query services, Lambda and S3 with 403.
_JSON_400 = frozenset({"dynamodb", "ssm", "secretsmanager", "events"})
_QUERY = frozenset({"sqs", "sns", "sts"})

SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.")
S3_SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature "
                         "you provided. Check your key and signing method.")
# Error messages, not secrets:
INVALID_TOKEN = "The security token included in the request is invalid."  # noqa: S105
S3_INVALID_TOKEN = "The provided token is malformed or otherwise invalid."  # noqa: S105
MISSING_TOKEN = "Missing Authentication Token"  # noqa: S105
DYNAMODB_MISSING_TOKEN = "Request is missing Authentication Token"  # noqa: S105


def _action_as_written(service: str, action: str) -> str:
    if service == "sqs":
        return action.lower()
    if service == "sns":
        return "SNS:" + action.split(":", 1)[1]
    return action


def denial_text(service: str, caller: Caller, authorization: Authorization,
                decision: Decision, *, named: str | None = None) -> str:
    """IAM's message for a refused call. `named` is the resource as the caller named it,
    where the service quotes that instead of the ARN: Secrets Manager writes the SecretId it
    was given (nautobot/nautobot-app-secrets-providers#64 "on resource: sharepoint_account",
    binbashar/le-tf-infra-aws#874 the ARN when an ARN was given)."""
    action = _action_as_written(service, authorization.action)
    reason = decision.outcome.value.format(action=action)
    resource = named if named is not None else authorization.resource
    if resource == "*":
        # Kralizek/AWSSecretsManagerConfigurationExtensions#78: "is not authorized to
        # perform: secretsmanager:ListSecrets because no identity-based policy allows ..."
        return f"User: {caller.session_arn} is not authorized to perform: {action} {reason}"
    if service == "s3":
        resource = f'"{resource}"'
    return (f"User: {caller.session_arn} is not authorized to perform: {action} on resource: "
            f"{resource} {reason}")


def access_denied(request: Request, service: str, message: str) -> Response:
    denied = _DENIED.get(service, _OTHER_DENIED)
    return error_response(request, service, status=denied.status, code=denied.code,
                          message=message)


def _client_status(service: str) -> int:
    return 400 if service in _JSON_400 else 403


def bad_signature(request: Request, service: str) -> Response:
    if service == "s3":
        return error_response(request, service, status=403, code="SignatureDoesNotMatch",
                              message=S3_SIGNATURE_MISMATCH)
    code = "SignatureDoesNotMatch" if service in _QUERY else "InvalidSignatureException"
    return error_response(request, service, status=_client_status(service), code=code,
                          message=SIGNATURE_MISMATCH)


def bad_token(request: Request, service: str) -> Response:
    if service == "s3":
        return error_response(request, service, status=400, code="InvalidToken",
                              message=S3_INVALID_TOKEN)
    code = "InvalidClientTokenId" if service in _QUERY else "UnrecognizedClientException"
    return error_response(request, service, status=_client_status(service), code=code,
                          message=INVALID_TOKEN)


def not_signed(request: Request, service: str) -> Response:
    if service == "s3":
        return error_response(request, service, status=403, code="AccessDenied",
                              message="Access Denied")
    code = "MissingAuthenticationToken" if service in _QUERY \
        else "MissingAuthenticationTokenException"
    message = DYNAMODB_MISSING_TOKEN if service == "dynamodb" else MISSING_TOKEN
    return error_response(request, service, status=_client_status(service), code=code,
                          message=message)
