"""Hyper-parameters chosen from the size of a freelancer's portfolio, and the held-out split.

Portfolios range from the three-sample minimum to hundreds of pieces, and training runs on CPU by
default, so one fixed recipe would either barely move the model on a small portfolio or spend an
hour overfitting a large one.

Two recipes: "fast" (the default) adapts the upper layers only, so the frozen lower layers run
once per piece and the backward pass stops early; it packs pieces without padding, scores only
the answer tokens and stops on held-out loss. "legacy" is the plan every run used before it
(adapters on every layer, padded batches, a fixed number of epochs): runs stored with it keep
loading and resuming, and the benchmark measures the fast one against it. The new fields
default to the legacy behaviour, so a plan stored as JSON before they existed reads back as
exactly the plan it was.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from twinwork.ml.text.sample import TextSample

MIN_TRAINING_SAMPLES = 3
"""Fewer samples than this cannot be split into a training and a held-out set."""

# Room for the system turn, the instruction and the chat markup around each sample (measured
# on the SmolLM2 template at about 50 tokens), plus slack.
PROMPT_TOKENS = 64
# English prose averages about four characters per token with this tokenizer.
CHARS_PER_TOKEN = 4.0
DEFAULT_SEED = 0
HELDOUT_FRACTION = 0.1
# A perplexity over 50 held-out pieces is already stable; more is better spent on training.
MAX_HELDOUT = 50


@dataclass(frozen=True)
class TrainingPlan:
    epochs: int
    max_steps: int | None
    learning_rate: float
    lora_r: int
    lora_alpha: int
    lora_dropout: float
    batch_size: int
    max_length: int
    seed: int
    heldout_fraction: float
    top_layers: int | None = None
    """Adapt only this many of the base's upper decoder layers; None: every layer (legacy)."""
    reuse_frozen_activations: bool = False
    """Run the frozen layers below the adapted ones once per piece and train on their cached
    output: the same arithmetic, without recomputing them every epoch."""
    packing: bool = False
    """Concatenate a step's pieces into one row (attention kept within each piece) instead of
    padding them to the longest."""
    score_answers_only: bool = False
    """Project only the answer positions onto the vocabulary: the prompt's positions carry no
    loss, and the projection is a fifth of this model's arithmetic per token."""
    mixed_precision: bool = False
    """Run the training matmuls in bfloat16 (weights and optimizer stay fp32) where the
    hardware does them faster: CUDA, and CPUs with AVX512-BF16 or AMX (twice the fp32 rate on
    this project's machines); elsewhere fp32 as before."""
    patience: int | None = None
    """Stop after this many epochs without a lower held-out loss, keeping the best epoch's
    adapter; None: train every epoch (legacy)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def fingerprint_dict(self) -> dict[str, Any]:
        """The plan as a run's fingerprint reads it: fields at their legacy default are left
        out, so a checkpoint written before those fields existed still resumes."""
        data = self.as_dict()
        for name, default in _LEGACY_DEFAULTS.items():
            if data.get(name) == default:
                del data[name]
        return data

    def adapted_layers(self, n_layers: int) -> range:
        """Indices of the decoder layers that get adapters, for a base with ``n_layers``."""
        if self.top_layers is None or self.top_layers >= n_layers:
            return range(n_layers)
        return range(n_layers - max(1, self.top_layers), n_layers)

    def steps_per_epoch(self, n_examples: int) -> int:
        return math.ceil(n_examples / self.batch_size) if n_examples else 0

    def total_steps(self, n_examples: int) -> int:
        """Optimizer steps for ``n_examples`` training sequences under this plan."""
        per_epoch = math.ceil(n_examples / self.batch_size) if n_examples else 0
        steps = per_epoch * self.epochs
        return min(steps, self.max_steps) if self.max_steps is not None else steps


RECIPES = ("fast", "legacy")


def plan_training(
    n_samples: int, total_chars: int, *, max_steps: int | None = None, recipe: str = "fast"
) -> TrainingPlan:
    if n_samples < 1:
        raise ValueError("a training plan needs at least one sample")
    if max_steps is not None and max_steps < 1:
        raise ValueError("max_steps must be positive")
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r} (known: {', '.join(RECIPES)})")
    legacy = _legacy_plan(n_samples, total_chars, max_steps)
    return legacy if recipe == "legacy" else _fast_plan(legacy, n_samples)


def _legacy_plan(n_samples: int, total_chars: int, max_steps: int | None) -> TrainingPlan:
    """The plan as chosen before the fast recipe; kept whole so that stored runs and the
    benchmark can still name it."""
    n_train = n_samples - heldout_count(n_samples, HELDOUT_FRACTION)
    # Small portfolios need more passes before the style shows at all; large ones carry enough
    # signal per epoch, and extra passes there only memorise pieces (and cost CPU hours).
    if n_train < 10:
        epochs = 10
    elif n_train < 25:
        epochs = 6
    elif n_train < 60:
        epochs = 4
    elif n_train < 200:
        epochs = 3
    else:
        epochs = 2
    # The rank bounds how much the adapter can memorise: keep it low when a few pieces are all
    # there is, and give a varied portfolio the capacity to capture more than one register.
    lora_r = 8 if n_train < 10 else 16 if n_train < 60 else 32
    # Tiny sets are where overfitting bites first.
    lora_dropout = 0.1 if n_train < 10 else 0.05
    # Smaller batches give a tiny set several updates per epoch instead of one.
    batch_size = 2 if n_train < 16 else 4
    avg_tokens = total_chars / max(n_samples, 1) / CHARS_PER_TOKEN
    # Fit a typical piece whole (longer ones are cut into chunks), rounded to a multiple of 32,
    # and bounded: attention cost grows with the square of the length on CPU.
    max_length = min(512, max(96, _round_up(int(PROMPT_TOKENS + avg_tokens * 1.25), 32)))
    plan = TrainingPlan(
        epochs=epochs,
        max_steps=max_steps,
        learning_rate=2e-4,
        lora_r=lora_r,
        lora_alpha=2 * lora_r,
        lora_dropout=lora_dropout,
        batch_size=batch_size,
        max_length=max_length,
        seed=DEFAULT_SEED,
        heldout_fraction=HELDOUT_FRACTION,
    )
    # A run of a few dozen updates needs larger steps to move the model noticeably.
    if plan.total_steps(n_train) < 30:
        plan = TrainingPlan(**{**plan.as_dict(), "learning_rate": 3e-4})
    return plan


FAST_TOP_LAYERS = 10
"""Upper decoder layers the fast recipe adapts (of SmolLM2-135M's 30): chosen by
bench/training_bench.py, see docs/benchmarks.md."""
FAST_LEARNING_RATE = 2e-3
FAST_PATIENCE = 1


def fast_epochs(legacy_epochs: int) -> int:
    """Half the legacy passes (rounded up): at the fast learning rate the held-out loss after
    two epochs on 36 pieces is already far below the legacy plan's after four
    (docs/benchmarks.md), and early stopping guards against the rest overfitting."""
    return max(1, math.ceil(legacy_epochs / 2))


def _fast_plan(legacy: TrainingPlan, n_samples: int) -> TrainingPlan:
    """The legacy plan's size-dependent choices (rank, batch, length), on the upper layers only
    with a higher learning rate and half the epochs: a third of the layers need larger steps
    to move as far, and early stopping ends the run once the held-out loss stops falling."""
    n_train = n_samples - heldout_count(n_samples, HELDOUT_FRACTION)
    return TrainingPlan(
        **{
            **legacy.as_dict(),
            "epochs": fast_epochs(legacy.epochs),
            "learning_rate": FAST_LEARNING_RATE,
            "top_layers": FAST_TOP_LAYERS,
            "reuse_frozen_activations": True,
            "packing": True,
            "score_answers_only": True,
            "mixed_precision": True,
            # Nothing held out below the minimum: nothing to stop on.
            "patience": FAST_PATIENCE if n_train < n_samples else None,
        }
    )


def heldout_count(n_samples: int, fraction: float) -> int:
    """How many samples to hold out: none below the minimum, otherwise at least one, and never
    so many that fewer than two remain to train on."""
    if n_samples < MIN_TRAINING_SAMPLES:
        return 0
    wanted = max(1, round(n_samples * fraction))
    return min(wanted, MAX_HELDOUT, n_samples - 2)


def split_heldout(
    samples: Sequence[TextSample], plan: TrainingPlan
) -> tuple[list[TextSample], list[TextSample]]:
    """Split into (train, held-out), both in the given order.

    Samples are ranked by a hash of the seed and their content hash, so the split does not depend
    on upload order or database ids, and a re-run on the same portfolio holds out the same pieces.
    Duplicate texts land on the same side, so a copy can never leak into the held-out set.
    """
    count = heldout_count(len(samples), plan.heldout_fraction)

    def rank(sample: TextSample) -> tuple[str, int]:
        key = f"{plan.seed}:{sample.content_hash}".encode()
        return hashlib.sha256(key).hexdigest(), sample.sample_id

    group_sizes = Counter(s.content_hash for s in samples)
    held: set[str] = set()
    held_count = 0
    for sample in sorted(samples, key=rank):
        if held_count >= count:
            break
        size = group_sizes[sample.content_hash]
        if sample.content_hash in held or len(samples) - held_count - size < 2:
            continue
        held.add(sample.content_hash)
        held_count += size
    train = [s for s in samples if s.content_hash not in held]
    heldout = [s for s in samples if s.content_hash in held]
    return train, heldout


_LEGACY_DEFAULTS: dict[str, Any] = {
    "top_layers": None,
    "reuse_frozen_activations": False,
    "packing": False,
    "score_answers_only": False,
    "mixed_precision": False,
    "patience": None,
}


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple
