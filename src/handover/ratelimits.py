"""Rate limits on the actions that reach other people or hand out something: members invited, links
sent, email addresses added (SPEC §6.2). One rule for every interface (the services and the forms call
`consume`; the web, the API and a user's CLI call those), one table of numbers
(settings.HANDOVER_RATE_LIMITS), per user and per Organization over a sliding window.

Kept in Django's cache, which is a table of the database (settings.CACHES): every app server of a
fleet counts in the same place, and inside the action's transaction, so an action that is rolled back
is not counted. An operator (the CLI, the demo: no acting user) is not limited: they are trusted
with the whole database already.
"""

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from handover.errors import TooManyRequests


def consume(action: str, *, user: Any, organization: Any = None) -> None:
    """Count one `action` (a key of HANDOVER_RATE_LIMITS) by `user`, in `organization` if given, or
    raise TooManyRequests, counting nothing, when either already reached its limit within the
    window. Nothing is counted for an operator (`user` None)."""
    if user is None:
        return
    limits = settings.HANDOVER_RATE_LIMITS[action]
    window = settings.HANDOVER_RATE_WINDOW
    now = time.time()
    counted: list[tuple[str, list[float]]] = []
    for subject, instance in (("user", user), ("organization", organization)):
        if instance is None or subject not in limits:
            continue
        key = f"handover:rate:{action}:{subject}:{instance.pk}"
        recent = [at for at in cache.get(key, []) if at > now - window]
        if len(recent) >= limits[subject]:
            raise TooManyRequests(retry_after=max(1, math.ceil(recent[0] + window - now)))
        counted.append((key, recent))
    for key, recent in counted:
        cache.set(key, [*recent, now], window)
