"""Users and their personal API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover.accounts.models import ApiToken, User
from handover.errors import InvalidInput, NotFound
from handover.organizations.models import Organization

TOKEN_PREFIX = "hov_"  # noqa: S105 (a public marker, not a secret)
EMAIL_TAKEN = _("A user with this email address already exists.")


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a secret (API token, transfer link) is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_user(*, email: str, password: str | None = None, name: str = "", verified: bool = True) -> User:
    """Create a user; with `verified`, their email address counts as confirmed (operators, demo).

    Raises InvalidInput when the email is taken.
    """
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput(EMAIL_TAKEN, fields={"email": str(EMAIL_TAKEN)})
    user = User.objects.create_user(email=email, password=password, name=name.strip())
    if not password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def complete_signup(*, user: User, organization_name: str) -> Organization:
    """After a self-service sign-up: the user's own Organization, with them as legal representative."""
    # Imported here: organizations build on accounts, not the other way round.
    from handover.organizations.services import create_organization

    return create_organization(actor=user, name=organization_name)


def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is shown once and never stored."""
    name = name.strip() or "API token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:10], token_hash=hash_secret(secret)
    )
    return token, secret


def revoke_api_token(*, user: User, token_id: object) -> ApiToken:
    """Revoke one of the user's own tokens; NotFound for anyone else's."""
    token = ApiToken.objects.filter(user=user, id=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def authenticate_api_token(*, secret: str) -> User | None:
    """The active user owning this live token (recording its use), or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
