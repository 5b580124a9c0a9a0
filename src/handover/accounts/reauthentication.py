"""Re-authentication before sensitive actions (SPEC §3.5), one rule for the web and the API.

The password (or second factor) is asked again unless the user signed in or re-authenticated within
ACCOUNT_REAUTHENTICATION_TIMEOUT. allauth only counts explicit re-authentications; a sign-in a minute
ago proves as much, so both count here.
"""

import time
from collections.abc import Callable
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest


def authenticated_recently(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    last = max((record.get("at", 0) for record in records), default=0)
    return time.time() - last < allauth_settings.REAUTHENTICATION_TIMEOUT


def recent_authentication_required(when: Callable[[HttpRequest], bool]) -> Callable[[Any], Any]:
    """A view decorator: for requests where `when(request)` holds, ask for the password again unless
    the user authenticated recently. allauth keeps a POST in the session and replays it afterwards,
    so a form survives the detour; the API answers 403 `reauthentication_required` instead."""
    return reauthentication_required(
        enabled=lambda request: when(request) and not authenticated_recently(request)
    )
