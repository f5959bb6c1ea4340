"""Buyer generation requests, previews, purchases, licences and ownership certificates."""
