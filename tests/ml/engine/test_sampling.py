from __future__ import annotations

import math

import pytest
import torch

from twinwork.ml.engine import Sampling
from twinwork.ml.engine.sampling import sample_rows

EOS = 2


def _logits(*pairs: tuple[int, float]) -> torch.Tensor:
    row = torch.full((1, 10), -10.0)
    for token, value in pairs:
        row[0, token] = value
    return row


def _pick(logits: torch.Tensor, sampling: Sampling, previous: list[int]) -> int:
    return sample_rows(logits, [sampling], [previous], [torch.Generator().manual_seed(0)], {EOS})[0]


def test_end_of_text_is_suppressed_until_min_new_tokens() -> None:
    greedy = Sampling(temperature=0, min_new_tokens=2)
    assert _pick(_logits((EOS, 5.0), (7, 4.0)), greedy, [7]) == 7
    assert _pick(_logits((EOS, 5.0), (7, 4.0)), greedy, [7, 7]) == EOS
    sampled = Sampling(temperature=1.0, min_new_tokens=1)
    assert _pick(_logits((EOS, 50.0), (7, 4.0)), sampled, []) == 7


def test_repetition_penalty_applies_to_what_the_row_generated() -> None:
    penalised = Sampling(temperature=0, repetition_penalty=1.15)
    assert _pick(_logits((5, 2.0), (6, 1.9)), penalised, []) == 5
    assert _pick(_logits((5, 2.0), (6, 1.9)), penalised, [5]) == 6
    # Negative logits are pushed down too (multiplied, not divided).
    assert _pick(_logits((5, -1.0), (6, -1.1)), penalised, [5]) == 6


def test_rows_sample_with_their_own_settings_and_generators() -> None:
    logits = torch.randn(3, 50, generator=torch.Generator().manual_seed(1))
    settings = [
        Sampling(temperature=0),
        Sampling(temperature=1.0, top_p=0.5, seed=3),
        Sampling(temperature=1.0),
    ]

    def run(seed_b: int) -> list[int]:
        gens = [torch.Generator().manual_seed(s) for s in (0, seed_b, 9)]
        return sample_rows(logits.clone(), settings, [[], [], []], gens, {EOS})

    first = run(3)
    assert first[0] == int(logits[0].argmax())
    assert run(3) == first  # the same generators, the same tokens
    # top_p=0.5 keeps only the head of row 1's distribution.
    probs = torch.softmax(logits[1], -1)
    ordered = torch.sort(probs, descending=True)
    head = ordered.indices[: int((torch.cumsum(ordered.values, 0) < 0.5).sum()) + 1].tolist()
    assert all(run(s)[1] in head for s in range(20))
    # Another row's generator does not change row 2's draw.
    assert {run(s)[2] for s in range(5)} == {first[2]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_new_tokens", 0),
        ("min_new_tokens", 100),
        ("temperature", -1.0),
        ("temperature", math.nan),
        ("top_p", 0.0),
        ("repetition_penalty", 0.0),
        ("stop", ("",)),
    ],
)
def test_bad_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field):
        Sampling(**{field: value})  # type: ignore[arg-type]


def _full_sort_nucleus(logits: torch.Tensor, sampling: Sampling, generator: torch.Generator) -> int:
    """The nucleus sampled the plain way: the whole vocabulary sorted."""
    probs = torch.softmax(logits / sampling.temperature, dim=-1)
    ordered, order = torch.sort(probs, descending=True)
    ordered = ordered * (torch.cumsum(ordered, dim=-1) - ordered < sampling.top_p)
    return int(order[torch.multinomial(ordered / ordered.sum(), 1, generator=generator)])


@pytest.mark.parametrize("peak", [12.0, 0.0], ids=["peaked", "flat"])
def test_the_nucleus_is_the_one_a_full_sort_gives(peak: float) -> None:
    # A vocabulary of a real base's size. Peaked: the nucleus lies in the top candidates (the
    # shortcut); flat: their mass falls short of top_p and the row is sorted in full.
    vocab = 49_152
    logits = torch.randn(4, vocab, generator=torch.Generator().manual_seed(5)) * 2
    logits[:, :40] += peak
    sampling = Sampling(temperature=0.8, top_p=0.9)
    for seed in range(10):
        got = sample_rows(
            logits.clone(),
            [sampling] * 4,
            [[]] * 4,
            [torch.Generator().manual_seed(seed * 4 + i) for i in range(4)],
            {EOS},
        )
        expected = [
            _full_sort_nucleus(logits[i], sampling, torch.Generator().manual_seed(seed * 4 + i))
            for i in range(4)
        ]
        assert got == expected
