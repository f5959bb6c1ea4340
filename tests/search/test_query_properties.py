"""Whatever a person types into the search box, search answers: never a database error."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinwork.search.query import MAX_TERMS, normalise, parse

queries = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


@given(queries)
def test_parsed_queries_contain_only_words(raw: str) -> None:
    query = parse(raw)
    assert len(query.words) <= MAX_TERMS
    for word in query.words:
        assert word and all(ch.isalnum() for ch in word)
    assert len(normalise(raw)) <= 100


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=queries)
async def test_any_query_gets_an_answer_not_an_error(client: httpx.AsyncClient, raw: str) -> None:
    response = await client.get("/api/v1/search", params={"q": raw})
    if "\x00" in raw:  # refused at the edge: PostgreSQL cannot store it
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
    else:
        assert response.status_code == 200, response.text
        assert response.json()["total"] >= 0
