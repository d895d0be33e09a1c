"""The announcement signature the announcer adds and the high-value subscriber checks:
HMAC-SHA256 over "<orderId>:<total>" with the shared key kept in Secrets Manager."""

import hashlib
import hmac


def signature(key, order_id, total):
    text = f"{order_id}:{total}".encode()
    return hmac.new(key.encode(), text, hashlib.sha256).hexdigest()
