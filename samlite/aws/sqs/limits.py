"""What SQS refuses in a message before it queues it: an empty body, characters outside the
allowed set, message attributes that are empty, badly named or too many, and a message (body
plus attributes) over the queue's maximum size. Pure: values in, an SqsError out.

Follows the SQS API Reference ("SendMessage", "MessageAttributeValue", "Common Errors") and
the Developer Guide ("Amazon SQS message attributes", "Amazon SQS message quotas").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from samlite.aws.sqs.model import SqsError

# "SendMessage" (API Reference, 2025): "The maximum size is 1 MiB or 1,048,576 bytes"; the
# 256 KiB limit was raised in August 2025. A queue's MaximumMessageSize may set it lower.
MAX_MESSAGE_BYTES = 1_048_576
# "Amazon SQS message quotas": a message can contain up to 10 message attributes.
MAX_MESSAGE_ATTRIBUTES = 10
# "Amazon SQS message attributes": a name is up to 256 characters.
MAX_ATTRIBUTE_NAME_LENGTH = 256

# "SendMessage": #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF;
# SQS answers InvalidMessageContents for anything else.
_NOT_ALLOWED = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ALLOWED_CHARACTERS = ("#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
                      "#x10000 to #x10FFFF")
# "Amazon SQS message attributes": A-Z, a-z, 0-9, underscore, hyphen and period.
_NAME_CHARACTERS = re.compile(r"[A-Za-z0-9_.\-]+")
_RESERVED_PREFIXES = ("aws.", "amazon.")


def check_message(body: str, attributes: Mapping[str, Mapping[str, Any]] | None, *,
                  max_bytes: int = MAX_MESSAGE_BYTES) -> None:
    """Raise the SqsError SQS answers for this SendMessage body and MessageAttributes."""
    if not body:
        # SQS treats an empty MessageBody as a missing one (MissingParameter, 400).
        raise SqsError("MissingParameter", "The request must contain the parameter MessageBody.")
    check_characters(body, where="the message body")
    attributes = attributes or {}
    if len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise SqsError("InvalidParameterValue",
                       f"Number of message attributes [{len(attributes)}] exceeds the allowed "
                       f"maximum [{MAX_MESSAGE_ATTRIBUTES}].")
    for name, value in attributes.items():
        check_attribute(name, value)
    size = message_size(body, attributes)
    if size > max_bytes:
        raise SqsError("InvalidParameterValue",
                       "One or more parameters are invalid. Reason: Message must be shorter "
                       f"than {max_bytes} bytes.")


def check_characters(text: str, *, where: str) -> None:
    bad = _NOT_ALLOWED.search(text)
    if bad is not None:
        raise SqsError("InvalidMessageContents",
                       f"Invalid binary character '#x{ord(bad.group()):X}' was found in "
                       f"{where}, the set of allowed characters is {ALLOWED_CHARACTERS}")


def check_attribute(name: str, value: Mapping[str, Any]) -> None:
    """One message attribute: its name, its type, and a non-empty value of that type
    ("MessageAttributeValue": name, type, value and body must not be empty or null)."""
    check_attribute_name(name)
    data_type = str(value.get("DataType") or "")
    base_type = data_type.split(".", 1)[0]
    if base_type not in ("String", "Number", "Binary"):
        # SQS's words, as boto/boto3#362 quotes them.
        raise SqsError("InvalidParameterValue",
                       f"The message attribute '{name}' has an invalid message attribute "
                       "type, the set of supported type prefixes is Binary, Number, and "
                       "String.")
    field = "BinaryValue" if base_type == "Binary" else "StringValue"
    content = value.get(field)
    if content is None or len(content) == 0:
        raise SqsError("InvalidParameterValue",
                       f"Message (user) attribute '{name}' must contain a non-empty value of "
                       f"type '{base_type}'.")
    if base_type != "Binary":
        check_characters(str(content), where=f"message (user) attribute '{name}'")


def check_attribute_name(name: str) -> None:
    """"Amazon SQS message attributes": allowed characters, no AWS./Amazon. prefix in any
    case, no leading, trailing or doubled period, at most 256 characters."""
    lowered = name.lower()
    if (not name or len(name) > MAX_ATTRIBUTE_NAME_LENGTH
            or not _NAME_CHARACTERS.fullmatch(name)
            or lowered.startswith(_RESERVED_PREFIXES)
            or name.startswith(".") or name.endswith(".") or ".." in name):
        raise SqsError("InvalidParameterValue",
                       f"Message (user) attribute name '{name}' is invalid. A name can "
                       "contain A-Z, a-z, 0-9, underscore (_), hyphen (-) and period (.), "
                       "up to 256 characters; it must not start with 'AWS.' or 'Amazon.', "
                       "start or end with a period, or contain two periods in a row.")


def message_size(body: str, attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes counted against the size limit: the UTF-8 body plus every attribute's name, type
    and value ("MessageAttributeValue": all parts count toward the message size)."""
    size = len(body.encode())
    for name, value in attributes.items():
        size += len(name.encode()) + len(str(value.get("DataType") or "").encode())
        content = value.get("BinaryValue")
        if content is None:
            content = value.get("StringValue") or ""
        size += len(content) if isinstance(content, bytes) else len(str(content).encode())
    return size


def check_visibility_timeout(timeout: int) -> None:
    """"ChangeMessageVisibility" and "ReceiveMessage": 0 to 43,200 seconds (12 hours)."""
    if not 0 <= timeout <= 43200:
        raise SqsError("InvalidParameterValue",
                       f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: "
                       "Must be between 0 and 43200, if provided.")


def check_receive(*, max_messages: int | None, wait_s: int | None,
                  visibility_timeout: int | None) -> None:
    """"ReceiveMessage": MaxNumberOfMessages 1 to 10, WaitTimeSeconds 0 to 20 and
    VisibilityTimeout 0 to 43,200, each when given (MaxNumberOfMessages's message as SQS
    words it, quoted in aws/aws-sdk-java#197; the others follow its form)."""
    if max_messages is not None and not 1 <= max_messages <= 10:
        raise SqsError("InvalidParameterValue",
                       f"Value {max_messages} for parameter MaxNumberOfMessages is invalid. "
                       "Reason: Must be between 1 and 10, if provided.")
    if wait_s is not None and not 0 <= wait_s <= 20:
        raise SqsError("InvalidParameterValue",
                       f"Value {wait_s} for parameter WaitTimeSeconds is invalid. "
                       "Reason: Must be >= 0 and <= 20, if provided.")
    if visibility_timeout is not None:
        check_visibility_timeout(visibility_timeout)
