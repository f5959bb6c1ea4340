"""Reports: a party flags a conversation (a reason from a fixed list and a note) for the
operators. While a report is open an operator may read the conversation, never write in it;
resolving the report ends that access (unless a dispute on its order still grants it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.inbox.models import Conversation, ConversationReport, ReportReason, ReportStatus
from twinwork.inbox.repository import inbox_repository
from twinwork.inbox.service import inbox_service
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound
from twinwork.kit.pagination import Page, check_page_in_range

REPORTS_PER_PAGE = 20


@dataclass(frozen=True)
class ReportView:
    """A report with who is in the conversation it is about, for the operators' list."""

    report: ConversationReport
    conversation: Conversation
    reporter: User
    buyer: User
    freelancer: User


class ReportService:
    async def report(
        self,
        session: AsyncSession,
        user: User,
        conversation_id: int,
        reason: ReportReason,
        note: str,
    ) -> ConversationReport:
        """A party reports the conversation. One open report per person and conversation:
        reporting it again while the first is open is refused with when it was made."""
        conversation = await inbox_service.for_party(session, user, conversation_id)
        earlier = await inbox_repository.open_report_by(session, conversation.id, user.id)
        if earlier is not None:
            raise self._already(earlier)
        report = ConversationReport(
            conversation_id=conversation.id,
            reporter_user_id=user.id,
            reason=reason,
            note=note.strip(),
            status=ReportStatus.OPEN,
        )
        try:
            async with session.begin_nested():
                await inbox_repository.add(session, report)
        except IntegrityError as exc:
            # The same report sent twice at once: the partial unique index keeps one.
            earlier = await inbox_repository.open_report_by(session, conversation.id, user.id)
            if earlier is None:
                raise Conflict("This report is being sent; retry in a moment.") from exc
            raise self._already(earlier) from exc
        return report

    def _already(self, earlier: ConversationReport) -> Conflict:
        return Conflict(
            f"You reported this conversation on {earlier.created_at:%Y-%m-%d %H:%M} UTC; an "
            "operator will look at it. You can keep writing here meanwhile.",
            report_id=earlier.public_id,
        )

    async def mine_open(
        self, session: AsyncSession, user: User, conversation: Conversation
    ) -> ConversationReport | None:
        """The reader's own open report on the conversation (a party sees only theirs)."""
        return await inbox_repository.open_report_by(session, conversation.id, user.id)

    async def open_on(
        self, session: AsyncSession, admin: User, conversation: Conversation
    ) -> list[ConversationReport]:
        """Every open report on a conversation, for the operator reading it."""
        self._operator(admin)
        return await inbox_repository.open_reports_on(session, conversation.id)

    async def page(
        self, session: AsyncSession, admin: User, status: ReportStatus | None, page: int
    ) -> Page[ReportView]:
        """Reports, the longest waiting first; ``status`` None: all of them."""
        self._operator(admin)
        statuses = [status] if status is not None else list(ReportStatus)
        items, total = await inbox_repository.reports(
            session, statuses, (page - 1) * REPORTS_PER_PAGE, REPORTS_PER_PAGE
        )
        check_page_in_range(page, REPORTS_PER_PAGE, total)
        return Page(
            [await self._view(session, item) for item in items], page, REPORTS_PER_PAGE, total
        )

    async def _view(self, session: AsyncSession, report: ConversationReport) -> ReportView:
        conversation = await inbox_repository.conversation(session, report.conversation_id)
        assert conversation is not None
        reporter = await session.get(User, report.reporter_user_id)
        buyer = await session.get(User, conversation.buyer_user_id)
        freelancer = await session.get(User, conversation.freelancer_user_id)
        assert reporter is not None and buyer is not None and freelancer is not None
        return ReportView(report, conversation, reporter, buyer, freelancer)

    async def resolve(
        self, session: AsyncSession, admin: User, report_id: int, resolution: str
    ) -> ConversationReport:
        """Close the report with what was done. Once no report on the conversation is open
        (and its order has no dispute), operators cannot read it any more."""
        self._operator(admin)
        report = await inbox_repository.lock_report(session, report_id)
        if report is None:
            raise NotFound("There is no such report.")
        if report.status != ReportStatus.OPEN:
            raise Conflict(
                f"Report #{report.reference} was resolved on "
                f"{report.resolved_at:%Y-%m-%d %H:%M} UTC."
            )
        report.status = ReportStatus.RESOLVED
        report.resolved_at = utcnow()
        report.resolved_by_user_id = admin.id
        report.resolution = resolution.strip()
        await session.flush()
        return report

    def _operator(self, user: User) -> None:
        if not user.is_admin:
            raise Forbidden("Only operators handle reports.")


report_service = ReportService()
