"""What a request to the engine can fail with; each message says what to do about it."""

from __future__ import annotations

from twinwork.ml.engine.weights import AdapterError


class EngineError(Exception):
    """Base class of the engine's request failures."""


class UnknownAdapter(EngineError, LookupError):
    """The request names an adapter the engine has no loader for."""

    def __init__(self, key: str) -> None:
        super().__init__(f"unknown adapter {key!r}: register it with a loader first")
        self.key = key


class AdapterErased(EngineError):
    """The adapter was erased while the request waited or ran."""

    def __init__(self, key: str) -> None:
        super().__init__(f"adapter {key!r} was erased")
        self.key = key


class PromptTooLong(EngineError, ValueError):
    def __init__(self, prompt_tokens: int, max_new_tokens: int, context: int) -> None:
        super().__init__(
            f"the prompt has {prompt_tokens} tokens; with {max_new_tokens} new tokens it "
            f"exceeds the model's context of {context} tokens"
        )


class RequestCancelled(EngineError):
    def __init__(self) -> None:
        super().__init__("the request was cancelled")


class EngineClosed(EngineError):
    def __init__(self) -> None:
        super().__init__("the engine is shut down")


__all__ = [
    "AdapterErased",
    "AdapterError",
    "EngineClosed",
    "EngineError",
    "PromptTooLong",
    "RequestCancelled",
    "UnknownAdapter",
]
