"""Errors the Lambda API returns to callers, with AWS's type names and HTTP statuses.

Shapes follow the Lambda API reference ("Invoke": Errors): the body is
{"Type": "User", "message": "..."} and the type travels in the X-Amzn-ErrorType header,
which is how boto3 recognises them.
"""

from __future__ import annotations


class LambdaApiError(Exception):
    """A failure of the Invoke call itself (not of the function)."""

    status = 500
    error_type = "ServiceException"
    fault = "Server"

    def __init__(self, message: str, **fields: str) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields          # extra body members, e.g. Reason for throttling


class ResourceNotFound(LambdaApiError):
    status = 404
    error_type = "ResourceNotFoundException"
    fault = "User"


class InvalidRequestContent(LambdaApiError):
    status = 400
    error_type = "InvalidRequestContentException"
    fault = "User"


class InvalidParameterValue(LambdaApiError):
    status = 400
    error_type = "InvalidParameterValueException"
    fault = "User"


class RequestTooLarge(LambdaApiError):
    status = 413
    error_type = "RequestTooLargeException"
    fault = "User"


class TooManyRequests(LambdaApiError):
    status = 429
    error_type = "TooManyRequestsException"
    fault = "User"


def function_not_found(arn: str) -> ResourceNotFound:
    return ResourceNotFound(f"Function not found: {arn}")


def reserved_concurrency_exceeded() -> TooManyRequests:
    return TooManyRequests("Rate Exceeded.",
                           Reason="ReservedFunctionConcurrentInvocationLimitExceeded")


def account_concurrency_exceeded() -> TooManyRequests:
    return TooManyRequests("Rate Exceeded.", Reason="ConcurrentInvocationLimitExceeded")


def tenant_id_mismatch() -> InvalidParameterValue:
    """A tenant-isolated function invoked without a TenantId, or another one with it (Lambda
    developer guide, "Troubleshooting tenant isolation": InvalidParameterValueException)."""
    return InvalidParameterValue("Tenant ID configuration not specified or passed to a "
                                 "function when tenant isolation is not enabled.")


def request_too_large(size: int, limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"Request must be smaller than {limit} bytes for the "
                           f"InvokeFunction operation")


class VersionNotKept(LambdaApiError):
    """An older published version: Lambda keeps each version's code, samlite only the project
    folder, so only the newest version runs (NotImplemented, as for unserved calls)."""

    status = 501
    error_type = "NotImplemented"
    fault = "User"


def alias_not_found(arn: str) -> ResourceNotFound:
    return ResourceNotFound(f"Cannot find alias arn: {arn}")


def version_not_kept(arn: str, version: str, newest: int) -> VersionNotKept:
    return VersionNotKept(
        f"{arn}:{version} is not kept locally: samlite runs only the newest version "
        f"({newest}), published from the project folder at the last reload, while Lambda "
        f"would still run version {version}'s own code. Invoke $LATEST, version {newest} or "
        "an alias instead.")
