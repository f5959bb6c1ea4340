"""Learning a ``VoiceMapping`` from utterances said by the base voice and by the freelancer."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from twinwork.ml.voice.mapping import (
    VoiceMapping,
    band_stats,
    pitch_stats,
    stack_context,
)
from twinwork.ml.voice.world import Features, speech_frames

FloatArray = npt.NDArray[np.float64]
HIDDEN = 128
BATCH = 256
LEARNING_RATE = 2e-3
CHECKPOINT_EVERY = 50
MIN_LENGTH_SCALE, MAX_LENGTH_SCALE = 0.6, 1.6


@dataclass(frozen=True)
class Utterance:
    """One script, said by the base voice (``source``) and by the freelancer (``target``)."""

    source: Features
    target: Features
    source_seconds: float
    """Speech only, pauses trimmed."""
    target_seconds: float


class Stop(Exception):
    """should_stop() said so; the checkpoint holds the progress."""

    def __init__(self, step: int) -> None:
        super().__init__(f"stopped at step {step}")
        self.step = step


def align(source: Features, target: Features) -> tuple[FloatArray, FloatArray]:
    """Frame pairs of the two utterances' speech, by dynamic time warping on the envelope's
    shape (c0, the loudness, left out: the two recordings' levels differ)."""
    from fastdtw import fastdtw  # type: ignore[import-untyped]  # no stubs

    s_keep, t_keep = speech_frames(source), speech_frames(target)
    s, t = source.mcep[s_keep, 1:], target.mcep[t_keep, 1:]
    if s.shape[0] < 5 or t.shape[0] < 5:
        return np.zeros((0, s.shape[1])), np.zeros((0, t.shape[1]))
    _, path = fastdtw(s, t, radius=3, dist=2)
    pairs = np.asarray(path, dtype=np.int64)
    # Context frames come from the source's own neighbours, so stack before pairing.
    stacked = stack_context(s)
    return stacked[pairs[:, 0]], t[pairs[:, 1]] - s[pairs[:, 0]]


def length_scale(utterances: Sequence[Utterance]) -> float:
    ratios = [
        u.target_seconds / u.source_seconds
        for u in utterances
        if u.source_seconds > 0.2 and u.target_seconds > 0.2
    ]
    if not ratios:
        return 1.0
    return float(np.clip(np.median(ratios), MIN_LENGTH_SCALE, MAX_LENGTH_SCALE))


def learn_mapping(
    utterances: Sequence[Utterance],
    *,
    steps: int,
    seed: int = 0,
    checkpoint_dir: Path | None = None,
    on_step: Callable[[int, int, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> VoiceMapping:
    """Pitch, aperiodicity and rate from statistics; the envelope network trained for
    ``steps`` mini-batches, resuming from ``checkpoint_dir`` when it holds this run's."""
    import torch

    if not utterances:
        raise ValueError("no utterances to learn a voice from")
    rate = utterances[0].source.rate
    order = utterances[0].source.mcep.shape[1] - 1
    sources = [u.source for u in utterances]
    targets = [u.target for u in utterances]
    source_voiced = np.concatenate([f.voiced for f in sources])
    target_voiced = np.concatenate([f.voiced for f in targets])
    mapping = VoiceMapping(
        rate=rate,
        order=order,
        source_lf0=pitch_stats(sources),
        target_lf0=pitch_stats(targets),
        source_ap=band_stats(np.concatenate([f.coded_ap for f in sources]), source_voiced),
        target_ap=band_stats(np.concatenate([f.coded_ap for f in targets]), target_voiced),
        length_scale=length_scale(utterances),
    )
    inputs, deltas = zip(*(align(u.source, u.target) for u in utterances), strict=True)
    x = np.concatenate(inputs)
    y = np.concatenate(deltas)
    if x.shape[0] < 20:
        raise ValueError("too little speech could be paired between the recordings and the base")
    target_shape = np.concatenate([f.mcep[speech_frames(f), 1:] for f in targets])
    mapping.in_mean, mapping.in_std = x.mean(0), np.maximum(x.std(0), 1e-6)
    mapping.out_mean, mapping.out_std = y.mean(0), np.maximum(y.std(0), 1e-6)
    mapping.gv_target = target_shape.std(0)
    xn = torch.from_numpy(((x - mapping.in_mean) / mapping.in_std).astype(np.float32))
    yn = torch.from_numpy(((y - mapping.out_mean) / mapping.out_std).astype(np.float32))

    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], HIDDEN),
        torch.nn.Tanh(),
        torch.nn.Linear(HIDDEN, HIDDEN),
        torch.nn.Tanh(),
        torch.nn.Linear(HIDDEN, y.shape[1]),
    )
    optimiser = torch.optim.Adam(net.parameters(), lr=LEARNING_RATE)
    start = 0
    checkpoint = checkpoint_dir / "mapping.pt" if checkpoint_dir is not None else None
    if checkpoint is not None and checkpoint.is_file():
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
        if int(state.get("inputs", -1)) == x.shape[1]:
            net.load_state_dict(state["net"])
            optimiser.load_state_dict(state["optimiser"])
            start = int(state["step"])
    generator = torch.Generator().manual_seed(seed + start)
    loss_value = float("nan")
    began = time.monotonic()
    for step in range(start + 1, steps + 1):
        if should_stop is not None and should_stop():
            _save_checkpoint(checkpoint, net, optimiser, step - 1, x.shape[1])
            raise Stop(step - 1)
        batch = torch.randint(0, xn.shape[0], (min(BATCH, xn.shape[0]),), generator=generator)
        loss = torch.nn.functional.mse_loss(net(xn[batch]), yn[batch])
        optimiser.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        loss_value = float(loss.item())
        if step % CHECKPOINT_EVERY == 0:
            _save_checkpoint(checkpoint, net, optimiser, step, x.shape[1])
        if on_step is not None:
            on_step(step, steps, loss_value)
    layers = [m for m in net if isinstance(m, torch.nn.Linear)]
    mapping.weights = []
    for layer in layers:
        mapping.weights.append(layer.weight.detach().numpy().T.astype(np.float64))
        mapping.weights.append(layer.bias.detach().numpy().astype(np.float64))
    # The converted spread, measured as the mapping produces it, for the variance match.
    mapping.gv_converted = np.ones(order)
    mapping.gv_target = np.ones(order)
    converted = np.concatenate([mapping.envelope(f.mcep)[speech_frames(f), 1:] for f in sources])
    mapping.gv_converted = converted.std(0)
    mapping.gv_target = target_shape.std(0)
    mapping.summary = {
        "frames_paired": float(x.shape[0]),
        "final_loss": round(loss_value, 5),
        "steps": float(steps),
        "seconds": round(time.monotonic() - began, 2),
    }
    return mapping


def _save_checkpoint(
    path: Path | None, net: object, optimiser: object, step: int, inputs: int
) -> None:
    if path is None:
        return
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    state = {
        "net": net.state_dict(),  # type: ignore[attr-defined]
        "optimiser": optimiser.state_dict(),  # type: ignore[attr-defined]
        "step": step,
        "inputs": inputs,
    }
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    partial.replace(path)
