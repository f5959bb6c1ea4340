from __future__ import annotations

import itertools

import httpx

_counter = itertools.count(1)

LYRICS = [
    "Neon rain on the harbour wall, I keep your letters in a paper boat; "
    "the tide can take the rest of it, but not the song you wrote.",
    "Sell the van, keep the guitar, the road was only ever borrowed; "
    "we sang the chorus twice as loud to drown out all tomorrow.",
    "Morning coffee, kitchen radio, your laugh in the static between stations; "
    "I would trade the whole bright city for one of those small conversations.",
    "Paper lanterns on the fire escape, the summer hums in minor keys; "
    "I count the windows still awake and every one of them is me.",
    "Fresh sourdough every dawn at Hazel's: crust that crackles, crumb that sings. "
    "Come early, leave happy, bring a friend.",
]


def sample_body(**overrides: object) -> dict[str, object]:
    n = next(_counter)
    body: dict[str, object] = {
        "kind": "text",
        "title": f"Sample {n}",
        "content": f"{LYRICS[n % len(LYRICS)]} (take {n})",
        "category": "song-lyrics",
        "ownership_attested": True,
        "consent_to_train": True,
    }
    body.update(overrides)
    return body


async def add_samples(
    client: httpx.AsyncClient, headers: dict[str, str], count: int, **overrides: object
) -> list[dict[str, object]]:
    samples = []
    for _ in range(count):
        response = await client.post(
            "/api/v1/portfolio/samples", json=sample_body(**overrides), headers=headers
        )
        assert response.status_code == 201, response.text
        samples.append(response.json())
    return samples
