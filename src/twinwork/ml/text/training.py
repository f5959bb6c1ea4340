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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from twinwork.ml.text import checkpoint
from twinwork.ml.text.base import BaseModelRef
from twinwork.ml.text.loading import LORA_TARGET_MODULES, load_model, load_tokenizer, quiet_peft
from twinwork.ml.text.plan import CHARS_PER_TOKEN, PROMPT_TOKENS, TrainingPlan
from twinwork.ml.text.prompt import IGNORE_INDEX, Example, chunk_text, encode_example
from twinwork.ml.text.result import TrainingCancelled, TrainingProgress, TrainResult
from twinwork.ml.text.runtime import device
from twinwork.ml.text.sample import TextSample

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
    on_progress: Callable[[TrainingProgress], None] = _ignore,
    should_stop: Callable[[], bool] = _never,
    checkpoint_every: int = 10,
) -> TrainResult:
    """Train a LoRA adapter on ``train`` and write it to ``out_dir`` (PEFT format).

    Reads nothing but the given samples. Resumes from ``checkpoint_dir`` when it holds a
    checkpoint of this same run (base, plan and sample set); the result is then the same as an
    uninterrupted run. Raises TrainingCancelled when ``should_stop()`` turns true.
    """
    if not train:
        raise ValueError("no training samples")
    if checkpoint_every < 1:
        raise ValueError("checkpoint_every must be positive")
    started = time.monotonic()
    on_progress(TrainingProgress(0, 0, None, 0.0, None, "loading"))

    from peft import (
        LoraConfig,
        get_peft_model,
        get_peft_model_state_dict,
        set_peft_model_state_dict,
    )

    run_device = device()
    tokenizer = load_tokenizer(base)
    # Sorted by content, so the same portfolio trains the same way whatever order it came in.
    ordered = sorted(train, key=lambda s: (s.content_hash, s.sample_id))
    examples = build_examples(tokenizer, ordered, plan)
    total = plan.total_steps(len(examples))
    fingerprint = run_fingerprint(base, plan, ordered)
    order = batch_order(len(examples), plan, total)

    # LoRA's A matrices are drawn from the global generator, as is dropout.
    torch.manual_seed(plan.seed)
    with quiet_peft():
        model: Any = get_peft_model(
            load_model(base),
            LoraConfig(
                r=plan.lora_r,
                lora_alpha=plan.lora_alpha,
                lora_dropout=plan.lora_dropout,
                target_modules=list(LORA_TARGET_MODULES),
                bias="none",
                task_type="CAUSAL_LM",
            ),
        )
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=plan.learning_rate, weight_decay=0.0)

    step = 0
    losses: list[float] = []
    resumed_from: int | None = None
    saved = checkpoint.load(checkpoint_dir, fingerprint)
    if saved is not None and saved.order == order and saved.step <= total:
        set_peft_model_state_dict(model, saved.adapter)
        optimizer.load_state_dict(saved.optimizer)
        _set_rng(saved.rng)
        step = resumed_from = saved.step
        losses = list(saved.losses)

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
            ),
        )

    model.train()
    loop_started = time.monotonic()
    first_step = step
    while step < total:
        if should_stop():
            if step > first_step and step % checkpoint_every:
                save_checkpoint()
            raise TrainingCancelled(step)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step, total, plan.learning_rate)
        input_ids, attention_mask, labels = collate(
            [examples[i] for i in order[step]], int(tokenizer.pad_token_id), run_device
        )
        loss = model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        losses.append(float(loss.detach()))
        per_step = (time.monotonic() - loop_started) / (step - first_step)
        on_progress(
            TrainingProgress(
                step=step,
                total_steps=total,
                loss=losses[-1],
                elapsed_seconds=time.monotonic() - started,
                eta_seconds=per_step * (total - step),
                phase="training",
            )
        )
        if step % checkpoint_every == 0 and step < total:
            save_checkpoint()

    on_progress(
        TrainingProgress(
            step, total, losses[-1] if losses else None, time.monotonic() - started, 0.0, "saving"
        )
    )
    _save_adapter(model, base, out_dir)
    checkpoint.clear(checkpoint_dir)
    # One epoch's worth of losses: a single small batch is too noisy to report alone.
    window = losses[-max(1, math.ceil(len(examples) / plan.batch_size)) :]
    return TrainResult(
        adapter_dir=out_dir,
        steps=step,
        final_loss=sum(window) / len(window) if window else None,
        seconds=time.monotonic() - started,
        resumed_from_step=resumed_from,
    )


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


def run_fingerprint(base: BaseModelRef, plan: TrainingPlan, samples: Sequence[TextSample]) -> str:
    payload = {
        "base": base.model_id,
        "plan": plan.as_dict(),
        "samples": [s.content_hash for s in samples],
    }
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
