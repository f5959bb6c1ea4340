"""The Trends Index key of a search term: what "AI Agents", "ai-agent" and "ai agent" share.

The rollups are keyed by this normalised form (case, punctuation and plural folded). The
admins' synonym table is applied later, when the index is read, so editing a synonym never
needs the search log scanned again.
"""

from __future__ import annotations

from twinwork.search.query import normalise

MAX_TERM_LENGTH = 100

# Words whose final "s" is not a plural ending, or whose plural is irregular. Kept short on
# purpose: a wrong fold merges two terms for good (the rollups store the folded key).
_KEEP = frozenset(
    {
        "news",
        "analytics",
        "ads",
        "saas",
        "paas",
        "ios",
        "macos",
        "aws",
        "gps",
        "css",
        "sms",
        "dns",
        "cms",
        "kubernetes",
        "series",
        "species",
        "physics",
        "mathematics",
        "economics",
        "ethics",
        "logistics",
        "graphics",
        "lyrics",
        "plus",
        "bus",
        "status",
        "canvas",
        "atlas",
        "alias",
        "always",
        "this",
        "his",
        "yes",
        "less",
        "business",
        "process",
        "express",
        "access",
        "class",
        "glass",
        "boss",
    }
)
_IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman"}


def singular(word: str) -> str:
    """An English plural folded to its singular, conservatively ("agents" -> "agent")."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or word in _KEEP or not word.isalpha():
        return word
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        word = word[:-1]
        # "mens" -> "men" -> "man": folding twice must give what folding once gave.
        return _IRREGULAR.get(word, word)
    return word


def term_key(text: str) -> str:
    """The rollup key: the search log's normalised words, each folded to its singular."""
    return " ".join(singular(word) for word in normalise(text).split())[:MAX_TERM_LENGTH]
