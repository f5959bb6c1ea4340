"""Public ids: each names one row of one kind, reads back only with this installation's key,
and tells an outsider nothing about how many rows there are or in what order they came."""

from __future__ import annotations

import re
from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, TypeAdapter

from twinwork.config import get_settings
from twinwork.kit import public_ids
from twinwork.kit.public_ids import (
    NO_ROW,
    PATTERN,
    GigId,
    GigIdOut,
    PublicIdOut,
    UnknownKind,
    public_id,
    row_id,
)


def test_a_public_id_reads_back_as_its_row_and_kind_only() -> None:
    for number in (1, 2, 41, 2**31 - 1, 2**63 - 1):
        text = public_id("gig", number)
        assert re.fullmatch(PATTERN, text)
        assert row_id("gig", text) == number
        assert row_id("order", text) == NO_ROW  # a gig's id names no order


def test_neighbouring_rows_share_nothing_visible() -> None:
    ids = [public_id("order", n) for n in range(1, 201)]
    assert len(set(ids)) == 200
    assert ids != sorted(ids)  # no order to walk
    # Each character varies across neighbours: no counter shows through. (The last of the 26
    # characters carries 3 of the block's 128 bits, so it has 8 values at most.)
    for position in range(len(ids[0]) - 1):
        assert len({text[position] for text in ids}) > 16
    assert len({text[-1] for text in ids}) == 8


@pytest.mark.parametrize(
    "text", ["", "12", "0", "a" * 26, "A" * 26, "a" * 25, "a" * 27, "0" * 26, "1" * 26, None, 12]
)
def test_anything_else_names_no_row(text: object) -> None:
    assert row_id("gig", text) == NO_ROW
    assert public_ids.looks_public(text) is (text == "a" * 26)  # the form alone, not a row


def test_another_installations_ids_name_nothing_here(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = public_id("gig", 7)
    monkeypatch.setattr(get_settings(), "public_id_key", "another installation")
    theirs = public_id("gig", 7)
    assert theirs != ours
    assert row_id("gig", ours) == NO_ROW
    monkeypatch.setattr(get_settings(), "public_id_key", None)
    assert row_id("gig", ours) == 7


def test_the_key_can_be_pinned_apart_from_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    before = public_id("model", 3)
    monkeypatch.setattr(settings, "public_id_key", settings.resolved_secret_key)
    assert public_id("model", 3) == before  # pinned to the old secret: links survive a rotation


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(UnknownKind):
        public_id("gigs", 1)
    with pytest.raises(UnknownKind):
        row_id("gigs", "x")
    with pytest.raises(ValueError, match="not a row id"):
        public_id("gig", 0)


def test_types_decode_inputs_and_encode_answers() -> None:
    class Answer(BaseModel):
        model_config = ConfigDict(from_attributes=True)
        id: GigIdOut
        cover: Annotated[int | None, PublicIdOut("image")] = None

    dumped = Answer(id=5, cover=None).model_dump(mode="json")
    assert dumped == {"id": public_id("gig", 5), "cover": None}
    assert Answer(id=5, cover=9).model_dump()["cover"] == public_id("image", 9)

    read = TypeAdapter(GigId)
    assert read.validate_python(public_id("gig", 5)) == 5
    assert read.validate_python("5") == NO_ROW  # a plain row id names nothing from outside
    assert read.validate_python(5) == NO_ROW
    assert (
        TypeAdapter(Annotated[int | None, public_ids.PublicIdIn("gig")]).validate_python(None)
        is None
    )
