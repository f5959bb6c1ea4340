"""The freelancer's side of the assistant: settings, the FAQ, handovers to read, requirement
drafts to confirm, and the one follow-up a client gets when a handover waits too long.

Settings are for creation-program members (the assistant is part of the program); a
freelancer who is not a member keeps a plain inbox and gets a 402 saying how to join.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.assistant import tools
from twinwork.assistant.models import (
    DEFAULT_AVAILABILITY,
    DEFAULT_NAME,
    AssistantSettings,
    DraftStatus,
    FaqEntry,
    Handover,
    HandoverStatus,
    OutOfOfficeMode,
    RequirementDraft,
)
from twinwork.assistant.repository import (
    draft_repository,
    faq_repository,
    handover_repository,
    knowledge_repository,
    read_repository,
    settings_repository,
)
from twinwork.assistant.schemas import (
    DAY_NAMES,
    MAX_FAQ_ENTRIES,
    AvailabilityOut,
    FaqIn,
    SettingsIn,
    SettingsOut,
)
from twinwork.catalog.service import gig_service
from twinwork.inbox.models import AssistantState
from twinwork.inbox.service import conversation_context, post_assistant_message, set_assistant_state
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from twinwork.kit.money import format_amount
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.program.membership import membership

FAQ_PAGE_SIZE = 20
HANDOVER_PAGE_SIZE = 20


MAX_SUGGESTIONS = 10


@dataclass(frozen=True)
class FaqSuggestion:
    handover_id: int
    question: str
    answer: str


@dataclass(frozen=True)
class FollowUp:
    handover_id: int
    conversation_id: int
    sent: bool
    why: str


class AssistantService:
    # ---- settings ------------------------------------------------------------------------

    async def _member(self, session: AsyncSession, user: User) -> None:
        if not user.is_freelancer:
            raise Forbidden("The assistant answers clients for freelancers; become a seller first.")
        await membership.require_member(session, user, "let your assistant answer new clients")

    async def settings(self, session: AsyncSession, user: User) -> AssistantSettings:
        """The freelancer's settings, created (off) on first use."""
        await self._member(session, user)
        found = await settings_repository.get(session, user.id)
        if found is not None:
            return found
        created = AssistantSettings(
            user_id=user.id,
            enabled=False,
            name=DEFAULT_NAME,
            new_clients_only=True,
            timezone="UTC",
            availability=dict(DEFAULT_AVAILABILITY),
            out_of_office_mode=OutOfOfficeMode.NOTE,
            handover_keywords=[],
            languages=["en"],
            never="",
            follow_up_hours=4,
            quiet_hours=24,
        )
        await settings_repository.add(session, created)
        return created

    async def view(self, session: AsyncSession, user: User) -> SettingsOut:
        settings = await self.settings(session, user)
        availability = settings.availability or {}
        faq = await faq_repository.all_for(session, user.id)
        return SettingsOut(
            enabled=settings.enabled,
            active=settings.enabled and not tools.is_out_of_office(settings),
            name=settings.name,
            new_clients_only=settings.new_clients_only,
            availability=AvailabilityOut(
                timezone=settings.timezone,
                days=[DAY_NAMES[int(d)] for d in availability.get("days", [])],
                start=str(availability.get("start", "09:00")),
                end=str(availability.get("end", "17:00")),
            ),
            out_of_office_until=settings.out_of_office_until,
            out_of_office_mode=settings.out_of_office_mode.value,
            handover_keywords=list(settings.handover_keywords or []),
            languages=list(settings.languages or []),
            never=settings.never,
            follow_up_hours=settings.follow_up_hours,
            quiet_hours=settings.quiet_hours,
            faq=[FaqIn(q=entry.question, a=entry.answer) for entry in faq],
            knowledge_passages=await knowledge_repository.count(session, user.id),
        )

    async def update(
        self, session: AsyncSession, user: User, data: SettingsIn
    ) -> AssistantSettings:
        settings = await self.settings(session, user)
        if data.enabled is not None:
            settings.enabled = data.enabled
        if data.name is not None:
            settings.name = data.name
        if data.new_clients_only is not None:
            settings.new_clients_only = data.new_clients_only
        if data.availability is not None:
            settings.timezone = data.availability.timezone
            settings.availability = {
                "days": [DAY_NAMES.index(day) for day in data.availability.days],
                "start": data.availability.start,
                "end": data.availability.end,
            }
        if "out_of_office_until" in data.model_fields_set:
            until = data.out_of_office_until
            if until is not None and until < tools.days_from_now(settings):
                raise ValidationFailed(
                    "The out-of-office date is in the past; give your last day away, or "
                    "null to end it.",
                    field="out_of_office_until",
                )
            settings.out_of_office_until = until
        if data.out_of_office_mode is not None:
            settings.out_of_office_mode = OutOfOfficeMode(data.out_of_office_mode)
        if data.handover_keywords is not None:
            settings.handover_keywords = data.handover_keywords
        if data.languages is not None:
            settings.languages = data.languages
        if data.never is not None:
            settings.never = data.never.strip()
        if data.follow_up_hours is not None:
            settings.follow_up_hours = data.follow_up_hours
        if data.quiet_hours is not None:
            settings.quiet_hours = data.quiet_hours
        if data.faq is not None:
            await faq_repository.delete_all(session, user.id)
            for item in data.faq:
                await faq_repository.add(
                    session, FaqEntry(user_id=user.id, question=item.q, answer=item.a)
                )
        settings.updated_at = utcnow()
        await session.flush()
        return settings

    # ---- the FAQ -------------------------------------------------------------------------

    async def faq_page(self, session: AsyncSession, user: User, page: int) -> Page[FaqEntry]:
        await self._member(session, user)
        items, total = await faq_repository.page_for(
            session, user.id, (page - 1) * FAQ_PAGE_SIZE, FAQ_PAGE_SIZE
        )
        check_page_in_range(page, FAQ_PAGE_SIZE, total)
        return Page(items, page, FAQ_PAGE_SIZE, total)

    async def add_faq(self, session: AsyncSession, user: User, data: FaqIn) -> FaqEntry:
        await self._member(session, user)
        if await faq_repository.count(session, user.id) >= MAX_FAQ_ENTRIES:
            raise Conflict(
                f"Your FAQ has {MAX_FAQ_ENTRIES} entries, the most it may hold; remove or merge "
                "some first."
            )
        entry = FaqEntry(user_id=user.id, question=data.q, answer=data.a)
        await faq_repository.add(session, entry)
        return entry

    async def owned_faq(self, session: AsyncSession, user: User, entry_id: int) -> FaqEntry:
        if not user.is_freelancer:
            raise Forbidden("The FAQ belongs to a freelancer's assistant.")
        entry = await faq_repository.get(session, entry_id)
        if entry is None or entry.user_id != user.id:
            raise NotFound("There is no such FAQ entry of yours.")
        await self._member(session, user)
        return entry

    async def update_faq(
        self, session: AsyncSession, user: User, entry_id: int, data: FaqIn
    ) -> FaqEntry:
        entry = await self.owned_faq(session, user, entry_id)
        entry.question = data.q
        entry.answer = data.a
        entry.updated_at = utcnow()
        await session.flush()
        return entry

    async def delete_faq(self, session: AsyncSession, user: User, entry_id: int) -> None:
        entry = await self.owned_faq(session, user, entry_id)
        await faq_repository.delete(session, entry)

    async def faq_suggestions(self, session: AsyncSession, user: User) -> list[FaqSuggestion]:
        """Questions the assistant had to hand over for lack of an answer, with the answer
        the freelancer then wrote: an FAQ entry ready to accept or edit. One already in the
        FAQ (same question) or accepted before is not suggested again."""
        if not user.is_freelancer:
            raise Forbidden("FAQ suggestions are for freelancers.")
        known = {
            e.question.strip().casefold() for e in await faq_repository.all_for(session, user.id)
        }
        suggestions: list[FaqSuggestion] = []
        for handover in await handover_repository.knowledge_gaps(session, user.id):
            question = " ".join(handover.question.split())[:300]
            if (
                len(question) < 5
                or question.casefold() in known
                or handover.details.get("faq_added")
            ):
                continue
            answer = await read_repository.first_freelancer_reply_after(
                session, handover.conversation_id, user.id, handover.created_at
            )
            if answer is None:
                continue
            known.add(question.casefold())
            suggestions.append(FaqSuggestion(handover.id, question, answer.text.strip()[:2000]))
            if len(suggestions) == MAX_SUGGESTIONS:
                break
        return suggestions

    async def accept_suggestion(
        self, session: AsyncSession, user: User, handover_id: int, data: FaqIn
    ) -> FaqEntry:
        """Add the (possibly edited) suggestion to the FAQ; it is not suggested again."""
        handover = await handover_repository.get(session, handover_id)
        if handover is None or handover.freelancer_user_id != user.id:
            raise NotFound("There is no such handover of yours.")
        entry = await self.add_faq(session, user, data)
        handover.details = {**handover.details, "faq_added": True}
        await session.flush()
        return entry

    # ---- handovers and drafts ------------------------------------------------------------

    async def handovers(
        self, session: AsyncSession, user: User, page: int, *, open_only: bool = True
    ) -> Page[Handover]:
        if not user.is_freelancer:
            raise Forbidden("Handovers are for freelancers.")
        statuses = [HandoverStatus.OPEN] if open_only else list(HandoverStatus)
        items, total = await handover_repository.page_for(
            session, user.id, statuses, (page - 1) * HANDOVER_PAGE_SIZE, HANDOVER_PAGE_SIZE
        )
        check_page_in_range(page, HANDOVER_PAGE_SIZE, total)
        return Page(items, page, HANDOVER_PAGE_SIZE, total)

    async def open_handover_count(self, session: AsyncSession, user: User) -> int:
        return await handover_repository.open_count(session, user.id)

    async def drafts(self, session: AsyncSession, user: User) -> list[RequirementDraft]:
        if not user.is_freelancer:
            raise Forbidden("Requirement drafts are for freelancers.")
        return await draft_repository.open_for_freelancer(session, user.id)

    async def _owned_draft(
        self, session: AsyncSession, user: User, draft_id: int
    ) -> RequirementDraft:
        draft = await draft_repository.get(session, draft_id)
        if draft is None or draft.freelancer_user_id != user.id:
            raise NotFound("There is no such requirements draft of yours.")
        if draft.status != DraftStatus.DRAFT:
            raise Conflict(f"This draft was already {draft.status.value}.")
        return draft

    async def confirm_draft(
        self, session: AsyncSession, user: User, draft_id: int
    ) -> RequirementDraft:
        """One click: the client gets the confirmed brief, with the package to order."""
        draft = await self._owned_draft(session, user, draft_id)
        settings = await self.settings(session, user)
        text = f"{user.display_name} has confirmed your brief:\n\n{draft.requirements}"
        if draft.gig_id is not None:
            gig = next(
                (
                    g
                    for g in await gig_service.published_by(session, user.id)
                    if g.id == draft.gig_id
                ),
                None,
            )
            package = gig.package(draft.package_name) if gig and draft.package_name else None
            if gig is not None and package is not None:
                price = format_amount(package.price_amount, package.currency)
                text += (
                    f'\n\nOrder the {package.name.capitalize()} package of "{gig.title}" '
                    f"({price}) from /gigs/{gig.public_id} and paste this brief."
                )
            elif gig is not None:
                text += f"\n\nOrder it from /gigs/{gig.public_id} and paste this brief."
        await post_as_assistant(session, draft.conversation_id, text, settings.name)
        draft.status = DraftStatus.CONFIRMED
        draft.confirmed_at = utcnow()
        await session.flush()
        return draft

    async def dismiss_draft(
        self, session: AsyncSession, user: User, draft_id: int
    ) -> RequirementDraft:
        draft = await self._owned_draft(session, user, draft_id)
        draft.status = DraftStatus.DISMISSED
        await session.flush()
        return draft

    # ---- follow-ups ----------------------------------------------------------------------

    async def send_follow_ups(
        self, session: AsyncSession, now: datetime | None = None
    ) -> list[FollowUp]:
        """Each open handover past its follow-up time whose freelancer has not written since:
        the client hears once when to expect an answer. One the freelancer answered, or
        handed back, is closed instead."""
        now = now or utcnow()
        done: list[FollowUp] = []
        for handover in await handover_repository.due_for_follow_up(session, now):
            context = await conversation_context(session, handover.conversation_id, limit=1)
            if await read_repository.freelancer_wrote_since(
                session, handover.conversation_id, handover.freelancer_user_id, handover.created_at
            ):
                handover.status = HandoverStatus.ANSWERED
                handover.closed_at = now
                done.append(FollowUp(handover.id, handover.conversation_id, False, "answered"))
                continue
            if context.conversation.assistant_state == AssistantState.ACTIVE:
                handover.status = HandoverStatus.HANDED_BACK
                handover.closed_at = now
                done.append(FollowUp(handover.id, handover.conversation_id, False, "handed back"))
                continue
            if not await handover_repository.mark_follow_up_sent(session, handover.id, now):
                continue
            settings = await settings_repository.get(session, handover.freelancer_user_id)
            if settings is None:
                continue
            name = context.freelancer.display_name
            hours = tools.availability(settings, name, now)
            if tools.is_out_of_office(settings, now):
                when = tools.out_of_office_note(settings, name).lines[0]
            elif hours.data.get("available_now"):
                when = f"{name} is within their working hours and should answer soon."
            else:
                when = " ".join(hours.lines)
            text = (
                f"A quick note while you wait: {name} has your message and the summary, and "
                f"has not answered yet. {when}"
            )
            await post_as_assistant(session, handover.conversation_id, text, settings.name)
            done.append(FollowUp(handover.id, handover.conversation_id, True, "sent"))
        await session.flush()
        return done


async def post_as_assistant(
    session: AsyncSession, conversation_id: int, text: str, name: str
) -> None:
    """Post a note from the assistant whatever the conversation's state: a follow-up or a
    confirmed brief belongs in a handed-over conversation too. The inbox lets the assistant
    post only while the conversation is active, so the state is lifted for the one message and
    put back (reason and summary kept) in the same unit of work."""
    context = await conversation_context(session, conversation_id, limit=1)
    conversation = context.conversation
    state, reason, summary = (
        conversation.assistant_state,
        conversation.handover_reason,
        conversation.handover_summary,
    )
    if state == AssistantState.ACTIVE:
        await post_assistant_message(session, conversation_id, text, name)
        return
    await set_assistant_state(session, conversation_id, AssistantState.ACTIVE)
    await post_assistant_message(session, conversation_id, text, name)
    await set_assistant_state(session, conversation_id, state, reason=reason, summary=summary)


assistant_service = AssistantService()
