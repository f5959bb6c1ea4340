"""Public ids at the edge, proven from the route table (issue #16).

Every path parameter that names a row (``gig_id``, ``entry_id``, ...) is declared through
``PublicIdIn`` of the kind its name says, so a new route with a plain ``int`` id fails here.
A row's integer key in a URL
names nothing: its owner and a stranger both get the 404 of a missing row, while the public id
still opens it for the owner.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy.ext.asyncio import AsyncSession

from tests.account.factories import api_signup
from tests.web.test_authorisation import OWNED, kind_of, row
from tests.web.test_pages import sign_in
from twinwork.account.models import User
from twinwork.kit import public_ids
from twinwork.kit.public_ids import PublicIdIn

# Ids that were never counters: a certificate's is a random UUID, printed on the certificate
# and checked by anyone holding it. They stay text, and the guard makes sure they do.
RANDOM_IDS = {"certificate_id"}


def id_parameters(app: Any) -> list[tuple[str, str, str, list[object]]]:
    """(methods, path, parameter, its type metadata) of every path parameter named ``*_id``
    that names a row by its key (``RANDOM_IDS`` aside, once proven to be text)."""
    found = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if not isinstance(original, APIRoute):
            continue
        methods = ",".join(sorted(set(route.methods or ()) - {"HEAD"}))
        for parameter in original.dependant.path_params:
            if parameter.name in RANDOM_IDS:
                assert parameter.field_info.annotation is str, (route.path, parameter.name)
            elif parameter.name.endswith("_id"):
                found.append((methods, route.path, parameter.name, parameter.field_info.metadata))
    return found


def test_the_route_table_has_id_parameters(app: Any) -> None:
    """The guard below looks at something: the app's routes do name rows by id."""
    names = {name for _, _, name, _ in id_parameters(app)}
    assert {"gig_id", "order_id", "model_id", "conversation_id", "entry_id"} <= names


def test_every_id_in_a_path_is_a_public_id_of_its_kind(app: Any) -> None:
    wrong = []
    for methods, path, name, metadata in id_parameters(app):
        declared = [item.kind for item in metadata if isinstance(item, PublicIdIn)]
        if declared != [kind_of(name)]:
            wrong.append(f"{methods} {path}: {name} is {declared or 'a plain value'}")
    assert not wrong, (
        "Path ids must be typed by their kind (GigId, OrderId, ... from kit.public_ids): "
        + "; ".join(wrong)
    )


def test_the_api_documents_path_ids_as_public_ids(app: Any) -> None:
    """What clients generate their code from says the same: a 26-character string."""
    wrong = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if parameter["in"] != "path" or not name.endswith("_id") or name in RANDOM_IDS:
                    continue
                schema = parameter["schema"]
                if (schema.get("type"), schema.get("pattern")) != ("string", public_ids.PATTERN):
                    wrong.append(f"{method.upper()} {path}: {parameter['name']} {schema}")
    assert not wrong, "; ".join(wrong)


# (kind, the API's address of the row, a page's address of it); owners read both.
ADDRESSES = [
    ("gig_id", "/api/v1/gigs/{id}", "/gigs/{id}"),
    ("order_id", "/api/v1/orders/{id}", "/orders/{id}"),
    ("model_id", "/api/v1/models/{id}", "/dashboard/models/{id}"),
    ("conversation_id", "/api/v1/conversations/{id}", "/inbox/{id}"),
]


@pytest.mark.parametrize(("parameter", "api", "page"), ADDRESSES, ids=[a[0] for a in ADDRESSES])
async def test_a_plain_row_id_names_nothing_once_row_ids_are_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
    parameter: str,
    api: str,
    page: str,
) -> None:
    owner_json, owner_headers = await api_signup(client, roles=("freelancer",))
    owner = await session.get(User, row("user", owner_json["id"]))
    assert owner is not None
    values = await OWNED[parameter](client, session, owner, owner_headers)
    kind = kind_of(parameter)
    opaque = values[parameter]
    assert re.fullmatch(public_ids.PATTERN, opaque), opaque
    plain = str(row(kind, opaque))
    stranger_json, stranger_headers = await api_signup(client, roles=("freelancer",))

    # The API: the owner's public id opens the row, the integer names nothing for anyone.
    opened = await client.get(api.format(id=opaque), headers=owner_headers)
    assert opened.status_code == 200, opened.text[:300]
    for headers in (owner_headers, stranger_headers):
        refused = await client.get(api.format(id=plain), headers=headers)
        assert refused.status_code == 404, refused.text[:300]
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(api.format(id=opaque), headers=stranger_headers)).status_code == 404

    # The pages, signed in as each in turn.
    await sign_in(client, str(owner_json["email"]))
    opened = await client.get(page.format(id=opaque))
    assert opened.status_code == 200, opened.text[:300]
    assert (await client.get(page.format(id=plain))).status_code == 404
    await sign_in(client, str(stranger_json["email"]))
    assert (await client.get(page.format(id=plain))).status_code == 404
    assert (await client.get(page.format(id=opaque))).status_code == 404


async def test_another_kinds_public_id_names_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """An order's public id in a gig's address is not the gig with the same row key."""
    owner_json, owner_headers = await api_signup(client, roles=("freelancer",))
    owner = await session.get(User, row("user", owner_json["id"]))
    assert owner is not None
    gig = (await OWNED["gig_id"](client, session, owner, owner_headers))["gig_id"]
    as_order = public_ids.public_id("order", row("gig", gig))
    assert (await client.get(f"/api/v1/gigs/{gig}", headers=owner_headers)).status_code == 200
    refused = await client.get(f"/api/v1/gigs/{as_order}", headers=owner_headers)
    assert refused.status_code == 404, refused.text[:300]
