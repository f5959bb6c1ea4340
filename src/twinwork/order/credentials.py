"""Content credentials on what a freelancer delivers for a hybrid order.

A hybrid order's files are the freelancer's work on top of their model's draft (a narration
re-recorded or edited over the AI take, a design finished by hand), so each image or audio
file they deliver is signed with a C2PA manifest that says so: "human edited", the freelancer
as creator, the model and version of the draft, and training and data mining not allowed.
The same signing code as purchased generations (``kit.content_credentials``); files C2PA
cannot carry (documents, SVG) are delivered as they are.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.config import get_settings
from twinwork.creation.service import creation_service
from twinwork.generation.models import Generation
from twinwork.kit.content_credentials import SUPPORTED_MIME_TYPES, Credentials, HowMade, sign
from twinwork.kit.files import sniffed_type
from twinwork.order.models import Order, OrderKind


async def hybrid_claim(session: AsyncSession, order: Order, freelancer: User) -> Credentials | None:
    """What the credentials of this order's delivered files say; None where the order is not
    hybrid work on a model's draft (its files are delivered as they are)."""
    if order.kind != OrderKind.HYBRID or order.generation_id is None or order.model_id is None:
        return None
    draft = await session.get(Generation, order.generation_id)
    model = await creation_service.model_by_id(session, order.model_id)
    if draft is None or model is None:
        return None
    version = await creation_service.version(session, draft.version_id)
    base_url = get_settings().base_url.rstrip("/")
    return Credentials(
        creator_name=freelancer.display_name,
        creator_handle=f"twinwork:user:{freelancer.public_id}",
        model_name=model.name,
        model_version=f"version {version.number if version else '?'}",
        how_made=HowMade.HUMAN_EDITED,
        generation_id=draft.public_id,
        certificate_url=f"{base_url}/orders/{order.public_id}",
    )


def signable_type(data: bytes) -> str | None:
    """The file's type, read from its bytes, where C2PA can carry a manifest in it."""
    kind = sniffed_type(data)
    return kind if kind in SUPPORTED_MIME_TYPES else None


def signed(data: bytes, mime_type: str, claim: Credentials) -> bytes:
    """``data`` with the claim's manifest embedded (CPU work: run it off the event loop).
    A file that cannot be signed (truncated, not really of its type) raises a 422 that says
    so, and nothing is delivered."""
    return sign(data, mime_type, claim)
