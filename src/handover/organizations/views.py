"""Placeholder pages, replaced as each app is built."""

from django.http import HttpResponse


def create(request, **kwargs) -> HttpResponse:
    return HttpResponse("organizations create")


def members(request, **kwargs) -> HttpResponse:
    return HttpResponse("organizations members")


def teams(request, **kwargs) -> HttpResponse:
    return HttpResponse("organizations teams")


def settings(request, **kwargs) -> HttpResponse:
    return HttpResponse("organizations settings")
