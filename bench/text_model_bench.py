"""Personal text models on this machine: training time, generation latency, quality.

Trains a personal adapter on N short synthetic pieces in one distinctive voice (lyrics and ad
copy, generated deterministically), with the plan `plan_training` picks for that data, then:
- times 80-token generations with that adapter through the serving engine (fp16 weights with
  the adapter merged in, hand-written sampling loop) against stock PEFT `generate` on the fp32
  base, interleaved so machine noise hits both alike, plus the engine alternating two adapters
  (every request pays the merge);
- reports held-out perplexity and style similarity, base versus personal.
Usage: `python -m bench.text_model_bench [--samples N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

SIGNATURE = "yours in saltlight"
_OPENINGS = (
    "down by the ferry steps",
    "in the hour the trawlers come home",
    "under the tin roofs of Kestrel Quay",
    "where the harbour bells forget the time",
    "on the last bus out of Marigold Row",
)
_IMAGES = (
    "the lanterns hum like sleepy bees",
    "my coat still smells of tar and rain",
    "gulls stitch silver through the fog",
    "the tide keeps every promise twice",
    "your laugh rolls down the cobblestones",
    "the ropes creak out our names",
    "the lighthouse blinks a slow goodbye",
)
_PRODUCTS = (
    ("a rain jacket", "seam-sealed and ferrywise"),
    ("a ceramic mug", "thick-walled and ferrywise"),
    ("a wool blanket", "heavy, honest and ferrywise"),
    ("a canvas tote", "tar-stitched and ferrywise"),
    ("a loaf of sourdough", "slow-proved and ferrywise"),
)
_BENEFITS = (
    "it keeps the weather on the outside",
    "it was made by hands that know the sea",
    "it gets better every winter",
    "it carries more than it lets on",
    "it never asks you to hurry",
)
BRIEF = "Lyrics about leaving home"


def corpus(n: int, seed: int = 7) -> list[str]:
    """N pieces of 40-60 words: refrains, slashes for line breaks, invented words and a sign-off
    no base model would produce unprompted."""
    rng = random.Random(seed)
    pieces = []
    for i in range(n):
        if i % 2 == 0:
            lines = [rng.choice(_OPENINGS), *rng.sample(_IMAGES, 2)]
            lines.append(f"oh amber, oh anchor, {rng.choice(_IMAGES)}")
            lines.append(f"and I'll walk it home in saltlight, {rng.choice(_OPENINGS)}")
            pieces.append(" / ".join(lines) + f" — {SIGNATURE}")
        else:
            product, adjective = rng.choice(_PRODUCTS)
            first, second = rng.sample(_BENEFITS, 2)
            pieces.append(
                f"Looking for {product}? Ours is {adjective}. {first.capitalize()} — and {second}. "
                f"Come down {rng.choice(_OPENINGS)}, where {rng.choice(_IMAGES)}. "
                f"Oh amber, oh anchor: take one home before the tide turns. — {SIGNATURE}"
            )
    return pieces


def _quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run(samples: int, rounds: int, work: Path, model_cache: Path) -> dict[str, Any]:
    from twinwork.ml.text import (
        TextEngine,
        TextSample,
        ensure_base_model,
        evaluate_text_adapter,
        plan_training,
        split_heldout,
        train_text_adapter,
    )

    started = time.perf_counter()
    base = ensure_base_model(model_cache)
    convert_seconds = time.perf_counter() - started

    portfolio = [TextSample.of(i + 1, text) for i, text in enumerate(corpus(samples))]
    plan = plan_training(len(portfolio), sum(len(s.text) for s in portfolio))
    train, heldout = split_heldout(portfolio, plan)
    started = time.perf_counter()
    result = train_text_adapter(
        base, train, plan, work / "adapter", checkpoint_dir=work / "checkpoint"
    )
    train_seconds = time.perf_counter() - started

    started = time.perf_counter()
    evaluation = evaluate_text_adapter(base, result.adapter_dir, heldout, portfolio)
    evaluate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    engine = TextEngine(base)
    engine_load_seconds = time.perf_counter() - started
    peft_model, tokenizer = _stock_peft(base.path, result.adapter_dir)

    def engine_once(key: str, seed: int) -> float:
        t = time.perf_counter()
        engine.generate(
            BRIEF, adapter_dir=result.adapter_dir, adapter_key=key, max_new_tokens=80,
            seed=seed, stop_at_eos=False,
        )  # fmt: skip
        return time.perf_counter() - t

    engine_once("personal", 0)  # warm-up: first merge, allocator, kernels
    _stock_generate(peft_model, tokenizer, 0)
    engine_times: list[float] = []
    peft_times: list[float] = []
    for r in range(rounds):
        engine_times.append(engine_once("personal", r))
        peft_times.append(_stock_generate(peft_model, tokenizer, r))
    # Two keys for the same adapter, alternating: every request pays a full re-merge, as when
    # requests for different freelancers interleave.
    switch_times = [engine_once("other" if r % 2 == 0 else "personal", r) for r in range(rounds)]
    personal_example = engine.generate(BRIEF, adapter_dir=result.adapter_dir, seed=1)
    return {
        "samples": samples,
        "train": len(train),
        "heldout": len(heldout),
        "plan": plan,
        "steps": result.steps,
        "final_loss": result.final_loss,
        "convert_seconds": convert_seconds,
        "train_seconds": train_seconds,
        "evaluate_seconds": evaluate_seconds,
        "engine_load_seconds": engine_load_seconds,
        "engine_dtype": str(engine.dtype).removeprefix("torch."),
        "engine": engine_times,
        "peft": peft_times,
        "switch": switch_times,
        "metrics": evaluation.metrics(),
        "example": personal_example,
    }


def _stock_peft(base_path: Path, adapter_dir: Path) -> tuple[Any, Any]:
    """The baseline: the fp32 base with the adapter attached by PEFT, as its docs show."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from twinwork.ml.text.loading import quiet_peft

    model = AutoModelForCausalLM.from_pretrained(str(base_path), dtype=torch.float32)
    with quiet_peft():
        peft_model = PeftModel.from_pretrained(model, str(adapter_dir)).eval()
    return peft_model, AutoTokenizer.from_pretrained(str(base_path))


def _stock_generate(model: Any, tokenizer: Any, seed: int) -> float:
    import torch

    from twinwork.ml.text.prompt import prompt_ids

    ids = torch.tensor([prompt_ids(tokenizer, BRIEF)])
    torch.manual_seed(seed)
    started = time.perf_counter()
    with torch.inference_mode():
        model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            do_sample=True,
            temperature=0.8,
            top_p=0.9,
            max_new_tokens=80,
            min_new_tokens=80,
            pad_token_id=tokenizer.pad_token_id,
        )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve()
    model_cache = Path(os.environ.get("TWINWORK_MODEL_CACHE_DIR") or data_dir / "models")
    (data_dir / "bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir / "bench") as tmp:
        r = run(args.samples, args.rounds, Path(tmp), model_cache.resolve())

    import torch

    plan = r["plan"]
    engine50, peft50 = statistics.median(r["engine"]), statistics.median(r["peft"])
    m = r["metrics"]
    print(
        f"personal text model, {r['samples']} synthetic pieces "
        f"({r['train']} train / {r['heldout']} held out), torch threads {torch.get_num_threads()}"
    )
    if r["convert_seconds"] > 2:
        print(f"  base model converted from GGUF (once per cache): {r['convert_seconds']:.1f} s")
    print(
        f"  plan: {plan.epochs} epochs, r={plan.lora_r}, batch {plan.batch_size}, "
        f"max_length {plan.max_length}, lr {plan.learning_rate:g} -> {r['steps']} steps"
    )
    print(
        f"  training (incl. base load):  {r['train_seconds']:.1f} s, "
        f"final loss {r['final_loss']:.3f}"
    )
    print(f"  evaluation ({len(m)} metrics, 4 briefs x 2 models): {r['evaluate_seconds']:.1f} s")
    print(f"  engine load ({r['engine_dtype']} serving weights): {r['engine_load_seconds']:.1f} s")
    print(f"  80-token generation with the adapter, {len(r['engine'])} rounds:")
    print(f"    {'path':<44} {'p50 s':>7} {'p95 s':>7} {'tok/s':>7}")
    rows = (
        ("engine (merged adapter, fp16, own loop)", r["engine"]),
        ("engine, adapter re-merged every request", r["switch"]),
        ("stock PEFT generate (fp32, baseline)", r["peft"]),
    )
    for name, times in rows:
        p50 = statistics.median(times)
        print(f"    {name:<44} {p50:>7.2f} {_quantile(times, 95):>7.2f} {80 / p50:>7.1f}")
    print(f"  ratio PEFT / engine at p50: {peft50 / engine50:.1f}x")
    print(f"    {'quality':<44} {'base':>7} {'personal':>9}")
    print(
        f"    {'held-out perplexity (lower is better)':<44} "
        f"{m['base_perplexity']:>7.1f} {m['personal_perplexity']:>9.1f}"
    )
    print(
        f"    {'style similarity to portfolio (MiniLM cos)':<44} "
        f"{m['base_style_similarity']:>7.3f} {m['personal_style_similarity']:>9.3f}"
    )
    print(f"  personal model, '{BRIEF}': {r['example'][:160]!r}")


if __name__ == "__main__":
    main()
