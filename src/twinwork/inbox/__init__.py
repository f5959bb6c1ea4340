"""Buyer <-> freelancer conversations, attachments, custom offers and the assistant's hooks."""
