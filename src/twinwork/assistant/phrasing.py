"""Phrasing: a language model may reword the assistant's templated reply, never decide it.

The pipeline stays ``intent -> tools -> templated reply -> verifier``; phrasing comes after the
templated reply has passed the verifier, and its result is checked again before it replaces
the template:

- the phrased text passes the same verifier against the same tool results and passages (no
  number, date, relative date or promise the data does not back);
- it keeps every number and date the template stated (a dropped price is a wrong answer);
- it adds no link or e-mail address the template did not hold;
- it is not empty, and not much longer than the template.

A phrasing that fails any of these, takes longer than the timeout, or meets an unreachable
endpoint is dropped and the templated reply is sent: drifting wording never becomes a
handover, and never reaches the buyer.

What the model reads is the template alone, with an instruction. The buyer's message is not
in its prompt: an instruction planted there cannot steer it, and it cannot echo what it never
saw. Nor does it see anything the template does not already say.

Two phrasers, chosen by ``TWINWORK_ASSISTANT_PHRASING``: ``local`` runs the packaged
SmolLM2-135M-Instruct (its converted safetensors copy, ``ml.text.base``) in this process, one
reply at a time; ``remote`` asks any OpenAI-compatible chat endpoint (``kit.openai_compat``).
The default is ``off``: on the 2-core development machine the local model took 77-147 s
for a 71-token reply under a load average of 18 (docs/inbox.md), far above the one second a
turn may add, and it echoed the draft instead of rewording it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from twinwork.assistant.verifier import Grounding, dates_in, numbers_in, verify
from twinwork.config import Settings, get_settings
from twinwork.kit.openai_compat import OpenAICompatClient, OpenAICompatError
from twinwork.ml.text.base import ensure_base_model
from twinwork.ml.text.runtime import device, go_offline, loading_lock

log = logging.getLogger("twinwork.assistant.phrasing")

INSTRUCTION = (
    "You reword a message that {assistant}, {freelancer}'s assistant, will send to a client. "
    "Make it read warmly and naturally, in the first person as {assistant}. Keep every price, "
    "number, date, name and file format exactly as written. Add no facts, offers, promises, "
    "discounts or links, and leave nothing out. Answer with the reworded message only."
)
_LABEL = re.compile(
    r"^\s*(?:draft(?: reply)?|reworded(?: message)?|rewritten(?: message)?|message|reply)"
    r"\s*:\s*",
    re.IGNORECASE,
)
_LINK = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+|/[a-z]+/\d+", re.IGNORECASE)
MAX_GROWTH_CHARS = 300
"""How much longer than the template a phrasing may be (or twice it, whichever is more)."""


class Phraser(Protocol):
    name: str

    def phrase(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        """Blocking: the model's answer to ``messages`` (run in a worker thread)."""
        ...


@dataclass(frozen=True)
class Phrased:
    text: str
    """What is sent: the model's wording when it passed every check, else the template."""
    phrased: bool
    why: str
    """"off", "phrased", or why the template was kept."""
    latency_ms: int = 0


def messages_for(draft: str, *, assistant: str, freelancer: str) -> list[dict[str, str]]:
    """The prompt: the instruction and the templated reply, nothing of the buyer's."""
    return [
        {
            "role": "system",
            "content": INSTRUCTION.format(assistant=assistant, freelancer=freelancer),
        },
        {"role": "user", "content": draft},
    ]


def clean(answer: str) -> str:
    """The model's answer without a leading label ("Reworded message:") or wrapping quotes."""
    text = answer.strip()
    while True:
        stripped = _LABEL.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'\u201c":
        text = text[1:-1].strip()
    if text.startswith("\u201c") and text.endswith("\u201d"):
        text = text[1:-1].strip()
    return text


def refusal(draft: str, candidate: str, grounding: Grounding, fixed: Iterable[str]) -> str | None:
    """Why ``candidate`` may not replace ``draft`` (None: it may)."""
    if not candidate:
        return "empty"
    if len(candidate) > max(2 * len(draft), len(draft) + MAX_GROWTH_CHARS):
        return "too long"
    verdict = verify(candidate, grounding, fixed=fixed)
    if not verdict.ok:
        return "unverified: " + "; ".join(verdict.problems)[:200]
    dropped = sorted(numbers_in(draft) - numbers_in(candidate))
    dropped += sorted(dates_in(draft) - dates_in(candidate))
    if dropped:
        return "dropped facts: " + ", ".join(dropped)[:200]
    added = sorted(set(_LINK.findall(candidate)) - set(_LINK.findall(draft)))
    if added:
        return "new link or address: " + ", ".join(added)[:200]
    return None


async def phrase_reply(
    draft: str,
    grounding: Grounding,
    *,
    assistant: str,
    freelancer: str,
    phraser: Phraser | None = None,
    settings: Settings | None = None,
) -> Phrased:
    """The reply to send: ``draft`` (already verified) reworded by the configured model when
    the wording passes every check, else ``draft`` itself. Never raises for the model's sake."""
    settings = settings or get_settings()
    phraser = phraser if phraser is not None else phraser_for(settings)
    if phraser is None:
        return Phrased(draft, False, "off")
    started = time.perf_counter()
    messages = messages_for(draft, assistant=assistant, freelancer=freelancer)
    try:
        answer = await asyncio.wait_for(
            asyncio.to_thread(phraser.phrase, messages, settings.assistant_phrasing_max_tokens),
            timeout=settings.assistant_phrasing_timeout_seconds,
        )
    except TimeoutError:
        why = f"{phraser.name} took over {settings.assistant_phrasing_timeout_seconds:g} s"
        return _kept(draft, why, started)
    except (OpenAICompatError, LocalBusy) as exc:
        return _kept(draft, f"{phraser.name}: {exc}", started)
    except Exception as exc:  # a broken model must not cost the buyer the answer
        log.exception("phrasing with %s failed", phraser.name)
        return _kept(draft, f"{phraser.name} failed: {type(exc).__name__}", started)
    candidate = clean(answer)
    refused = refusal(draft, candidate, grounding, (assistant, freelancer))
    if refused is not None:
        return _kept(draft, refused, started)
    return Phrased(candidate, True, "phrased", _ms(started))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _kept(draft: str, why: str, started: float) -> Phrased:
    log.info("phrasing dropped, the template is sent: %s", why)
    return Phrased(draft, False, why, _ms(started))


# ---- the phrasers --------------------------------------------------------------------------


class RemotePhraser:
    """An OpenAI-compatible chat endpoint (vLLM, llama.cpp's server, a hosted model)."""

    name = "remote endpoint"

    def __init__(self, client: OpenAICompatClient, model: str) -> None:
        self.client = client
        self.model = model

    def phrase(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        return self.client.chat_completion(
            model=self.model, messages=messages, max_tokens=max_tokens, temperature=0.0
        ).text


class LocalBusy(Exception):
    """The local model is phrasing another reply: this one goes out as templated."""


class LocalPhraser:
    """The packaged SmolLM2-135M-Instruct in this process: loaded once, greedy decoding, one
    reply at a time (a second turn meanwhile keeps its template rather than queue behind)."""

    name = "local model"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model: Any = None
        self._tokenizer: Any = None
        self._busy = threading.Lock()

    def _load(self) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        go_offline()
        base = ensure_base_model(
            self.settings.resolved_model_cache_dir, self.settings.text_base_model
        )
        with loading_lock:
            tokenizer = AutoTokenizer.from_pretrained(str(base.path))
            model: Any = AutoModelForCausalLM.from_pretrained(str(base.path), dtype=torch.float32)
            model.to(device()).eval()
        self._tokenizer, self._model = tokenizer, model

    def phrase(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        import torch

        if not self._busy.acquire(blocking=False):
            raise LocalBusy("the local model is busy with another reply")
        try:
            if self._model is None:
                self._load()
            encoded = self._tokenizer.apply_chat_template(
                [dict(m) for m in messages], add_generation_prompt=True, return_tensors="pt"
            )
            ids = encoded if isinstance(encoded, torch.Tensor) else encoded["input_ids"]
            ids = ids.to(self._model.device)
            with torch.inference_mode():
                out = self._model.generate(ids, max_new_tokens=max_tokens, do_sample=False)
            return str(self._tokenizer.decode(out[0][ids.shape[1] :], skip_special_tokens=True))
        finally:
            self._busy.release()


_phrasers: dict[tuple[Any, ...], Phraser] = {}
_phrasers_lock = threading.Lock()


def phraser_for(settings: Settings) -> Phraser | None:
    """The phraser the settings choose (one per configuration and process), None when off or
    when ``remote`` lacks its URL or model (logged: the templates still answer)."""
    mode = settings.assistant_phrasing
    if mode == "off":
        return None
    key = (
        mode,
        settings.assistant_phrasing_url,
        settings.assistant_phrasing_model,
        settings.assistant_phrasing_api_key,
        settings.assistant_phrasing_timeout_seconds,
        str(settings.resolved_model_cache_dir),
        settings.text_base_model,
    )
    with _phrasers_lock:
        found = _phrasers.get(key)
        if found is not None:
            return found
        phraser: Phraser
        if mode == "remote":
            url, model = settings.assistant_phrasing_url, settings.assistant_phrasing_model
            if not url or not model:
                log.warning(
                    "TWINWORK_ASSISTANT_PHRASING=remote needs TWINWORK_ASSISTANT_PHRASING_URL "
                    "and TWINWORK_ASSISTANT_PHRASING_MODEL; replies stay templated"
                )
                return None
            client = OpenAICompatClient(
                url,
                api_key=settings.assistant_phrasing_api_key,
                timeout=settings.assistant_phrasing_timeout_seconds,
            )
            phraser = RemotePhraser(client, model)
        else:
            phraser = LocalPhraser(settings)
        _phrasers[key] = phraser
        return phraser
