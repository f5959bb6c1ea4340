"""Every query of the equity programme: its rules, rounds and grants, and the earnings it
reads from the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.billing.sale import SALE_REASONS
from twinwork.equity.models import EquityGrant, EquityRound, EquityRules
from twinwork.ledger.repository import sales_repository


class EquityRepository:
    async def rules(self, session: AsyncSession, *, lock: bool = False) -> EquityRules | None:
        query = select(EquityRules).where(EquityRules.id == 1)
        if lock:
            query = query.with_for_update()
        return await session.scalar(query)

    async def add(self, session: AsyncSession, row: EquityRules | EquityRound) -> None:
        session.add(row)
        await session.flush()

    async def add_grant(self, session: AsyncSession, grant: EquityGrant) -> None:
        session.add(grant)
        await session.flush()

    async def round_for_year(self, session: AsyncSession, year: int) -> EquityRound | None:
        return await session.scalar(select(EquityRound).where(EquityRound.year == year))

    async def rounds(self, session: AsyncSession) -> list[EquityRound]:
        result = await session.scalars(select(EquityRound).order_by(EquityRound.year.desc()))
        return list(result)

    async def grants_of_round(self, session: AsyncSession, round_id: int) -> list[EquityGrant]:
        result = await session.scalars(
            select(EquityGrant).where(EquityGrant.round_id == round_id).order_by(EquityGrant.id)
        )
        return list(result)

    async def grants_of_user(self, session: AsyncSession, user_id: int) -> list[EquityGrant]:
        result = await session.scalars(
            select(EquityGrant).where(EquityGrant.user_id == user_id).order_by(EquityGrant.year)
        )
        return list(result)

    async def grant(self, session: AsyncSession, grant_id: int) -> EquityGrant | None:
        return await session.get(EquityGrant, grant_id)

    async def grants_of_users(
        self, session: AsyncSession, user_ids: Sequence[int] | None = None
    ) -> dict[int, list[EquityGrant]]:
        """Grants by freelancer (every freelancer with one when ``user_ids`` is None)."""
        query = select(EquityGrant).order_by(EquityGrant.user_id, EquityGrant.year)
        if user_ids is not None:
            query = query.where(EquityGrant.user_id.in_(list(user_ids)))
        found: dict[int, list[EquityGrant]] = {}
        for grant in await session.scalars(query):
            found.setdefault(grant.user_id, []).append(grant)
        return found

    async def earnings(
        self,
        session: AsyncSession,
        currency: str,
        start: datetime,
        end: datetime,
        user_ids: Sequence[int] | None = None,
    ) -> dict[int, int]:
        """Each freelancer's sale earnings posted in [start, end), in cents: what the ledger
        credited to their pending earnings for sales (after the platform fee, net of
        refunds). Freelancers with none are left out."""
        return await sales_repository.totals_by_owner(
            session, SALE_REASONS, currency, start, end, user_ids
        )


equity_repository = EquityRepository()
