"""A stand-in for an OpenAI-compatible server (vLLM with runtime LoRA updating) on 127.0.0.1.

It answers as vLLM does where twinwork depends on it: ``/v1/completions`` for the base's name
or a loaded adapter's (404 for any other model), ``/v1/load_lora_adapter`` (400 "has already
been loaded" for a name it holds, 404 for a path without an adapter) and
``/v1/unload_lora_adapter`` (404 for a name it does not hold), ``/v1/models``, bearer keys.
Everything asked is recorded for the tests to look at. Started and stopped by the test, in a
thread of its own, with a bounded wait for every request.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BASE_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"


@dataclass
class FakeState:
    base_model: str = BASE_MODEL
    api_key: str | None = None
    adapters: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    completion_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def asked(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [body for p, body in self.requests if p == path]

    def forget_adapters(self) -> None:
        """As a restarted server: every pushed adapter is gone."""
        with self.lock:
            self.adapters.clear()


def _handler(state: FakeState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ARG002
            return  # quiet test output

        def _send(self, status: int, body: Any, *, text: bool = False) -> None:
            data = (body if text else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("content-type", "text/plain" if text else "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            try:
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        def _error(self, status: int, message: str, kind: str) -> None:
            self._send(status, {"error": {"message": message, "type": kind, "code": status}})

        def _authorised(self) -> bool:
            if state.api_key and self.headers.get("Authorization") != f"Bearer {state.api_key}":
                self._error(401, "Unauthorized", "AuthenticationError")
                return False
            return True

        def do_GET(self) -> None:  # noqa: N802
            if not self._authorised():
                return
            if self.path != "/v1/models":
                self._error(404, "Not Found", "NotFoundError")
                return
            with state.lock:
                ids = [state.base_model, *state.adapters]
            self._send(200, {"object": "list", "data": [{"id": i} for i in ids]})

        def do_POST(self) -> None:  # noqa: N802
            if not self._authorised():
                return
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.requests.append((self.path, body))
            if self.path == "/v1/load_lora_adapter":
                self._load(body)
            elif self.path == "/v1/unload_lora_adapter":
                self._unload(body)
            elif self.path == "/v1/completions":
                self._complete(body)
            else:
                self._error(404, "Not Found", "NotFoundError")

        def _load(self, body: dict[str, Any]) -> None:
            name, path = body.get("lora_name"), body.get("lora_path")
            if not name or not path:
                self._error(400, "Both 'lora_name' and 'lora_path' must be provided.", "BadRequest")
                return
            with state.lock:
                if name in state.adapters:
                    self._error(
                        400,
                        f"The lora adapter '{name}' has already been loaded. If you want to "
                        "load the adapter in place, set 'load_inplace' to True.",
                        "InvalidUserInput",
                    )
                    return
                if not (Path(path) / "adapter_config.json").is_file():
                    self._error(404, f"Loading lora {name} failed: No adapter found for {path}",
                                "NotFoundError")  # fmt: skip
                    return
                state.adapters[name] = path
            self._send(200, f"Success: LoRA adapter '{name}' added successfully.", text=True)

        def _unload(self, body: dict[str, Any]) -> None:
            name = body.get("lora_name")
            with state.lock:
                if name not in state.adapters:
                    self._error(404, f"The lora adapter '{name}' cannot be found.", "NotFoundError")
                    return
                del state.adapters[name]
            self._send(200, f"Success: LoRA adapter '{name}' removed successfully.", text=True)

        def _complete(self, body: dict[str, Any]) -> None:
            model = body.get("model")
            with state.lock:
                known = model == state.base_model or model in state.adapters
            if not known:
                self._error(404, f"The model `{model}` does not exist.", "NotFoundError")
                return
            if state.completion_delay:
                time.sleep(state.completion_delay)
            prompt = str(body.get("prompt", ""))
            self._send(
                200,
                {
                    "id": "cmpl-test",
                    "object": "text_completion",
                    "model": model,
                    "choices": [
                        {"index": 0, "text": f" answer from {model}", "finish_reason": "stop"}
                    ],
                    "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 3},
                },
            )

    return Handler


@contextmanager
def fake_openai_server(state: FakeState | None = None) -> Iterator[tuple[str, FakeState]]:
    """``(base_url, state)`` of a server on a free port of 127.0.0.1, stopped afterwards."""
    state = state or FakeState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
