from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from handover.billing.selectors import invoice_get, invoices_for_organization
from handover.web.decorators import organization_page

PAGE_SIZE = 50


@organization_page
def invoices(request: HttpRequest) -> HttpResponse:
    """The Organization's invoices, newest first, with their totals."""
    queryset = invoices_for_organization(user=request.user, organization=request.organization)  # type: ignore[arg-type, attr-defined]
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/invoices.html", {"nav": "invoices", "page": page})


@organization_page
def invoice(request: HttpRequest, invoice_id: object) -> HttpResponse:
    """One invoice and its lines, including lines of products since transferred away."""
    found = invoice_get(
        user=request.user,  # type: ignore[arg-type]
        organization=request.organization,  # type: ignore[attr-defined]
        invoice_id=invoice_id,
    )
    return render(request, "billing/invoice.html", {"nav": "invoices", "invoice": found})
