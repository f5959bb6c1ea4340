"""Steps of the fault tests, run as a process of their own (``python -m tests.faults.driver
STEP [ARG ...] [+ STEP [ARG ...]]...``) against the database and data dir in its environment,
so that a step started with ``TWINWORK_CRASH_AT`` dies for real (SIGKILL) and the next process
finds what it left. Steps joined by ``+`` run one after the other in one process (a process
start costs seconds).

Prints one JSON line: the list of the steps' results."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from twinwork.config import get_settings
from twinwork.domains import load_domains
from twinwork.kit.db import make_engine, make_sessionmaker, unit_of_work, utcnow

Step = Callable[[async_sessionmaker[AsyncSession], list[str]], Awaitable[Any]]
STEPS: dict[str, Step] = {}
LATER = timedelta(hours=1)
"""Recovery jobs take over work left unrecorded for a while: they run "an hour later"."""


def row(kind: str, text: str) -> int:
    """The row an argument names: a public id (from an API answer) or a plain row id."""
    from twinwork.kit.public_ids import NO_ROW, row_id

    found = int(text) if text.isdigit() else row_id(kind, text)
    assert found != NO_ROW, (kind, text)
    return found


def step(function: Step) -> Step:
    STEPS[function.__name__.replace("_", "-")] = function
    return function


async def user_by_email(session: AsyncSession, email: str) -> Any:
    from twinwork.account.service import account_service

    user = await account_service.by_email(session, email)
    assert user is not None, email
    return user


@step
async def admit(sessionmaker: async_sessionmaker[AsyncSession], args: list[str]) -> str:
    """Invite a freelancer into the creation program (a seat held for them)."""
    from tests.program.factories import invite

    async with unit_of_work(sessionmaker) as session:
        await invite(session, await user_by_email(session, args[0]))
    return "admitted"


@step
async def sale(sessionmaker: async_sessionmaker[AsyncSession], args: list[str]) -> int:
    """Book a sale for a freelancer, as a purchase would: 80% theirs, pending."""
    from tests.billing.test_payouts import sale as book_sale

    async with unit_of_work(sessionmaker) as session:
        user = await user_by_email(session, args[0])
        await book_sale(session, user.id, int(args[1]))
        return int(user.id)


@step
async def stored_model(
    sessionmaker: async_sessionmaker[AsyncSession], args: list[str]
) -> dict[str, Any]:
    """An approved model with an adapter file in storage: its row id (what storage keys and
    jobs name it by) and its public id (what URLs name it by, with this product's key)."""
    from tests.creation.factories import stored_model as make_model
    from twinwork.kit.storage import make_storage

    storage = make_storage(get_settings())
    async with unit_of_work(sessionmaker) as session:
        stored = await make_model(session, await user_by_email(session, args[0]), approved=True)
        key = stored.version.artifact_key
        model = {"row_id": int(stored.model.id), "public_id": stored.model.public_id}
    await storage.put(f"{key}/adapter.safetensors", b"adapter weights" * 100)
    return model


@step
async def renew(sessionmaker: async_sessionmaker[AsyncSession], args: list[str]) -> list[str]:
    """The renewal job, ``args[0]`` days from now."""
    from twinwork.program.renewal import renew_due

    outcomes = await renew_due(sessionmaker, utcnow() + timedelta(days=int(args[0])))
    return [outcome.status.value for outcome in outcomes]


@step
async def finish_invoices(
    sessionmaker: async_sessionmaker[AsyncSession], args: list[str]
) -> list[str]:
    from twinwork.program.renewal import finish_unrecorded_invoices

    return await finish_unrecorded_invoices(
        sessionmaker, utcnow() + timedelta(days=int(args[0])) + LATER
    )


@step
async def send_payout(sessionmaker: async_sessionmaker[AsyncSession], args: list[str]) -> str:
    from twinwork.billing.payout.transfer import send_payout_now

    return await send_payout_now(sessionmaker, row("payout", args[0]))


@step
async def finish_payouts(
    sessionmaker: async_sessionmaker[AsyncSession], args: list[str]
) -> list[str]:
    from twinwork.billing.payout.transfer import finish_unfinished_payouts

    return await finish_unfinished_payouts(sessionmaker, utcnow() + LATER)


@step
async def finish_top_ups(
    sessionmaker: async_sessionmaker[AsyncSession], args: list[str]
) -> list[str]:
    from twinwork.billing.wallet.top_up import finish_unrecorded_top_ups

    return await finish_unrecorded_top_ups(sessionmaker, utcnow() + LATER)


@step
async def finish_erasures(
    sessionmaker: async_sessionmaker[AsyncSession], args: list[str]
) -> list[int]:
    from twinwork.creation.tasks import finish_unfinished_erasures
    from twinwork.kit.storage import make_storage

    return await finish_unfinished_erasures(sessionmaker, make_storage(get_settings()))


@step
async def objects(sessionmaker: async_sessionmaker[AsyncSession], args: list[str]) -> list[str]:
    """The keys in storage under a prefix."""
    from twinwork.kit.storage import make_storage

    return sorted(await make_storage(get_settings()).list(args[0]))


@step
async def books(sessionmaker: async_sessionmaker[AsyncSession], args: list[str]) -> dict[str, Any]:
    """The ledger's check and the payment rows by status."""
    from twinwork.billing.models import Payment, Payout
    from twinwork.ledger.service import ledger_service
    from twinwork.program.models import Invoice

    async with unit_of_work(sessionmaker, writes=False) as session:
        check = await ledger_service.check(session)
        counts: dict[str, Any] = {"balanced": check.balanced, "total": check.total}
        for name, table in (("payments", Payment), ("payouts", Payout), ("invoices", Invoice)):
            rows = await session.execute(
                select(table.status, func.count()).group_by(table.status)  # type: ignore[attr-defined]
            )
            counts[name] = {str(status.value): n for status, n in rows}
        return counts


async def main(argv: list[str]) -> list[Any]:
    load_domains()
    engine = make_engine(get_settings().resolved_database_url, pooled=False)
    results = []
    try:
        while argv:
            end = argv.index("+") if "+" in argv else len(argv)
            name, args, argv = argv[0], argv[1:end], argv[end + 1 :]
            results.append(await STEPS[name](make_sessionmaker(engine), args))
        return results
    finally:
        await engine.dispose()


if __name__ == "__main__":
    sys.stdout.write(json.dumps(asyncio.run(main(sys.argv[1:]))) + "\n")
    sys.stdout.flush()
    # The steps are done and said: skip the interpreter's teardown, where a native library's
    # exit handlers have been seen to abort (SIGABRT) a process that had finished its work.
    os._exit(0)
