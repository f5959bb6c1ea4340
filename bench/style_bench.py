"""Style that survives generation: do buyers get the freelancer's voice, personal vs base?

A freelancer's lyrics share motifs (lanterns, the harbour, the tide, gulls, a kettle on the
stove) and a way of writing (short lines, a refrain, a sign-off). A personal model is trained
on them with the default plan; the pieces the plan holds out are the freelancer's unseen work.
Then, for every standard brief, the base and the personal model each answer it several times
through the product's own path (the serving engine, its sampling, the buyer's default length
for that kind of brief), and each answer is compared with the held-out work:

* style similarity: MiniLM (the packaged all-MiniLM-L6-v2) cosine between the answer and the
  centroid of the held-out pieces;
* distinctive-word overlap: the share of the answer's content words that belong to the
  freelancer's distinctive vocabulary (content words found in at least three training pieces,
  minus words of the brief itself), and the number of distinct motifs it uses.

Usage: `python -m bench.style_bench [--seeds 3] [--pieces 40] [--threads 0]`.
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

MOTIFS = ("lantern", "harbour", "tide", "gull", "kettle")
_OPENINGS = (
    "Down at the harbour where the lanterns sway",
    "The kettle's singing and the tide is high",
    "Gulls over the harbour, calling out my name",
    "I left a lantern burning on the sill",
    "When the tide turns silver at the end of day",
    "Put the kettle on, love, the boats are coming in",
)
_MIDDLES = (
    "salt on the window, rope on the quay",
    "the gulls know every secret of the bay",
    "a lantern for the sailor, a lantern for the sea",
    "the kettle hums a tune my mother used to hum",
    "the tide keeps time the way the old clocks never could",
    "the harbour holds its breath and waits for morning",
    "my hands smell of tar and tea and weather",
    "the gulls stitch silver through the evening fog",
)
_REFRAINS = (
    "Oh, bring me home on the turning tide",
    "Oh, light the lantern, leave the door open wide",
    "Oh, the kettle's warm and the harbour's wide",
)
SIGN_OFF = "(and the gulls sing on)"


def lyrics(n: int, seed: int = 11) -> list[str]:
    """N pieces of six to nine short lines with a refrain: the same motifs, new lines each."""
    rng = random.Random(seed)
    pieces = []
    for _ in range(n):
        refrain = rng.choice(_REFRAINS)
        lines = [rng.choice(_OPENINGS), *rng.sample(_MIDDLES, rng.randint(2, 4)), refrain]
        lines += [*rng.sample(_MIDDLES, 2), refrain, SIGN_OFF]
        pieces.append("\n".join(lines))
    return pieces


_STOP = frozenset(
    """about above after again against also among another because been before being below
    between both cannot could does doing down during each even every from further have having
    here herself himself into itself just more most much must myself never only other ours over
    same should some such than that their them then there these they this those through under
    until very were what when where which while will with would your yours yourself""".split()
)


def content_words(text: str) -> list[str]:
    import re

    words = (w.strip("'-") for w in re.findall(r"[a-z][a-z'-]+", text.lower()))
    return [_singular(w) for w in words if len(w) > 3 and w not in _STOP]


def _singular(word: str) -> str:
    word = word.removesuffix("'s")
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def distinctive_vocabulary(pieces: list[str], brief: str, min_pieces: int = 3) -> set[str]:
    counts: dict[str, int] = {}
    for piece in pieces:
        for word in set(content_words(piece)):
            counts[word] = counts.get(word, 0) + 1
    return {w for w, c in counts.items() if c >= min_pieces} - set(content_words(brief))


def overlap(text: str, vocabulary: set[str]) -> tuple[float, int]:
    """(share of content words in the vocabulary, distinct motifs used)."""
    words = content_words(text)
    share = sum(w in vocabulary for w in words) / len(words) if words else 0.0
    return share, sum(m in words for m in MOTIFS)


def run(pieces: int, seeds: int, work: Path, model_cache: Path) -> dict[str, Any]:
    from twinwork.ml.text import (
        STANDARD_BRIEFS,
        TextSample,
        ensure_base_model,
        get_engine,
        plan_training,
        split_heldout,
        train_text_adapter,
    )
    from twinwork.ml.text.evaluation import _embed, get_embedder
    from twinwork.ml.text.prompt import generate_answer

    base = ensure_base_model(model_cache)
    portfolio = [TextSample.of(i + 1, text) for i, text in enumerate(lyrics(pieces))]
    plan = plan_training(len(portfolio), sum(len(s.text) for s in portfolio))
    train, heldout = split_heldout(portfolio, plan)
    started = time.perf_counter()
    result = train_text_adapter(
        base, train, plan, work / "adapter", checkpoint_dir=work / "checkpoint",
        validation=heldout,
    )  # fmt: skip
    train_seconds = time.perf_counter() - started

    embedder = get_embedder()
    reference = _embed(embedder, [s.text for s in heldout]).mean(dim=0)
    reference = reference / reference.norm().clamp_min(1e-12)
    engine = get_engine(base)
    rows = []
    for brief in STANDARD_BRIEFS:
        vocabulary = distinctive_vocabulary([s.text for s in train], brief)
        answers: dict[str, list[str]] = {"base": [], "personal": []}
        for seed in range(seeds):
            for who, adapter in (("base", None), ("personal", result.adapter_dir)):
                answers[who].append(generate_answer(engine, brief, adapter, seed=seed))
        row: dict[str, Any] = {"brief": brief, "answers": answers}
        for who, texts in answers.items():
            vectors = _embed(embedder, texts)
            row[f"{who}_similarity"] = float((vectors @ reference).mean())
            shares, motifs = zip(*(overlap(t, vocabulary) for t in texts), strict=True)
            row[f"{who}_overlap"] = statistics.mean(shares)
            row[f"{who}_motifs"] = statistics.mean(motifs)
            row[f"{who}_words"] = statistics.mean(len(t.split()) for t in texts)
        rows.append(row)
    return {
        "train": len(train),
        "heldout": len(heldout),
        "steps": result.steps,
        "train_seconds": train_seconds,
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pieces", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve()
    model_cache = Path(os.environ.get("TWINWORK_MODEL_CACHE_DIR") or data_dir / "models")
    if args.threads:
        import torch

        from twinwork.ml.text.runtime import device

        device()
        torch.set_num_threads(args.threads)
    (data_dir / "bench").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir / "bench") as tmp:
        r = run(args.pieces, args.seeds, Path(tmp), model_cache.resolve())

    print(
        f"style of generations, {r['train']} lyrics trained / {r['heldout']} held out, "
        f"{r['steps']} steps in {r['train_seconds']:.1f} s; {args.seeds} answers per brief "
        "and model, the engine's sampling and the default length for the brief's kind"
    )
    print(
        f"  {'brief':<42} {'MiniLM to held-out':>24} {'distinctive words':>22} "
        f"{'motifs of 5':>12} {'words':>9}"
    )
    print(f"  {'':<42} {'base':>7} {'pers.':>7} {'margin':>8} {'base':>7} {'pers.':>7} "
          f"{'margin':>6} {'base':>5} {'pers.':>6} {'base':>4} {'pers.':>4}")  # fmt: skip
    for row in r["rows"]:
        print(
            f"  {row['brief'][:42]:<42} {row['base_similarity']:>7.3f} "
            f"{row['personal_similarity']:>7.3f} "
            f"{row['personal_similarity'] - row['base_similarity']:>+8.3f} "
            f"{row['base_overlap']:>7.2f} {row['personal_overlap']:>7.2f} "
            f"{row['personal_overlap'] - row['base_overlap']:>+6.2f} "
            f"{row['base_motifs']:>5.1f} {row['personal_motifs']:>6.1f} "
            f"{row['base_words']:>4.0f} {row['personal_words']:>4.0f}"
        )
    closer = sum(row["personal_similarity"] > row["base_similarity"] for row in r["rows"])
    print(f"  personal closer than base (MiniLM) on {closer} of {len(r['rows'])} briefs")
    if args.show:
        for row in r["rows"]:
            for who in ("base", "personal"):
                for text in row["answers"][who]:
                    print(f"--- {row['brief']} / {who}\n{text}")


if __name__ == "__main__":
    main()
