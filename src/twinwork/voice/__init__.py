"""Voice models' own steps around the shared lifecycle: proving the voice is the
freelancer's before it trains (verification), and the voice model's page."""
