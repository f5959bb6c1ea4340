"""Every domain's tables, imported in one place for Alembic and the test schema."""

from __future__ import annotations


def import_all_models() -> None:
    from twinwork.account import models as account_models  # noqa: F401
    from twinwork.assistant import models as assistant_models  # noqa: F401
    from twinwork.billing import models as billing_models  # noqa: F401
    from twinwork.catalog import models as catalog_models  # noqa: F401
    from twinwork.creation import models as creation_models  # noqa: F401
    from twinwork.equity import models as equity_models  # noqa: F401
    from twinwork.generation import models as generation_models  # noqa: F401
    from twinwork.inbox import models as inbox_models  # noqa: F401
    from twinwork.ledger import models as ledger_models  # noqa: F401
    from twinwork.notify import models as notify_models  # noqa: F401
    from twinwork.order import models as order_models  # noqa: F401
    from twinwork.portfolio import models as portfolio_models  # noqa: F401
    from twinwork.program import models as program_models  # noqa: F401
    from twinwork.search import models as search_models  # noqa: F401
    from twinwork.trends import models as trends_models  # noqa: F401
    from twinwork.voice import models as voice_models  # noqa: F401
