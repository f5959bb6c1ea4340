from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import create_user
from twinwork.account import hooks
from twinwork.account.models import User
from twinwork.account.service import account_service
from twinwork.catalog.repository import profile_repository


async def test_freelancer_signup_without_a_profile_hook_fails_loudly(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_on_freelancer_joined", [])
    with pytest.raises(hooks.HookMissing, match="load_domains"):
        await create_user(session, roles=("freelancer",))


async def test_buyer_signup_runs_no_freelancer_hook(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_on_freelancer_joined", [])
    buyer = await create_user(session, roles=("buyer",))
    assert not buyer.is_freelancer


async def test_becoming_a_freelancer_creates_the_seller_profile(session: AsyncSession) -> None:
    user = await create_user(session, roles=("buyer",))
    assert await profile_repository.get(session, user.id) is None
    await account_service.become_freelancer(session, user)
    assert await profile_repository.get(session, user.id) is not None


async def test_a_hook_registered_twice_runs_once(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_on_freelancer_joined", [])
    seen: list[int] = []

    async def note(_session: AsyncSession, user: User) -> None:
        seen.append(user.id)

    hooks.register_freelancer_joined(note)
    hooks.register_freelancer_joined(note)
    await hooks.run_freelancer_joined(session, User(id=7))
    assert seen == [7]


def test_load_domains_registers_the_profile_hook_in_a_fresh_process() -> None:
    # Account alone must not pull catalog in (that was the import cycle); load_domains must.
    script = (
        "from twinwork.account import hooks, service\n"
        "assert not hooks._on_freelancer_joined, 'account imported catalog'\n"
        "from twinwork.domains import load_domains\n"
        "load_domains()\n"
        "from twinwork.catalog.service import profile_service\n"
        "assert profile_service.ensure_profile in hooks._on_freelancer_joined\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
