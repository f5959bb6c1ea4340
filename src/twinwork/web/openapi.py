"""The OpenAPI document, completed with the problem+json answers every operation can give.

FastAPI only knows the success response and its own 422; the errors a client must handle
(sign in, not yours, idempotency, rate limits) come from our DomainErrors and middleware, so
they are declared here once for the whole API instead of on each route.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from twinwork.kit.errors import PROBLEM_MEDIA_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error, as RFC 9457 problem details. `detail` says what to do next.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Per-field messages, where the input was refused.",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    400: "Bad request: a NUL character, or an Idempotency-Key reused for another request.",
    401: "Sign in required: no valid bearer token.",
    402: "Payment required: the card was declined or the wallet holds too little.",
    403: "Not allowed for your role.",
    404: "Not found, or not yours: another freelancer's private items answer the same.",
    409: "Conflict with the current state; the detail says what to do.",
    410: "Gone: the model was erased by its owner.",
    413: "The request body is too large.",
    422: "Invalid input; `errors` names each field.",
    429: "Too many requests; retry after the Retry-After header's seconds.",
    503: "A service this needs is unavailable; retry later.",
}
EVERY_OPERATION = (400, 413, 422, 429, 503)
AUTHENTICATED = (401, 403, 404)
MONEY = (402, 409)
_METHODS = ("get", "put", "post", "patch", "delete")
_WRITES = ("put", "post", "patch", "delete")


def install(app: FastAPI) -> None:
    """Complete ``app``'s OpenAPI document the first time it is generated."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        add_problem_responses(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    # FastAPI's own 422 shape is never sent: every refusal is a Problem.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, item in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            statuses = set(EVERY_OPERATION)
            if "{" in path:
                statuses.add(404)
            # Operations that need a signed-in caller declare the bearer token (web.deps.BEARER).
            if operation.get("security"):
                statuses.update(AUTHENTICATED)
            if _takes_idempotency_key(operation):
                statuses.update(MONEY)
            # A signed-in write can meet a state that refuses it (an order already accepted,
            # an application already made): 409 with what to do instead.
            if operation.get("security") and method in _WRITES:
                statuses.add(409)
            # A page past the last one is a 404 (kit.pagination).
            if _takes_query(operation, "page"):
                statuses.add(404)
            # An erased model answers 410 to everything about it (creation.errors).
            if "{model_id}" in path:
                statuses.add(410)
            responses = operation.setdefault("responses", {})
            # Statuses a route declares itself (a wrong password's 401, a membership's 402)
            # are problems too, and get the Problem body.
            own = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(statuses | own):
                declared = responses.get(str(status), {}).get("description")
                described = declared if status in own - statuses else None
                responses[str(status)] = {
                    "description": described or DESCRIPTIONS.get(status, "An error."),
                    "content": {
                        PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                }
    return schema


def _takes_query(operation: dict[str, Any], name: str) -> bool:
    return any(
        p.get("in") == "query" and p.get("name") == name for p in operation.get("parameters", [])
    )


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(
        p.get("in") == "header" and str(p.get("name", "")).lower() == "idempotency-key"
        for p in operation.get("parameters", [])
    )
