"""Registers the assistant with the inbox: it answers after each buyer message commits.
Imported by ``twinwork.domains.load_domains``; the inbox never imports the assistant."""

from __future__ import annotations

from twinwork.assistant.responder import on_client_message
from twinwork.inbox.hooks import register_client_message_handler

register_client_message_handler(on_client_message)
