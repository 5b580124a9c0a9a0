"""Forms of the Organization pages: they parse input; the services decide what is allowed."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from handover.accounts.models import User
from handover.organizations.models import Organization, Role, Team
from handover.products.models import AccessLevel, Product


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Organization._meta.get_field("name").max_length)
    country = forms.CharField(
        label=_("Country"),
        min_length=2,
        max_length=2,
        initial="CH",
        help_text=_("Its two-letter code, e.g. CH, FR, DE."),
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 2}),
    )


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=Organization._meta.get_field("name").max_length)


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    name = forms.CharField(
        label=_("Name"),
        max_length=User._meta.get_field("name").max_length,
        required=False,
        help_text=_("For a person without an account yet."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.COLLABORATOR)
    products = forms.ModelMultipleChoiceField(
        label=_("Access to products"),
        queryset=Product.objects.none(),
        required=False,
        help_text=_("Optional. Hold Ctrl (or ⌘) to choose several."),
    )
    level = forms.ChoiceField(label=_("Access level"), choices=AccessLevel.choices, initial=AccessLevel.USE)

    def __init__(self, *args: Any, products: Any, roles: list[tuple[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["products"]).queryset = products
        cast(forms.ChoiceField, self.fields["role"]).choices = roles


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    # Posted by the confirm step of a change that takes the admin rights away (views.member_role).
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=Team._meta.get_field("name").max_length)


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none())

    def __init__(self, *args: Any, members: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = members


class TransferLockForm(forms.Form):
    locked = forms.TypedChoiceField(
        label=_("Outgoing transfers"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Locked")), ("0", _("Allowed"))],
    )
