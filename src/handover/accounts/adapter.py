from dataclasses import dataclass
from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

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

    def login(self, request, user):
        super().login(request, user)
        if user.language in {code for code, _name in settings.LANGUAGES}:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language

    def send_mail(self, template_prefix, email, context):
        site = Site(name=PRODUCT_NAME, domain=urlparse(settings.BASE_URL).netloc)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
