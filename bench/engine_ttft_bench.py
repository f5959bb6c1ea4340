"""Time to first token under open-loop load over many adapters, and what an adapter costs.

(4) Requests arrive as a Poisson process (open loop: arrivals never wait for answers) at
    ``--rate`` per second, each for one of ``--adapters`` freelancers' adapters (rank
    ``--rank`` on every linear layer of the real base, SmolLM2-135M): a hot set of ``--hot``
    adapters takes ``--hot-share`` of the traffic, the rest is spread evenly over the others.
    The engine runs in this process with ``--slots`` bank slots and a CPU tier of
    ``--cpu-tier`` adapters; a miss of both reads the adapter from its directory on disk
    (storage). Time to first token (submit -> first streamed text) p50/p95, overall and by
    where the adapter was when the request arrived (a slot, the CPU tier, storage), beside the
    time per request and the engine's loads. Then memory: bytes per bank slot (padded to
    the bank's maximum rank), per adapter in the CPU tier (its own rank), and how many of
    each fit a memory budget (``--budget-mb``).
Usage: ``python -m bench.engine_ttft_bench [--adapters 200] [--hot 8] [--hot-share 0.8]
[--rate 1] [--requests 40] [--tokens 8] [--slots 16] [--cpu-tier 32] [--rank 8]
[--max-rank 32] [--budget-mb 1024] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BRIEF = "Lyrics about leaving home"


@dataclass
class Timing:
    adapter: str
    tier: str
    """Where the adapter was when the request arrived: "slot", "cpu" or "storage"."""
    submitted: float
    first: float | None = None
    done: float | None = None
    error: str | None = None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _template_adapter(base: Any, rank: int, work: Path) -> Path:
    """One PEFT adapter directory of random factors at a trained adapter's size: every
    freelancer's adapter is read from it (the engine cares about keys, not contents)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from twinwork.ml.text.loading import LORA_TARGET_MODULES, load_model, quiet_peft

    torch.manual_seed(0)
    with quiet_peft():
        model: Any = get_peft_model(
            load_model(base),
            LoraConfig(
                r=rank, lora_alpha=2 * rank, target_modules=list(LORA_TARGET_MODULES),
                init_lora_weights=False, lora_dropout=0.0,
            ),
        )  # fmt: skip
    model.peft_config["default"].base_model_name_or_path = base.model_id
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.mul_(0.3)
    with warnings.catch_warnings():
        # The base is a converted GGUF with no hub config to compare vocabularies with.
        warnings.filterwarnings("ignore", "Could not find a config file", UserWarning)
        model.save_pretrained(str(work / "adapter"))
    return work / "adapter"


def run(args: argparse.Namespace, base: Any, work: Path) -> dict[str, Any]:
    import torch

    from twinwork.ml.engine import MultiAdapterEngine, Sampling, read_peft_adapter
    from twinwork.ml.text.engine import _serving_dtype, bank_dtype
    from twinwork.ml.text.loading import load_model, load_tokenizer
    from twinwork.ml.text.prompt import prompt_ids
    from twinwork.ml.threads import in_passing_thread

    names = [f"freelancer-{i:03d}" for i in range(args.adapters)]
    hot, cold = names[: args.hot], names[args.hot :]

    def build() -> tuple[Path, Any, Any, torch.dtype, MultiAdapterEngine]:
        template = _template_adapter(base, args.rank, work)
        tokenizer = load_tokenizer(base)
        decoder = load_tokenizer(base)
        ids = prompt_ids(tokenizer, BRIEF)
        model: Any = load_model(base)
        dtype = _serving_dtype(model, torch.device("cpu"))
        model = model.to(dtype)
        engine = MultiAdapterEngine(
            model,
            decode=lambda t: str(decoder.decode(list(t), skip_special_tokens=True)),
            stop_ids=set(),
            base_model=base.model_id,
            slots=args.slots,
            max_rank=args.max_rank,
            max_batch=args.slots,
            cpu_capacity=args.cpu_tier,
            dtype=bank_dtype(dtype, torch.device("cpu")),
        )
        for name in names:
            engine.register(name, lambda: read_peft_adapter(template))
        for name in hot:  # the hot set stays in its slots whatever the traffic
            engine.pin(name)
        return template, ids, model, dtype, engine

    # Set up in a passing thread, as TextEngine builds itself: a pool of OpenMP threads left
    # in this thread would slow the engine's loop (`twinwork.ml.threads.in_passing_thread`).
    template, ids, model, dtype, engine = in_passing_thread(build)
    sampling = Sampling(temperature=0, max_new_tokens=args.tokens, stop_at_eos=False)
    # Warm-up: kernels and allocator, one request on the base.
    engine.generate(ids, None, Sampling(temperature=0, max_new_tokens=4, stop_at_eos=False))

    rng = random.Random(args.seed)
    timings: list[Timing] = []
    waiters: list[threading.Thread] = []

    def follow(request: Any, timing: Timing) -> None:
        try:
            for _ in request:
                if timing.first is None:
                    timing.first = time.perf_counter()
            timing.done = time.perf_counter()
        except Exception as error:  # noqa: BLE001 - reported, not fatal to the run
            timing.error = type(error).__name__

    loads_before = engine.stats().loads
    reads_before = engine.stats().storage_reads
    started = time.perf_counter()
    next_at = started
    for _ in range(args.requests):
        next_at += rng.expovariate(args.rate)
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        adapter = rng.choice(hot) if rng.random() < args.hot_share else rng.choice(cold)
        resident, in_cpu = set(engine.cache.resident()), set(engine.cache.in_cpu_tier())
        tier = "slot" if adapter in resident else "cpu" if adapter in in_cpu else "storage"
        timing = Timing(adapter, tier, time.perf_counter())
        request = engine.submit(ids, adapter, sampling)
        waiter = threading.Thread(target=follow, args=(request, timing), daemon=True)
        waiter.start()
        timings.append(timing)
        waiters.append(waiter)
    for waiter in waiters:
        waiter.join()
    elapsed = time.perf_counter() - started
    stats = engine.stats()
    slot_bytes = engine.bank.nbytes_per_slot
    # A CPU-tier entry is what eviction reads back from a slot: the adapter's own rank, in
    # the bank's precision (one read from storage and still waiting for a slot is as read).
    slot = engine.cache.acquire(hot[0])
    cpu_bytes = engine.bank.read(slot).nbytes
    engine.cache.release(hot[0])
    engine.close()
    return {
        "dtype": str(dtype).removeprefix("torch."),
        "bank_dtype": str(engine.bank.dtype).removeprefix("torch."),
        "timings": timings,
        "elapsed": elapsed,
        "loads": stats.loads - loads_before,
        "storage_reads": stats.storage_reads - reads_before,
        "slot_bytes": slot_bytes,
        "cpu_bytes": cpu_bytes,
        "file_bytes": (template / "adapter_model.safetensors").stat().st_size,
        "base_bytes": sum(p.numel() for p in model.parameters()) * dtype.itemsize,
    }


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    import torch

    timings: list[Timing] = r["timings"]
    ok = [t for t in timings if t.first is not None and t.done is not None]
    failed = [t for t in timings if t.error is not None]
    print(
        f"time to first token, open loop: {len(timings)} Poisson arrivals at {args.rate}/s over "
        f"{args.adapters} adapters (rank {args.rank}, every linear layer; hot set of {args.hot} "
        f"pinned, {args.hot_share:.0%} of requests), {args.tokens} new tokens each; engine "
        f"with {args.slots} slots, CPU tier {args.cpu_tier}, SmolLM2-135M ({r['dtype']}, "
        f"slots {r['bank_dtype']}), torch threads {torch.get_num_threads()}; {r['elapsed']:.1f} s"
    )
    print(
        f"  {'requests whose adapter was in':<34} {'n':>4} {'TTFT p50':>9} {'p95':>7} "
        f"{'total p50':>10}"
    )
    groups = (
        ("every request", ok),
        ("a bank slot", [t for t in ok if t.tier == "slot"]),
        ("the CPU tier", [t for t in ok if t.tier == "cpu"]),
        ("storage only", [t for t in ok if t.tier == "storage"]),
    )
    for label, group in groups:
        if not group:
            print(f"  {label:<34} {0:>4}")
            continue
        ttft = [(t.first or 0) - t.submitted for t in group]
        total = [(t.done or 0) - t.submitted for t in group]
        print(
            f"  {label:<34} {len(group):>4} {percentile(ttft, 0.5) * 1000:>7.0f}ms "
            f"{percentile(ttft, 0.95) * 1000:>5.0f}ms {statistics.median(total) * 1000:>8.0f}ms"
        )
    tokens = len(ok) * args.tokens
    print(
        f"  throughput {tokens / r['elapsed']:.1f} tok/s; slot loads {r['loads']}, storage "
        f"reads {r['storage_reads']}; failed {len(failed)}"
    )
    budget = args.budget_mb * 1024 * 1024
    print(
        f"  memory per resident adapter: bank slot {r['slot_bytes'] / 1e6:.2f} MB (padded to "
        f"the bank's rank {args.max_rank}), CPU tier {r['cpu_bytes'] / 1e6:.2f} MB, file "
        f"{r['file_bytes'] / 1e6:.2f} MB; base {r['base_bytes'] / 1e6:.0f} MB"
    )
    print(
        f"  within {args.budget_mb} MB: {budget // r['slot_bytes']} adapters in bank slots, or "
        f"{budget // r['cpu_bytes']} in the CPU tier"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--adapters", type=int, default=200)
    parser.add_argument("--hot", type=int, default=8)
    parser.add_argument("--hot-share", type=float, default=0.8)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--cpu-tier", type=int, default=32)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--max-rank", type=int, default=32, help="the bank's (as shipped: 32)")
    parser.add_argument("--budget-mb", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.rank > args.max_rank:
        parser.error("--rank must not exceed --max-rank")
    if not 0 < args.hot < args.adapters or args.hot > args.slots:
        parser.error("need 0 < --hot < --adapters and --hot <= --slots (hot adapters are pinned)")
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve()
    model_cache = Path(os.environ.get("TWINWORK_MODEL_CACHE_DIR") or data_dir / "models")
    from twinwork.ml.text import ensure_base_model

    base = ensure_base_model(model_cache.resolve())
    data_dir.joinpath("bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir / "bench") as tmp:
        result = run(args, base, Path(tmp))
    report(args, result)


if __name__ == "__main__":
    main()
