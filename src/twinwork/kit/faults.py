"""Crash points: named places in the flows that move money or erase data where a process may
die at the worst moment (after the card network answered, before we recorded it).

`TWINWORK_CRASH_AT=<name>` makes a process kill itself there with SIGKILL, as a power cut
would: no exception handler, ``finally`` block or shutdown hook runs. The fault tests start real
processes with it and check that what the recovery jobs make of the wreck is whole: no charge
lost or doubled, the ledger balanced, every job done or failed with a reason. Unset (always,
outside those tests), a crash point costs one environment lookup.
"""

from __future__ import annotations

import os
import signal

CRASH_AT = "TWINWORK_CRASH_AT"


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)
