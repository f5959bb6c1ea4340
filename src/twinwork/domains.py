"""Loads every domain that fills in another domain's registry (hooks, tables of handlers).

A registry is filled when the owning module is imported, so a process that never imported it
would run with the registry empty. Each entry point (the web app, the CLI, the job worker,
the tests) calls ``load_domains()`` once at startup; a registry that must not be empty also
refuses to run without its handler (see ``account.hooks``).
"""

from __future__ import annotations


def load_domains() -> None:
    import twinwork.assistant.hooks  # noqa: F401  (the assistant answers buyers' messages)
    import twinwork.billing.receipt.service  # noqa: F401  (billing's own receipt kinds)
    import twinwork.billing.webhook.stripe_events  # noqa: F401  (top-ups, payouts)
    import twinwork.catalog.service  # noqa: F401  (profiles for new freelancers)
    import twinwork.creation.service  # noqa: F401  (models off when a membership ends)
    import twinwork.generation.service  # noqa: F401  (what erasing a model deletes, keeps)
    import twinwork.order.service  # noqa: F401  (completed orders for the program's rules)
    import twinwork.program.receipts  # noqa: F401  (membership invoices as receipts)
    import twinwork.program.webhooks  # noqa: F401  (membership invoices paid by card)
    import twinwork.voice.service  # noqa: F401  (voice models train once the voice is verified)
