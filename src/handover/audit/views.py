"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def events(request, **kwargs) -> HttpResponse:
    return HttpResponse("audit events")


def export(request, **kwargs) -> HttpResponse:
    return HttpResponse("audit export")
