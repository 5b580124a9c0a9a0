"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def list(request, **kwargs) -> HttpResponse:
    return HttpResponse("transfers list")
