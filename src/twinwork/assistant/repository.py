"""Every query of the assistant's own tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.assistant.models import (
    AssistantSettings,
    AssistantTurn,
    DraftStatus,
    FaqEntry,
    Handover,
    HandoverReason,
    HandoverStatus,
    KnowledgeChunk,
    RequirementDraft,
)
from twinwork.inbox.models import AuthorKind, Message
from twinwork.order.models import Order

GAP_REASONS = (HandoverReason.LOW_CONFIDENCE, HandoverReason.UNVERIFIED)


class SettingsRepository:
    async def get(self, session: AsyncSession, user_id: int) -> AssistantSettings | None:
        return await session.get(AssistantSettings, user_id)

    async def add(self, session: AsyncSession, settings: AssistantSettings) -> None:
        session.add(settings)
        await session.flush()

    async def enabled_user_ids(self, session: AsyncSession) -> list[int]:
        result = await session.scalars(
            select(AssistantSettings.user_id).where(AssistantSettings.enabled.is_(True))
        )
        return list(result)


class FaqRepository:
    async def all_for(self, session: AsyncSession, user_id: int) -> list[FaqEntry]:
        result = await session.scalars(
            select(FaqEntry).where(FaqEntry.user_id == user_id).order_by(FaqEntry.id)
        )
        return list(result)

    async def page_for(
        self, session: AsyncSession, user_id: int, offset: int, limit: int
    ) -> tuple[list[FaqEntry], int]:
        total = int(
            await session.scalar(select(func.count(FaqEntry.id)).where(FaqEntry.user_id == user_id))
            or 0
        )
        result = await session.scalars(
            select(FaqEntry)
            .where(FaqEntry.user_id == user_id)
            .order_by(FaqEntry.id)
            .offset(offset)
            .limit(limit)
        )
        return list(result), total

    async def count(self, session: AsyncSession, user_id: int) -> int:
        return int(
            await session.scalar(select(func.count(FaqEntry.id)).where(FaqEntry.user_id == user_id))
            or 0
        )

    async def get(self, session: AsyncSession, entry_id: int) -> FaqEntry | None:
        return await session.get(FaqEntry, entry_id)

    async def add(self, session: AsyncSession, entry: FaqEntry) -> None:
        session.add(entry)
        await session.flush()

    async def delete(self, session: AsyncSession, entry: FaqEntry) -> None:
        await session.delete(entry)
        await session.flush()

    async def delete_all(self, session: AsyncSession, user_id: int) -> None:
        await session.execute(delete(FaqEntry).where(FaqEntry.user_id == user_id))


class KnowledgeRepository:
    async def for_user(self, session: AsyncSession, user_id: int) -> list[KnowledgeChunk]:
        result = await session.scalars(
            select(KnowledgeChunk)
            .where(KnowledgeChunk.user_id == user_id)
            .order_by(KnowledgeChunk.id)
        )
        return list(result)

    async def hashes(self, session: AsyncSession, user_id: int) -> dict[str, tuple[int, str]]:
        """key -> (id, content hash) of every stored passage."""
        result = await session.execute(
            select(KnowledgeChunk.key, KnowledgeChunk.id, KnowledgeChunk.content_hash).where(
                KnowledgeChunk.user_id == user_id
            )
        )
        return {key: (row_id, digest) for key, row_id, digest in result}

    async def count(self, session: AsyncSession, user_id: int) -> int:
        """Passages, an FAQ entry counting once (its question-and-answer row is its second
        vector, "faq:<id>:qa")."""
        return int(
            await session.scalar(
                select(func.count(KnowledgeChunk.id)).where(
                    KnowledgeChunk.user_id == user_id, ~KnowledgeChunk.key.like("%:qa")
                )
            )
            or 0
        )

    async def delete_ids(self, session: AsyncSession, ids: Sequence[int]) -> None:
        if ids:
            await session.execute(delete(KnowledgeChunk).where(KnowledgeChunk.id.in_(list(ids))))

    async def add_all(self, session: AsyncSession, chunks: Sequence[KnowledgeChunk]) -> None:
        session.add_all(list(chunks))
        await session.flush()


class TurnRepository:
    async def claim(self, session: AsyncSession, turn: AssistantTurn) -> bool:
        """Insert the turn for its message; False if one exists (the unique message id, not
        a prior read, decides a retried hook)."""
        try:
            async with session.begin_nested():
                session.add(turn)
                await session.flush()
        except IntegrityError:
            return False
        return True

    async def for_message(self, session: AsyncSession, message_id: int) -> AssistantTurn | None:
        return await session.scalar(
            select(AssistantTurn).where(AssistantTurn.message_id == message_id)
        )

    async def for_conversation(
        self, session: AsyncSession, conversation_id: int
    ) -> list[AssistantTurn]:
        result = await session.scalars(
            select(AssistantTurn)
            .where(AssistantTurn.conversation_id == conversation_id)
            .order_by(AssistantTurn.id)
        )
        return list(result)


class HandoverRepository:
    async def add(self, session: AsyncSession, handover: Handover) -> None:
        session.add(handover)
        await session.flush()

    async def get(self, session: AsyncSession, handover_id: int) -> Handover | None:
        return await session.get(Handover, handover_id)

    async def latest_for_conversation(
        self, session: AsyncSession, conversation_id: int
    ) -> Handover | None:
        return await session.scalar(
            select(Handover)
            .where(Handover.conversation_id == conversation_id)
            .order_by(Handover.id.desc())
            .limit(1)
        )

    async def open_for_conversation(
        self, session: AsyncSession, conversation_id: int
    ) -> list[Handover]:
        result = await session.scalars(
            select(Handover).where(
                Handover.conversation_id == conversation_id,
                Handover.status == HandoverStatus.OPEN,
            )
        )
        return list(result)

    async def page_for(
        self,
        session: AsyncSession,
        user_id: int,
        statuses: Sequence[HandoverStatus],
        offset: int,
        limit: int,
    ) -> tuple[list[Handover], int]:
        where = (Handover.freelancer_user_id == user_id, Handover.status.in_(list(statuses)))
        total = int(await session.scalar(select(func.count(Handover.id)).where(*where)) or 0)
        result = await session.scalars(
            select(Handover)
            .where(*where)
            .order_by(Handover.created_at.desc(), Handover.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result), total

    async def knowledge_gaps(
        self, session: AsyncSession, user_id: int, limit: int = 50
    ) -> list[Handover]:
        """Handovers of questions the knowledge did not cover, newest first."""
        result = await session.scalars(
            select(Handover)
            .where(
                Handover.freelancer_user_id == user_id,
                Handover.reason.in_(GAP_REASONS),
            )
            .order_by(Handover.id.desc())
            .limit(limit)
        )
        return list(result)

    async def open_count(self, session: AsyncSession, user_id: int) -> int:
        return int(
            await session.scalar(
                select(func.count(Handover.id)).where(
                    Handover.freelancer_user_id == user_id,
                    Handover.status == HandoverStatus.OPEN,
                )
            )
            or 0
        )

    async def due_for_follow_up(self, session: AsyncSession, now: datetime) -> list[Handover]:
        result = await session.scalars(
            select(Handover)
            .where(
                Handover.status == HandoverStatus.OPEN,
                Handover.follow_up_sent_at.is_(None),
                Handover.follow_up_due_at <= now,
            )
            .order_by(Handover.follow_up_due_at)
            .limit(200)
        )
        return list(result)

    async def mark_follow_up_sent(
        self, session: AsyncSession, handover_id: int, now: datetime
    ) -> bool:
        """Claim the one follow-up of a handover; False when it was already sent."""
        result = await session.execute(
            update(Handover)
            .where(Handover.id == handover_id, Handover.follow_up_sent_at.is_(None))
            .values(follow_up_sent_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class DraftRepository:
    async def open_for_conversation(
        self, session: AsyncSession, conversation_id: int
    ) -> RequirementDraft | None:
        return await session.scalar(
            select(RequirementDraft)
            .where(
                RequirementDraft.conversation_id == conversation_id,
                RequirementDraft.status == DraftStatus.DRAFT,
            )
            .order_by(RequirementDraft.id.desc())
            .limit(1)
        )

    async def get(self, session: AsyncSession, draft_id: int) -> RequirementDraft | None:
        return await session.get(RequirementDraft, draft_id)

    async def add(self, session: AsyncSession, draft: RequirementDraft) -> None:
        session.add(draft)
        await session.flush()

    async def open_for_freelancer(
        self, session: AsyncSession, user_id: int, limit: int = 50
    ) -> list[RequirementDraft]:
        result = await session.scalars(
            select(RequirementDraft)
            .where(
                RequirementDraft.freelancer_user_id == user_id,
                RequirementDraft.status == DraftStatus.DRAFT,
            )
            .order_by(RequirementDraft.updated_at.desc(), RequirementDraft.id.desc())
            .limit(limit)
        )
        return list(result)


class ReadRepository:
    """Reads of other domains' tables that only the assistant needs (never writes)."""

    async def orders_between(
        self, session: AsyncSession, buyer_id: int, freelancer_id: int, limit: int = 20
    ) -> list[Order]:
        """The buyer's orders with this freelancer, newest first: what the order-status tool
        may speak of, and whether the buyer is a repeat client."""
        result = await session.scalars(
            select(Order)
            .where(Order.buyer_user_id == buyer_id, Order.freelancer_user_id == freelancer_id)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
        return list(result)

    async def has_order_between(
        self, session: AsyncSession, buyer_id: int, freelancer_id: int
    ) -> bool:
        found = await session.scalar(
            select(Order.id)
            .where(Order.buyer_user_id == buyer_id, Order.freelancer_user_id == freelancer_id)
            .limit(1)
        )
        return found is not None

    async def freelancer_replies(
        self, session: AsyncSession, freelancer_id: int, limit: int = 200
    ) -> list[Message]:
        """The freelancer's own messages (never the buyers', never the assistant's), newest
        first."""
        result = await session.scalars(
            select(Message)
            .where(
                Message.author_user_id == freelancer_id,
                Message.author_kind == AuthorKind.FREELANCER,
            )
            .order_by(Message.id.desc())
            .limit(limit)
        )
        return list(result)

    async def message(self, session: AsyncSession, message_id: int) -> Message | None:
        return await session.get(Message, message_id)

    async def first_freelancer_reply_after(
        self, session: AsyncSession, conversation_id: int, freelancer_id: int, since: datetime
    ) -> Message | None:
        return await session.scalar(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.author_user_id == freelancer_id,
                Message.author_kind == AuthorKind.FREELANCER,
                Message.created_at >= since,
            )
            .order_by(Message.id)
            .limit(1)
        )

    async def freelancer_wrote_since(
        self, session: AsyncSession, conversation_id: int, freelancer_id: int, since: datetime
    ) -> bool:
        found = await session.scalar(
            select(Message.id)
            .where(
                Message.conversation_id == conversation_id,
                Message.author_user_id == freelancer_id,
                Message.author_kind == AuthorKind.FREELANCER,
                Message.created_at >= since,
            )
            .limit(1)
        )
        return found is not None


settings_repository = SettingsRepository()
read_repository = ReadRepository()
faq_repository = FaqRepository()
knowledge_repository = KnowledgeRepository()
turn_repository = TurnRepository()
handover_repository = HandoverRepository()
draft_repository = DraftRepository()
