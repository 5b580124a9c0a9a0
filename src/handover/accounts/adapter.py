from dataclasses import dataclass
from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from handover.accounts.errors import AddressOfAnotherAccount
from handover.accounts.services import release_unverified_address
from handover.organizations.services import create_organization

PRODUCT_NAME = "Handover"


@dataclass(frozen=True)
class Site:
    """What allauth's emails call the site ("Hello from {{ current_site.name }}!"): the product and its
    public address, not the host name of the request that happened to send the email."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """Signing up alone creates an Organization in the user's name, with them as legal representative;
    signing in switches to the language of the user's profile at once, so that the messages of the
    sign-in itself are in it; allauth's emails name the product."""

    def save_user(self, request, user, form, commit=True):
        user.name = form.cleaned_data.get("name", "")
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_organization(
                actor=user, name=form.cleaned_data.get("organization_name") or user.display_name
            )
        return user

    def clean_email(self, email):
        """Every form that takes an address (sign-up, adding one, resetting a password) first drops
        the unverified claims of others on it: they block no one (accounts.services)."""
        email = super().clean_email(email)
        release_unverified_address(email)
        return email

    def confirm_email(self, request, email_address):
        """An address added to an account (not its sign-in address) is confirmed only by that account,
        signed in: a click by whoever receives the email (its real owner, misled) must not give a
        squatter a verified address, which would receive the transfer links bound to it."""
        user = email_address.user
        if email_address.email.lower() != user.email.lower() and request.user != user:
            raise AddressOfAnotherAccount()
        return super().confirm_email(request, email_address)

    def login(self, request, user):
        super().login(request, user)
        if user.language in {code for code, _name in settings.LANGUAGES}:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

    def send_mail(self, template_prefix, email, context):
        site = Site(name=PRODUCT_NAME, domain=urlparse(settings.BASE_URL).netloc)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
