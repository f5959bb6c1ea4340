"""Conversations through the API, as buyers and freelancers make them."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.order.test_orders import funded_buyer, seller_with_gig
from twinwork.kit.public_ids import NO_ROW, row_id

CONVERSATIONS = "/api/v1/conversations"


async def start(
    client: httpx.AsyncClient, buyer: dict[str, str], text: str = "Hello!", **subject: Any
) -> httpx.Response:
    return await client.post(CONVERSATIONS, json={"text": text, **subject}, headers=buyer)


async def gig_conversation(
    client: httpx.AsyncClient, text: str = "Can you draw a fox?"
) -> tuple[dict[str, str], dict[str, str], str, dict[str, Any]]:
    """(seller, buyer with $200, gig's public id, the conversation) about the seller's gig."""
    seller, gig_id = await seller_with_gig(client)
    buyer = await funded_buyer(client)
    started = await start(client, buyer, text, gig_id=gig_id)
    assert started.status_code == 201, started.text
    return seller, buyer, gig_id, started.json()


async def send(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    conversation_id: str,
    text: str = "",
    files: list[tuple[str, bytes]] | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"text": text}
    if files:
        body["files"] = [
            {"name": name, "content_base64": base64.b64encode(data).decode()}
            for name, data in files
        ]
    return await client.post(
        f"{CONVERSATIONS}/{conversation_id}/messages", json=body, headers=headers
    )


async def read(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, page: int = 1
) -> httpx.Response:
    return await client.get(
        f"{CONVERSATIONS}/{conversation_id}", params={"page": page}, headers=headers
    )


def key(kind: str, public: str) -> int:
    """The row an API answer's public id names, for tests that read the database."""
    found = row_id(kind, public)
    assert found != NO_ROW, f"{public!r} names no {kind}"
    return found


async def unread(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    listing = await client.get(CONVERSATIONS, headers=headers)
    assert listing.status_code == 200, listing.text
    return int(listing.json()["unread"])
