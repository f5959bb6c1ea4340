"""Migrations on a database that already holds data: a table that SQLite has to copy (0007
rewrites the orders table to widen its status check) keeps its rows and the rows pointing at
it, and the chain goes down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from tests.backends import Backends
from twinwork.config import normalise_database_url
from twinwork.kit.migrate import alembic_config, upgrade
from twinwork.kit.public_ids import public_id

USER_SQL = text(
    "INSERT INTO users (id, email, password_hash, display_name, is_buyer, is_freelancer, "
    "is_admin, is_active, created_at) VALUES (:id, :email, 'x', :name, true, true, false, "
    "true, CURRENT_TIMESTAMP)"
)
ORDER_SQL = text(
    "INSERT INTO orders (id, buyer_user_id, freelancer_user_id, kind, status, brief, "
    "price_amount, currency, revisions_allowed, revisions_used, request_key, created_at) "
    "VALUES (1, 1, 2, 'human', 'delivered', 'A logo', 4500, 'USD', 1, 0, 'k1', "
    "CURRENT_TIMESTAMP)"
)
DELIVERY_SQL = text(
    "INSERT INTO order_deliveries (id, order_id, made_by, is_draft, text, disclosure, "
    "created_at) VALUES (1, 1, 'human', false, 'The logo', 'Made by hand', CURRENT_TIMESTAMP)"
)


def test_orders_keep_their_rows_and_deliveries_through_the_disputes_migration(
    backends: Backends,
) -> None:
    url = backends.new_database_url("twinwork_migrations")
    upgrade(url, "0006")
    engine = create_engine(normalise_database_url(url).replace("+aiosqlite", ""))
    try:
        with engine.begin() as conn:
            for user_id, name in ((1, "Buyer"), (2, "Seller")):
                conn.execute(USER_SQL, {"id": user_id, "email": f"u{user_id}@x.test", "name": name})
            conn.execute(ORDER_SQL)
            conn.execute(DELIVERY_SQL)

        upgrade(url)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT status FROM orders")).scalar_one() == "delivered"
            assert conn.execute(text("SELECT order_id FROM order_deliveries")).scalar_one() == 1
            conn.execute(text("UPDATE orders SET status = 'disputed'"))
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
            conn.execute(text("UPDATE orders SET status = 'delivered'"))

        command.downgrade(alembic_config(url), "0006")
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM order_deliveries")).scalar_one() == 1
    finally:
        engine.dispose()


SUBSCRIPTION_SQL = text(
    "INSERT INTO program_subscriptions (id, user_id, status, amount, currency, provider, "
    "card_token, card_last4, request_key, current_period_start, current_period_end, "
    "cancel_at_period_end, created_at) VALUES (:id, :user_id, :status, 2500, 'USD', 'sandbox', "
    "'sbx_pm_4242424242424242', '4242', :key, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false, "
    "CURRENT_TIMESTAMP)"
)


def test_the_seats_migration_admits_every_live_member_and_no_one_else(backends: Backends) -> None:
    url = backends.new_database_url("twinwork_seats_migration")
    upgrade(url, "0010")
    engine = create_engine(normalise_database_url(url).replace("+aiosqlite", ""))
    try:
        with engine.begin() as conn:
            for user_id, name in ((1, "Member"), (2, "In grace"), (3, "Former member")):
                conn.execute(USER_SQL, {"id": user_id, "email": f"u{user_id}@x.test", "name": name})
            for row_id, user_id, status in ((1, 1, "active"), (2, 2, "past_due"), (3, 3, "ended")):
                conn.execute(
                    SUBSCRIPTION_SQL,
                    {"id": row_id, "user_id": user_id, "status": status, "key": f"k{row_id}"},
                )

        upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT user_id, status, route, open_key FROM program_applications")
            ).all()
            assert sorted(tuple(r) for r in rows) == [
                (1, "joined", "existing_member", 1),
                (2, "joined", "existing_member", 2),
            ]
            limit = conn.execute(text("SELECT seat_limit FROM program_rules")).scalar_one()
            assert limit == 5000
        command.downgrade(alembic_config(url), "0010")
        upgrade(url)
    finally:
        engine.dispose()


NOTIFICATION_SQL = text(
    "INSERT INTO notifications (id, user_id, kind, text, link, created_at) "
    "VALUES (:id, 1, 'order', 'An order', :link, CURRENT_TIMESTAMP)"
)


def test_the_public_ids_migration_rewrites_stored_links_and_back(backends: Backends) -> None:
    url = backends.new_database_url("twinwork_public_ids_migration")
    upgrade(url, "0023")
    engine = create_engine(normalise_database_url(url).replace("+aiosqlite", ""))
    links = {
        1: "/orders/12#deliveries",
        2: "/generations/7",
        3: "/dashboard/earnings",  # names no row: left alone
        4: "",
        5: "/orders/0",  # never a row id: left alone
    }
    try:
        with engine.begin() as conn:
            conn.execute(USER_SQL, {"id": 1, "email": "u1@x.test", "name": "Buyer"})
            for key, link in links.items():
                conn.execute(NOTIFICATION_SQL, {"id": key, "link": link})

        upgrade(url)
        with engine.connect() as conn:
            stored = dict(conn.execute(text("SELECT id, link FROM notifications")).all())
        assert stored == {
            1: f"/orders/{public_id('order', 12)}#deliveries",
            2: f"/generations/{public_id('generation', 7)}",
            3: "/dashboard/earnings",
            4: "",
            5: "/orders/0",
        }

        command.downgrade(alembic_config(url), "0023")
        with engine.connect() as conn:
            assert dict(conn.execute(text("SELECT id, link FROM notifications")).all()) == links
        upgrade(url)
    finally:
        engine.dispose()
