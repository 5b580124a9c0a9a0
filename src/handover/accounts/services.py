"""Users, their profile and their personal API tokens."""

import secrets
from typing import Any, cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from handover import text
from handover.accounts.errors import EmailTaken, InvalidEmailAddress, InvalidProfile, InvalidTokenName
from handover.accounts.models import ApiToken, User
from handover.accounts.tasks import send_credentials_changed_email
from handover.errors import NotFound
from handover.hashing import hash_secret

TOKEN_PREFIX = "hov_"  # noqa: S105 (a public marker, not a secret)
TOKEN_NAME_MAX = cast(int, ApiToken._meta.get_field("name").max_length)
EMAIL_MAX = cast(int, User._meta.get_field("email").max_length)
USER_NAME_MAX = cast(int, User._meta.get_field("name").max_length)
# How often a token's "last used" time is written: once a minute is precise enough for the list of
# tokens and spares a write on every API call.
LAST_USED_RESOLUTION_SECONDS = 60


EMAIL_TAKEN = EmailTaken.message


def clean_email(email: str) -> str:
    """The address, trimmed and lower-cased; raises InvalidEmailAddress unless it is a valid one
    that fits the column."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidEmailAddress(fields={"email": str(InvalidEmailAddress.message)}) from exc
    if len(email) > EMAIL_MAX:
        raise InvalidEmailAddress(fields={"email": str(InvalidEmailAddress.message)})
    return email


def release_unverified_address(email: str) -> int:
    """An unverified address is nobody's: drop the claims on `email` that nobody proved, as another
    account's secondary address, so that they block neither its owner's sign-up nor their invitation
    (and no password reset of that address reaches the claimant's account). An account's own sign-in
    address stays. Returns how many claims were dropped."""
    unproved = EmailAddress.objects.filter(email__iexact=email, verified=False)
    return unproved.exclude(user__email__iexact=email).delete()[0]


@transaction.atomic
def create_user(*, email: str, password: str | None = None, name: str = "", verified: bool = True) -> User:
    """Create a user; with `verified`, their email address counts as confirmed (operators, demo,
    invitations). Without a password, the account has an unusable one until its owner sets one.

    Raises InvalidEmailAddress, or EmailTaken when the address is someone's already.
    """
    email = clean_email(email)
    release_unverified_address(email)
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        raise EmailTaken(fields={"email": str(EMAIL_TAKEN)})
    name = text.one_line(name, field="name")
    if len(name) > USER_NAME_MAX:
        raise InvalidProfile(
            fields={"name": str(InvalidProfile.message) % {"max": USER_NAME_MAX}}, max=USER_NAME_MAX
        )
    user = User.objects.create_user(email=email, password=password or None, name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


@transaction.atomic
def update_profile(*, user: User, name: str, language: str) -> User:
    """Change the user's name and preferred language ("" = the browser's); emails to them are
    written in that language. Raises InvalidProfile."""
    name = text.one_line(name, field="name")
    languages = {code for code, _label in settings.LANGUAGES}
    if len(name) > USER_NAME_MAX or (language and language not in languages):
        raise InvalidProfile(max=USER_NAME_MAX)
    user.name = name
    user.language = language or ""
    user.save(update_fields=["name", "language"])
    return user


@transaction.atomic
def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is shown once and never stored.

    Raises InvalidTokenName for a name that is too long.
    """
    name = text.one_line(name, field="name") or str(_("API token"))
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidTokenName(
            fields={"name": str(InvalidTokenName.message) % {"max": TOKEN_NAME_MAX}}, max=TOKEN_NAME_MAX
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=secret[:10], token_hash=hash_secret(secret))
    return token, secret


@transaction.atomic
def revoke_api_token(*, user: User, token_id: Any) -> ApiToken:
    """Revoke one of the user's own live tokens; NotFound for anyone else's, a revoked or an unknown one."""
    try:
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=user, id=token_id, revoked_at__isnull=True)
            .first()
        )
    except (ValidationError, ValueError) as exc:
        raise NotFound() from exc
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def authenticate_api_token(*, secret: str) -> User | None:
    """The active user owning this live token (recording its use), or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class CredentialChange:
    """What changed in how a user signs in (the email says which)."""

    PASSWORD = "password"  # noqa: S105 (a kind of change, not a password)
    SECOND_FACTOR = "second_factor"


@transaction.atomic
def revoke_other_credentials(*, user: User, change: str) -> int:
    """After the password changed or a second factor was turned on (SPEC §6.2): revoke every live
    API token of the user and end all their sessions (the caller gives the current one the new hash,
    see User._get_session_auth_hash), and email them. Returns how many tokens were revoked."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    User.objects.filter(pk=user.pk).update(credentials_version=F("credentials_version") + 1)
    user.refresh_from_db(fields=["credentials_version"])
    send_credentials_changed_email.enqueue(user_id=str(user.pk), change=change, revoked_tokens=revoked)
    return revoked
