"""Disputes: the buyer of an order whose price is still in escrow asks the platform to step in.

While a dispute is open the order is "disputed": nothing is delivered, accepted (by hand or
automatically) or cancelled, and the escrow stays where it is. The freelancer may answer once
or update the answer. The buyer may withdraw it, which puts the order back as it was. An admin
resolves it by splitting the escrow in one ledger transaction keyed by the dispute: the refund
back to the buyer's wallet, the rest to the freelancer's pending earnings less the platform
fee. A full refund leaves the order "refunded"; anything else completes it.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.billing.sale import post_sale
from twinwork.kit.db import utcnow
from twinwork.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from twinwork.kit.money import format_amount
from twinwork.kit.pagination import Page, check_page_in_range
from twinwork.ledger.service import ledger_service
from twinwork.notify.models import NotificationKind
from twinwork.notify.service import notify
from twinwork.order.models import DeliveryFile, Dispute, DisputeStatus, Order, OrderStatus
from twinwork.order.repository import order_repository
from twinwork.order.service import order_service

DISPUTABLE_STATUSES = (OrderStatus.IN_PROGRESS, OrderStatus.DELIVERED)


class DisputeService:
    async def open(self, session: AsyncSession, buyer: User, order_id: int, reason: str) -> Dispute:
        order = await order_service.for_party(session, buyer, order_id)
        if order.buyer_user_id != buyer.id:
            raise Forbidden("Only the buyer of this order can open a dispute.")
        if order.status == OrderStatus.DISPUTED:
            raise Conflict("This order is in dispute already; an admin will resolve it.")
        if order.status not in DISPUTABLE_STATUSES:
            raise Conflict(
                "A dispute can be opened while the payment is in escrow, before the work is "
                f"accepted; this order is {order.status.replace('_', ' ')}."
            )
        dispute = Dispute(
            order_id=order.id,
            open_key=order.id,
            status=DisputeStatus.OPEN,
            reason=reason,
            freelancer_response="",
            order_status_before=order.status,
            resolution_note="",
        )
        try:
            async with session.begin_nested():
                await order_repository.add(session, dispute)
        except IntegrityError as exc:
            raise Conflict("This order is in dispute already; an admin will resolve it.") from exc
        order.status = OrderStatus.DISPUTED
        # The review clock is kept, not reset: the auto-acceptance job passes a disputed
        # order by, and a withdrawn dispute does not buy the buyer a fresh review period.
        await session.flush()
        await notify(
            session,
            order.freelancer_user_id,
            NotificationKind.DISPUTE,
            f"{buyer.display_name} opened a dispute on order #{order.reference}: give the admin "
            "your side.",
            f"/orders/{order.public_id}#dispute",
            key=f"dispute-opened:{dispute.id}",
        )
        return dispute

    async def respond(
        self, session: AsyncSession, freelancer: User, order_id: int, response: str
    ) -> Dispute:
        order = await order_service.for_party(session, freelancer, order_id)
        if order.freelancer_user_id != freelancer.id:
            raise Forbidden("Only the freelancer of this order can answer the dispute.")
        dispute = await self._open_of(session, order)
        dispute.freelancer_response = response
        await session.flush()
        return dispute

    async def withdraw(self, session: AsyncSession, buyer: User, order_id: int) -> Dispute:
        order = await order_service.for_party(session, buyer, order_id)
        if order.buyer_user_id != buyer.id:
            raise Forbidden("Only the buyer who opened the dispute can withdraw it.")
        dispute = await self._open_of(session, order)
        dispute.status = DisputeStatus.WITHDRAWN
        dispute.open_key = None
        dispute.closed_at = utcnow()
        order.status = dispute.order_status_before
        await session.flush()
        return dispute

    async def resolve(
        self,
        session: AsyncSession,
        admin: User,
        dispute_id: int,
        refund_amount: int,
        note: str,
    ) -> Dispute:
        """Split the escrow: ``refund_amount`` (in cents) to the buyer, the rest to the
        freelancer less the platform fee. Resolving twice is refused; the ledger key makes a
        repeat post impossible anyway."""
        if not admin.is_admin:
            raise Forbidden("Only an admin can resolve a dispute.")
        found = await order_repository.dispute(session, dispute_id)
        if found is None:
            raise NotFound("There is no such dispute.")
        # The order first, then the dispute: the order the parties' actions lock them in, so a
        # resolution racing a withdrawal waits instead of deadlocking.
        order = await order_repository.lock(session, found.order_id)
        dispute = await order_repository.lock_dispute(session, dispute_id)
        assert order is not None and dispute is not None
        if dispute.status != DisputeStatus.OPEN:
            raise Conflict(f"This dispute is {dispute.status} already; nothing was paid twice.")
        assert order.status == OrderStatus.DISPUTED
        if not 0 <= refund_amount <= order.price_amount:
            raise ValidationFailed(
                f"The refund must be between 0 and the order's price, {order.price_amount} cents.",
                field="refund_amount",
            )
        buyer = await session.get(User, order.buyer_user_id)
        freelancer = await session.get(User, order.freelancer_user_id)
        assert buyer is not None and freelancer is not None
        wallet = (
            await ledger_service.account(session, "buyer_wallet", order.currency, buyer)
            if refund_amount
            else None
        )
        sale = await post_sale(
            session,
            paid_from=await ledger_service.account(session, "escrow", order.currency),
            freelancer=freelancer,
            amount=order.price_amount - refund_amount,
            currency=order.currency,
            reason="dispute_resolution",
            reference_type="order",
            reference_id=str(order.id),
            idempotency_key=f"dispute:{dispute.id}",
            description=(
                f"Dispute {dispute.reference} on order {order.reference}: {refund_amount} refunded"
            ),
            refund_to=wallet,
            refund_amount=refund_amount,
        )
        transaction = sale.transaction
        now = utcnow()
        dispute.status = DisputeStatus.RESOLVED
        dispute.open_key = None
        dispute.refund_amount = refund_amount
        dispute.resolution_note = note
        dispute.resolved_by_user_id = admin.id
        dispute.ledger_transaction_id = transaction.id
        dispute.closed_at = now
        if refund_amount == order.price_amount:
            order.status = OrderStatus.REFUNDED
            order.cancelled_at = now
        else:
            order.status = OrderStatus.COMPLETED
            order.completed_at = now
        await session.flush()
        outcome = f"{format_amount(refund_amount, order.currency)} refunded to the buyer"
        for party in (order.buyer_user_id, order.freelancer_user_id):
            await notify(
                session,
                party,
                NotificationKind.DISPUTE,
                f"The dispute on order #{order.reference} was resolved: {outcome}.",
                f"/orders/{order.public_id}#dispute",
                key=f"dispute-resolved:{dispute.id}",
            )
        return dispute

    # ---- reading -------------------------------------------------------------------------

    async def latest_of(self, session: AsyncSession, order: Order) -> Dispute | None:
        return await order_repository.latest_dispute(session, order.id)

    async def get(self, session: AsyncSession, dispute_id: int) -> Dispute:
        dispute = await order_repository.dispute(session, dispute_id)
        if dispute is None:
            raise NotFound("There is no such dispute.")
        return dispute

    async def page(
        self, session: AsyncSession, status: DisputeStatus | None, page: int, page_size: int = 20
    ) -> Page[Dispute]:
        items, total = await order_repository.disputes(
            session, status, (page - 1) * page_size, page_size
        )
        check_page_in_range(page, page_size, total)
        return Page(items, page, page_size, total)

    async def orders_of(self, session: AsyncSession, disputes: list[Dispute]) -> dict[int, Order]:
        return await order_repository.by_ids(session, {d.order_id for d in disputes})

    async def delivered_file(
        self, session: AsyncSession, dispute_id: int, file_id: int
    ) -> DeliveryFile:
        dispute = await self.get(session, dispute_id)
        found = await order_repository.delivery_file(session, dispute.order_id, file_id)
        if found is None:
            raise NotFound("The order of this dispute has no such file.")
        return found

    async def open_count(self, session: AsyncSession) -> int:
        return await order_repository.dispute_count(session, DisputeStatus.OPEN)

    async def _open_of(self, session: AsyncSession, order: Order) -> Dispute:
        dispute = await order_repository.latest_dispute(session, order.id)
        if dispute is None or dispute.status != DisputeStatus.OPEN:
            raise Conflict("This order has no open dispute.")
        return dispute


dispute_service = DisputeService()
