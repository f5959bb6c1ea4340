"""A freelancer whose assistant is on: a creation-program member with one published gig and
an FAQ, set up through the API as a freelancer would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from tests.account.factories import api_signup
from tests.catalog.factories import gig_payload
from tests.program.factories import admit_api_user

FAQ = [
    {
        "q": "Which file formats do I get?",
        "a": "You get SVG, PNG and PDF files, plus the source file in Figma.",
    },
    {
        "q": "Do you sign an NDA before starting?",
        "a": "Yes, I am happy to sign your NDA before we start.",
    },
    {
        "q": "What do you need from me to start?",
        "a": "Your business name, two or three logos you like, and the colours you want to avoid.",
    },
    {
        "q": "Can I use the logo for my merchandise?",
        "a": "Yes: you own the final logo and may print it on anything.",
    },
]

PACKAGES = [
    {"name": "basic", "price_amount": 4500, "delivery_days": 3, "revisions": 1},
    {"name": "standard", "price_amount": 9000, "delivery_days": 5, "revisions": 3},
    {"name": "premium", "price_amount": 15000, "delivery_days": 7, "revisions": 5},
]


@dataclass
class Seller:
    user: dict[str, Any]
    headers: dict[str, str]
    handle: str
    gig_id: str  # public id
    gig: dict[str, Any]


async def join_program(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    await admit_api_user(client, (await client.get("/api/v1/me", headers=headers)).json())
    joined = await client.post(
        "/api/v1/subscriptions", json={"card_number": "4242 4242 4242 4242"}, headers=headers
    )
    assert joined.status_code == 201, joined.text


async def seller_with_assistant(
    client: httpx.AsyncClient, *, member: bool = True, **settings: Any
) -> Seller:
    user, headers = await api_signup(client, roles=("freelancer",), display_name="Ada Vector")
    gig = await client.post(
        "/api/v1/gigs",
        json=gig_payload(packages=PACKAGES, requirements="Your business name and the mood."),
        headers=headers,
    )
    assert gig.status_code == 201, gig.text
    handle = gig.json()["freelancer"]["handle"]
    if member:
        await join_program(client, headers)
        body = {"enabled": True, "name": "Pip", "faq": FAQ, **settings}
        patched = await client.patch("/api/v1/assistant/settings", json=body, headers=headers)
        assert patched.status_code == 200, patched.text
    return Seller(user, headers, handle, gig.json()["id"], gig.json())


async def ask(
    client: httpx.AsyncClient,
    buyer: dict[str, str],
    seller: Seller,
    text: str,
    *,
    about_gig: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {"freelancer_handle": seller.handle, "text": text}
    if about_gig:
        body["gig_id"] = seller.gig_id
    response = await client.post("/api/v1/conversations", json=body, headers=buyer)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def say(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, text: str
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/conversations/{conversation_id}/messages", json={"text": text}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def assistant_replies(conversation: dict[str, Any]) -> list[str]:
    return [m["text"] for m in conversation["messages"] if m["author_kind"] == "assistant"]


async def buyer(client: httpx.AsyncClient) -> dict[str, str]:
    _, headers = await api_signup(client, roles=("buyer",), display_name="Bo Client")
    return headers
