"""Training a personal text model: today's (legacy) plan against the fast one, same data, same run.

The data are the 40 synthetic pieces of `bench.text_model_bench` (lyrics and ad copy in one
distinctive voice), split once with the plan's seed (36 trained, 4 held out), so every plan
trains and is scored on the same pieces. Each plan runs in a fresh child process, so each pays
the cold load of the base model from disk the way a worker's first run does; the training time
is measured around `train_text_adapter` (base load, tokenizing, training, writing the adapter)
after torch, transformers and PEFT are imported. Held-out perplexity is then computed the way
the model page does (`heldout_perplexities`, fp32 through PEFT), outside the timed part.

Besides "legacy" and "fast", `--variants` takes the steps between them, each adding one change:
  legacy      adapters on all 30 layers, padded batches of 4, 4 epochs, lr 2e-4 (today's plan)
  answers     + only answer positions reach the vocabulary projection
  packed      + pieces packed into one row per step, no padding
  upper       + adapters on the upper 10 layers only, lr 1e-3 (backward stops at layer 20)
  cached      + the frozen lower 20 layers run once per piece, their output reused
  epochs      + half the epochs (2 instead of 4)
  bf16        + bfloat16 matmuls where the CPU has them (AVX512-BF16 here)
  fast        + early stopping on held-out loss (patience 1 epoch): the default plan
Wall time on a shared 2-core machine is noisy; CPU seconds (all threads of the child) are
reported beside it, and the variants run interleaved over `--rounds`.
Usage: `python -m bench.training_bench [--variants legacy,fast] [--rounds 1] [--samples 40]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

VARIANTS = ("legacy", "answers", "packed", "upper", "cached", "epochs", "bf16", "fast")


def variant_plan(name: str, n_samples: int, total_chars: int) -> Any:
    """The plan of one benchmark variant: each adds one change to the one before it."""
    from twinwork.ml.text.plan import (
        FAST_LEARNING_RATE,
        FAST_TOP_LAYERS,
        fast_epochs,
        plan_training,
    )

    if name not in VARIANTS:
        raise ValueError(f"unknown variant {name!r} (known: {', '.join(VARIANTS)})")
    if name == "fast":
        return plan_training(n_samples, total_chars)
    plan = plan_training(n_samples, total_chars, recipe="legacy")
    ladder: dict[str, dict[str, Any]] = {
        "answers": {"score_answers_only": True},
        "packed": {"packing": True},
        "upper": {"top_layers": FAST_TOP_LAYERS, "learning_rate": FAST_LEARNING_RATE},
        "cached": {"reuse_frozen_activations": True},
        "epochs": {"epochs": fast_epochs(plan.epochs)},
        "bf16": {"mixed_precision": True},
    }
    for step in VARIANTS[1 : VARIANTS.index(name) + 1]:
        plan = dataclasses.replace(plan, **ladder[step])
    return plan


def run_one(name: str, samples: int, model_cache: Path, work: Path, threads: int) -> dict[str, Any]:
    """One plan, in this (fresh) process: the timed training, then the held-out perplexity."""
    import peft  # noqa: F401  (imported before timing: a worker has it loaded already)
    import torch
    import transformers  # noqa: F401

    from twinwork.ml.text.runtime import device

    device()  # the product's thread setting first, then the benchmark's choice over it
    if threads:
        torch.set_num_threads(threads)

    from bench.text_model_bench import corpus
    from twinwork.ml.text import TextSample, ensure_base_model, split_heldout, train_text_adapter
    from twinwork.ml.text.evaluation import heldout_perplexities

    base = ensure_base_model(model_cache)
    portfolio = [TextSample.of(i + 1, text) for i, text in enumerate(corpus(samples))]
    plan = variant_plan(name, len(portfolio), sum(len(s.text) for s in portfolio))
    train, heldout = split_heldout(portfolio, plan)
    wall, cpu = time.perf_counter(), time.process_time()
    result = train_text_adapter(
        base, train, plan, work / "adapter", checkpoint_dir=work / "checkpoint",
        validation=heldout,
    )  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    base_ppl, personal_ppl = heldout_perplexities(base, result.adapter_dir, heldout)
    return {
        "variant": name,
        "train": len(train),
        "heldout": len(heldout),
        "heldout_hashes": sorted(s.content_hash for s in heldout),
        "plan": plan.as_dict(),
        "steps": result.steps,
        "planned_steps": result.planned_steps,
        "best_step": result.best_step,
        "validation_losses": result.validation_losses,
        "seconds": wall,
        "cpu_seconds": cpu,
        "threads": torch.get_num_threads(),
        "base_perplexity": base_ppl,
        "personal_perplexity": personal_ppl,
    }


def _child(name: str, samples: int, model_cache: Path, work: Path, threads: int) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.training_bench", "--child", name, "--threads", str(threads),
        "--samples", str(samples), "--model-cache", str(model_cache), "--work", str(work),
    ]  # fmt: skip
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", default="legacy,fast")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="torch threads per run (0: the product's default, one per core); 1 gives stable "
        "CPU seconds on a machine shared with other work",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--model-cache", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = run_one(
            args.child, args.samples, Path(args.model_cache), Path(args.work), args.threads
        )
        print(json.dumps(result))
        return

    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    for name in names:
        if name not in VARIANTS:
            parser.error(f"unknown variant {name!r} (known: {', '.join(VARIANTS)})")
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve()
    model_cache = Path(os.environ.get("TWINWORK_MODEL_CACHE_DIR") or data_dir / "models")
    from twinwork.ml.text import ensure_base_model

    ensure_base_model(model_cache.resolve())  # the one-off conversion is not training
    (data_dir / "bench").mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    print(
        f"training a personal text model, {args.samples} pieces (10% held out, the same split "
        f"for every plan), torch threads {args.threads or 'default'}, each plan in a fresh process"
    )
    print(
        f"  {'plan':<8} {'round':>5} {'steps':>7} {'wall s':>8} {'cpu s':>8} {'cpu vs legacy':>13} "
        f"{'base ppl':>9} {'held-out ppl':>12}  held-out loss per epoch"
    )
    with tempfile.TemporaryDirectory(dir=data_dir / "bench") as tmp:
        # Interleaved, so load from other processes hits every plan alike; each row is printed
        # as it finishes.
        for r in range(args.rounds):
            for name in names:
                work = Path(tmp) / f"{name}-{r}"
                run = _child(name, args.samples, model_cache.resolve(), work, args.threads)
                runs[name].append(run)
                _row(name, r, run, runs.get("legacy", []))
    report(runs)


def _row(name: str, r: int, run: dict[str, Any], legacy: list[dict[str, Any]]) -> None:
    ratio = f"{legacy[0]['cpu_seconds'] / run['cpu_seconds']:.1f}x" if legacy else "-"
    losses = ", ".join(f"{v:.3f}" for v in run["validation_losses"]) or "-"
    print(
        f"  {name:<8} {r + 1:>5} {run['steps']:>3}/{run['planned_steps']:<3} "
        f"{run['seconds']:>8.1f} {run['cpu_seconds']:>8.1f} {ratio:>13} "
        f"{run['base_perplexity']:>9.1f} {run['personal_perplexity']:>12.2f}  {losses}",
        flush=True,
    )


def report(runs: dict[str, list[dict[str, Any]]]) -> None:
    """The medians over rounds, and the check that every plan saw the same split."""
    splits = {tuple(r["heldout_hashes"]) for rs in runs.values() for r in rs}
    assert len(splits) == 1, "every plan must be scored on the same held-out pieces"
    first = next(iter(runs.values()))[0]
    print(
        f"  medians: {first['train']} trained / {first['heldout']} held out; load average "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    legacy = runs.get("legacy")
    for name, rs in runs.items():
        wall = statistics.median(r["seconds"] for r in rs)
        cpu = statistics.median(r["cpu_seconds"] for r in rs)
        line = f"    {name:<8} wall {wall:6.1f} s  cpu {cpu:6.1f} s"
        if legacy:
            base_cpu = statistics.median(r["cpu_seconds"] for r in legacy)
            base_wall = statistics.median(r["seconds"] for r in legacy)
            line += f"  ({base_cpu / cpu:.1f}x less cpu, {base_wall / wall:.1f}x less wall)"
        line += f"  held-out ppl {rs[0]['personal_perplexity']:.2f}"
        print(line)


if __name__ == "__main__":
    main()
