from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from twinwork.trends.terms import singular, term_key


def test_case_punctuation_and_plural_fold_to_one_term() -> None:
    assert term_key("AI Agents") == term_key("ai-agent") == term_key("ai agent") == "ai agent"
    assert term_key("ComfyUI workflows!") == "comfyui workflow"


def test_words_that_only_look_plural_are_kept() -> None:
    assert [singular(w) for w in ("lyrics", "business", "news", "ads", "status", "analytics")] == [
        "lyrics",
        "business",
        "news",
        "ads",
        "status",
        "analytics",
    ]
    assert [singular(w) for w in ("stories", "boxes", "videos", "logos", "people")] == [
        "story",
        "box",
        "video",
        "logo",
        "person",
    ]


@given(st.text(max_size=60))
def test_folding_twice_gives_what_folding_once_gave(text: str) -> None:
    # A term's page folds what a visitor typed and looks the result up among rolled-up keys.
    once = term_key(text)
    assert term_key(once) == once
    assert len(once) <= 100
