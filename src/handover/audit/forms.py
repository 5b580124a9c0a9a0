from django import forms
from django.utils.translation import gettext_lazy as _

from handover.audit.errors import InvalidDateRange
from handover.audit.models import AuditAction


class AuditFilterForm(forms.Form):
    """The filters of the audit log and of its CSV export; invalid values are reported and ignored."""

    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditAction.choices]
    )
    actor = forms.CharField(label=_("Actor email"), required=False, max_length=254)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(label=_("Object id"), required=False, max_length=36)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", InvalidDateRange.message)
        return data

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "action": data.get("action") or None,
            "actor": data.get("actor") or None,
            "since": data.get("since"),
            "until": data.get("until"),
            "target_id": data.get("target") or None,
        }
