"""Links from product pages to transfer pages that another app owns.

Each falls back to the transfers list while the more precise page is not routed, so that product
pages never break on a missing URL name.
"""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def pending_transfer_url(org_id, transfer_id) -> str:
    """The page of the pending transfer a product is in."""
    try:
        return reverse("transfers:detail", args=[org_id, transfer_id])
    except NoReverseMatch:
        return reverse("transfers:list", args=[org_id])


@register.simple_tag
def transfer_start_url(org_id, product_id) -> str:
    """The start of a transfer with this one product pre-selected."""
    try:
        base = reverse("transfers:start", args=[org_id])
    except NoReverseMatch:
        base = reverse("transfers:list", args=[org_id])
    return f"{base}?product={product_id}"
