"""Outgoing mail through a small pluggable sender; by default it only logs.

Plug a real one in at startup (an SMTP relay, a provider's API)::

    from oms_graphql import mail
    mail.set_sender(MySender())

A sender has one coroutine, ``send(message)``. Mail leaves after the transaction that
asked for it committed, so a refused or rolled-back change never mails anyone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger("oms_graphql.mail")


@dataclass(frozen=True, slots=True)
class MailMessage:
    to: str
    subject: str
    text: str
    """The plain-text body."""


class MailSender(Protocol):
    async def send(self, message: MailMessage) -> None: ...


class LoggingSender:
    """Writes each message to the log instead of mailing it (the default)."""

    async def send(self, message: MailMessage) -> None:
        logger.info("mail to %s: %s\n%s", message.to, message.subject, message.text)


_sender: MailSender = LoggingSender()


def set_sender(sender: MailSender) -> MailSender:
    """Use ``sender`` from now on; the previous one (to restore it, e.g. in tests)."""
    global _sender
    previous, _sender = _sender, sender
    return previous


async def send(message: MailMessage) -> None:
    """Hand ``message`` to the sender; a failing sender is logged, never raised (the change
    that asked for the mail is already committed)."""
    try:
        await _sender.send(message)
    except Exception:
        logger.exception("mail to %s could not be sent", message.to)
