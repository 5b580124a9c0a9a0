"""What accounts do when allauth announces a change of how a user signs in (connected in
AccountsConfig.ready): a new password or a new second factor revokes every other credential
(SPEC §6.2) — the user's API tokens and their other sessions — and the user is told, on the page
and by email."""

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from handover.accounts.models import User
from handover.accounts.services import CredentialChange, revoke_other_credentials


def _revoke(request: HttpRequest, user: User, change: str) -> None:
    revoked = revoke_other_credentials(user=user, change=change)
    if request.user.is_authenticated and request.user.pk == user.pk:
        update_session_auth_hash(request, user)  # this session goes on; every other one ends
    if revoked:
        told = ngettext(
            "For your safety, your other sessions were signed out and your personal API token was revoked.",
            "For your safety, your other sessions were signed out and your %(count)s personal API tokens "
            "were revoked.",
            revoked,
        ) % {"count": revoked}
    else:
        told = _("For your safety, your other sessions were signed out.")
    messages.info(request, told)


@receiver(password_changed, dispatch_uid="accounts.revoke_on_password_changed")
@receiver(password_set, dispatch_uid="accounts.revoke_on_password_set")
@receiver(password_reset, dispatch_uid="accounts.revoke_on_password_reset")
def revoke_on_new_password(*, request: HttpRequest, user: User, **kwargs: Any) -> None:
    _revoke(request, user, CredentialChange.PASSWORD)


@receiver(authenticator_added, dispatch_uid="accounts.revoke_on_second_factor")
def revoke_on_second_factor(
    *, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    """A new second factor (not the recovery codes that come with the first one: once is enough)."""
    if authenticator.type != Authenticator.Type.RECOVERY_CODES:
        _revoke(request, user, CredentialChange.SECOND_FACTOR)
