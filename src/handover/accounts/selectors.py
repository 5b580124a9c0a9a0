"""Reads of users and of a user's own account data."""

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from handover.accounts.errors import UserNotFound
from handover.accounts.models import ApiToken, User
from handover.errors import NotFound


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, live and revoked, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def live_api_token_get(*, user: User, token_id: Any) -> ApiToken:
    """One of the user's own tokens not revoked yet; NotFound for anyone else's, a revoked or an
    unknown one."""
    try:
        token = ApiToken.objects.filter(user=user, id=token_id, revoked_at__isnull=True).first()
    except (ValidationError, ValueError) as exc:
        raise NotFound() from exc
    if token is None:
        raise NotFound()
    return token


def email_address_get(*, user: User, email: str) -> EmailAddress:
    """One of the user's own email addresses (any case); NotFound for any other."""
    address = EmailAddress.objects.filter(user=user, email__iexact=email.strip()).first() if email else None
    if address is None:
        raise NotFound()
    return address


def user_get_by_email(*, email: str) -> User:
    """The user who signs in with this address (any case); raises UserNotFound."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise UserNotFound(email=email.strip())
    return user
