"""The multi-adapter serving engine on this machine: batch throughput and adapter hot-load.

(1) One batch of B requests, each row on its own adapter (rank r on every linear layer of the
    real base, SmolLM2-135M), N new tokens each, greedy, fixed length, timed four ways in
    interleaved rounds: the engine with B distinct adapters; the engine on the bare base (the
    ceiling); stock PEFT's mixed batch (``generate(adapter_names=...)``); and the merge engine
    this one replaced, serving the same B requests one after another (merge, decode, next).
    Printed beside the ratio engine / base: the memory-traffic bound 1 / (1 + B·rho), rho =
    adapter parameters / base parameters (decoding reads every weight once per step; B distinct
    adapters add B·rho to what is read).
(3) Hot-load of one adapter (read from its directory and copied into a free slot) into an
    engine already holding K, against PEFT ``load_adapter`` into a model holding K.
All in the engine's serving precision (fp16 on CPUs with AVX-512, as here; the adapter slots in
fp32 on a CPU, ``bank_dtype``). Also timed: the bare base serving the B requests one by one,
so the run reports what batching itself buys on the machine (the ceiling of any batched server's
gain over one request at a time, benchmark 2's).
Usage: ``python -m bench.engine_bench [--batch 8] [--rank 16] [--tokens 32] [--rounds 3]
[--resident 100] [--hot-rank 4]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

BRIEF = "Lyrics about leaving home"


def _base(model_cache: Path) -> Any:
    from twinwork.ml.text import ensure_base_model

    return ensure_base_model(model_cache)


def _peft_with_adapters(base: Any, dtype: Any, names: list[str], rank: int, seed: int = 0) -> Any:
    """One PEFT model holding ``names``: random LoRA factors of a trained adapter's size."""
    import torch
    from peft import LoraConfig, get_peft_model

    from twinwork.ml.text.loading import LORA_TARGET_MODULES, load_model, quiet_peft

    torch.manual_seed(seed)

    def config() -> Any:
        return LoraConfig(
            r=rank, lora_alpha=2 * rank, target_modules=list(LORA_TARGET_MODULES),
            init_lora_weights=False, lora_dropout=0.0,
        )  # fmt: skip

    with quiet_peft():
        model: Any = get_peft_model(load_model(base, dtype), config(), adapter_name=names[0])
        for name in names[1:]:
            model.add_adapter(name, config())
    for name in names:
        model.peft_config[name].base_model_name_or_path = base.model_id
    with torch.no_grad():
        for key, param in model.named_parameters():
            if "lora_B" in key:
                param.mul_(0.3)
    return model.eval()


def _factors(peft_model: Any, name: str) -> Any:
    from peft import get_peft_model_state_dict

    from twinwork.ml.engine.weights import lora_from_state_dict

    with warnings.catch_warnings():
        # The base is a converted GGUF with no hub config to compare vocabularies with.
        warnings.filterwarnings("ignore", "Could not find a config file", UserWarning)
        state = get_peft_model_state_dict(peft_model, adapter_name=name)
    return lora_from_state_dict(state, peft_model.peft_config[name].to_dict(), source=name)


class MergeEngine:
    """The engine this one replaced, reduced to its serving path: one request at a time, the
    request's adapter merged into the fp16 weights (rebuilt from a pristine copy of the touched
    layers whenever the adapter changes), then a batch-1 decoding loop."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self._pristine: dict[str, Any] = {}
        self._active: str | None = None

    def activate(self, key: str, weights: Any) -> None:
        import torch

        if self._active == key:
            return
        with torch.inference_mode():
            for name, factors in weights.layers.items():
                weight = self.model.get_submodule(name).weight
                pristine = self._pristine.setdefault(name, weight.detach().clone())
                work = pristine.float()
                work.addmm_(factors.b, factors.a)
                weight.copy_(work)
        self._active = key

    def decode(self, ids: list[int], tokens: int) -> list[int]:
        import torch

        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([ids]), use_cache=True, logits_to_keep=1)
            new: list[int] = []
            for _ in range(tokens):
                token = int(out.logits[0, -1].argmax())
                new.append(token)
                out = self.model(
                    input_ids=torch.tensor([[token]]), past_key_values=out.past_key_values,
                    use_cache=True, logits_to_keep=1,
                )  # fmt: skip
        return new


def throughput(base: Any, batch: int, rank: int, tokens: int, rounds: int) -> dict[str, Any]:
    import torch

    from twinwork.ml.engine import MultiAdapterEngine, Sampling
    from twinwork.ml.text.engine import _serving_dtype, bank_dtype
    from twinwork.ml.text.loading import load_model, load_tokenizer
    from twinwork.ml.text.prompt import prompt_ids

    tokenizer = load_tokenizer(base)
    ids = prompt_ids(tokenizer, BRIEF)
    model = load_model(base)
    dtype = _serving_dtype(model, torch.device("cpu"))
    model = model.to(dtype)
    base_params = sum(p.numel() for p in model.parameters())
    names = [f"freelancer-{i}" for i in range(batch)]
    peft_model = _peft_with_adapters(base, dtype, names, rank)
    adapters = {name: _factors(peft_model, name) for name in names}
    rho = adapters[names[0]].parameters / base_params

    engine = MultiAdapterEngine(
        model, decode=lambda _: "", stop_ids=set(), base_model=base.model_id,
        slots=batch, max_rank=rank, max_batch=batch,
        dtype=bank_dtype(dtype, torch.device("cpu")),
    )  # fmt: skip
    for name, weights in adapters.items():
        engine.register(name, lambda weights=weights: weights)
        engine.prefetch(name)
    fixed = Sampling(temperature=0, max_new_tokens=tokens, stop_at_eos=False)
    merge = MergeEngine(load_model(base, dtype).eval())

    def engine_batch(rows: list[str | None]) -> float:
        # All rows submitted before the loop picks them up: one batch from the first step.
        with engine.scheduler.step_lock:
            requests = [engine.submit(ids, row, fixed) for row in rows]
        started = time.perf_counter()
        for request in requests:
            request.result()
        return time.perf_counter() - started

    def one_by_one(rows: list[str | None]) -> float:
        started = time.perf_counter()
        for row in rows:
            engine.submit(ids, row, fixed).result()
        return time.perf_counter() - started

    def peft_batch() -> float:
        input_ids = torch.tensor([ids] * batch)
        started = time.perf_counter()
        with torch.inference_mode():
            peft_model.generate(
                input_ids=input_ids, attention_mask=torch.ones_like(input_ids),
                adapter_names=names, max_new_tokens=tokens, min_new_tokens=tokens,
                do_sample=False, pad_token_id=tokenizer.pad_token_id,
            )  # fmt: skip
        return time.perf_counter() - started

    def sequential() -> float:
        started = time.perf_counter()
        for name in names:
            merge.activate(name, adapters[name])
            merge.decode(ids, tokens)
        return time.perf_counter() - started

    paths = {
        "base": lambda: engine_batch([None] * batch),
        "base_serial": lambda: one_by_one([None] * batch),
        "engine": lambda: engine_batch(list(names)),
        "peft": peft_batch,
        "merge": sequential,
    }
    for run in paths.values():  # warm-up: allocator, kernels, first merge
        run()
    times: dict[str, list[float]] = {path: [] for path in paths}
    for _ in range(rounds):
        for path, run in paths.items():
            times[path].append(run())
    engine.close()
    return {
        "dtype": str(dtype).removeprefix("torch."),
        "prompt": len(ids),
        "rho": rho,
        "adapter_mb": adapters[names[0]].parameters * dtype.itemsize / 1e6,
        "times": times,
    }


def hot_load(base: Any, resident: int, rank: int, loads: int, work: Path) -> dict[str, Any]:
    import torch
    from safetensors.torch import load_file, save_file

    from twinwork.ml.engine import AdapterBank, AdapterCache, read_peft_adapter
    from twinwork.ml.text.loading import load_model, quiet_peft

    # One PEFT model with the resident adapters (K copies of random factors under K names).
    names = [f"resident-{i}" for i in range(resident)]
    peft_model = _peft_with_adapters(base, torch.float32, names[:1], rank, seed=1)
    with warnings.catch_warnings():
        # The base is a converted GGUF with no hub config to compare vocabularies with.
        warnings.filterwarnings("ignore", "Could not find a config file", UserWarning)
        peft_model.save_pretrained(str(work / "template"))
    # PEFT saves an adapter not named "default" in a folder of its name.
    template = work / "template" / names[0]
    config = (template / "adapter_config.json").read_text()
    weights = read_peft_adapter(template)
    with quiet_peft():
        for name in names[1:]:
            # Residents only need to be there: added in memory, not read K times from disk.
            peft_model.add_adapter(name, peft_model.peft_config[names[0]])
    # The adapters to hot-load: distinct files, as different freelancers' models are.
    state = load_file(str(template / "adapter_model.safetensors"))
    fresh = []
    for i in range(loads):
        directory = work / f"fresh-{i}"
        directory.mkdir()
        (directory / "adapter_config.json").write_text(config)
        save_file(
            {k: v + 1e-3 * i for k, v in state.items()},
            str(directory / "adapter_model.safetensors"),
        )
        fresh.append(directory)
    size_mb = (fresh[0] / "adapter_model.safetensors").stat().st_size / 1e6

    model = load_model(base)
    bank = AdapterBank(model, slots=resident + loads, max_rank=rank, base_model=base.model_id)
    cache = AdapterCache(bank, cpu_capacity=0)
    for name in names:
        cache.register(name, lambda: weights)
        cache.acquire(name)
        cache.release(name)

    engine_times, peft_times = [], []
    for i, directory in enumerate(fresh):
        key = f"fresh-{i}"
        started = time.perf_counter()
        cache.register(key, lambda directory=directory: read_peft_adapter(directory))
        cache.acquire(key)
        engine_times.append(time.perf_counter() - started)
        cache.release(key)
        started = time.perf_counter()
        with quiet_peft():
            peft_model.load_adapter(str(directory), adapter_name=key)
        peft_times.append(time.perf_counter() - started)
        peft_model.delete_adapter(key)
    return {
        "resident": resident,
        "rank": rank,
        "size_mb": size_mb,
        "engine": engine_times,
        "peft": peft_times,
        "slot_mb": bank.nbytes_per_slot / 1e6,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--resident", type=int, default=100)
    parser.add_argument("--hot-rank", type=int, default=4)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve()
    model_cache = Path(os.environ.get("TWINWORK_MODEL_CACHE_DIR") or data_dir / "models")
    base = _base(model_cache.resolve())

    import torch

    t = throughput(base, args.batch, args.rank, args.tokens, args.rounds)
    b, n = args.batch, args.tokens
    bound = 1 / (1 + b * t["rho"])
    print(
        f"multi-adapter engine, SmolLM2-135M ({t['dtype']}), torch threads "
        f"{torch.get_num_threads()}; batch of {b} rows, {b} distinct adapters of rank "
        f"{args.rank} on every linear layer (rho {t['rho']:.4f}, {t['adapter_mb']:.1f} MB in "
        f"{t['dtype']}), prompt {t['prompt']} tokens, {n} new tokens per row, {args.rounds} rounds"
    )
    print(f"  {'path':<58} {'p50 s':>7} {'tok/s':>7} {'vs base':>8}")
    base50 = statistics.median(t["times"]["base"])
    rows = (
        ("bare base, same engine (ceiling)", "base"),
        (f"bare base, same engine, the {b} requests one by one", "base_serial"),
        (f"engine, {b} distinct adapters in one batch", "engine"),
        (f"stock PEFT mixed batch (adapter_names=), {b} adapters", "peft"),
        (f"merge engine (replaced), the {b} requests one by one", "merge"),
    )
    for label, key in rows:
        p50 = statistics.median(t["times"][key])
        print(f"  {label:<58} {p50:>7.2f} {b * n / p50:>7.1f} {base50 / p50:>8.3f}")
    ratio = base50 / statistics.median(t["times"]["engine"])
    print(
        f"  engine / base {ratio:.3f}; memory-traffic bound 1/(1+B*rho) = {bound:.3f}; "
        f"share of the bound {ratio / bound:.2f}"
    )
    merge50 = statistics.median(t["times"]["merge"])
    peft50 = statistics.median(t["times"]["peft"])
    serial50 = statistics.median(t["times"]["base_serial"])
    print(
        f"  what batching buys on this machine: the bare base's {b} requests in one batch "
        f"{serial50 / base50:.2f}x faster than one by one (the most any batched server here "
        f"can gain over serving one request at a time)"
    )
    print(
        f"  engine vs merge engine {merge50 / statistics.median(t['times']['engine']):.1f}x, "
        f"vs PEFT mixed batch {peft50 / statistics.median(t['times']['engine']):.1f}x"
    )

    data_dir.joinpath("bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir / "bench") as tmp:
        h = hot_load(base, args.resident, args.hot_rank, args.loads, Path(tmp))
    e50, p50 = statistics.median(h["engine"]) * 1000, statistics.median(h["peft"]) * 1000
    print(
        f"  hot-load of one adapter (rank {h['rank']}, {h['size_mb']:.1f} MB file) into an engine "
        f"holding {h['resident']}: p50 {e50:.1f} ms (read + copy into a free slot) vs PEFT "
        f"load_adapter into a model holding {h['resident']}: p50 {p50:.1f} ms "
        f"({p50 / e50:.1f}x); {len(h['engine'])} loads each; slot {h['slot_mb']:.1f} MB"
    )


if __name__ == "__main__":
    main()
