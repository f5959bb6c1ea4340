"""A transaction's reference leaves the product as the public id of the row it names."""

from __future__ import annotations

from twinwork.kit.public_ids import public_id, row_id
from twinwork.ledger.service import public_reference_id


def test_references_to_rows_are_written_as_public_ids() -> None:
    assert public_reference_id("order", "12") == public_id("order", 12)
    assert row_id("order", public_reference_id("order", "12")) == 12
    assert public_reference_id("payment", "7") == public_id("payment", 7)
    # A reversal names the transaction it reverses, a kind under another name.
    assert public_reference_id("ledger_transaction", "3") == public_id("transaction", 3)


def test_references_that_name_no_row_of_a_kind_stay_as_stored() -> None:
    assert public_reference_id("program_subscription", "5") == "5"
    assert public_reference_id("order", "not-a-number") == "not-a-number"
    assert public_reference_id("order", "0") == "0"
