"""Limits against guessing transfer links (sending them is limited by handover.ratelimits).

Failed link lookups are rows (`LinkAttempt`), counted per user and per client address over a sliding
window, so the limit holds across every app server sharing the database. They are written outside any
transaction, so a refused request still counts.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from handover.accounts.models import User
from handover.audit.context import client_ip
from handover.transfers.errors import TooManyAttempts
from handover.transfers.models import LinkAttempt


def _keys(user: User) -> list[str]:
    keys = [f"user:{user.pk}"]
    if ip := client_ip.get():
        keys.append(f"ip:{ip}")
    return keys


def check_link_attempts(*, user: User) -> None:
    """Raise TooManyAttempts while the user or their address has too many recent failures."""
    window = settings.HANDOVER_LINK_ATTEMPT_WINDOW
    since = timezone.now() - timedelta(seconds=window)
    for key in _keys(user):
        if (
            LinkAttempt.objects.filter(key=key, created_at__gt=since).count()
            >= settings.HANDOVER_LINK_ATTEMPT_LIMIT
        ):
            raise TooManyAttempts(retry_after=window)


def record_failed_link_attempt(*, user: User) -> None:
    LinkAttempt.objects.bulk_create(LinkAttempt(key=key) for key in _keys(user))


def forget_old_attempts() -> int:
    """Delete failures older than the window (run by the sweep); returns how many."""
    since = timezone.now() - timedelta(seconds=settings.HANDOVER_LINK_ATTEMPT_WINDOW)
    return LinkAttempt.objects.filter(created_at__lte=since).delete()[0]
