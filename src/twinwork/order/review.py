"""Reviews as the public sees them, on gig and profile pages.

Reading only: a buyer writes a review through ``order_service.review``. Kept apart from the
order service, which is at the size STYLE.md splits at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.order.models import OrderKind
from twinwork.order.repository import order_repository

MADE_HOW = {OrderKind.HUMAN: "By hand", OrderKind.AI: "AI", OrderKind.HYBRID: "Hybrid"}
REVIEWS_PER_PAGE = 5


@dataclass(frozen=True)
class PublicReview:
    """A review as anyone may read it: the buyer by first name only."""

    stars: int
    text: str
    buyer_first_name: str
    created_at: datetime
    made_how: str
    """How the order's work was made: "By hand", "AI" or "Hybrid"."""


def first_name(display_name: str) -> str:
    words = display_name.split()
    return words[0] if words else "A buyer"


class ReviewService:
    async def public(
        self,
        session: AsyncSession,
        freelancer_id: int,
        gig_id: int | None = None,
        page: int = 1,
        page_size: int = REVIEWS_PER_PAGE,
    ) -> Page[PublicReview]:
        """A freelancer's reviews, newest first: of one gig's orders, or of all their work."""
        rows, total = await order_repository.public_reviews(
            session, freelancer_id, gig_id, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        items = [
            PublicReview(
                stars=review.rating,
                text=review.text,
                buyer_first_name=first_name(buyer_name),
                created_at=review.created_at,
                made_how=MADE_HOW[kind],
            )
            for review, kind, buyer_name in rows
        ]
        return Page(items, page, page_size, total)


review_service = ReviewService()
