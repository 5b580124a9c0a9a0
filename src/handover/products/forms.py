from django import forms
from django.utils.translation import gettext_lazy as _

from handover.products.models import AccessLevel


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
