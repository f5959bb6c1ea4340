"""What one package costs made each of the three ways: by hand, by the freelancer's AI model,
or as the model's draft refined by hand.

The freelancer prices each package's AI and hybrid work (``GigPackage.ai_price_amount``,
``hybrid_price_amount``); a package left unpriced follows the model: its per-use price, and
that plus its refinement price. Catalog does not know personal models (creation builds on
catalog), so the model comes in as anything with its prices: ``ModelPrices``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from twinwork.catalog.models import Gig, GigPackage

HUMAN, AI, HYBRID = "human", "ai", "hybrid"
WAY_LABELS = {HUMAN: "By hand", AI: "AI", HYBRID: "Hybrid"}
"""The toggle's words, in its order."""


class ModelPrices(Protocol):
    """The prices of a freelancer's active personal model (``creation.PersonalModel``)."""

    @property
    def price_amount(self) -> int | None: ...

    @property
    def refinement_price_amount(self) -> int | None: ...


@dataclass(frozen=True)
class PackageOffer:
    package: GigPackage
    human_amount: int
    """In cents."""
    ai_amount: int | None
    """In cents; None: no AI work for this package (no active model)."""
    hybrid_amount: int | None
    """In cents; None: no hybrid work (no active model, or no refinement price)."""

    @property
    def currency(self) -> str:
        return self.package.currency

    def amount(self, way: str) -> int | None:
        """The price made ``way`` (human, ai or hybrid), in cents; None if not offered."""
        return {HUMAN: self.human_amount, AI: self.ai_amount, HYBRID: self.hybrid_amount}.get(way)

    @property
    def ways(self) -> tuple[str, ...]:
        """The ways this package can be ordered, in the toggle's order."""
        return tuple(way for way in WAY_LABELS if self.amount(way) is not None)


def package_offer(package: GigPackage, model: ModelPrices | None, units: int = 1) -> PackageOffer:
    """The package's three prices with ``model`` the freelancer's active model (or None).
    ``units``: how many times the model's price the brief costs (its modality counts them:
    a narration's script, per started 100 words); a package's own AI or hybrid price is the
    freelancer's price for the whole brief and is not multiplied."""
    if model is None or model.price_amount is None:
        return PackageOffer(package, package.price_amount, None, None)
    per_brief = model.price_amount * max(1, units)
    ai = package.ai_price_amount or per_brief
    hybrid = package.hybrid_price_amount
    if hybrid is None and model.refinement_price_amount is not None:
        hybrid = per_brief + model.refinement_price_amount
    return PackageOffer(package, package.price_amount, ai, hybrid)


def gig_offers(gig: Gig, model: ModelPrices | None) -> list[PackageOffer]:
    return [package_offer(package, model) for package in gig.packages]


def lowest_ai_amount(offers: Iterable[PackageOffer]) -> int | None:
    """The "AI model from $X" of a gig card: its cheapest AI-made package, in cents."""
    amounts = [offer.ai_amount for offer in offers if offer.ai_amount is not None]
    return min(amounts) if amounts else None
