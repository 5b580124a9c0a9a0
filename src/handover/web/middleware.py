from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve
from django.utils.translation import gettext as _

from handover.errors import DomainError


class DomainErrorMiddleware:
    """Turns a domain error that a page did not handle into a page with its message and status,
    so that a refused action is a clear 4xx and never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "web/error.html",
            {"title": _title(exception), "detail": exception.detail},
            status=exception.status,
        )


def _title(exception: DomainError) -> str:
    return {
        404: _("Not found"),
        403: _("Not allowed"),
        409: _("Already changed"),
        410: _("Expired"),
    }.get(exception.status, _("Refused"))


PROBES = {"/healthz", "/readyz", "/metrics"}


class ProbeMiddleware:
    """Answers the probes before the Host check and the HTTPS redirect: a load balancer and Prometheus
    ask each server by its own address, over plain HTTP. The views are those of web/urls.py."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info not in PROBES:
            return self.get_response(request)
        request.resolver_match = match = resolve(request.path_info)
        return match.func(request, *match.args, **match.kwargs)


class HeadAsGetMiddleware:
    """A HEAD on a page is its GET without the body (RFC 9110 §9.3.2), and is answered as one: so
    that no view takes it for an attempt to act (allauth's sign-in and sign-up rate limits count every
    method but GET, and would write a row for each anonymous HEAD). The server drops the body. The API
    answers its own HEADs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "HEAD" or request.path.startswith("/api/"):
            return self.get_response(request)
        request.method = "GET"
        try:
            return self.get_response(request)
        finally:
            request.method = "HEAD"  # the access log and the metrics say what was asked
