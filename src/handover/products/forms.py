from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from handover.products.catalogue import type_choices
from handover.products.models import AccessLevel, ProductStatus

TRANSFERABLE_CHOICES = [("", _("Any")), ("yes", _("Transferable")), ("no", _("Not transferable"))]


class ProductFilterForm(forms.Form):
    """The filters of the products list; an invalid value is reported and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *ProductStatus.choices]
    )
    transferable = forms.ChoiceField(
        label=pgettext_lazy("noun", "Transfer"), required=False, choices=TRANSFERABLE_CHOICES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Any")), *type_choices()]  # type: ignore[attr-defined]
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict:
        if not self.is_valid():
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        else:
            data = self.cleaned_data
        transferable = {"yes": True, "no": False}.get(data.get("transferable") or "")
        return {
            "q": data.get("q") or None,
            "type": data.get("type") or None,
            "status": data.get("status") or None,
            "transferable": transferable,
        }


class AccessGrantForm(forms.Form):
    """Who gets a right on the product (`user:<id>` or `team:<id>`) and which one."""

    who = forms.ChoiceField(label=_("Member or team"))
    level = forms.ChoiceField(label=_("Right"), choices=AccessLevel.choices, initial=AccessLevel.USE)

    def __init__(self, *args, members=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(user.id): user for user in members}
        self.teams = {str(team.id): team for team in teams}
        self.fields["who"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose…")),
            (_("Members"), [(f"user:{key}", user.email) for key, user in self.members.items()]),
            (_("Teams"), [(f"team:{key}", team.name) for key, team in self.teams.items()]),
        ]

    def target(self) -> dict:
        """`{"user": …}` or `{"team": …}` for `grant_access`."""
        kind, _sep, key = self.cleaned_data["who"].partition(":")
        if kind == "user":
            return {"user": self.members[key]}
        return {"team": self.teams[key]}
