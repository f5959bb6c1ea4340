"""Rate limits (sign-in attempts) on the ``limits`` library that slowapi is built on.

In-memory for one process; point ``TWINWORK_RATE_LIMIT_STORAGE_URL`` at Redis when several
processes serve the site so they share counters.
"""

from __future__ import annotations

from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from twinwork.config import get_settings
from twinwork.kit.errors import TooManyRequests


@lru_cache(maxsize=1)
def _storage() -> Storage:
    storage = storage_from_string(get_settings().rate_limit_storage_url)
    assert isinstance(storage, Storage)  # the synchronous kind, for the synchronous limiter
    return storage


def _limiter() -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(_storage())


def _login_limit() -> RateLimitItem:
    return parse(get_settings().login_rate_limit)


def check_login_attempt(client_ip: str, email: str) -> None:
    """Count one sign-in attempt against both the address and the account."""
    limit = _login_limit()
    limiter = _limiter()
    for key in (f"ip:{client_ip}", f"email:{email.strip().lower()}"):
        if not limiter.hit(limit, "login", key):
            raise TooManyRequests(
                "Too many sign-in attempts. Wait a minute, then try again.",
                retry_after_seconds=60,
            )


def reset_limits() -> None:
    _storage().reset()
