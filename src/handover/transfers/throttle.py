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


def _user_key(user: User) -> str:
    return f"user:{user.pk}"


def _keys(user: User) -> list[str]:
    keys = [_user_key(user)]
    if ip := client_ip.get():
        keys.append(f"ip:{ip}")
    return keys


def _failures(key: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.HANDOVER_LINK_ATTEMPT_WINDOW)
    return LinkAttempt.objects.filter(key=key, created_at__gt=since).count()


def check_link_attempts(*, user: User) -> None:
    """Before a lookup: raise TooManyAttempts while the user has too many recent failures of their
    own. Others' failures from the same address never refuse them (see the module's note)."""
    if _failures(_user_key(user)) >= settings.HANDOVER_LINK_ATTEMPT_LIMIT:
        raise TooManyAttempts(retry_after=settings.HANDOVER_LINK_ATTEMPT_WINDOW)


def record_failed_link_attempt(*, user: User) -> None:
    """After a lookup failed: count it for the user and their address, and raise TooManyAttempts when
    this one went past the address's limit (else the caller answers that the link is unknown)."""
    keys = _keys(user)
    LinkAttempt.objects.bulk_create(LinkAttempt(key=key) for key in keys)
    if any(_failures(key) > settings.HANDOVER_LINK_ATTEMPT_LIMIT for key in keys[1:]):
        raise TooManyAttempts(retry_after=settings.HANDOVER_LINK_ATTEMPT_WINDOW)


def forget_old_attempts() -> int:
    """Delete failures older than the window (run by the sweep); returns how many."""
    since = timezone.now() - timedelta(seconds=settings.HANDOVER_LINK_ATTEMPT_WINDOW)
    return LinkAttempt.objects.filter(created_at__lte=since).delete()[0]
