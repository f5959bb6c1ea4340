"""How long an answer is: the brief's kind, the buyer's choice, and the bounds the engine gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from twinwork.ml.registry import GenerateRequest, ModelEnvironment
from twinwork.ml.text import entry
from twinwork.ml.text.prompt import (
    MAX_NEW_TOKENS,
    TOKENS_PER_WORD,
    answer_length,
    brief_kind,
    check_length_options,
    generate_answer,
    generation_arguments,
)
from twinwork.ml.text.result import STANDARD_BRIEFS


@pytest.mark.parametrize(
    ("brief", "kind"),
    [
        ("Lyrics about leaving home", "verse"),
        ("A song for my sister's wedding", "verse"),
        ("A short poem on the tide", "verse"),
        ("A short ad for a neighbourhood coffee shop", "ad"),
        ("Three taglines for a bakery", "ad"),
        ("A blog post about ferry timetables", "article"),
        ("Product copy for a waterproof backpack", "piece"),
        ("A welcome message for a new yoga studio", "piece"),
        ("Address the board", "piece"),  # "ad" only as a word of its own
    ],
)
def test_the_kind_of_piece_comes_from_the_brief(brief: str, kind: str) -> None:
    assert brief_kind(brief).name == kind


def test_a_verse_request_is_at_least_a_verse_whatever_the_cap() -> None:
    # The operator's cap (80 tokens by default, or less) never cuts below the kind's floor.
    for cap in (None, 80, 20):
        arguments = generation_arguments("Lyrics about leaving home", cap=cap)
        assert arguments["min_new_tokens"] >= 40 * TOKENS_PER_WORD
        assert arguments["max_new_tokens"] >= arguments["min_new_tokens"]
    # With no length chosen the cap still bounds the answer from above.
    assert generation_arguments("Product copy for a backpack", cap=60)["max_new_tokens"] == 60


def test_longer_choices_ask_for_more_and_stay_within_the_ceiling() -> None:
    for brief in (*STANDARD_BRIEFS, "A blog post about tides"):
        short, medium, long = (
            answer_length(brief, {"length": n}) for n in ("short", "medium", "long")
        )
        assert short.min_new_tokens < medium.min_new_tokens < long.min_new_tokens
        assert short.max_new_tokens < medium.max_new_tokens < long.max_new_tokens
        assert long.max_new_tokens <= MAX_NEW_TOKENS
        assert answer_length(brief) == short  # the default
    # An explicit length is the buyer's choice: the operator's default cap does not cut it.
    assert generation_arguments("Lyrics", {"length": "long"}, cap=80)["max_new_tokens"] > 200


def test_lines_and_words_become_token_bounds_around_them() -> None:
    eight = answer_length("Lyrics about the sea", {"lines": "8"})
    assert eight.min_words <= 8 * 7 <= eight.max_words
    words = answer_length("Product copy", {"words": 100})
    assert words.min_words <= 100 <= words.max_words
    assert words.min_new_tokens >= 85 * TOKENS_PER_WORD - 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"length": "huge"}, "Length must be short, medium or long"),
        ({"lines": 0}, "'lines' must be a whole number from 1 to 40"),
        ({"lines": "eight"}, "'lines' must be a whole number"),
        ({"lines": True}, "'lines' must be a whole number"),
        ({"words": 5000}, "'words' must be a whole number from 10"),
        ({"length": "short", "lines": 4}, "Choose one length"),
        ({"tone": "warm"}, "Unknown option(s): tone"),
    ],
)
def test_bad_length_options_are_refused_with_a_message(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError) as error:
        check_length_options(options)
    assert message in str(error.value)


def test_length_options_are_normalised_and_empty_ones_are_the_default() -> None:
    assert check_length_options({"length": " Long "}) == {"length": "long"}
    assert check_length_options({"lines": "12"}) == {"lines": 12}
    assert check_length_options({"length": "", "lines": ""}) == {}  # a form left alone
    assert entry.check_options({"words": "60"}) == {"words": 60}


class _Engine:
    """Records what it is asked; ``min_new_tokens`` only when constructed with it."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def generate(
        self,
        brief: str,
        *,
        adapter_dir: Path | None,
        adapter_key: str | None = None,
        max_new_tokens: int = 80,
        min_new_tokens: int = 0,
        seed: int | None = None,
    ) -> str:
        self.calls.append({"brief": brief, "max": max_new_tokens, "min": min_new_tokens})
        return "an answer"


class _OldEngine:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def generate(
        self, brief: str, *, adapter_dir: Path | None, adapter_key: str | None = None,
        max_new_tokens: int = 80, seed: int | None = None,
    ) -> str:  # fmt: skip
        self.calls.append(max_new_tokens)
        return "an answer"


def test_the_engine_gets_the_bounds_and_an_engine_without_a_minimum_still_works() -> None:
    engine = _Engine()
    assert generate_answer(engine, "Lyrics about home", None, options={"length": "medium"}) == (
        "an answer"
    )
    medium = answer_length("Lyrics about home", {"length": "medium"})
    assert engine.calls == [
        {"brief": "Lyrics about home", "max": medium.max_new_tokens, "min": medium.min_new_tokens}
    ]
    old = _OldEngine()
    generate_answer(old, "Lyrics about home", None, cap=80)
    assert old.calls == [generation_arguments("Lyrics about home", cap=80)["max_new_tokens"]]


def test_the_text_entry_point_sends_the_buyers_length_to_the_engine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from twinwork.ml.text import engine as engine_module

    engine = _Engine()
    monkeypatch.setattr(engine_module, "get_engine", lambda base: engine)
    monkeypatch.setattr(entry, "_base", lambda environment: None)
    request = GenerateRequest(
        environment=ModelEnvironment(cache_dir=tmp_path),
        brief="Lyrics about leaving home",
        adapter_dir=None,
        max_length=80,
        options={"lines": 12},
    )
    assert entry.generate(request) == "an answer"
    twelve = answer_length("Lyrics about leaving home", {"lines": 12})
    assert engine.calls[-1]["min"] == twelve.min_new_tokens
    assert engine.calls[-1]["max"] == twelve.max_new_tokens
