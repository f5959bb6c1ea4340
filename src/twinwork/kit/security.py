"""Password hashing, opaque tokens and their digests."""

from __future__ import annotations

import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_password_hash = PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _password_hash.verify(password, password_hash)


# A fixed hash to verify against when the email is unknown, so a wrong email costs the same
# time as a wrong password and response timing does not reveal which accounts exist.
_DUMMY_HASH = _password_hash.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    _password_hash.verify(password, _DUMMY_HASH)


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """Tokens are stored only as digests: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
