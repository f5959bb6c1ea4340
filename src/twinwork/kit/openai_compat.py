"""A small client for OpenAI-compatible HTTP servers (vLLM, and anything speaking the same API).

General on purpose: ``post_json`` speaks to any route and turns the server's error bodies into
one exception with the server's own message; the functions above it cover the routes twinwork
uses. ``completion`` (``/v1/completions``, a prompt in, text out) serves personal text models
through a remote engine; vLLM's runtime adapter routes (``/v1/load_lora_adapter``,
``/v1/unload_lora_adapter``) push a freelancer's adapter to the server and take it away again on
erasure. Synchronous (httpx): engines call it from worker threads, never the event loop.

Both error shapes servers use are understood: OpenAI's ``{"error": {"message": ...}}`` and
vLLM's older flat ``{"object": "error", "message": ...}``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_TIMEOUT_SECONDS = 60.0
# A completion may legitimately take long on a loaded server; connecting may not.
CONNECT_TIMEOUT_SECONDS = 5.0


class OpenAICompatError(Exception):
    """The server answered with an error, or not at all. ``status`` is the HTTP status (None
    when no answer came); ``message`` is the server's own words where it gave any."""

    def __init__(self, message: str, *, status: int | None = None, url: str = "") -> None:
        where = f" ({url})" if url else ""
        code = f"HTTP {status}: " if status is not None else ""
        super().__init__(f"{code}{message}{where}")
        self.status = status
        self.message = message
        self.url = url


class EndpointUnavailable(OpenAICompatError):
    """No answer: the server is down, unreachable or took longer than the timeout."""


class NotFoundOnServer(OpenAICompatError):
    """HTTP 404: the model or adapter named is not on the server (it restarted, or it was
    never pushed there)."""


@dataclass(frozen=True)
class CompletionResult:
    text: str
    finish_reason: str | None
    """"stop" (an end of text or a stop string) or "length" (``max_tokens`` reached)."""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class OpenAICompatClient:
    """One server: ``base_url`` is its root (``http://host:8000``; a trailing ``/v1`` is
    accepted too), ``api_key`` is sent as a bearer token when set (vLLM's ``--api-key``).

    Thread-safe: httpx's client pools connections for every thread."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        root = base_url.strip().rstrip("/")
        if not root.startswith(("http://", "https://")):
            raise ValueError(
                f"an OpenAI-compatible endpoint is an http:// or https:// URL, not {base_url!r}"
            )
        if root.endswith("/v1"):
            root = root[: -len("/v1")]
        self.base_url = root
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=root,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT_SECONDS)),
            transport=transport,
        )
        self._closed = threading.Event()

    # ---- any route ---------------------------------------------------------------------------

    def post_json(self, path: str, payload: Mapping[str, Any]) -> Any:
        """POST ``payload`` as JSON to ``path`` (``/v1/...``); the decoded JSON answer, or the
        plain text where the server answers in text (vLLM's adapter routes do)."""
        return self._decode(self._send("POST", path, payload))

    def get_json(self, path: str) -> Any:
        return self._decode(self._send("GET", path, None))

    # ---- the routes twinwork uses -----------------------------------------------------------

    def completion(
        self,
        *,
        model: str,
        prompt: str,
        max_tokens: int,
        temperature: float = 1.0,
        top_p: float = 1.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> CompletionResult:
        """``/v1/completions`` for one prompt. ``extra`` carries a server's own sampling
        parameters (vLLM: ``min_tokens``, ``repetition_penalty``, ``skip_special_tokens``)."""
        payload = _sampling(model, max_tokens, temperature, top_p, stop, seed, extra)
        return self._answer(
            "/v1/completions", {"prompt": prompt, **payload}, ("text",), "choices[0].text"
        )

    def chat_completion(
        self,
        *,
        model: str,
        messages: Sequence[Mapping[str, str]],
        max_tokens: int,
        temperature: float = 0.0,
        top_p: float = 1.0,
        stop: Sequence[str] = (),
        seed: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> CompletionResult:
        """``/v1/chat/completions`` for one conversation (``messages`` as ``[{role,
        content}]``): the assistant's answer as ``text``. Used where an instruction-tuned model
        is asked to do something (the assistant's phrasing), not to continue a text."""
        payload = _sampling(model, max_tokens, temperature, top_p, stop, seed, extra)
        payload["messages"] = [dict(message) for message in messages]
        return self._answer(
            "/v1/chat/completions", payload, ("message", "content"), "choices[0].message.content"
        )

    def _answer(
        self, path: str, payload: dict[str, Any], text_at: tuple[str, ...], what: str
    ) -> CompletionResult:
        """Post one request and read its first choice's text (found under ``text_at``)."""
        body = self.post_json(path, payload)
        try:
            choice = body["choices"][0]
            text: Any = choice
            for step in text_at:
                text = text[step]
        except (KeyError, IndexError, TypeError) as exc:
            raise OpenAICompatError(f"the answer has no {what}", url=self._url(path)) from exc
        usage = body.get("usage") or {}
        return CompletionResult(
            text=str(text or ""),
            finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )

    def model_ids(self) -> list[str]:
        """``/v1/models``: the base model and every adapter the server holds now."""
        body = self.get_json("/v1/models")
        return [str(m["id"]) for m in (body or {}).get("data", []) if "id" in m]

    def load_lora_adapter(self, name: str, path: str) -> bool:
        """Push an adapter directory the *server* can read at ``path`` under ``name`` (vLLM
        with ``VLLM_ALLOW_RUNTIME_LORA_UPDATING=True``). Returns False when the server already
        held that name (vLLM answers 400 "has already been loaded"), True when loaded now."""
        try:
            self.post_json("/v1/load_lora_adapter", {"lora_name": name, "lora_path": path})
        except OpenAICompatError as exc:
            if exc.status == 400 and "already been loaded" in exc.message:
                return False
            raise
        return True

    def unload_lora_adapter(self, name: str) -> bool:
        """Remove adapter ``name`` from the server. Returns False when the server did not hold
        it (404): removing is idempotent, erasure may ask twice."""
        try:
            self.post_json("/v1/unload_lora_adapter", {"lora_name": name})
        except NotFoundOnServer:
            return False
        return True

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._client.close()

    # ---- internals ---------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def _send(self, method: str, path: str, payload: Mapping[str, Any] | None) -> httpx.Response:
        url = self._url(path)
        try:
            response = self._client.request(
                method, path, json=dict(payload) if payload is not None else None
            )
        except httpx.TimeoutException as exc:
            raise EndpointUnavailable("the server did not answer in time", url=url) from exc
        except httpx.HTTPError as exc:
            raise EndpointUnavailable(f"the server could not be reached: {exc}", url=url) from exc
        if response.status_code >= 400:
            kind = NotFoundOnServer if response.status_code == 404 else OpenAICompatError
            raise kind(_error_message(response), status=response.status_code, url=url)
        return response

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        if "json" in response.headers.get("content-type", ""):
            return response.json()
        return response.text


def _error_message(response: httpx.Response) -> str:
    """The server's own message: OpenAI's nested error, vLLM's flat one, else the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
        if body.get("message"):
            return str(body["message"])
        if body.get("detail"):
            return str(body["detail"])
    return str(body)[:300]


__all__ = [
    "CompletionResult",
    "EndpointUnavailable",
    "NotFoundOnServer",
    "OpenAICompatClient",
    "OpenAICompatError",
]


def _sampling(
    model: str,
    max_tokens: int,
    temperature: float,
    top_p: float,
    stop: Sequence[str],
    seed: int | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The body fields both completion routes share; ``extra`` last, so a server's own
    parameters may override them."""
    payload: dict[str, Any] = {
        "model": model,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "top_p": top_p,
        "n": 1,
        "stream": False,
    }
    if stop:
        payload["stop"] = list(stop)
    if seed is not None:
        payload["seed"] = seed
    payload.update(extra or {})
    return payload
