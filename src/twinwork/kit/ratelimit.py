"""Rate limits (sign-in and sign-up attempts) on the ``limits`` library that slowapi is built on.

In-memory for one process; point ``TWINWORK_RATE_LIMIT_STORAGE_URL`` at Redis when several
processes serve the site so they share counters.

Sign-in is limited twice, and neither limit lets a stranger lock the owner out:

- per client address: every attempt counts (one address guessing at many accounts);
- per account: only *failed* attempts count. Once an account has had too many failures, an
  address that took part in them is refused for the window, but an address that has not failed
  for this account (the owner at home) still gets its attempt through. An attacker spread over
  many addresses gets one guess per address and window, not one per request.
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


def _account_key(email: str) -> str:
    return f"email:{email.strip().lower()}"


def _pair_key(client_ip: str, email: str) -> str:
    return f"{_account_key(email)}|ip:{client_ip}"


def _too_many(what: str) -> TooManyRequests:
    return TooManyRequests(
        f"Too many {what} attempts. Wait a minute, then try again.", retry_after_seconds=60
    )


def check_login_attempt(client_ip: str, email: str) -> None:
    """Count one sign-in attempt against the address, and refuse an address that has been
    failing for an account that is under attack."""
    limit = _login_limit()
    limiter = _limiter()
    if not limiter.hit(limit, "login", f"ip:{client_ip}"):
        raise _too_many("sign-in")
    account_blocked = not limiter.test(limit, "login-failed", _account_key(email))
    if account_blocked:
        stats = limiter.get_window_stats(limit, "login-failed", _pair_key(client_ip, email))
        if stats.remaining < limit.amount:
            raise _too_many("sign-in")


def record_login_failure(client_ip: str, email: str) -> None:
    """Count a wrong password against the account, and against this address for the account."""
    limit = _login_limit()
    limiter = _limiter()
    limiter.hit(limit, "login-failed", _account_key(email))
    limiter.hit(limit, "login-failed", _pair_key(client_ip, email))


def check_signup_attempt(client_ip: str) -> None:
    """Count one sign-up against the address: account creation in bulk is refused."""
    if not _limiter().hit(parse(get_settings().signup_rate_limit), "signup", f"ip:{client_ip}"):
        raise _too_many("sign-up")


def check_generation_attempt(user_id: int, *, count: bool = True) -> None:
    """Count one preview against the buyer's account (``count=False`` only looks, for a
    check made again where the preview is counted)."""
    limit = parse(get_settings().generation_rate_limit)
    limiter = _limiter()
    allowed = (
        limiter.hit(limit, "generation", f"user:{user_id}")
        if count
        else limiter.test(limit, "generation", f"user:{user_id}")
    )
    if not allowed:
        raise TooManyRequests(
            f"You have asked for {limit.amount} previews in the last {_window(limit)}, the "
            "most one account may. Wait a little, then try again; nothing was charged.",
            retry_after_seconds=limit.get_expiry(),
        )


def _window(limit: RateLimitItem) -> str:
    granularity = limit.GRANULARITY.name
    return granularity if limit.multiples == 1 else f"{limit.multiples} {granularity}s"


def reset_limits() -> None:
    _storage().reset()
