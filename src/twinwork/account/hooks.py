"""What other domains do when something happens to an account.

Account is at the bottom of the domain graph, so it cannot call the domains built on it; they
register here instead (catalog creates the seller profile of a new freelancer). The
registration happens when the registering service module is imported: every process loads
those through ``twinwork.domains.load_domains()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User

FreelancerJoined = Callable[[AsyncSession, User], Awaitable[object]]

_on_freelancer_joined: list[FreelancerJoined] = []


class HookMissing(RuntimeError):
    """A notification that must be handled has no handler: a domain was not loaded."""


def register_freelancer_joined(hook: FreelancerJoined) -> FreelancerJoined:
    """Run ``hook(session, user)`` when a user becomes a freelancer (at sign-up or later).
    Registering the same hook twice (a module imported again) keeps one."""
    if hook not in _on_freelancer_joined:
        _on_freelancer_joined.append(hook)
    return hook


async def run_freelancer_joined(session: AsyncSession, user: User) -> None:
    if not _on_freelancer_joined:
        # A freelancer without a seller profile is a bug, not something to skip quietly.
        raise HookMissing(
            "Nothing handles a new freelancer: call twinwork.domains.load_domains() at startup."
        )
    for hook in _on_freelancer_joined:
        await hook(session, user)
