"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def invoices(request, **kwargs) -> HttpResponse:
    return HttpResponse("billing invoices")


def invoice(request, **kwargs) -> HttpResponse:
    return HttpResponse("billing invoice")
