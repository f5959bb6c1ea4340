"""Search latency: the full-text index versus a plain LIKE scan, on the same catalog, in one run.

Builds a throwaway SQLite catalog (demo gigs repeated with variations) under the data dir,
then times the same buyer queries both ways, interleaved so machine noise hits both alike.
Usage: `python -m bench.search_bench [--gigs N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

QUERIES = (
    "logo",
    "podcast intro voice",
    "ai agent",
    "comfyui workflow",
    "product description",
    "wedding video",
    "lora training",
    "children's book illustration",
)


async def build_catalog(session: AsyncSession, gigs: int, rng: random.Random) -> None:
    from twinwork.account.models import User
    from twinwork.catalog.models import Category, FreelancerProfile, Gig
    from twinwork.demo.content import FREELANCERS

    categories = {c.slug: c.id for c in (await session.scalars(select(Category))).all()}
    user = User(email="bench@example.test", password_hash="x", display_name="Bench")
    session.add(user)
    await session.flush()
    session.add(FreelancerProfile(user_id=user.id, handle="bench", skills=[]))
    await session.flush()
    templates = [g for f in FREELANCERS for g in f.gigs]
    words = " ".join(g.description for g in templates).split()
    rows = []
    for i in range(gigs):
        template = templates[i % len(templates)]
        filler = " ".join(rng.choice(words) for _ in range(40))
        rows.append(
            {
                "freelancer_id": user.id,
                "category_id": categories[template.category],
                "title": template.title,
                "description": f"{template.description}\n\n{filler}",
                "tags": list(template.tags),
                "tags_text": " ".join(template.tags),
                "status": "published",
                "starting_price_amount": template.packages[0].price_amount,
                "fastest_delivery_days": template.packages[0].delivery_days,
                "currency": "USD",
            }
        )
    for start in range(0, len(rows), 2000):
        await session.execute(insert(Gig), rows[start : start + 2000])


async def like_scan(session: AsyncSession, raw: str) -> int:
    """The baseline a first version might write: every word somewhere, via LIKE."""
    from twinwork.catalog.models import Gig
    from twinwork.search.query import parse

    conditions = [
        or_(
            Gig.title.ilike(f"%{word}%"),
            Gig.description.ilike(f"%{word}%"),
            Gig.tags_text.ilike(f"%{word}%"),
        )
        for word in parse(raw).words
    ]
    total = await session.scalar(
        select(func.count()).select_from(Gig).where(Gig.status == "published", *conditions)
    )
    await session.execute(
        select(Gig.id, Gig.title)
        .where(Gig.status == "published", *conditions)
        .order_by(Gig.id)
        .limit(12)
    )
    return int(total or 0)


async def run(gigs: int, rounds: int) -> dict[str, float]:
    from twinwork.kit.db import make_engine, make_sessionmaker
    from twinwork.kit.migrate import upgrade
    from twinwork.search.query import parse
    from twinwork.search.repository import GigFilters, search_repository

    url = os.environ["TWINWORK_DATABASE_URL"]
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    async with sessionmaker() as session:
        started = time.perf_counter()
        await build_catalog(session, gigs, random.Random(7))
        await session.commit()
        build_seconds = time.perf_counter() - started

    fts: list[float] = []
    like: list[float] = []
    async with sessionmaker() as session:
        for _ in range(rounds):
            for raw in QUERIES:
                started = time.perf_counter()
                await search_repository.search(
                    session, parse(raw), GigFilters(), "relevance", 0, 12
                )
                fts.append(time.perf_counter() - started)
                started = time.perf_counter()
                await like_scan(session, raw)
                like.append(time.perf_counter() - started)
    await engine.dispose()
    return {
        "gigs": gigs,
        "queries": len(fts),
        "build_seconds": build_seconds,
        "fts_p50_ms": statistics.median(fts) * 1000,
        "fts_p95_ms": statistics.quantiles(fts, n=20)[18] * 1000,
        "like_p50_ms": statistics.median(like) * 1000,
        "like_p95_ms": statistics.quantiles(like, n=20)[18] * 1000,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gigs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    data_dir = Path(os.environ.get("TWINWORK_DATA_DIR", "var")).resolve() / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
        os.environ.setdefault("TWINWORK_DATA_DIR", tmp)
        os.environ["TWINWORK_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp}/bench.db"
        result = asyncio.run(run(args.gigs, args.rounds))
    ratio = result["like_p50_ms"] / result["fts_p50_ms"]
    print(f"search over {result['gigs']:,} published gigs, {result['queries']} queries each way")
    print(f"  catalog built in {result['build_seconds']:.1f} s")
    print(
        f"  full-text (FTS5, ranked, snippets): p50 {result['fts_p50_ms']:.2f} ms, "
        f"p95 {result['fts_p95_ms']:.2f} ms"
    )
    print(
        f"  LIKE scan baseline (unranked):      p50 {result['like_p50_ms']:.2f} ms, "
        f"p95 {result['like_p95_ms']:.2f} ms"
    )
    print(f"  ratio LIKE / full-text at p50: {ratio:.1f}x")


if __name__ == "__main__":
    main()
