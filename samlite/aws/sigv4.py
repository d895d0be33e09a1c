"""A request's Signature Version 4: where it is (the Authorization header, or the presigned
query string), what its credential scope says, and whether the signature holds for a known
secret. The signature is recomputed with botocore's own signer, as the SDKs compute it (S3's
signer for S3: its paths are signed as sent, and its payload hash is the
x-amz-content-sha256 header, which must then match the body). Used by the gateway's AWS_IAM
routes and by the AWS endpoint for the functions' own credentials.

Follows the IAM user guide, "Elements of an AWS API request signature" and "Create a signed
AWS API request" (AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
SignedHeaders=..., Signature=...; X-Amz-Algorithm / X-Amz-Credential / X-Amz-Date /
X-Amz-SignedHeaders / X-Amz-Signature in a presigned URL).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol
from urllib.parse import parse_qsl, quote, urlencode

ALGORITHM = "AWS4-HMAC-SHA256"
# x-amz-content-sha256 values that do not hash the body ("Authenticating Requests: Using the
# Authorization Header", S3 API reference): the chunks carry their own signatures, or none.
_NOT_BODY_HASHES = ("UNSIGNED-PAYLOAD", "STREAMING-")


class HttpRequest(Protocol):
    """What a signature is checked against (the gateway's and the endpoint's requests)."""

    method: str
    path: str
    raw_query: str
    body: bytes

    def header(self, name: str) -> str | None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Signature:
    access_key: str
    date: str              # the scope's yyyymmdd
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str         # X-Amz-Date
    in_query: bool         # a presigned URL
    session_token: str | None = None


class NotSigned(Exception):
    """No signature at all (API Gateway: Missing Authentication Token)."""


class BadSignature(Exception):
    """A signature that cannot be read, or one for another service."""


def signature_of(request: HttpRequest) -> Signature:
    """The request's SigV4 signature, read but not checked."""
    header = request.header("authorization") or ""
    query = dict(parse_qsl(request.raw_query, keep_blank_values=True))
    if header.startswith(ALGORITHM + " "):
        fields = dict(part.strip().partition("=")[::2]
                      for part in header[len(ALGORITHM) + 1:].split(","))
        return _signature(fields.get("Credential"), fields.get("SignedHeaders"),
                          fields.get("Signature"), request.header("x-amz-date"),
                          request.header("x-amz-security-token"), in_query=False)
    if query.get("X-Amz-Algorithm") == ALGORITHM:
        return _signature(query.get("X-Amz-Credential"), query.get("X-Amz-SignedHeaders"),
                          query.get("X-Amz-Signature"), query.get("X-Amz-Date"),
                          query.get("X-Amz-Security-Token"), in_query=True)
    if header or "X-Amz-Signature" in query:
        raise BadSignature("Authorization header requires 'Credential', 'Signature' and "
                           "'SignedHeaders' parameters")
    raise NotSigned


def _signature(credential: str | None, signed: str | None, signature: str | None,
               timestamp: str | None, token: str | None, *, in_query: bool) -> Signature:
    parts = (credential or "").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not signed or not signature \
            or not timestamp:
        raise BadSignature("the signature is incomplete (Credential, SignedHeaders, "
                           "Signature and X-Amz-Date are needed)")
    return Signature(access_key=parts[0], date=parts[1], region=parts[2], service=parts[3],
                     signed_headers=tuple(signed.split(";")), signature=signature,
                     timestamp=timestamp, in_query=in_query, session_token=token)


def holds(signature: Signature, request: HttpRequest, *, secret_key: str) -> bool:
    """Whether the signature is the one botocore computes for this request and secret."""
    content_hash = request.header("x-amz-content-sha256")
    if content_hash is not None and not content_hash.startswith(_NOT_BODY_HASHES) \
            and content_hash != hashlib.sha256(request.body).hexdigest():
        return False
    if not signature.in_query:
        expected = _header_signature(signature, request, secret_key, content_hash)
        return hmac.compare_digest(expected, signature.signature)
    return _botocore_holds(signature, request, secret_key)


def _header_signature(signature: Signature, request: HttpRequest, secret_key: str,
                      content_hash: str | None) -> str:
    """The Authorization header's signature, computed as botocore's SigV4Auth (S3SigV4Auth
    for S3) computes it, without its request objects: the endpoint checks one on every call
    a function makes, and botocore's header classes cost most of the time."""
    path = request.path or "/"
    if signature.service != "s3":      # S3 signs its path as sent; the others normalized
        path = quote(_without_dot_segments(path), safe="/~")
    query = "&".join(sorted(f"{key}={value}" for key, _, value in
                            (pair.partition("=") for pair in request.raw_query.split("&")
                             if request.raw_query)))
    names = sorted(set(signature.signed_headers))
    headers = "".join(f"{name}:{' '.join((request.header(name) or '').split())}\n"
                      for name in names)
    payload = content_hash if content_hash is not None \
        else hashlib.sha256(request.body).hexdigest()
    canonical = "\n".join((request.method.upper(), path, query, headers, ";".join(names),
                           payload))
    scope = f"{signature.date}/{signature.region}/{signature.service}/aws4_request"
    to_sign = "\n".join((ALGORITHM, signature.timestamp, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()))
    key = _signing_key(secret_key, signature.timestamp[:8], signature.region,
                       signature.service)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=256)
def _signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _without_dot_segments(path: str) -> str:
    """The path as botocore normalizes it before signing (no `.`, `..` or empty segments).
    A path without them (an SDK's `/`) is already so: botocore, ~45 ms to import, is then
    left unimported until a path needs it."""
    if "//" not in path and "/." not in path and not path.startswith("."):
        return path
    from botocore.utils import remove_dot_segments

    return remove_dot_segments(path)


def _botocore_holds(signature: Signature, request: HttpRequest, secret_key: str) -> bool:
    """A presigned URL's signature, checked by botocore's own query signers (imported on
    the first presigned URL: see _without_dot_segments)."""
    from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {name: request.header(name) or "" for name in signature.signed_headers}
    query = [(k, v) for k, v in parse_qsl(request.raw_query, keep_blank_values=True)
             if k != "X-Amz-Signature"]
    url = f"http://{headers.get('host') or 'localhost'}{request.path}"
    if query:
        url += "?" + urlencode(query)
    aws_request = AWSRequest(method=request.method, url=url, headers=headers,
                             data=request.body)
    aws_request.context["timestamp"] = signature.timestamp
    credentials = Credentials(signature.access_key, secret_key, signature.session_token)
    is_s3 = signature.service == "s3"
    kind = (S3SigV4QueryAuth if is_s3 else SigV4QueryAuth) if signature.in_query \
        else (S3SigV4Auth if is_s3 else SigV4Auth)
    signer = kind(credentials, signature.service, signature.region)
    canonical = signer.canonical_request(aws_request)
    expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
    return hmac.compare_digest(expected, signature.signature)
