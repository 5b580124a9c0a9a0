"""The transfer emails: who receives each one, rendered in their language.

One email per person, never per product; each names the transfer's first products and counts the
others, so that its size does not grow with a 10,000-product transfer.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from handover.accounts.models import User
from handover.emails import build_email
from handover.organizations.access import Permission, roles_with
from handover.organizations.models import Membership, Role
from handover.transfers.models import Transfer
from handover.transfers.selectors import first_items

FOLDER = "transfers/email/{}"


def _transfer_url(transfer: Transfer) -> str:
    return settings.BASE_URL + reverse(
        "transfers:detail", args=[transfer.source_organization_id, transfer.id]
    )


def _context(transfer: Transfer, **extra: Any) -> dict[str, Any]:
    """What every transfer email shows: the transfer, its first products, how many others."""
    products = [item.product for item in first_items(transfer)]
    return {
        "transfer": transfer,
        "products": products,
        "more": transfer.product_count - len(products),
        **extra,
    }


def _language_of(email: str) -> str:
    user = User.objects.filter(email__iexact=email).only("language").first()
    return user.language if user else ""


def link_email(
    transfer: Transfer, *, link: str, email: str, message: str, sender: User
) -> EmailMultiAlternatives:
    context = _context(transfer, link=link, message=message, sender=sender)
    return build_email(FOLDER.format("transfer-link"), context, to=email, language=_language_of(email))


def completed_emails(transfer: Transfer, lost_access: Iterable[User]) -> list[EmailMultiAlternatives]:
    """To those who manage transfers in either Organization, and to each user who lost access."""
    admins = Membership.objects.filter(
        organization__in=[transfer.source_organization_id, transfer.destination_organization_id],
        role__in=roles_with(Permission.MANAGE_TRANSFERS),
    ).select_related("user")
    recipients = {m.user.email: m.user for m in admins}
    context = _context(transfer)
    messages = [
        build_email(
            FOLDER.format("transfer-completed"),
            {**context, "user": u},
            to=email,
            language=u.language,
        )
        for email, u in sorted(recipients.items())
    ]
    messages += [
        build_email(
            FOLDER.format("transfer-access-lost"),
            {**context, "user": u},
            to=u.email,
            language=u.language,
        )
        for u in lost_access
    ]
    return messages


def ended_emails(
    transfer: Transfer, *, to_legal_representatives: bool = False
) -> list[EmailMultiAlternatives]:
    """Cancelled, declined or expired: to the initiator (and the legal representatives when the
    transfer was cancelled because its initiator lost their rights)."""
    recipients = {transfer.created_by.email: transfer.created_by}
    if to_legal_representatives:
        for m in Membership.objects.filter(
            organization=transfer.source_organization_id, role=Role.LEGAL_REPRESENTATIVE
        ).select_related("user"):
            recipients[m.user.email] = m.user
    folder = FOLDER.format(f"transfer-{transfer.state}")
    context = _context(transfer, transfer_url=_transfer_url(transfer))
    return [
        build_email(folder, {**context, "user": u}, to=email, language=u.language)
        for email, u in sorted(recipients.items())
    ]


def reminder_emails(transfer: Transfer) -> list[EmailMultiAlternatives]:
    """A day before expiry: to the initiator, and to the address the link was sent to."""
    context = _context(transfer, transfer_url=_transfer_url(transfer))
    messages = [
        build_email(
            FOLDER.format("transfer-expiring"),
            {**context, "user": transfer.created_by},
            to=transfer.created_by.email,
            language=transfer.created_by.language,
        )
    ]
    if transfer.bound_email:
        messages.append(
            build_email(
                FOLDER.format("transfer-expiring-recipient"),
                context,
                to=transfer.bound_email,
                language=_language_of(transfer.bound_email),
            )
        )
    return messages
