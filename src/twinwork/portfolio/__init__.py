"""Work samples, ownership attestation, training consent and the data-use ledger."""
