"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def current(request, **kwargs) -> HttpResponse:
    return HttpResponse("terms current")
