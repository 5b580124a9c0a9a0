"""The forms of the transfer pages. They parse and label; every rule is checked by the services."""

import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from handover.organizations.models import Membership, Organization
from handover.transfers.models import Transfer

NOTE_MAX = Transfer._meta.get_field("note").max_length
REASON_MAX = Transfer._meta.get_field("end_reason").max_length
ORGANIZATION_NAME_MAX = Organization._meta.get_field("name").max_length
CHOOSE_ORGANIZATION = _("Choose an Organization…")


class ProductIdsField(forms.Field):
    """The checked product ids, as UUIDs in the order given. Which ones exist, belong to the
    Organization and may move is the service's to say."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("A selected product is not valid. Select the products again.")}

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return [uuid.UUID(str(item)) for item in value]
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


class StartTransferForm(forms.Form):
    """Both steps of starting a transfer: the products and the conditions, then the warnings."""

    products = ProductIdsField(required=False)
    # The products page's boxes on the page posted, ticked or not (see views._record_ticks).
    shown = ProductIdsField(required=False)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the general conditions"), required=False
    )
    note = forms.CharField(
        label=_("Note to the recipient (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    acknowledge_warnings = forms.BooleanField(label=_("I have read these warnings"), required=False)


def _organization_choices(memberships: Iterable[Membership]) -> list[tuple[str, str]]:
    return [("", str(CHOOSE_ORGANIZATION))] + [
        (str(m.organization_id), m.organization.name) for m in memberships
    ]


class DestinationChoiceField(forms.ChoiceField):
    """One of the Organizations offered (those where the user is an admin, the source excluded)."""

    def __init__(self, *, memberships: Iterable[Membership], **kwargs: Any):
        memberships = list(memberships)
        super().__init__(choices=_organization_choices(memberships), **kwargs)
        self.organizations = {str(m.organization_id): m.organization for m in memberships}

    def organization(self, value: str) -> Organization | None:
        return self.organizations.get(value)


class _DestinationForm(forms.Form):
    """A choice of one of the user's Organizations and the acceptance of the general conditions."""

    accept_terms = forms.BooleanField(
        label=_("I have read and accept the general conditions"), required=False
    )

    def __init__(self, *args: Any, memberships: Iterable[Membership], **kwargs: Any):
        super().__init__(*args, **kwargs)
        memberships = list(memberships)
        self.fields["destination"] = DestinationChoiceField(
            memberships=memberships,
            label=_("Destination Organization"),
            required=False,
            # The only Organization that qualifies is chosen already; with several, none is.
            initial=str(memberships[0].organization_id) if len(memberships) == 1 else None,
        )
        self.order_fields(["destination"])

    def destination_organization(self) -> Organization | None:
        """The chosen Organization, once the form is valid; None when none was chosen."""
        field: DestinationChoiceField = self.fields["destination"]  # type: ignore[assignment]
        return field.organization(self.cleaned_data.get("destination") or "")


class CompleteTransferForm(_DestinationForm):
    """Complete a transfer directly into another Organization of the same user."""

    use_required_attribute = False  # "Choose an Organization…" is refused by the server, with why

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        destination = self.fields["destination"]
        destination.required = True
        destination.error_messages["required"] = _("Choose the Organization that receives the products.")

    def destination_organization(self) -> Organization:
        """The chosen Organization, once the form is valid."""
        return super().destination_organization()  # type: ignore[return-value]


class SendLinkForm(forms.Form):
    """Email the transfer link to an address chosen by the sender."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    bind_to_email = forms.BooleanField(
        label=_("Only this email address can receive it"), required=False, initial=True
    )


class CancelTransferForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=REASON_MAX)


class ReceiveTransferForm(_DestinationForm):
    """Receive into an Organization of the recipient, or into a new one created for it."""

    new_organization_name = forms.CharField(
        label=_("Name of the new Organization"), required=False, max_length=ORGANIZATION_NAME_MAX
    )


class DeclineTransferForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
