from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    """Extra sign-up field: the person's name (allauth asks for email and password)."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    organization_name = forms.CharField(
        label=_("Organization name"),
        max_length=150,
        required=False,
        help_text=_(
            "Your own Organization is created with you as its legal representative. "
            "Leave empty to use your name."
        ),
    )

    def signup(self, request, user) -> None:  # allauth's hook; the adapter does the work
        pass
