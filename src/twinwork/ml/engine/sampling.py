"""Per-request sampling settings and the batched sampler that applies them row by row."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import torch

# How many of a row's most likely tokens the nucleus is looked for in before sorting them all.
NUCLEUS_CANDIDATES = 256


@dataclass(frozen=True)
class Sampling:
    """How one request is decoded."""

    max_new_tokens: int = 80
    min_new_tokens: int = 0
    """End-of-text is suppressed until this many tokens are written (a verse asked for is a
    verse delivered, not two lines)."""
    temperature: float = 0.8
    """0: greedy."""
    top_p: float = 0.9
    repetition_penalty: float = 1.0
    """Applied over the tokens this request generated only, never the prompt: penalising the
    prompt would push the model away from the motifs the brief and the adapter ask for."""
    stop: tuple[str, ...] = ()
    """Strings that end the answer (not included in it)."""
    stop_at_eos: bool = True
    """False: always write ``max_new_tokens`` tokens (benchmarks time a fixed length)."""
    seed: int | None = None
    """The same seed gives the same tokens for the same logits; None: a fresh one."""

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be positive")
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            raise ValueError("min_new_tokens must be between 0 and max_new_tokens")
        if not math.isfinite(self.temperature) or self.temperature < 0:
            raise ValueError("temperature must be a non-negative number")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if not math.isfinite(self.repetition_penalty) or self.repetition_penalty <= 0:
            raise ValueError("repetition_penalty must be positive")
        if any(not s for s in self.stop):
            raise ValueError("stop strings must not be empty")


def sample_rows(
    logits: torch.Tensor,
    settings: Sequence[Sampling],
    generated: Sequence[Sequence[int]],
    generators: Sequence[torch.Generator],
    stop_ids: Collection[int],
) -> list[int]:
    """One token per row of ``logits`` ([rows, vocab], fp32, changed in place)."""
    suppress = torch.tensor(sorted(stop_ids), dtype=torch.long)
    for i, (s, previous) in enumerate(zip(settings, generated, strict=True)):
        row = logits[i]
        if previous and s.repetition_penalty != 1.0:
            seen = torch.tensor(sorted(set(previous)), dtype=torch.long)
            values = row[seen]
            row[seen] = torch.where(
                values > 0, values / s.repetition_penalty, values * s.repetition_penalty
            )
        if len(previous) < s.min_new_tokens and len(suppress):
            row[suppress] = -math.inf
    tokens = [0] * len(settings)
    sampled = [i for i, s in enumerate(settings) if s.temperature > 0]
    for i, s in enumerate(settings):
        if s.temperature == 0:
            tokens[i] = int(logits[i].argmax())
    if not sampled:
        return tokens
    index = torch.tensor(sampled, dtype=torch.long)
    temperatures = torch.tensor([settings[i].temperature for i in sampled]).unsqueeze(1)
    probs = torch.softmax(logits.index_select(0, index) / temperatures, dim=-1)
    # The nucleus is a prefix of the tokens sorted by probability. Sorting the whole vocabulary
    # (49,152 tokens) for every row was most of a decode step's sampling cost; the top
    # NUCLEUS_CANDIDATES by probability are the same prefix whenever their mass reaches top_p,
    # which it almost always does. A row where it does not is sorted in full.
    heads, head_orders = torch.topk(probs, min(NUCLEUS_CANDIDATES, probs.shape[-1]), dim=-1)
    for j, i in enumerate(sampled):
        top_p = settings[i].top_p
        head, order = heads[j], head_orders[j]
        mass = torch.cumsum(head, dim=-1)
        if float(mass[-1]) < top_p:  # the nucleus reaches past the candidates
            head, order = torch.sort(probs[j], descending=True)
            mass = torch.cumsum(head, dim=-1)
        # Nucleus: keep the smallest head whose mass reaches top_p (the first token always stays).
        head = head * (mass - head < top_p)
        # Each request's own generator: a row's tokens do not depend on its batch mates.
        choice = torch.multinomial(head / head.sum(), 1, generator=generators[i])
        tokens[i] = int(order[choice])
    return tokens
