"""Reads of a user's own account data."""

from django.db.models import QuerySet

from handover.accounts.models import ApiToken, User


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, live and revoked, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
