"""The e-mail port: an outbox folder by default, any SMTP server when configured.

The embedded default writes each message as an ``.eml`` file under ``<data dir>/mail/outbox``
(open one in any mail program); ``TWINWORK_SMTP_URL`` (``smtp://user:password@host:587`` with
STARTTLS, or ``smtps://...`` for TLS from the start) sends through a real server instead. Both
take the same ``Mail`` and the code above never learns which one it talks to.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

from twinwork.config import Settings, get_settings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    name: str

    def send(self, mail: Mail) -> None: ...


def message_of(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    # A subject is one line: a producer's text never splits the headers.
    message["Subject"] = " ".join(mail.subject.split())[:200]
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="twinwork")
    message.set_content(mail.text)
    return message


@dataclass
class OutboxMailer:
    """Writes messages to a folder: the embedded default, and what tests read."""

    folder: Path
    sender: str
    name: str = "outbox"

    def send(self, mail: Mail) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4().hex}.eml"
        # Written under a temporary name, then renamed: a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(message_of(mail, self.sender)))
        partial.replace(path)


@dataclass
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    name: str = "smtp"

    def send(self, mail: Mail) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=30, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
        with smtp:
            if not self.implicit_tls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message_of(mail, self.sender))


def make_mailer(settings: Settings) -> Mailer:
    if not settings.smtp_url:
        return OutboxMailer(settings.resolved_data_dir / "mail" / "outbox", settings.mail_from)
    parsed = urlparse(settings.smtp_url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError(
            "TWINWORK_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465"
        )
    return SmtpMailer(
        host=parsed.hostname,
        port=parsed.port or (465 if parsed.scheme == "smtps" else 587),
        sender=settings.mail_from,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        implicit_tls=parsed.scheme == "smtps",
    )


def mailer() -> Mailer:
    return make_mailer(get_settings())
