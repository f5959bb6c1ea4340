"""Every SQL query of the inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.inbox.models import (
    Attachment,
    AuthorKind,
    Conversation,
    ConversationReport,
    Message,
    Offer,
    ReportStatus,
)
from twinwork.order.models import Dispute


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    unread: int
    """Messages the reader has not read yet (theirs never count)."""


def _unread_as(user_id: int, role: str) -> ColumnElement[bool]:
    """Messages newer than the reader's read mark, written by the other side (for the
    freelancer, the buyer's and the assistant's), in the conversations where the reader has
    ``role``: one condition per role, so each uses its own index."""
    if role == "buyer":
        return and_(
            Conversation.buyer_user_id == user_id,
            Message.id > Conversation.buyer_read_id,
            Message.author_kind != AuthorKind.BUYER,
        )
    return and_(
        Conversation.freelancer_user_id == user_id,
        Message.id > Conversation.freelancer_read_id,
        Message.author_kind != AuthorKind.FREELANCER,
    )


class InboxRepository:
    async def add(self, session: AsyncSession, row: object) -> None:
        session.add(row)
        await session.flush()

    async def conversation(
        self, session: AsyncSession, conversation_id: int
    ) -> Conversation | None:
        return await session.get(Conversation, conversation_id)

    async def lock_conversation(
        self, session: AsyncSession, conversation_id: int
    ) -> Conversation | None:
        return await session.scalar(
            select(Conversation)
            .where(Conversation.id == conversation_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def about_order(self, session: AsyncSession, order_id: int) -> Conversation | None:
        """An order has two parties, so at most one conversation is about it."""
        return await session.scalar(
            select(Conversation).where(Conversation.subject_key == f"order:{order_id}").limit(1)
        )

    async def find_conversation(
        self, session: AsyncSession, buyer_id: int, freelancer_id: int, subject_key: str
    ) -> Conversation | None:
        return await session.scalar(
            select(Conversation).where(
                Conversation.buyer_user_id == buyer_id,
                Conversation.freelancer_user_id == freelancer_id,
                Conversation.subject_key == subject_key,
            )
        )

    async def for_party(
        self, session: AsyncSession, user_id: int, offset: int, limit: int
    ) -> tuple[list[ConversationRow], int]:
        """The user's conversations, the latest message first, with their unread counts."""
        mine = or_(
            Conversation.buyer_user_id == user_id, Conversation.freelancer_user_id == user_id
        )
        conversations = list(
            await session.scalars(
                select(Conversation)
                .where(mine)
                .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
        total = await session.scalar(select(func.count()).select_from(Conversation).where(mine))
        unread = await self._unread_by_conversation(session, user_id, [c.id for c in conversations])
        return [ConversationRow(c, unread.get(c.id, 0)) for c in conversations], int(total or 0)

    async def _unread_by_conversation(
        self, session: AsyncSession, user_id: int, conversation_ids: list[int]
    ) -> dict[int, int]:
        if not conversation_ids:
            return {}
        counts: dict[int, int] = {}
        for role in ("buyer", "freelancer"):
            rows = await session.execute(
                select(Message.conversation_id, func.count(Message.id))
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(Conversation.id.in_(conversation_ids), _unread_as(user_id, role))
                .group_by(Message.conversation_id)
            )
            for conversation_id, count in rows.all():
                counts[conversation_id] = counts.get(conversation_id, 0) + int(count)
        return counts

    async def unread_total(self, session: AsyncSession, user_id: int) -> int:
        total = 0
        for role in ("buyer", "freelancer"):
            count = await session.scalar(
                select(func.count(Message.id))
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(_unread_as(user_id, role))
            )
            total += int(count or 0)
        return total

    async def unread_in(
        self, session: AsyncSession, conversation: Conversation, user_id: int
    ) -> int:
        counts = await self._unread_by_conversation(session, user_id, [conversation.id])
        return counts.get(conversation.id, 0)

    async def message_count(self, session: AsyncSession, conversation_id: int) -> int:
        count = await session.scalar(
            select(func.count(Message.id)).where(Message.conversation_id == conversation_id)
        )
        return int(count or 0)

    async def messages(
        self, session: AsyncSession, conversation_id: int, offset_from_newest: int, limit: int
    ) -> list[Message]:
        """``limit`` messages counted back from the newest, returned oldest first."""
        newest_first = await session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.id.desc())
            .offset(offset_from_newest)
            .limit(limit)
        )
        return list(reversed(list(newest_first)))

    async def messages_after(
        self, session: AsyncSession, conversation_id: int, after_id: int, limit: int
    ) -> list[Message]:
        result = await session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.id > after_id)
            .order_by(Message.id)
            .limit(limit)
        )
        return list(result)

    async def newest_message_id(self, session: AsyncSession, conversation_id: int) -> int:
        newest = await session.scalar(
            select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
        )
        return int(newest or 0)

    async def message(self, session: AsyncSession, message_id: int) -> Message | None:
        return await session.get(Message, message_id)

    async def sent_since(self, session: AsyncSession, author_user_id: int, since: datetime) -> int:
        """Messages a person wrote themselves since ``since`` (the assistant's are not theirs)."""
        count = await session.scalar(
            select(func.count(Message.id)).where(
                Message.author_user_id == author_user_id,
                Message.author_kind != AuthorKind.ASSISTANT,
                Message.created_at >= since,
            )
        )
        return int(count or 0)

    async def attachment(
        self, session: AsyncSession, conversation_id: int, attachment_id: int
    ) -> Attachment | None:
        return await session.scalar(
            select(Attachment)
            .join(Message, Message.id == Attachment.message_id)
            .where(Attachment.id == attachment_id, Message.conversation_id == conversation_id)
        )

    async def offers(self, session: AsyncSession, offer_ids: set[int]) -> dict[int, Offer]:
        if not offer_ids:
            return {}
        result = await session.scalars(select(Offer).where(Offer.id.in_(offer_ids)))
        return {offer.id: offer for offer in result}

    async def lock_offer(
        self, session: AsyncSession, conversation_id: int, offer_id: int
    ) -> Offer | None:
        return await session.scalar(
            select(Offer)
            .where(Offer.id == offer_id, Offer.conversation_id == conversation_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def order_has_dispute(self, session: AsyncSession, order_id: int) -> bool:
        found = await session.scalar(
            select(func.count(Dispute.id)).where(Dispute.order_id == order_id)
        )
        return bool(found)

    # ---- reports -------------------------------------------------------------------------

    async def has_open_report(self, session: AsyncSession, conversation_id: int) -> bool:
        found = await session.scalar(
            select(func.count(ConversationReport.id)).where(
                ConversationReport.conversation_id == conversation_id,
                ConversationReport.status == ReportStatus.OPEN,
            )
        )
        return bool(found)

    async def open_report_by(
        self, session: AsyncSession, conversation_id: int, reporter_user_id: int
    ) -> ConversationReport | None:
        return await session.scalar(
            select(ConversationReport).where(
                ConversationReport.conversation_id == conversation_id,
                ConversationReport.reporter_user_id == reporter_user_id,
                ConversationReport.status == ReportStatus.OPEN,
            )
        )

    async def open_reports_on(
        self, session: AsyncSession, conversation_id: int
    ) -> list[ConversationReport]:
        result = await session.scalars(
            select(ConversationReport)
            .where(
                ConversationReport.conversation_id == conversation_id,
                ConversationReport.status == ReportStatus.OPEN,
            )
            .order_by(ConversationReport.id)
        )
        return list(result)

    async def reports(
        self, session: AsyncSession, statuses: list[ReportStatus], offset: int, limit: int
    ) -> tuple[list[ConversationReport], int]:
        """Reports in ``statuses``, the oldest first (the longest waiting on top)."""
        where = ConversationReport.status.in_(statuses)
        items = await session.scalars(
            select(ConversationReport)
            .where(where)
            .order_by(ConversationReport.id)
            .offset(offset)
            .limit(limit)
        )
        total = await session.scalar(select(func.count(ConversationReport.id)).where(where))
        return list(items), int(total or 0)

    async def lock_report(self, session: AsyncSession, report_id: int) -> ConversationReport | None:
        return await session.scalar(
            select(ConversationReport)
            .where(ConversationReport.id == report_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )


inbox_repository = InboxRepository()
