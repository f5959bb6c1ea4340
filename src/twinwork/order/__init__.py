"""Human, AI and hybrid orders: escrow, deliveries, revisions, acceptance, reviews."""
