"""Migration 0021 on a database with gigs and models: packages of freelancers who already
sell a model start from its prices (as the gig page showed them), the others follow the model
they may have later; profiles start without AI tools. The chain goes down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from tests.backends import Backends
from twinwork.config import normalise_database_url
from twinwork.kit.migrate import alembic_config, upgrade

NOW = "CURRENT_TIMESTAMP"
USER_SQL = text(
    "INSERT INTO users (id, email, password_hash, display_name, is_buyer, is_freelancer, "
    f"is_admin, is_active, created_at) VALUES (:id, :email, 'x', 'Seller', false, true, false, "
    f"true, {NOW})"
)
PROFILE_SQL = text(
    "INSERT INTO freelancer_profiles (user_id, handle, headline, bio, skills, level, country, "
    f"rating, review_count, created_at) VALUES (:id, :handle, '', '', '[]', 'new', '', 0, 0, {NOW})"
)
GIG_SQL = text(
    "INSERT INTO gigs (id, freelancer_id, category_id, title, description, tags, tags_text, "
    "status, starting_price_amount, fastest_delivery_days, currency, created_at, updated_at) "
    "VALUES (:id, :owner, (SELECT min(id) FROM categories), 'A gig title', 'A description', "
    f"'[]', '', 'published', 3000, 3, 'USD', {NOW}, {NOW})"
)
PACKAGE_SQL = text(
    "INSERT INTO gig_packages (id, gig_id, name, position, title, summary, price_amount, "
    "currency, delivery_days, revisions) VALUES (:id, :gig, :name, 0, 'P', '', :price, 'USD', "
    "3, 1)"
)
MODEL_SQL = text(
    "INSERT INTO personal_models (id, owner_user_id, modality, name, is_active, price_amount, "
    "refinement_price_amount, currency, license_scope, license_exclusive, created_at, "
    "updated_at, erased_at) VALUES (:id, :owner, 'text', 'M', :active, :price, :refinement, "
    f"'USD', 'personal', false, {NOW}, {NOW}, :erased)"
)


def test_existing_packages_start_from_the_model_the_gig_page_showed(backends: Backends) -> None:
    url = backends.new_database_url("twinwork_offer_migration")
    upgrade(url, "0020")
    engine = create_engine(normalise_database_url(url).replace("+aiosqlite", ""))
    try:
        with engine.begin() as conn:
            for user_id in (1, 2, 3):
                conn.execute(USER_SQL, {"id": user_id, "email": f"s{user_id}@x.test"})
                conn.execute(PROFILE_SQL, {"id": user_id, "handle": f"seller-{user_id}"})
                conn.execute(GIG_SQL, {"id": user_id, "owner": user_id})
            packages = [(1, 1, "basic", 3000), (2, 1, "premium", 14000), (3, 2, "basic", 5000)]
            packages.append((4, 3, "basic", 4000))
            for package_id, gig_id, name, price in packages:
                conn.execute(
                    PACKAGE_SQL, {"id": package_id, "gig": gig_id, "name": name, "price": price}
                )
            models = [
                # Seller 1: an erased model, an inactive one and the active one (shown).
                (1, 1, False, 900, 100, NOW),
                (2, 1, False, 700, None, None),
                (3, 1, True, 600, 2500, None),
                # Seller 2: only an unpriced draft; seller 3: no refinement price.
                (4, 2, False, None, None, None),
                (5, 3, True, 500, None, None),
            ]
            for model_id, owner, active, price, refinement, erased in models:
                conn.execute(
                    text(MODEL_SQL.text.replace(":erased", erased or "NULL")),
                    {
                        "id": model_id,
                        "owner": owner,
                        "active": active,
                        "price": price,
                        "refinement": refinement,
                    },
                )

        upgrade(url)
        with engine.connect() as conn:
            prices = conn.execute(
                text(
                    "SELECT id, ai_price_amount, hybrid_price_amount FROM gig_packages ORDER BY id"
                )
            ).all()
            profiles = conn.execute(
                text("SELECT ai_tools, works_with_ai FROM freelancer_profiles")
            ).all()
        assert [tuple(row) for row in prices] == [
            (1, 600, 3100),
            (2, 600, 3100),
            (3, None, None),
            (4, 500, None),
        ]
        assert all(not works for _, works in profiles)

        command.downgrade(alembic_config(url), "0020")
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM gig_packages")).scalar_one() == 4
    finally:
        engine.dispose()
