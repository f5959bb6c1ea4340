"""Erasing a model as a flow over two steps: the erasure and its signed receipt are committed
first, then the files are deleted, so a commit that fails leaves the model as it was, never
unerased with its adapters gone. Deletion that does not finish (a crash, storage down) is
finished by the ``finish_erasures`` job."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from twinwork.account.models import User
from twinwork.creation.models import ErasureReceipt
from twinwork.creation.service import creation_service
from twinwork.kit.db import end_transaction_early
from twinwork.kit.faults import crash_point
from twinwork.kit.storage import ObjectStorage


async def erase_and_delete_files(
    session: AsyncSession, user: User, model_id: int, storage: ObjectStorage
) -> ErasureReceipt:
    """Commit the erasure and its receipt (the request's ``session`` is committed here), then
    delete the files."""
    erasure = await creation_service.erase(session, user, model_id, storage)
    await end_transaction_early(session)
    crash_point("erasure.committed")
    await creation_service.delete_erased_files(session, storage, erasure.files)
    return erasure.receipt
