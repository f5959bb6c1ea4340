"""Read-only questions about the creation-program membership, and its one reverse
notification. Product domains (creation, generation) import this module at the top: it
imports no product domain, so they never form a cycle with the program.

When a membership ends (cancelled to the end of its period, or lapsed after its grace
period), the domains that sell a member's work must stop at once, in the same unit of work:
they register with ``on_membership_ended`` (creation switches the models off, never erasing
them) instead of the program knowing about them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.kit.money import format_amount
from twinwork.program.errors import ProgramRequired
from twinwork.program.models import LIVE_STATUSES
from twinwork.program.repository import subscription_repository

MembershipEndedListener = Callable[[AsyncSession, int], Awaitable[object]]
"""Called with the session and the owner's user id, inside the unit of work that ends the
membership."""
_ended_listeners: list[MembershipEndedListener] = []


def on_membership_ended(listener: MembershipEndedListener) -> None:
    """Register ``listener`` (once, however often its module is imported)."""
    if listener not in _ended_listeners:
        _ended_listeners.append(listener)


async def membership_ended(session: AsyncSession, user_id: int) -> None:
    """Tell every registered domain that this freelancer's membership ended."""
    if not _ended_listeners:
        # Nobody would switch the models off: a lapsed member would go on selling.
        raise RuntimeError(
            "no domain listens for ended memberships; call twinwork.domains.load_domains() "
            "at start-up"
        )
    for listener in _ended_listeners:
        await listener(session, user_id)


class Membership:
    async def is_member(self, session: AsyncSession, user_id: int) -> bool:
        subscription = await subscription_repository.latest_for_user(session, user_id)
        return subscription is not None and subscription.status in LIVE_STATUSES

    async def require_member(self, session: AsyncSession, user: User, to: str) -> None:
        """Raise ProgramRequired (402) with what to do next unless ``user`` is a member."""
        if not await self.is_member(session, user.id):
            settings = get_settings()
            price = format_amount(settings.program_price_amount, settings.program_currency)
            raise ProgramRequired(
                f"Join the creation program ({price} a month) to {to}. "
                "Your portfolio and models are kept while you are not a member.",
                join_url="/dashboard/program",
            )


membership = Membership()
