"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def profile(request, **kwargs) -> HttpResponse:
    return HttpResponse("accounts profile")


def tokens(request, **kwargs) -> HttpResponse:
    return HttpResponse("accounts tokens")
