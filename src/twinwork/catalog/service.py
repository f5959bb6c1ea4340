"""Freelancer profiles, categories and gigs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.hooks import register_freelancer_joined
from twinwork.account.models import User
from twinwork.catalog.models import (
    LEVELS,
    Category,
    FreelancerProfile,
    Gig,
    GigPackage,
    SellerLevelChange,
)
from twinwork.catalog.repository import (
    category_repository,
    gig_repository,
    profile_repository,
)
from twinwork.catalog.schemas import GigCreate, GigUpdate, PackageIn, ProfileUpdate
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Forbidden, NotFound, ValidationFailed

DEFAULT_PACKAGE_TITLES = {"basic": "Basic", "standard": "Standard", "premium": "Premium"}


def slugify(text: str, max_length: int = 30) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "freelancer"


class CategoryService:
    async def all(self, session: AsyncSession) -> list[Category]:
        return await category_repository.list_all(session)

    async def by_slug(self, session: AsyncSession, slug: str) -> Category:
        category = await category_repository.get_by_slug(session, slug)
        if category is None:
            raise ValidationFailed(
                f"There is no category {slug[:60]!r}; GET /api/v1/categories lists them.",
                field="category",
            )
        return category

    async def with_counts(self, session: AsyncSession) -> list[tuple[Category, int]]:
        counts = await category_repository.published_counts(session)
        return [(c, counts.get(c.id, 0)) for c in await category_repository.list_all(session)]


class ProfileService:
    async def ensure_profile(
        self, session: AsyncSession, user: User, *, handle: str | None = None
    ) -> FreelancerProfile:
        existing = await profile_repository.get(session, user.id)
        if existing is not None:
            return existing
        stem = slugify(handle or user.display_name)
        taken = await profile_repository.handles_like(session, stem)
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}-{n}"
        profile = FreelancerProfile(user_id=user.id, handle=candidate, skills=[], level="new")
        await profile_repository.add(session, profile)
        await self._record_level(session, profile, profile.created_at)
        return profile

    async def set_level(
        self,
        session: AsyncSession,
        profile: FreelancerProfile,
        level: str,
        at: datetime | None = None,
    ) -> FreelancerProfile:
        """Change a seller's level and record when: equity reads how long a level was held."""
        if level not in LEVELS:
            raise ValidationFailed(
                f"There is no seller level {level[:20]!r}; use one of {', '.join(LEVELS)}.",
                field="level",
            )
        if profile.level != level:
            profile.level = level
            await self._record_level(session, profile, at or utcnow())
        return profile

    async def level_history(
        self, session: AsyncSession, user_ids: Sequence[int]
    ) -> dict[int, list[SellerLevelChange]]:
        """Read-only: each seller's level changes, oldest first."""
        return await profile_repository.level_history(session, user_ids)

    async def by_ids(
        self, session: AsyncSession, user_ids: Sequence[int]
    ) -> dict[int, FreelancerProfile]:
        return await profile_repository.by_ids(session, user_ids)

    async def _record_level(
        self, session: AsyncSession, profile: FreelancerProfile, at: datetime
    ) -> None:
        change = SellerLevelChange(user_id=profile.user_id, level=profile.level, changed_at=at)
        await profile_repository.add_level_change(session, change)

    async def by_handle(self, session: AsyncSession, handle: str) -> FreelancerProfile:
        profile = await profile_repository.get_by_handle(session, handle)
        if profile is None:
            raise NotFound(f"No freelancer goes by {handle[:40]!r}.")
        return profile

    async def find(self, session: AsyncSession, user_id: int) -> FreelancerProfile | None:
        """Read-only: the profile if there is one."""
        return await profile_repository.get(session, user_id)

    async def add_review(
        self, session: AsyncSession, user_id: int, stars: int
    ) -> FreelancerProfile | None:
        """Fold one new review into the seller's rating: it moves the average by one review's
        weight, so history without review rows (imported, the demo's) keeps counting. Stored
        unrounded: rounded, a long history would swallow every new review. The row lock makes
        concurrent reviews of one seller add up, none lost."""
        profile = await profile_repository.lock(session, user_id)
        if profile is None:
            return None
        count = profile.review_count
        profile.rating = (profile.rating * count + stars) / (count + 1)
        profile.review_count = count + 1
        await session.flush()
        return profile

    async def for_user(self, session: AsyncSession, user: User) -> FreelancerProfile:
        if not user.is_freelancer:
            raise Forbidden("Only freelancers have a seller profile. Become a seller first.")
        return await self.ensure_profile(session, user)

    async def update(
        self, session: AsyncSession, user: User, changes: ProfileUpdate
    ) -> FreelancerProfile:
        profile = await self.for_user(session, user)
        if changes.headline is not None:
            profile.headline = changes.headline.strip()
        if changes.bio is not None:
            profile.bio = changes.bio.strip()
        if changes.skills is not None:
            profile.skills = list(dict.fromkeys(s.strip() for s in changes.skills if s.strip()))
        if changes.ai_tools is not None:
            # Cleaned by the schema (catalog.ai_tools); the flag is what search filters on.
            profile.ai_tools = list(changes.ai_tools)
            profile.works_with_ai = bool(profile.ai_tools)
        if changes.country is not None:
            profile.country = changes.country
        await session.flush()
        return profile


class GigService:
    async def create(self, session: AsyncSession, user: User, data: GigCreate) -> Gig:
        profile = await profile_service.for_user(session, user)
        category = await category_service.by_slug(session, data.category)
        gig = Gig(
            freelancer_id=profile.user_id,
            category_id=category.id,
            title=data.title.strip(),
            description=data.description.strip(),
            requirements=data.requirements.strip(),
            status="draft",
        )
        self._set_tags(gig, data.tags)
        self._apply_packages(gig, data.packages)
        self._set_status(gig, data.status)
        await gig_repository.add(session, gig)
        return await gig_repository.reload(session, gig)

    async def update(self, session: AsyncSession, user: User, gig_id: int, data: GigUpdate) -> Gig:
        gig = await self.owned(session, user, gig_id)
        if data.title is not None:
            gig.title = data.title.strip()
        if data.description is not None:
            gig.description = data.description.strip()
        if data.requirements is not None:
            gig.requirements = data.requirements.strip()
        if data.category is not None:
            gig.category = await category_service.by_slug(session, data.category)
        if data.tags is not None:
            self._set_tags(gig, data.tags)
        if data.packages is not None:
            self._apply_packages(gig, data.packages)
        if data.status is not None:
            self._set_status(gig, data.status)
        gig.updated_at = utcnow()
        return await gig_repository.reload(session, gig)

    async def set_status(self, session: AsyncSession, user: User, gig_id: int, status: str) -> Gig:
        gig = await self.owned(session, user, gig_id)
        self._set_status(gig, status)
        gig.updated_at = utcnow()
        return await gig_repository.reload(session, gig)

    async def owned(self, session: AsyncSession, user: User, gig_id: int) -> Gig:
        gig = await gig_repository.get(session, gig_id)
        if gig is None:
            raise NotFound("There is no such gig.")
        if gig.freelancer_id != user.id:
            # The same answer as a missing id: another freelancer's drafts stay private.
            raise NotFound("There is no such gig.")
        return gig

    async def public(self, session: AsyncSession, gig_id: int, viewer: User | None) -> Gig:
        """A published gig, or the viewer's own gig in any state."""
        gig = await gig_repository.get(session, gig_id)
        visible = gig is not None and (
            gig.status == "published" or (viewer is not None and gig.freelancer_id == viewer.id)
        )
        if gig is None or not visible:
            raise NotFound("There is no such gig, or it is not published.")
        return gig

    async def mine(self, session: AsyncSession, user: User) -> list[Gig]:
        return await gig_repository.list_for_freelancer(session, user.id)

    async def published_by(self, session: AsyncSession, user_id: int) -> list[Gig]:
        return await gig_repository.list_published_for_freelancer(session, user_id)

    async def featured(self, session: AsyncSession, limit: int = 8) -> list[Gig]:
        """Top-rated gigs, one per freelancer, so the home page shows a range of people."""
        candidates = await gig_repository.featured(session, limit * 4)
        chosen: list[Gig] = []
        seen: set[int] = set()
        for gig in candidates:
            if gig.freelancer_id not in seen:
                seen.add(gig.freelancer_id)
                chosen.append(gig)
        return chosen[:limit]

    @staticmethod
    def _set_tags(gig: Gig, tags: list[str]) -> None:
        gig.tags = tags
        gig.tags_text = " ".join(tags)

    @staticmethod
    def _apply_packages(gig: Gig, packages: list[PackageIn]) -> None:
        """Update packages in place by name: replacing rows would insert a second "basic"
        before the old one is deleted and trip the unique (gig, name) constraint."""
        existing = {p.name: p for p in gig.packages}
        kept: list[GigPackage] = []
        for position, given in enumerate(packages):
            package = existing.get(given.name) or GigPackage(name=given.name)
            package.position = position
            package.title = (given.title or DEFAULT_PACKAGE_TITLES[given.name]).strip()
            package.summary = given.summary.strip()
            package.price_amount = given.price_amount
            package.currency = "USD"
            package.delivery_days = given.delivery_days
            package.revisions = given.revisions
            package.ai_price_amount = given.ai_price_amount
            package.hybrid_price_amount = given.hybrid_price_amount
            kept.append(package)
        gig.packages = kept
        gig.starting_price_amount = min(p.price_amount for p in kept)
        gig.fastest_delivery_days = min(p.delivery_days for p in kept)

    @staticmethod
    def _set_status(gig: Gig, status: str) -> None:
        if status == "published" and not gig.packages:
            raise ValidationFailed("Add at least one package before publishing.", field="packages")
        if status == "published" and gig.published_at is None:
            gig.published_at = utcnow()
        gig.status = status


category_service = CategoryService()
profile_service = ProfileService()
gig_service = GigService()

# Every freelancer has a seller profile from the moment they join (see account.hooks).
register_freelancer_joined(profile_service.ensure_profile)
