"""The AI offer where buyers look: a gig's three prices per package, and the "AI model from
$X" badge of gig cards, from the gig's packages (catalog) and the freelancer's active personal
model (creation). Read-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.catalog.models import Gig
from twinwork.catalog.offer import PackageOffer, gig_offers, lowest_ai_amount
from twinwork.creation.models import ACTIVE_RUN_STATUSES, PersonalModel
from twinwork.creation.service import creation_service


@dataclass(frozen=True)
class GigOffer:
    model: PersonalModel | None
    """The freelancer's active model the AI and hybrid work come from; None: by hand only."""
    packages: dict[str, PackageOffer]
    """By package name."""
    training: bool
    """No active model yet, but one in training: the page says it will be ready soon."""

    @property
    def ai_from(self) -> int | None:
        """The cheapest package made by AI, in cents: the "AI model" badge."""
        return lowest_ai_amount(self.packages.values())


class AiOfferService:
    async def for_gig(self, session: AsyncSession, gig: Gig) -> GigOffer:
        models = await creation_service.active_for_owners(session, [gig.freelancer_id])
        # The model orders come from (order.service.quote takes the same one).
        model = models[0] if models else None
        training = model is None and await self._training(session, gig)
        return GigOffer(
            model=model,
            packages={offer.package.name: offer for offer in gig_offers(gig, model)},
            training=training,
        )

    async def badges(self, session: AsyncSession, gigs: Sequence[Gig]) -> dict[int, int]:
        """Gig id -> its cheapest package made by the freelancer's AI model, in cents, for
        the gigs whose freelancer has an active model; one query for all of them."""
        owner_ids = sorted({gig.freelancer_id for gig in gigs})
        models: dict[int, PersonalModel] = {}
        for model in await creation_service.active_for_owners(session, owner_ids):
            models.setdefault(model.owner_user_id, model)
        prices: dict[int, int] = {}
        for gig in gigs:
            owner_model = models.get(gig.freelancer_id)
            amount = lowest_ai_amount(gig_offers(gig, owner_model)) if owner_model else None
            if amount is not None:
                prices[gig.id] = amount
        return prices

    async def _training(self, session: AsyncSession, gig: Gig) -> bool:
        for model in await creation_service.mine(session, gig.freelancer.user):
            if model.erased_at is None and any(
                run.status in ACTIVE_RUN_STATUSES
                for run in await creation_service.runs(session, model)
            ):
                return True
        return False


ai_offer_service = AiOfferService()
