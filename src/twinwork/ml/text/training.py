"""Training a freelancer's LoRA adapter on their consented text samples.

A plain loop rather than the HF Trainer: it has to report every step, stop on request and
checkpoint with its exact data order and RNG state, and the Trainer makes each of those harder
than the loop itself.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, cast

import torch

from twinwork.ml.text import checkpoint
from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.loading import LORA_TARGET_MODULES, load_model, load_tokenizer, quiet_peft
from twinwork.ml.text.plan import CHARS_PER_TOKEN, PROMPT_TOKENS, TrainingPlan
from twinwork.ml.text.prompt import IGNORE_INDEX, Example, chunk_text, encode_example
from twinwork.ml.text.result import TrainingCancelled, TrainingProgress, TrainResult
from twinwork.ml.text.runtime import device
from twinwork.ml.text.sample import TextSample

MAX_FROZEN_CACHE_BYTES = 1 << 30
"""The most memory the frozen layers' cached output may take (fp32): about 460,000 tokens of
this base, hundreds of long pieces."""

# Files a finished adapter directory holds: exactly what PEFT needs to load it.
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


def _ignore(_: TrainingProgress) -> None:
    return None


def _never() -> bool:
    return False


def train_text_adapter(
    base: BaseModelRef,
    train: Sequence[TextSample],
    plan: TrainingPlan,
    out_dir: Path,
    *,
    checkpoint_dir: Path,
    validation: Sequence[TextSample] = (),
    on_progress: Callable[[TrainingProgress], None] = _ignore,
    should_stop: Callable[[], bool] = _never,
    checkpoint_every: int = 10,
) -> TrainResult:
    """Train a LoRA adapter on ``train`` and write it to ``out_dir`` (PEFT format).

    Reads nothing but the given samples. ``validation`` (the held-out pieces) is scored after
    every epoch when the plan stops early; the adapter written is then the best epoch's.
    Resumes from ``checkpoint_dir`` when it holds a checkpoint of this same run (base, plan and
    sample sets); the result is then the same as an uninterrupted run. Raises
    TrainingCancelled when ``should_stop()`` turns true.
    """
    if not train:
        raise ValueError("no training samples")
    if checkpoint_every < 1:
        raise ValueError("checkpoint_every must be positive")
    started = time.monotonic()
    on_progress(TrainingProgress(0, 0, None, 0.0, None, "loading"))

    from peft import get_peft_model_state_dict, set_peft_model_state_dict

    run_device = device()
    tokenizer = load_tokenizer(base)
    # Sorted by content, so the same portfolio trains the same way whatever order it came in.
    ordered = sorted(train, key=lambda s: (s.content_hash, s.sample_id))
    held = sorted(validation, key=lambda s: (s.content_hash, s.sample_id))
    stops_early = plan.patience is not None and bool(held)
    examples = build_examples(tokenizer, ordered, plan)
    held_examples = build_examples(tokenizer, held, plan) if stops_early else []
    total = plan.total_steps(len(examples))
    per_epoch = plan.steps_per_epoch(len(examples))
    fingerprint = run_fingerprint(base, plan, ordered, held if stops_early else ())
    order = batch_order(len(examples), plan, total)

    model, forward = build_model(base, plan, run_device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=plan.learning_rate, weight_decay=0.0)
    cached_bytes = 4 * forward.hidden_size * sum(len(e.input_ids) for e in examples + held_examples)
    # A very large portfolio would not fit its cache in memory: its frozen layers then run
    # every step instead (still without a backward pass through them).
    if (
        plan.reuse_frozen_activations
        and forward.first_adapted > 0
        and cached_bytes <= MAX_FROZEN_CACHE_BYTES
    ):
        on_progress(TrainingProgress(0, total, None, time.monotonic() - started, None, "loading"))
        forward.cache_frozen(examples + held_examples, int(tokenizer.pad_token_id))

    step = 0
    losses: list[float] = []
    evaluations: list[tuple[int, float]] = []
    best: dict[str, torch.Tensor] | None = None
    resumed_from: int | None = None
    saved = checkpoint.load(checkpoint_dir, fingerprint)
    if saved is not None and saved.order == order and saved.step <= total:
        set_peft_model_state_dict(model, saved.adapter)
        optimizer.load_state_dict(saved.optimizer)
        _set_rng(saved.rng)
        step = resumed_from = saved.step
        losses = list(saved.losses)
        evaluations = list(saved.evaluations)
        best = saved.best_adapter

    def save_checkpoint() -> None:
        checkpoint.save(
            checkpoint_dir,
            checkpoint.Checkpoint(
                step=step,
                fingerprint=fingerprint,
                losses=losses,
                order=order,
                adapter=dict(get_peft_model_state_dict(model)),
                optimizer=optimizer.state_dict(),
                rng=_get_rng(),
                evaluations=evaluations,
                best_adapter=best,
            ),
        )

    def adapter_now() -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()}

    model.train()
    loop_started = time.monotonic()
    first_step = step
    stopped_early = stops_early and _should_stop_early(evaluations, plan)
    while step < total and not stopped_early:
        if should_stop():
            if step > first_step and step % checkpoint_every:
                save_checkpoint()
            raise TrainingCancelled(step)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step, total, plan.learning_rate)
        loss: Any = forward.loss([examples[i] for i in order[step]], int(tokenizer.pad_token_id))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        losses.append(float(loss.detach()))
        if stops_early and (step % per_epoch == 0 or step == total):
            model.eval()
            evaluations.append((step, forward.validation_loss(held_examples)))
            model.train()
            if evaluations[-1][1] <= min(loss for _, loss in evaluations):
                best = adapter_now()
            stopped_early = _should_stop_early(evaluations, plan) and step < total
        per_step = (time.monotonic() - loop_started) / (step - first_step)
        # An early stop ends the run here: the bar reaches its end instead of jumping.
        shown_total = step if stopped_early else total
        on_progress(
            TrainingProgress(
                step=step,
                total_steps=shown_total,
                loss=losses[-1],
                elapsed_seconds=time.monotonic() - started,
                eta_seconds=per_step * (shown_total - step),
                phase="training",
            )
        )
        if step % checkpoint_every == 0 and step < total and not stopped_early:
            save_checkpoint()

    best_step: int | None = None
    if evaluations and best is not None:
        best_step = min(evaluations, key=lambda e: (e[1], e[0]))[0]
        if best_step != step:
            set_peft_model_state_dict(model, best)
    on_progress(
        TrainingProgress(
            step, step, losses[-1] if losses else None, time.monotonic() - started, 0.0, "saving"
        )
    )
    _save_adapter(model, base, out_dir)
    checkpoint.clear(checkpoint_dir)
    # One epoch's worth of losses: a single small batch is too noisy to report alone.
    window = losses[-max(1, per_epoch) :]
    return TrainResult(
        adapter_dir=out_dir,
        steps=step,
        final_loss=sum(window) / len(window) if window else None,
        seconds=time.monotonic() - started,
        resumed_from_step=resumed_from,
        planned_steps=total,
        best_step=best_step,
        validation_losses=[loss for _, loss in evaluations],
    )


def build_model(base: BaseModelRef, plan: TrainingPlan, run_device: Any) -> tuple[Any, _Forward]:
    """A private copy of the base with fresh LoRA layers where the plan puts them, and the
    forward pass the plan trains with."""
    from peft import LoraConfig, get_peft_model

    base_model: Any = load_model(base)
    n_layers = int(base_model.config.num_hidden_layers)
    # LoRA's A matrices are drawn from the global generator, as is dropout.
    torch.manual_seed(plan.seed)
    with quiet_peft():
        model: Any = get_peft_model(
            base_model,
            LoraConfig(
                r=plan.lora_r,
                lora_alpha=plan.lora_alpha,
                lora_dropout=plan.lora_dropout,
                target_modules=target_modules(plan, n_layers),
                bias="none",
                task_type="CAUSAL_LM",
            ),
        )
    return model, _Forward(model, plan, plan.adapted_layers(n_layers).start, run_device)


def target_modules(plan: TrainingPlan, n_layers: int) -> list[str]:
    """The layers the adapter covers, as PEFT records them in ``adapter_config.json``: the
    projection names for every layer (legacy), else each adapted module by its full name, so
    any reader (PEFT, the engine, vLLM) sees exactly which layers the adapter touches."""
    adapted = plan.adapted_layers(n_layers)
    if len(adapted) == n_layers:
        return list(LORA_TARGET_MODULES)
    return [
        f"model.layers.{i}.{_PROJECTION_PARENT[name]}.{name}"
        for i in adapted
        for name in LORA_TARGET_MODULES
    ]


_PROJECTION_PARENT = {
    "q_proj": "self_attn",
    "k_proj": "self_attn",
    "v_proj": "self_attn",
    "o_proj": "self_attn",
    "gate_proj": "mlp",
    "up_proj": "mlp",
    "down_proj": "mlp",
}


def _should_stop_early(evaluations: Sequence[tuple[int, float]], plan: TrainingPlan) -> bool:
    if plan.patience is None or not evaluations:
        return False
    best_at = min(range(len(evaluations)), key=lambda i: (evaluations[i][1], i))
    return len(evaluations) - 1 - best_at >= plan.patience


class _Forward:
    """One training or validation forward pass under a plan.

    Legacy plans run the whole model with padded batches and its own loss. Otherwise the
    frozen lower layers either run every step without building a graph (nothing below the
    first adapter needs a gradient, so the backward pass stops there) or once per piece
    (``cache_frozen``); pieces are packed into one row; only answer positions reach the
    vocabulary projection.
    """

    def __init__(self, model: Any, plan: TrainingPlan, first_adapted: int, run_device: Any):
        self.model = model
        self.plan = plan
        self.device = run_device
        causal = model.get_base_model()
        self.inner = causal.model
        self.lm_head = causal.lm_head
        self.hidden_size = int(causal.config.hidden_size)
        self.first_adapted = first_adapted
        self.lower = torch.nn.ModuleList(list(self.inner.layers)[:first_adapted])
        self.upper = torch.nn.ModuleList(list(self.inner.layers)[first_adapted:])
        self.cached: dict[int, torch.Tensor] = {}
        self.legacy = not (
            plan.score_answers_only
            or plan.packing
            or plan.reuse_frozen_activations
            or plan.mixed_precision
        )
        self.autocast = fast_low_precision(run_device) if plan.mixed_precision else None

    @torch.no_grad()
    def cache_frozen(self, examples: Sequence[Example], pad_id: int) -> None:
        """The output of the frozen layers for every piece, computed once (in length order, so
        batches pad little)."""
        by_length = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
        with self._stack(self.lower, torch.nn.Identity()), self._precision():
            for start in range(0, len(by_length), _CACHE_BATCH):
                rows = by_length[start : start + _CACHE_BATCH]
                ids, mask, _ = collate([examples[i] for i in rows], pad_id, self.device)
                hidden = self.inner(
                    input_ids=ids, attention_mask=mask, use_cache=False
                ).last_hidden_state
                for row, i in enumerate(rows):
                    self.cached[id(examples[i])] = hidden[row, : len(examples[i].input_ids)]

    def loss(self, batch: Sequence[Example], pad_id: int) -> torch.Tensor:
        if self.legacy:
            ids, mask, labels = collate(batch, pad_id, self.device)
            return cast(
                torch.Tensor, self.model(input_ids=ids, attention_mask=mask, labels=labels).loss
            )
        nll, count = self._nll(batch, pad_id)
        return nll / count.clamp_min(1)

    @torch.no_grad()
    def validation_loss(self, examples: Sequence[Example]) -> float:
        """Mean loss per answer token over the held-out pieces."""
        total, count = 0.0, 0
        for start in range(0, len(examples), self.plan.batch_size):
            nll, n = self._nll(examples[start : start + self.plan.batch_size], 0, packed=True)
            total += float(nll)
            count += int(n)
        return total / max(count, 1)

    def _nll(
        self, batch: Sequence[Example], pad_id: int, *, packed: bool | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Summed loss over the answer tokens of ``batch``, and how many there are."""
        if packed if packed is not None else self.plan.packing:
            kwargs, labels = self._packed_inputs(batch)
        else:
            ids, mask, labels = collate(batch, pad_id, self.device)
            kwargs = {"attention_mask": mask}
            if all(id(e) in self.cached for e in batch):
                kwargs["inputs_embeds"] = _pad_rows([self.cached[id(e)] for e in batch])
            else:
                kwargs["input_ids"] = ids
        stack = self.upper if "inputs_embeds" in kwargs else None
        with self._stack(stack, None), self._precision():
            # No cache: transformers only honours packed positions (one causal block per
            # piece) when there is none.
            hidden = self.inner(**kwargs, use_cache=False).last_hidden_state
            targets = labels[:, 1:]
            scored = targets != IGNORE_INDEX
            if self.plan.score_answers_only:
                logits = self.lm_head(hidden[:, :-1][scored])
            else:
                logits = self.lm_head(hidden)[:, :-1][scored]
        nll = torch.nn.functional.cross_entropy(logits.float(), targets[scored], reduction="sum")
        return nll, scored.sum()

    def _precision(self) -> Any:
        if self.autocast is None:
            return nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast)

    def _packed_inputs(self, batch: Sequence[Example]) -> tuple[dict[str, Any], torch.Tensor]:
        # Positions restart at each piece: transformers then keeps attention inside each
        # piece (a block-diagonal causal mask) when no attention mask is given.
        positions = torch.cat([torch.arange(len(e.input_ids)) for e in batch])[None]
        labels = torch.tensor([[t for e in batch for t in e.labels]], device=self.device)
        kwargs: dict[str, Any] = {"position_ids": positions.to(self.device)}
        if all(id(e) in self.cached for e in batch):
            kwargs["inputs_embeds"] = torch.cat([self.cached[id(e)] for e in batch])[None]
        else:
            ids = [t for e in batch for t in e.input_ids]
            kwargs["input_ids"] = torch.tensor([ids], device=self.device)
        return kwargs, labels

    @contextmanager
    def _stack(
        self, layers: torch.nn.ModuleList | None, norm: torch.nn.Module | None
    ) -> Iterator[None]:
        """Run the inner model over a slice of its layers (and optionally without its final
        norm); the module tree, and with it every saved name, is restored afterwards."""
        saved_layers, saved_norm = self.inner.layers, self.inner.norm
        if layers is not None:
            self.inner.layers = layers
        if norm is not None:
            self.inner.norm = norm
        try:
            yield
        finally:
            self.inner.layers, self.inner.norm = saved_layers, saved_norm


_low_precision: dict[str, torch.dtype | None] = {}


def fast_low_precision(run_device: torch.device) -> torch.dtype | None:
    """bfloat16 where this machine multiplies in it clearly faster than in fp32, else None.

    Probed once per process on a matrix of this model's size: CPUs without AVX512-BF16 or AMX
    emulate bfloat16 and run it slower than fp32, so a flag alone cannot decide.
    """
    if run_device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    if "cpu" not in _low_precision:
        # A private generator: drawing from the global one would shift dropout's stream in
        # the first run of a process, and a resumed run must replay it exactly.
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(256, 576, generator=generator)
        w = torch.randn(1536, 576, generator=generator)

        def cost(dtype: torch.dtype) -> float:
            a, b = x.to(dtype), w.to(dtype)
            torch.nn.functional.linear(a, b)
            started = time.perf_counter()
            for _ in range(5):
                torch.nn.functional.linear(a, b)
            return time.perf_counter() - started

        with torch.no_grad():
            fp32, bf16 = (
                min(cost(torch.float32) for _ in range(3)),
                min(cost(torch.bfloat16) for _ in range(3)),
            )
        _low_precision["cpu"] = torch.bfloat16 if bf16 < 0.75 * fp32 else None
    return _low_precision["cpu"]


# Pieces per batch when caching the frozen layers' output: no gradients, so memory is small.
_CACHE_BATCH = 8


def _pad_rows(rows: Sequence[torch.Tensor]) -> torch.Tensor:
    width = max(int(r.shape[0]) for r in rows)
    out = rows[0].new_zeros((len(rows), width, int(rows[0].shape[-1])))
    for i, row in enumerate(rows):
        out[i, : row.shape[0]] = row
    return out


def build_examples(
    tokenizer: Any, samples: Sequence[TextSample], plan: TrainingPlan
) -> list[Example]:
    """Tokenized sequences; a piece longer than one sequence becomes several, so its end is
    learnt too."""
    max_chars = max(200, int((plan.max_length - PROMPT_TOKENS) * CHARS_PER_TOKEN))
    return [
        encode_example(tokenizer, chunk, plan.max_length)
        for sample in samples
        for chunk in chunk_text(sample.text, max_chars)
    ]


def run_fingerprint(
    base: BaseModelRef,
    plan: TrainingPlan,
    samples: Sequence[TextSample],
    validation: Sequence[TextSample] = (),
) -> str:
    payload: dict[str, Any] = {
        "base": base.model_id,
        "plan": plan.fingerprint_dict(),
        "samples": [s.content_hash for s in samples],
    }
    if validation:
        payload["validation"] = [s.content_hash for s in validation]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def batch_order(n_examples: int, plan: TrainingPlan, total: int) -> list[list[int]]:
    """Which examples each step trains on: a fresh shuffle per epoch from a private generator,
    so the order depends on the seed alone and a resumed run replays it exactly."""
    batches: list[list[int]] = []
    epoch = 0
    while len(batches) < total:
        generator = torch.Generator().manual_seed(plan.seed * 1_000_003 + epoch)
        perm = torch.randperm(n_examples, generator=generator).tolist()
        batches.extend(perm[i : i + plan.batch_size] for i in range(0, n_examples, plan.batch_size))
        epoch += 1
    return batches[:total]


def learning_rate_at(step: int, total: int, peak: float) -> float:
    """Linear warm-up over the first tenth, then cosine decay to a tenth of the peak; a pure
    function of the step, so a resumed run needs no scheduler state."""
    warmup = max(1, round(total * 0.1))
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def collate(
    batch: Sequence[Example], pad_id: int, run_device: torch.device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # Pad to the longest in the batch, not to max_length: most pieces are short.
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        mask[row, :n] = 1
        labels[row, :n] = torch.tensor(example.labels)
    return ids.to(run_device), mask.to(run_device), labels.to(run_device)


def _get_rng() -> dict[str, Any]:
    state: dict[str, Any] = {"cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["cpu"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _save_adapter(model: Any, base: BaseModelRef, out_dir: Path) -> None:
    """Write the adapter next to ``out_dir`` and rename it into place: a reader sees either no
    adapter or a complete one."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        # Record the stable base id, not this machine's cache path: the artifact must hash
        # and load the same on every host.
        model.peft_config["default"].base_model_name_or_path = base.model_id
        # The embeddings are never trained; without this PEFT probes the hub for the base's
        # vocabulary.
        model.save_pretrained(str(staging), save_embedding_layers=False)
        for extra in staging.iterdir():
            if extra.name not in ADAPTER_FILES:
                shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
        _canonicalise_config(staging / "adapter_config.json")
        staging.chmod(0o755)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _canonicalise_config(path: Path) -> None:
    """PEFT writes target_modules from a set, in an order that changes with the process's hash
    seed; sorting makes the same training produce byte-identical artifacts (and hashes)."""
    config = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(config.get("target_modules"), list):
        config["target_modules"] = sorted(config["target_modules"])
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
