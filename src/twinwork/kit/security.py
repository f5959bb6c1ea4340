"""Password hashing, opaque tokens and their digests."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# Argon2id at the library's defaults (3 passes over 64 MiB), in one lane instead of four. The
# lanes are threads: four of them took both cores of a 2-core server for the length of a
# sign-in, and every page being served meanwhile waited for a core. One lane costs an attacker
# the same memory and passes per guess and leaves the other cores serving. Hashes made with
# four lanes still verify: a hash carries its own parameters.
_password_hash = PasswordHash((Argon2Hasher(parallelism=1),))


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _password_hash.verify(password, password_hash)


# A fixed hash to verify against when the email is unknown, so a wrong email costs the same
# time as a wrong password and response timing does not reveal which accounts exist.
_DUMMY_HASH = _password_hash.hash(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    _password_hash.verify(password, _DUMMY_HASH)


# Argon2 costs about 0.1 s of CPU by design. Called inside a request it would stop that web
# process's event loop, and every other request it holds, for as long: from async code hash
# and verify in a worker thread (the argon2 binding releases the GIL while it works).


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_off_loop(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(verify_password, password, password_hash)


async def burn_password_check_off_loop(password: str) -> None:
    await asyncio.to_thread(burn_password_check, password)


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    """Tokens are stored only as digests: a leaked table grants nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
