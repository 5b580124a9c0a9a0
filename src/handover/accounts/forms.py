from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from handover.text import validate_one_line


class SignupForm(forms.Form):
    """Extra sign-up field: the person's name (allauth asks for email and password)."""

    name = forms.CharField(label=_("Your name"), max_length=150, validators=[validate_one_line])
    organization_name = forms.CharField(
        label=_("Organization name"),
        max_length=150,
        validators=[validate_one_line],
        required=False,
        help_text=_(
            "Your own Organization is created with you as its legal representative. "
            "Leave empty to use your name."
        ),
    )

    def signup(self, request, user) -> None:  # allauth's hook; the adapter does the work
        pass


class LanguageSelect(forms.Select):
    """Each language named in itself, and marked as written in it (`lang`), for screen readers."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Of the pages and of the emails you receive."),
        widget=LanguageSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("As my browser says")),
            *settings.LANGUAGES,
        ]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What it is for, e.g. the script or machine that uses it."),
    )
