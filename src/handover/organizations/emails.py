"""Emails about Organizations, in the recipient's language (text and HTML)."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from handover.accounts.models import User
from handover.emails import build_email
from handover.organizations.models import Membership


def password_setup_url(user: User) -> str:
    """A link to choose a password: allauth's password-reset link, valid PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return settings.BASE_URL + path


def membership_email(
    *, membership: Membership, inviter: User | None, invited: bool
) -> EmailMultiAlternatives:
    """The invitation of a new account (with its password link), or the notice to an existing user."""
    user = membership.user
    context = {
        "user": user,
        "organization": membership.organization,
        "membership": membership,
        "inviter": inviter,
        "organization_url": settings.BASE_URL + reverse("products:list", args=[membership.organization_id]),
        "sign_in_url": settings.BASE_URL + reverse("account_login"),
        "password_url": password_setup_url(user) if invited else "",
    }
    folder = "organizations/email/" + ("member-invited" if invited else "member-added")
    return build_email(folder, context, to=user.email, language=user.language)
