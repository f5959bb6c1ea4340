"""How a narration is priced and how long a script may be.

A voice-over artist's rate goes by the length of the script, so a voice model's price is per
started 100 words: 100 words cost one unit, 101 cost two, 250 cost three. Words are what the
narration counts (runs of non-space characters), so the buyer is charged for what is said.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from twinwork.ml.voice.entry import word_count

WORDS_PER_PRICE_UNIT = 100
PRICE_UNIT_LABEL = f"per started {WORDS_PER_PRICE_UNIT} words"
SCRIPT_MAX_CHARS = 3_000
"""About 500 words, three minutes of narration: generated while the buyer waits, so kept to
what this machine says in well under a minute of CPU (real-time factor ~0.2)."""


def price_units(script: str, _options: Mapping[str, Any]) -> int:
    """One unit per started 100 words of the script; an empty script still costs one."""
    return max(1, math.ceil(word_count(script) / WORDS_PER_PRICE_UNIT))
