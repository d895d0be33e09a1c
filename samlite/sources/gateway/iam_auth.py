"""AWS_IAM authorization of a route: a SigV4-signed request scoped to execute-api gets in with
its caller's identity; an unsigned one gets API Gateway's 403. Signatures are checked for the
credentials samlite itself hands out (the functions' local keys); other keys cannot be checked
locally (their secrets are AWS's), so requests signed with them are let in (said at startup).
IAM policies are not evaluated: no local identity has any.

Follows the API Gateway developer guide: "Control access to a REST API with IAM permissions",
"Control access to HTTP APIs with IAM authorization", the payload examples of "Lambda proxy
integrations" (requestContext.identity: accessKey, accountId, caller, user, userArn) and of
"Create AWS Lambda proxy integrations for HTTP APIs" (requestContext.authorizer.iam), and the
gateway response types MISSING_AUTHENTICATION_TOKEN and INVALID_SIGNATURE.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from samlite.aws.sigv4 import BadSignature, NotSigned, holds, signature_of
from samlite.sources.gateway.events import Flavor, HttpRequest, HttpResponse, request_id_header
from samlite.sources.gateway.gateway_responses import (
    INVALID_SIGNATURE,
    MISSING_AUTHENTICATION_TOKEN,
)

SERVICE = "execute-api"
# (status, message, x-amzn-ErrorType, gateway response type). The types are the table's
# MISSING_AUTHENTICATION_TOKEN and INVALID_SIGNATURE ("Gateway response types for API
# Gateway"); the table has no type of its own for a signature that is incomplete or scoped to
# another service, so those take INVALID_SIGNATURE, "an invalid signature error", too.
Refusal = tuple[int, str, str, str]
MISSING_TOKEN: Refusal = (403, "Missing Authentication Token",
                          "MissingAuthenticationTokenException", MISSING_AUTHENTICATION_TOKEN)
BAD_SIGNATURE: Refusal = (
    403, "The request signature we calculated does not match the signature you provided. "
         "Check your AWS Secret Access Key and signing method. Consult the service "
         "documentation for details.", "InvalidSignatureException", INVALID_SIGNATURE)
WRONG_SERVICE: Refusal = (403, f"Credential should be scoped to correct service: '{SERVICE}'. ",
                          "IncompleteSignatureException", INVALID_SIGNATURE)


class IamAuthorizing:
    def __init__(self, *, account_id: str, known_secrets: Mapping[str, str]) -> None:
        """`known_secrets`: access key -> secret key of the credentials samlite hands out
        (read on each request: the functions' keys follow the template)."""
        self._account_id = account_id
        self._secrets = known_secrets

    def check(self, request: HttpRequest, event: dict[str, Any], *, flavor: Flavor,
              request_id: str) -> HttpResponse | None:
        """None lets the request on with the caller in `event`; else the refusal."""
        try:
            signature = signature_of(request)
        except NotSigned:
            return _refusal(MISSING_TOKEN, flavor, request_id)
        except BadSignature as exc:
            return _refusal((403, str(exc), "IncompleteSignatureException", INVALID_SIGNATURE),
                            flavor, request_id)
        if signature.service != SERVICE:
            return _refusal(WRONG_SERVICE, flavor, request_id)
        secret = self._secrets.get(signature.access_key)
        if secret is not None and not holds(signature, request, secret_key=secret):
            return _refusal(BAD_SIGNATURE, flavor, request_id)
        caller = self._caller(signature.access_key)
        context = event["requestContext"]
        if flavor is Flavor.HTTP_V2:
            context["authorizer"] = {"iam": {
                "accessKey": signature.access_key, "accountId": self._account_id,
                "callerId": caller["caller"], "cognitoIdentity": None, "principalOrgId": None,
                "userArn": caller["userArn"], "userId": caller["user"]}}
        else:
            context["identity"] = {**context.get("identity", {}),
                                   "accessKey": signature.access_key,
                                   "accountId": self._account_id, **caller}
        return None

    def _caller(self, access_key: str) -> dict[str, str]:
        """The caller as samlite knows it: the local account's user named by the access key
        (AWS would name the IAM user or role session behind it)."""
        return {"caller": access_key, "user": access_key,
                "userArn": f"arn:aws:iam::{self._account_id}:user/{access_key}"}

    def notes(self, routes: list[str]) -> list[str]:
        if not routes:
            return []
        return [f"AWS_IAM on {', '.join(routes)}: requests must be SigV4-signed for "
                "execute-api; signatures are verified for the credentials samlite hands out "
                "(each function's own, and access key id 'samlite' with secret 'samlite'), any "
                "other key (e.g. test/test) is accepted unverified; IAM policies are not "
                "evaluated here and the identity is the access key in the local account"]


def _refusal(answer: Refusal, flavor: Flavor, request_id: str) -> HttpResponse:
    """REST: the gateway response with its error type. HTTP APIs: 403 Forbidden."""
    status, message, error_type, response_type = answer
    headers = [("Content-Type", "application/json")]
    rest = flavor is Flavor.REST
    if rest:
        headers.append(("x-amzn-ErrorType", error_type))
    else:
        message = "Forbidden"
    headers.append(request_id_header(flavor, request_id))
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status=status, headers=tuple(headers), body=body,
                        gateway_response=response_type if rest else None)
