"""The OpenAPI document tells clients what the server really does: the problem+json errors
each operation can answer, and the limits it puts on card numbers and amounts."""

from __future__ import annotations

import re
from typing import Any

import httpx

PROBLEM = "application/problem+json"


async def spec(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def problem_statuses(operation: dict[str, Any]) -> set[int]:
    return {
        int(status)
        for status, answer in operation["responses"].items()
        if status.isdigit()
        and answer.get("content", {}).get(PROBLEM, {}).get("schema", {}).get("$ref")
        == "#/components/schemas/Problem"
    }


async def test_openapi_declares_the_problem_schema(client: httpx.AsyncClient) -> None:
    problem = (await spec(client))["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])


async def test_every_api_operation_declares_its_problem_responses(
    client: httpx.AsyncClient,
) -> None:
    paths = (await spec(client))["paths"]
    operations = [
        (path, method, operation)
        for path, item in paths.items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 20
    for path, method, operation in operations:
        statuses = problem_statuses(operation)
        assert 422 in statuses, (method, path)
        assert statuses - {422}, (method, path)
    me = paths["/api/v1/me"]["get"]
    assert {401, 403, 429, 503} <= problem_statuses(me)
    top_up = paths["/api/v1/wallet/top-ups"]["post"]
    assert {400, 401, 402, 409, 422} <= problem_statuses(top_up)


async def test_openapi_schemas_carry_the_real_limits_on_amounts_and_cards(
    client: httpx.AsyncClient,
) -> None:
    schemas = (await spec(client))["components"]["schemas"]
    amount = schemas["TopUpIn"]["properties"]["amount"]
    assert (amount["minimum"], amount["maximum"]) == (100, 1_000_000)
    for name in ("TopUpIn", "CardIn", "OrderIn"):
        card = schemas[name]["properties"]["card_number"]
        pattern = card.get("pattern") or next(
            option["pattern"] for option in card["anyOf"] if "pattern" in option
        )
        assert re.fullmatch(pattern, "4242 4242 4242 4242"), name
        assert re.fullmatch(pattern, "pm_card_visa"), name
        assert not re.fullmatch(pattern, "not a card"), name
