"""The local STS's answers, as data: the caller's identity and the temporary credentials
AssumeRole and GetSessionToken issue. No wire format (route.py) and no moto: moto's STS
names every caller `user/moto` and keeps its roles in a process-wide registry; these three
actions are small enough to answer from botocore's STS shapes (2011-06-15).

Keys issued here are remembered (in memory: they expire in hours anyway), so a client that
assumed a role is that role when it asks GetCallerIdentity, as in AWS. Any other key is the
account's root user ("GetCallerIdentity", STS API reference: UserId is the account id for
the root user).
"""

from __future__ import annotations

import hashlib
import secrets
import string
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from samlite.clock import Clock

# "AssumeRole", STS API reference: DurationSeconds 900 up to the role's maximum (at most
# 43200), default 3600. "GetSessionToken": 900 to 129600, default 43200.
ASSUME_ROLE_DURATION_S = (900, 43_200, 3_600)
SESSION_TOKEN_DURATION_S = (900, 129_600, 43_200)
_ROLE_SESSION_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_=,.@-")
_KEY_CHARS = string.ascii_uppercase + string.digits


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    user_id: str
    account: str
    arn: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    expiration: float               # epoch seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class AssumedRole:
    credentials: Credentials
    assumed_role_id: str            # "AROA...:<session name>"
    arn: str                        # arn:aws:sts::<account>:assumed-role/<role>/<session>


class StsError(Exception):
    """An STS error in AWS's code and words; route.py answers it."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class LocalSts:
    def __init__(self, *, account_id: str, partition: str = "aws", clock: Clock) -> None:
        self._account_id = account_id
        self._partition = partition
        self._clock = clock
        self._lock = threading.Lock()
        self._issued: dict[str, Identity] = {}
        self._functions: dict[str, Identity] = {}

    def recognize_functions(self, sessions: Mapping[str, tuple[str, str]]) -> None:
        """The functions' own access keys: key -> (role name, session name). GetCallerIdentity
        with one answers the function's role session, as on Lambda."""
        found = {}
        for key, (role, session) in sessions.items():
            role_id = "AROA" + hashlib.sha256(role.encode()).hexdigest()[:17].upper()
            found[key] = Identity(
                user_id=f"{role_id}:{session}", account=self._account_id,
                arn=f"arn:{self._partition}:sts::{self._account_id}:assumed-role/{role}/"
                    f"{session}")
        with self._lock:
            self._functions = found

    def caller_identity(self, access_key_id: str | None) -> Identity:
        with self._lock:
            issued = self._issued.get(access_key_id or "") or \
                self._functions.get(access_key_id or "")
        if issued is not None:
            return issued
        return Identity(user_id=self._account_id, account=self._account_id,
                        arn=f"arn:{self._partition}:iam::{self._account_id}:root")

    def assume_role(self, *, role_arn: str, session_name: str,
                    duration_s: int | None = None) -> AssumedRole:
        role_name = _role_name(role_arn)
        if not 2 <= len(session_name) <= 64 or \
                not set(session_name) <= _ROLE_SESSION_NAME_CHARS:
            raise StsError("ValidationError",
                           f"1 validation error detected: Value '{session_name}' at "
                           "'roleSessionName' failed to satisfy constraint: Member must "
                           "satisfy regular expression pattern: [\\w+=,.@-]*")
        account = role_arn.split(":")[4] or self._account_id
        role_id = "AROA" + _random_key(17)
        arn = f"arn:{self._partition}:sts::{account}:assumed-role/{role_name}/{session_name}"
        credentials = self._issue(duration_s, ASSUME_ROLE_DURATION_S, Identity(
            user_id=f"{role_id}:{session_name}", account=account, arn=arn))
        return AssumedRole(credentials=credentials, assumed_role_id=f"{role_id}:{session_name}",
                           arn=arn)

    def session_token(self, access_key_id: str | None,
                      duration_s: int | None = None) -> Credentials:
        return self._issue(duration_s, SESSION_TOKEN_DURATION_S,
                           self.caller_identity(access_key_id))

    def _issue(self, duration_s: int | None, limits: tuple[int, int, int],
               identity: Identity) -> Credentials:
        low, high, default = limits
        duration = default if duration_s is None else duration_s
        if not low <= duration <= high:
            raise StsError("ValidationError",
                           f"1 validation error detected: Value '{duration}' at "
                           f"'durationSeconds' failed to satisfy constraint: Member must have "
                           f"value {'less' if duration > high else 'greater'} than or equal "
                           f"to {high if duration > high else low}")
        credentials = Credentials(access_key_id="ASIA" + _random_key(16),
                                  secret_access_key=secrets.token_urlsafe(30)[:40],
                                  session_token=secrets.token_urlsafe(96),
                                  expiration=self._clock.now() + duration)
        with self._lock:
            self._issued[credentials.access_key_id] = identity
        return credentials


def _role_name(role_arn: str) -> str:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or \
            not parts[5].startswith("role/"):
        raise StsError("ValidationError", f"{role_arn} is invalid")
    return parts[5].rsplit("/", 1)[-1]


def _random_key(length: int) -> str:
    return "".join(secrets.choice(_KEY_CHARS) for _ in range(length))
