"""Emails about Organizations, rendered in the recipient's language (text and HTML)."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from handover.accounts.models import User
from handover.organizations.models import Membership


def render_email(folder: str, to: str, language: str, context: dict[str, object]) -> EmailMultiAlternatives:
    """Render `folder`'s subject.txt, body.txt and body.html in `language` into one message."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{folder}/subject.txt", context).split())
        text = render_to_string(f"{folder}/body.txt", context)
        html = render_to_string(f"{folder}/body.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=text, to=[to]
    )
    message.attach_alternative(html, "text/html")
    return message


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
        "role": membership.get_role_display(),
        "inviter": inviter,
        "organization_url": settings.BASE_URL + reverse("products:list", args=[membership.organization_id]),
        "sign_in_url": settings.BASE_URL + reverse("account_login"),
        "password_url": password_setup_url(user) if invited else "",
    }
    folder = "organizations/email/" + ("member-invited" if invited else "member-added")
    return render_email(folder, user.email, user.language, context)
