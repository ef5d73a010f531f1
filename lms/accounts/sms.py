"""Sending SMS through a pluggable backend, like Django's e-mail backends.

settings.SMS_BACKEND names the class (dotted path):

- ConsoleSmsBackend (development): writes each message to stdout and the log;
- MemorySmsBackend (tests): keeps messages in the module-level list `outbox`;
- a production backend subclasses BaseSmsBackend and talks to an SMS gateway.
"""

import logging
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str
    sent_at: object = field(default_factory=timezone.now)


class BaseSmsBackend:
    """Send SMS. Subclasses implement `send_messages`; return how many were sent."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: print each message so the developer can read the code."""

    def __init__(self, stream=None) -> None:
        self.stream = stream

    def send_messages(self, messages: list[SmsMessage]) -> int:
        stream = self.stream or sys.stdout
        for message in messages:
            line = f"[SMS to {message.to}] {message.body}"
            stream.write(line + "\n")
            stream.flush()
            logger.info(line)
        return len(messages)


# Messages "sent" by MemorySmsBackend, oldest first. Tests read and clear it.
outbox: list[SmsMessage] = []


class MemorySmsBackend(BaseSmsBackend):
    """Tests: keep messages in `lms.accounts.sms.outbox` (shared by the whole process)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> int:
    """Send one SMS to an E.164 number through the configured backend."""
    return get_sms_backend().send_messages([SmsMessage(to=to, body=body)])
