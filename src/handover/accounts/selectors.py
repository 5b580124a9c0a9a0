"""Reads of users and of a user's own account data."""

from django.db.models import QuerySet

from handover.accounts.errors import UserNotFound
from handover.accounts.models import ApiToken, User


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, live and revoked, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_get_by_email(*, email: str) -> User:
    """The user who signs in with this address (any case); raises UserNotFound."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise UserNotFound(email=email.strip())
    return user
