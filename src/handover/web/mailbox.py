"""The local mailbox of the embedded demo: sent mail is written to files and shown at /mailbox/.

Configured only by `EMAIL_URL=mailbox:` (the default of `make run`); with SMTP configured the page
does not exist.
"""

import time
import uuid
from collections.abc import Sequence
from email import message_from_bytes, policy
from email.message import EmailMessage as ParsedMessage
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


def mailbox_enabled() -> bool:
    return settings.EMAIL_BACKEND == "handover.web.mailbox.MailboxBackend"


class MailboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(settings.MAILBOX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
            (directory / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


def mailbox_messages(limit: int = 100) -> list[dict[str, str]]:
    """The newest messages first, each with its subject, recipients, date and plain-text body."""
    directory = Path(settings.MAILBOX_DIR)
    if not directory.exists():
        return []
    messages = []
    for file in sorted(directory.glob("*.eml"), reverse=True)[:limit]:
        parsed: ParsedMessage = message_from_bytes(file.read_bytes(), policy=policy.default)  # type: ignore[assignment]
        body = parsed.get_body(preferencelist=("plain", "html"))
        messages.append(
            {
                "id": file.stem,
                "subject": str(parsed["subject"]),
                "to": str(parsed["to"]),
                "date": str(parsed["date"]),
                "text": body.get_content() if body is not None else "",  # type: ignore[union-attr]
            }
        )
    return messages
