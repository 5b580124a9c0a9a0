"""The form of the webhooks page: it parses input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from handover.webhooks.models import EventType
from handover.webhooks.network import MAX_URL_LENGTH


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=MAX_URL_LENGTH,
        help_text=_("An https:// address of your system, reachable from the Internet."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/handover-events"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        initial=EventType.values,
        widget=forms.CheckboxSelectMultiple,
    )
