"""Re-authentication before every action that creates or hands out a capability (SPEC §3.5, §6.2),
one rule for the web and the API.

The rule: with a session, the password (or second factor) is asked again unless the user signed in
or re-authenticated within ACCOUNT_REAUTHENTICATION_TIMEOUT. allauth only counts explicit
re-authentications; a sign-in a minute ago proves as much, so both count here. A call made with a
personal API token passes: the token is itself the credential, and creating one is what is guarded
(so a token exists only if someone re-authenticated to make it; changing the password or turning on
the second factor revokes them all, see accounts.receivers). Pages redirect to the password form
(allauth keeps a POST and replays it afterwards); the API answers 401 `reauthentication_required`.
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


def needs_reauthentication(request: HttpRequest) -> bool:
    """The one rule: a session older than the window must confirm the password; a token call never."""
    if getattr(request, "api_token", False):
        return False
    return not authenticated_recently(request)


def recent_authentication_required(when: Callable[[HttpRequest], bool]) -> Callable[[Any], Any]:
    """A view decorator: for requests where `when(request)` holds, ask for the password again as
    `needs_reauthentication` says (allauth raises ReauthenticationRequired)."""
    return reauthentication_required(
        enabled=lambda request: when(request) and needs_reauthentication(request)
    )


# Re-authentication before the POST of a page whose one action creates a capability, or before an
# API operation (its handlers are POSTs).
reauthenticated = recent_authentication_required(lambda request: request.method == "POST")
