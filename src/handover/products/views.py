"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def list(request, **kwargs) -> HttpResponse:
    return HttpResponse("products list")


def detail(request, **kwargs) -> HttpResponse:
    return HttpResponse("products detail")
