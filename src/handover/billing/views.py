from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from handover.billing.selectors import invoice_get, invoices_for_organization
from handover.organizations.access import Permission
from handover.organizations.http import MemberRequest, organization_page

PAGE_SIZE = 50


@organization_page(Permission.VIEW_INVOICES)
def invoices(request: MemberRequest) -> HttpResponse:
    """The Organization's invoices, newest first, with their totals."""
    queryset = invoices_for_organization(user=request.user, organization=request.organization)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/invoices.html", {"nav": "invoices", "page": page})


@organization_page(Permission.VIEW_INVOICES)
def invoice(request: MemberRequest, invoice_id: object) -> HttpResponse:
    """One invoice and its lines, including lines of products since transferred away."""
    found = invoice_get(user=request.user, organization=request.organization, invoice_id=invoice_id)
    return render(request, "billing/invoice.html", {"nav": "invoices", "invoice": found})
